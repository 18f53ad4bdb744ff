"""One drain of a kind at a time across every host: a PostgreSQL advisory lock (issue 20).

The index consumer (kinds/index.py) may run on every host: each host's `archive serve` starts
an `index` worker, and Celery hands a wake-up to whichever is free. Two drains at once would
each read the same documents waiting in `indexing`; the slower one could then write the text
it read before a correction over the newer text, and both would mark the document `indexed`.
So a drain first takes a session-level advisory lock on a connection of its own; a second
drain that finds it taken returns at once, doing nothing: the running drain loops until
nothing waits, and the sweeper wakes the kind again for anything that arrived as it ended
(ARCHIVE_SWEEP_INTERVAL_SECONDS). A worker that dies loses its connection, and PostgreSQL
frees the lock with it: no lease to expire. SQLite is the embedded mode, one host, where the
tantivy writer lock already bars a second writer; no lock is taken there.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import text

from archive.context import Context


def lock_key(kind: str) -> int:
    """The advisory lock's bigint for a drain kind (stable across hosts and releases)."""
    return int.from_bytes(hashlib.sha256(f"archive.drain:{kind}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def exclusive_drain(ctx: Context, kind: str) -> Iterator[bool]:
    """Yield True when this process may drain `kind` now, False when another one is draining."""
    with ctx.uow() as uow:
        engine = uow.session.get_bind()
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = lock_key(kind)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        mine = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        try:
            yield mine
        finally:
            if mine:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
