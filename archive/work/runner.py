"""Run one job by id, whatever its kind: claim → run → finish (or give back / fail) → cleanup.

This is the only lease loop; the generic Celery task, the in-process test queue and the CLI
all call `run_job`. What happened is returned as a word, for logs and tests.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from archive.context import Context
from archive.domain import JobState
from archive.metrics import count_job  # jobs ended / failed, by kind (Prometheus, issue 20)
from archive.models import Job
from archive.services.jobs import enqueue
from archive.work import leases
from archive.work.contract import LeaseLost, PermanentFailure
from archive.work.registry import Registry, UnknownJobKind

log = logging.getLogger(__name__)


def run_job(ctx: Context, registry: Registry, job_id: int, worker_id: str) -> str:
    """'done', 'skipped' (not claimable), 'failed', 'requeued' or 'lost' (lease taken over)."""
    try:
        job = leases.claim(ctx, registry, job_id, worker_id)
    except UnknownJobKind:
        log.error("job %s has a kind this process does not know; left for a worker that does", job_id)
        return "skipped"
    if job is None:
        return "skipped"
    handler = registry.job(job.kind)
    lease = leases.DbLease(ctx, job_id, worker_id)
    try:
        try:
            outcome = handler.run(ctx, job, lease)
        finally:
            handler.cleanup(ctx, job)
    except LeaseLost:
        log.warning("job %s (%s): lease lost to another worker; dropping my result", job_id, job.kind)
        return count_job(job.kind, "lost")
    except PermanentFailure as exc:
        leases.fail(ctx, registry, job_id, worker_id, str(exc))
        return count_job(job.kind, "failed")
    except Exception as exc:  # noqa: BLE001 — an unexpected error must not lose the job either
        log.exception("job %s (%s) failed", job_id, job.kind)
        requeued = leases.give_back(ctx, registry, job_id, worker_id, _describe(exc))
        if requeued and ctx.queue is not None:
            ctx.queue.send_job(job_id, job.kind)
        return count_job(job.kind, "requeued" if requeued else "failed")

    try:
        follow = leases.finish(ctx, registry, job_id, worker_id, outcome)
    except Exception as exc:  # noqa: BLE001 — the effects did not commit: the job is tried again
        log.exception("job %s (%s): applying its result failed", job_id, job.kind)
        requeued = leases.give_back(ctx, registry, job_id, worker_id, _describe(exc))
        if requeued and ctx.queue is not None:
            ctx.queue.send_job(job_id, job.kind)
        return count_job(job.kind, "requeued" if requeued else "failed")
    if follow is None:
        return count_job(job.kind, "lost")
    if ctx.queue is not None:
        for follow_id, kind in follow:
            ctx.queue.send_job(follow_id, kind)
        for kind in outcome.wake:
            ctx.queue.wake(kind)
    return count_job(job.kind, "done")


def start_kind(ctx: Context, registry: Registry, kind: str, *, payload: dict | None = None) -> int | None:
    """Record and send a whole-archive job of `kind` (a scheduled pass: backup, fixity …).

    None when one is already queued or running: a pass that overruns its interval is not
    started twice."""
    registry.job(kind)  # an unknown kind is an error here, not a row nobody will run
    with ctx.uow() as uow:
        s = uow.session
        busy = s.scalar(select(Job.id).where(Job.kind == kind, Job.target_type.is_(None),
                                             Job.state.in_((JobState.QUEUED.value, JobState.RUNNING.value))).limit(1))
        if busy is not None:
            return None
        job = enqueue(s, kind, payload=payload)
        uow.commit()
        job_id = job.id
    if ctx.queue is not None:
        ctx.queue.send_job(job_id, kind)
    return job_id


def _describe(exc: Exception) -> str:
    # OSError and the pipeline's own errors carry a message meant for people; others get their type too
    from ingest import ExtractionFailed

    if isinstance(exc, (OSError, ExtractionFailed)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
