"""The contract every job kind signs (in the spirit of paperless-ngx's consume plug-ins).

A **job kind** is work with a row per job in `jobs` (extract one document, make one archival
copy, run one backup …). Its handler:

- `run(ctx, job, lease)` does the work and returns a `Finish`. It must be **idempotent**: a
  worker may die at any point and the job then runs again from the start (another attempt),
  so `run` may re-do work but must never duplicate an effect. The way to get that: do the
  slow part outside any transaction (reading originals, OCR, writing content-addressed
  objects — a second write of the same bytes is a no-op), and put every database effect in
  `Finish.apply`, which runs in the one transaction that also marks the job done, and only if
  this worker still holds the job. Long work calls `lease.renew()` now and then (at least
  once per `job_lease_seconds`); it raises `LeaseLost` when another worker took the job over,
  and the handler then just lets it propagate.
- raises `PermanentFailure(reason)` when the job can never succeed (the reason is shown to
  people, in Vietnamese); any other exception is transient: the job goes back to the queue
  until it runs out of attempts.
- `cleanup(ctx, job)` always runs after `run`, whatever happened (remove temp files …).
- `on_claim`, `on_requeue`, `on_fail` keep the target's own state in step with the job's
  (e.g. a document's `processing` / `queued` / `failed`); they run inside the transaction that
  changes the job and may touch only the target's rows.
- `follow_ups`: kinds queued for the same target when this one finishes (after `extract`:
  the archival copy, the paper-vs-record check …) — declared here or added with one registry
  line, never called from `run`.
- may touch: its target's rows (in `apply` and the hooks), the object store through the
  context, the audit log (in `apply`); nothing else.

A **drain kind** has no rows of its own: its durable truth is a state in another table (the
index consumer drains documents in `indexing`). `has_pending(session)` tells the sweeper
whether to wake it; `drain(ctx)` takes everything that waits.
"""

from __future__ import annotations

import time

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Protocol

from sqlalchemy.orm import Session

from archive.context import Context


class PermanentFailure(Exception):
    """The job cannot succeed however often it runs; the message is shown to people."""


class LeaseLost(Exception):
    """Another worker took the job over (our lease expired); drop our result."""


@dataclass(frozen=True)
class JobInfo:
    """What a handler is told about its job (a snapshot: handlers never hold the ORM row)."""

    id: int
    kind: str
    target_type: str | None
    target_id: str | None
    payload: dict[str, Any]
    attempts: int  # this attempt's number, from 1

    @property
    def document_id(self) -> int:
        if self.target_type != "document" or not self.target_id:
            raise PermanentFailure(f"Công việc {self.kind} số {self.id} không gắn với tài liệu nào.")
        return int(self.target_id)


class Lease(Protocol):
    def renew(self) -> None:
        """Extend the lease; raises LeaseLost when the job is no longer ours."""
        ...


class Heartbeat:
    """lease.renew() at most every quarter lease, for long passes that call it often (once a
    second or per object): a keep-alive for services that take a plain callable."""

    def __init__(self, lease: Lease, lease_seconds: int) -> None:
        self.lease, self.every, self.last = lease, max(1.0, lease_seconds / 4), time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.last >= self.every:
            self.lease.renew()
            self.last = time.monotonic()


@dataclass(frozen=True)
class Finish:
    """What a successful run leaves behind.

    apply: database effects, run in the transaction that marks the job done (only if this
           worker still holds it), so they happen exactly once.
    result: a small JSON summary kept on the job row (counts, keys) for people and tests.
    wake: drain kinds to wake after commit (e.g. "index").
    """

    apply: Callable[[Session], None] | None = None
    result: dict[str, Any] = field(default_factory=dict)
    wake: tuple[str, ...] = ()


class JobKind:
    """Base of job-kind handlers: override `run`; the hooks default to doing nothing."""

    name: ClassVar[str]
    queue: ClassVar[str] = "work"  # Celery queue: "ocr" for CPU-heavy page work, "work" otherwise
    follow_ups: ClassVar[tuple[str, ...]] = ()
    max_attempts: ClassVar[int | None] = None  # None: ARCHIVE_JOB_MAX_ATTEMPTS

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        raise NotImplementedError

    def cleanup(self, ctx: Context, job: JobInfo) -> None:
        pass

    def on_claim(self, session: Session, job: JobInfo) -> None:
        pass

    def on_requeue(self, session: Session, job: JobInfo) -> None:
        pass

    def on_fail(self, session: Session, job: JobInfo, reason: str) -> None:
        pass


class DrainKind:
    """Base of drain kinds: work whose durable truth is a state in another table."""

    name: ClassVar[str]
    queue: ClassVar[str] = "index"

    def has_pending(self, session: Session) -> bool:
        raise NotImplementedError

    def drain(self, ctx: Context) -> int:
        raise NotImplementedError
