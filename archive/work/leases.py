"""Job leases: the durable side of the work queue, the same for every kind.

A worker claims a job with one conditional UPDATE — only a queued job, or a running one whose
lease expired, can be claimed — so two messages for the same job never run it twice at once.
While it works it renews the lease (heartbeat); finishing, giving back and failing all check
first that the job is still this worker's, so a worker that lost its lease changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import JobState
from archive.models import Job
from archive.services.jobs import enqueue
from archive.work.contract import Finish, JobInfo, LeaseLost
from archive.work.registry import Registry


def max_attempts(ctx: Context, registry: Registry, kind: str) -> int:
    return registry.job(kind).max_attempts or ctx.settings.job_max_attempts


def info(job: Job) -> JobInfo:
    return JobInfo(id=job.id, kind=job.kind, target_type=job.target_type, target_id=job.target_id,
                   payload=dict(job.payload or {}), attempts=job.attempts)


def claim(ctx: Context, registry: Registry, job_id: int, worker_id: str) -> JobInfo | None:
    """Take the job for this worker, or None (done, running elsewhere, or out of attempts)."""
    now = ctx.clock()
    with ctx.uow() as uow:
        s = uow.session
        job = s.get(Job, job_id)
        if job is None:
            return None
        limit = max_attempts(ctx, registry, job.kind)
        result = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.attempts < limit,
                   or_(Job.state == JobState.QUEUED.value,
                       and_(Job.state == JobState.RUNNING.value, Job.lease_until < now)))
            .values(state=JobState.RUNNING.value, attempts=Job.attempts + 1, worker=worker_id,
                    lease_until=now + timedelta(seconds=ctx.settings.job_lease_seconds), updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return None
        s.refresh(job)
        claimed = info(job)
        registry.job(job.kind).on_claim(s, claimed)
        uow.commit()
    return claimed


@dataclass
class DbLease:
    """The Lease a handler renews: one short UPDATE per renewal."""

    ctx: Context
    job_id: int
    worker_id: str

    def renew(self) -> None:
        now = self.ctx.clock()
        with self.ctx.uow() as uow:
            result = uow.session.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.worker == self.worker_id, Job.state == JobState.RUNNING.value)
                .values(lease_until=now + timedelta(seconds=self.ctx.settings.job_lease_seconds), updated_at=now)
            )
            uow.commit()
        if result.rowcount != 1:
            raise LeaseLost(f"job {self.job_id}: lease lost to another worker")


def _mine(s: Session, job_id: int, worker_id: str) -> Job | None:
    job = s.get(Job, job_id, with_for_update=True)
    if job is None or job.worker != worker_id or job.state != JobState.RUNNING.value:
        return None
    return job


def finish(ctx: Context, registry: Registry, job_id: int, worker_id: str, outcome: Finish) -> list[tuple[int, str]] | None:
    """Apply the run's effects, mark the job done and queue its follow-ups, in one transaction.

    Returns the follow-up jobs (id, kind) to send after commit, or None when the job was no
    longer ours (nothing applied)."""
    with ctx.uow() as uow:
        s = uow.session
        job = _mine(s, job_id, worker_id)
        if job is None:
            return None
        if outcome.apply is not None:
            outcome.apply(s)
        now = ctx.clock()
        job.state, job.lease_until, job.last_error = JobState.DONE.value, None, None
        job.result, job.finished_at = dict(outcome.result), now
        follow = [enqueue(s, kind, target_type=job.target_type, target_id=job.target_id)
                  for kind in registry.follow_ups(job.kind)]
        uow.commit()
        return [(f.id, f.kind) for f in follow]


def mark_failed(s: Session, registry: Registry, job: Job, reason: str, now: datetime) -> None:
    job.state, job.last_error, job.lease_until, job.finished_at = JobState.FAILED.value, reason, None, now
    registry.job(job.kind).on_fail(s, info(job), reason)


def mark_requeued(s: Session, registry: Registry, job: Job, error: str, now: datetime) -> None:
    job.state, job.last_error, job.enqueued_at, job.lease_until = JobState.QUEUED.value, error, now, None
    registry.job(job.kind).on_requeue(s, info(job))


def give_back(ctx: Context, registry: Registry, job_id: int, worker_id: str, error: str) -> bool:
    """A transient failure: back to the queue, or failed when out of attempts. True if re-queued."""
    with ctx.uow() as uow:
        s = uow.session
        job = _mine(s, job_id, worker_id)
        if job is None:
            return False
        now = ctx.clock()
        if job.attempts >= max_attempts(ctx, registry, job.kind):
            mark_failed(s, registry, job, error, now)
            requeued = False
        else:
            mark_requeued(s, registry, job, error, now)
            requeued = True
        uow.commit()
    return requeued


def fail(ctx: Context, registry: Registry, job_id: int, worker_id: str, reason: str) -> None:
    """A permanent failure: the job cannot succeed; the reason is shown to people."""
    with ctx.uow() as uow:
        job = _mine(uow.session, job_id, worker_id)
        if job is None:
            return
        mark_failed(uow.session, registry, job, reason, ctx.clock())
        uow.commit()
