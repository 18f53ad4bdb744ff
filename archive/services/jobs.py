"""Recording background work (công việc nền) inside the transaction that makes it necessary.

A service adds a `Job` row in its own transaction and sends the message only after commit
(`send_after_commit`): a worker must find the row it is sent, and a message lost on the way
costs a delay (the sweeper re-sends queued jobs), never the work. Running, leasing and
sweeping jobs is archive.work's business, not the services'.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import JobState
from archive.errors import Forbidden, InvalidInput
from archive.models import Job
from archive.services.access import Actor


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


@dataclass(frozen=True)
class JobView:
    id: int
    kind: str
    target_type: str | None
    target_id: str | None
    state: str
    attempts: int
    last_error: str | None
    result: dict | None
    enqueued_at: datetime
    finished_at: datetime | None

    def to_dict(self) -> dict:
        return asdict(self)


def list_jobs(c: Context, actor: Actor, *, kind: str | None = None, state: str | None = None,
              limit: int = 50) -> list[JobView]:
    """Background jobs, newest first (operators only: targets span every unit)."""
    if not actor.is_system:
        raise Forbidden("Chỉ người vận hành hệ thống (dòng lệnh trên máy chủ) xem được danh sách công việc nền.")
    if state is not None and state not in {s.value for s in JobState}:
        raise InvalidInput(f"Trạng thái công việc phải là một trong: {', '.join(s.value for s in JobState)}.")
    if not 1 <= limit <= 1000:
        raise InvalidInput("Số dòng phải từ 1 đến 1000.")
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if kind:
        query = query.where(Job.kind == kind)
    if state:
        query = query.where(Job.state == state)
    with c.uow() as uow:
        return [JobView(id=j.id, kind=j.kind, target_type=j.target_type, target_id=j.target_id, state=j.state,
                        attempts=j.attempts, last_error=j.last_error, result=j.result, enqueued_at=j.enqueued_at,
                        finished_at=j.finished_at) for j in uow.session.scalars(query)]
