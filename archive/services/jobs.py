"""Recording background work (công việc nền) inside the transaction that makes it necessary.

A service adds a `Job` row in its own transaction and sends the message only after commit
(`send_after_commit`): a worker must find the row it is sent, and a message lost on the way
costs a delay (the sweeper re-sends queued jobs), never the work. Running, leasing and
sweeping jobs is archive.work's business, not the services'.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import JobState
from archive.models import Job


def enqueue(session: Session, kind: str, *, target_type: str | None = None, target_id: object = None,
            payload: dict | None = None) -> Job:
    """Add a queued job of `kind` about (target_type, target_id); flushed, so it has an id."""
    job = Job(kind=kind, target_type=target_type, target_id=None if target_id is None else str(target_id),
              payload=dict(payload or {}), state=JobState.QUEUED.value)
    session.add(job)
    session.flush()
    return job


def send_after_commit(c: Context, jobs: list[tuple[int, str]]) -> None:
    """Wake workers for (job id, kind) pairs that are committed."""
    if c.queue is None:
        return
    for job_id, kind in jobs:
        c.queue.send_job(job_id, kind)
