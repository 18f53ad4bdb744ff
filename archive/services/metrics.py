"""The archive's state as monitoring numbers (số liệu giám sát), read from the database at scrape time.

The durable truth is in the tables, not in any one process: jobs waiting per kind (the job
table, not the broker), documents and records waiting for the index, the last good backup
and the fixity cycle's coverage. Every query is an indexed count or a bounded read
(`backup_status`, `fixity_views.health`), so a scrape every 15 s costs the database little;
nothing is computed per request. The door (archive.api.routes_metrics) renders these as
Prometheus gauges; the numbers carry no names of people or files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from archive.context import Context
from archive.domain import DocumentState, JobState
from archive.models import Document, Job
from archive.models.search_state import StaffIndexQueue
from archive.services import fixity_views
from archive.services.backup_status import backup_status


@dataclass(frozen=True)
class ArchiveGauges:
    jobs_queued: dict[str, int] = field(default_factory=dict)   # kind → jobs waiting (hàng đợi)
    jobs_running: dict[str, int] = field(default_factory=dict)  # kind → jobs leased by a worker now
    jobs_failed: dict[str, int] = field(default_factory=dict)   # kind → jobs failed for good (whoever failed them)
    oldest_queued_seconds: dict[str, float] = field(default_factory=dict)  # kind → the longest wait in the queue
    documents_waiting_index: int = 0  # extracted, not yet in the search index
    records_waiting_index: int = 0    # staff records queued for (re)indexing
    oldest_waiting_index_seconds: float | None = None  # the oldest queued record's wait
    backup_targets: int = 0
    backup_last_good_at: datetime | None = None  # naive UTC
    backup_age_seconds: float | None = None
    backup_stale: bool = False
    fixity_objects: int = 0
    fixity_coverage_ratio: float = 1.0  # checked within the cycle / live objects
    fixity_damaged: int = 0


def archive_gauges(c: Context) -> ArchiveGauges:
    """The numbers a scrape shows (the caller — the metrics door — decides who may scrape)."""
    now = c.clock()
    counted = (JobState.QUEUED.value, JobState.RUNNING.value, JobState.FAILED.value)
    by_state: dict[str, dict[str, int]] = {state: {} for state in counted}
    with c.uow() as uow:
        s = uow.session
        for kind, state, n in s.execute(select(Job.kind, Job.state, func.count()).where(Job.state.in_(counted))
                                        .group_by(Job.kind, Job.state)):
            by_state[state][kind] = int(n)
        oldest_queued = dict(s.execute(select(Job.kind, func.min(Job.enqueued_at))
                                       .where(Job.state == JobState.QUEUED.value).group_by(Job.kind)).all())
        docs = int(s.scalar(select(func.count()).select_from(Document)
                            .where(Document.state == DocumentState.INDEXING.value)) or 0)
        pending = StaffIndexQueue.indexed_at.is_(None)
        records = int(s.scalar(select(func.count()).select_from(StaffIndexQueue).where(pending)) or 0)
        oldest = s.scalar(select(func.min(StaffIndexQueue.queued_at)).where(pending))
    backup = backup_status(c)
    fixity = fixity_views.health(c)
    return ArchiveGauges(
        jobs_queued=by_state[JobState.QUEUED.value], jobs_running=by_state[JobState.RUNNING.value],
        jobs_failed=by_state[JobState.FAILED.value],
        oldest_queued_seconds={k: max(0.0, (now - at).total_seconds()) for k, at in oldest_queued.items() if at},
        documents_waiting_index=docs, records_waiting_index=records,
        oldest_waiting_index_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else None,
        backup_targets=backup.targets, backup_last_good_at=backup.last_good_at,
        backup_age_seconds=max(0.0, (now - backup.last_good_at).total_seconds()) if backup.last_good_at else None,
        backup_stale=backup.stale, fixity_objects=int(fixity["objects"]),
        fixity_coverage_ratio=round(float(fixity["coverage_pct"]) / 100.0, 4), fixity_damaged=int(fixity["damaged"]))
