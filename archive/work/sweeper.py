"""The sweeper: repairs lost work for every kind (Celery beat runs it every few seconds).

- running jobs whose lease expired (their worker died) go back to the queue, or fail when out
  of attempts;
- queued jobs nobody claimed within ARCHIVE_JOB_REQUEUE_AFTER_SECONDS are re-sent (a
  server-less transport may have lost the message);
- drain kinds with something pending (documents waiting in `indexing`) are woken;
- temp files that killed processes of this host left in the data dir's tmp/ are removed.
Duplicate messages are harmless: the claim is atomic.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from archive.context import Context
from archive.domain import JobState
from archive.models import Job
from archive.work import leases
from archive.work.janitor import clean_temp
from archive.work.registry import Registry


def sweep(ctx: Context, registry: Registry) -> dict[str, int]:
    """Repair lost work; returns counts of what it did (for logs and tests)."""
    now = ctx.clock()
    requeue_before = now - timedelta(seconds=ctx.settings.job_requeue_after_seconds)
    resend: list[tuple[int, str]] = []
    failed = 0
    with ctx.uow() as uow:
        s = uow.session
        known = registry.job_kinds
        expired = s.scalars(select(Job).where(Job.state == JobState.RUNNING.value, Job.lease_until < now,
                                              Job.kind.in_(known))).all()
        for job in expired:
            if job.attempts >= leases.max_attempts(ctx, registry, job.kind):
                leases.mark_failed(s, registry, job, job.last_error or "Tiến trình xử lý dừng nhiều lần khi làm việc này.",
                                   now)
                failed += 1
            else:
                leases.mark_requeued(s, registry, job, "lease expired (worker stopped?)", now)
                resend.append((job.id, job.kind))
        stale = s.scalars(select(Job).where(Job.state == JobState.QUEUED.value, Job.enqueued_at < requeue_before,
                                            Job.kind.in_(known))).all()
        for job in stale:
            job.enqueued_at = now
            resend.append((job.id, job.kind))
        woken = [drain.name for drain in registry.drain_kinds if drain.has_pending(s)]
        uow.commit()
    if ctx.queue is not None:
        for job_id, kind in resend:
            ctx.queue.send_job(job_id, kind)
        for name in woken:
            ctx.queue.wake(name)
    removed = clean_temp(ctx.settings.tmp_dir)
    return {"requeued": len(resend), "failed": failed, "index_waiting": int("index" in woken), "woken": len(woken),
            "temp_removed": removed}
