"""Job leases (the durable side of the work queue) and the sweeper that repairs lost work.

A worker claims a job with one conditional UPDATE — only a queued job, or a running one
whose lease expired, can be claimed — so two messages for the same job never run it twice
at once. The sweeper re-queues expired leases, re-sends queued jobs nobody took (a
server-less transport may have lost the message), and fails jobs out of attempts.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from archive.bootstrap import Container
from archive.domain import DocumentState, JobState
from archive.models import Document, Job, utcnow


def claim(c: Container, job_id: int, worker_id: str) -> bool:
    now = utcnow()
    lease = now + timedelta(seconds=c.settings.job_lease_seconds)
    with c.uow() as uow:
        result = uow.session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                Job.attempts < c.settings.job_max_attempts,
                or_(Job.state == JobState.QUEUED.value,
                    and_(Job.state == JobState.RUNNING.value, Job.lease_until < now)),
            )
            .values(state=JobState.RUNNING.value, attempts=Job.attempts + 1, worker=worker_id,
                    lease_until=lease, updated_at=now)
        )
        claimed = result.rowcount == 1
        if claimed:
            uow.session.execute(
                update(Document).where(Document.id == select(Job.document_id).where(Job.id == job_id).scalar_subquery())
                .values(state=DocumentState.PROCESSING.value, error=None, updated_at=now)
            )
        uow.commit()
    return claimed


def heartbeat(c: Container, job_id: int, worker_id: str) -> bool:
    """Extend our lease; False means another worker took the job over and we must stop."""
    now = utcnow()
    with c.uow() as uow:
        result = uow.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.worker == worker_id, Job.state == JobState.RUNNING.value)
            .values(lease_until=now + timedelta(seconds=c.settings.job_lease_seconds), updated_at=now)
        )
        uow.commit()
        return result.rowcount == 1


def give_back(c: Container, job_id: int, worker_id: str, error: str) -> None:
    """A transient failure: return the job to the queue (or fail it when out of attempts)."""
    now = utcnow()
    with c.uow() as uow:
        job = uow.session.get(Job, job_id)
        if job is None or job.worker != worker_id or job.state != JobState.RUNNING.value:
            return
        if job.attempts >= c.settings.job_max_attempts:
            _fail(uow.session, job, error)
        else:
            job.state, job.last_error, job.enqueued_at, job.lease_until = JobState.QUEUED.value, error, now, None
            doc = uow.session.get(Document, job.document_id)
            doc.state = DocumentState.QUEUED.value
        uow.commit()
        requeue = job.state == JobState.QUEUED.value
    if requeue and c.queue is not None:
        c.queue.send_process(job_id)


def fail(c: Container, job_id: int, worker_id: str, reason: str) -> None:
    """A permanent failure: the document cannot be processed; the reason is shown to people."""
    with c.uow() as uow:
        job = uow.session.get(Job, job_id)
        if job is None or job.worker != worker_id:
            return
        _fail(uow.session, job, reason)
        uow.commit()


def _fail(session, job: Job, reason: str) -> None:  # noqa: ANN001
    job.state, job.last_error, job.lease_until = JobState.FAILED.value, reason, None
    doc = session.get(Document, job.document_id)
    doc.state, doc.error = DocumentState.FAILED.value, reason


def sweep(c: Container) -> dict[str, int]:
    """Repair lost work; returns counts of what it did (for logs and tests)."""
    now = utcnow()
    requeue_before = now - timedelta(seconds=c.settings.job_requeue_after_seconds)
    resend: list[int] = []
    failed = 0
    with c.uow() as uow:
        s = uow.session
        expired = s.scalars(select(Job).where(Job.state == JobState.RUNNING.value, Job.lease_until < now)).all()
        for job in expired:
            if job.attempts >= c.settings.job_max_attempts:
                _fail(s, job, job.last_error or "Worker dừng nhiều lần khi xử lý tài liệu này.")
                failed += 1
            else:
                job.state, job.enqueued_at, job.lease_until = JobState.QUEUED.value, now, None
                job.last_error = "lease expired (worker stopped?)"
                s.get(Document, job.document_id).state = DocumentState.QUEUED.value
                resend.append(job.id)
        stale = s.scalars(select(Job).where(Job.state == JobState.QUEUED.value, Job.enqueued_at < requeue_before)).all()
        for job in stale:
            job.enqueued_at = now
            resend.append(job.id)
        waiting_index = s.scalar(
            select(Document.id).where(Document.state == DocumentState.INDEXING.value).limit(1)
        ) is not None
        uow.commit()
    if c.queue is not None:
        for job_id in resend:
            c.queue.send_process(job_id)
        if waiting_index:
            c.queue.send_index()
    return {"requeued": len(resend), "failed": failed, "index_waiting": int(waiting_index)}
