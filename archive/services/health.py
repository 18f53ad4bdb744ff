"""Is the service able to work? The database, object store, search index and broker, each for real.

Each check makes one cheap request to its engine, all at once, with a deadline: an engine
that hangs counts as down instead of hanging the health check. Nothing is written.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Callable

from sqlalchemy import text

from archive.context import Context

log = logging.getLogger(__name__)

# Vietnamese names of the parts, for the answer people read
PART_NAMES = {"database": "cơ sở dữ liệu", "storage": "kho lưu trữ tệp", "search": "chỉ mục tìm kiếm",
              "broker": "hàng đợi công việc"}


def _database(c: Context) -> None:
    with c.uow() as uow:
        uow.session.execute(text("SELECT 1"))


def _storage(c: Context) -> None:
    c.store.exists("0" * 64)


def _search(c: Context) -> None:
    c.index.count()


def _broker(c: Context) -> None:
    if c.queue is not None:
        c.queue.ping()


CHECKS: dict[str, Callable[[Context], None]] = {
    "database": _database, "storage": _storage, "search": _search, "broker": _broker,
}


def check(c: Context, *, timeout: float = 5.0) -> dict[str, str]:
    """Part → "ok", or the kind of failure (no engine details: the answer is public)."""
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="health")
    futures = {name: pool.submit(fn, c) for name, fn in CHECKS.items()}
    wait(futures.values(), timeout=timeout)
    pool.shutdown(wait=False, cancel_futures=True)
    out: dict[str, str] = {}
    for name, fut in futures.items():
        if not fut.done():
            out[name] = "timeout"
            log.warning("health: %s did not answer within %.0f s", name, timeout)
        elif (exc := fut.exception()) is not None:
            out[name] = type(exc).__name__
            log.warning("health: %s failed: %s", name, exc)
        else:
            out[name] = "ok"
    return out


def backup(c: Context) -> dict | None:
    """The last good backup's age, as information: a stale backup is warned about (admin page "Sao lưu",
    `stale: true` here) but never makes the service unhealthy — the API works, and a 503 would only get
    a healthy container restarted. None when the database cannot say (its own check fails then)."""
    from archive.services.backup_status import backup_status

    try:
        return backup_status(c).health()
    except Exception as exc:  # noqa: BLE001 - information only: never fails the health check
        log.warning("health: backup state unreadable: %s", exc)
        return None
