"""Is the archive backed up? The last good backup and the last drill, from the database alone (cheap).

`/health`, the admin page "Sao lưu" and `archive backup list` read this. A run is *good* when its
`backup` job finished done (every target got its set); a drill or verification is recorded in
the audit log (`backup.drill`, `backup.verify`). Nothing here reaches a target, so the health
check stays fast whatever the targets do.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import JobState
from archive.errors import Forbidden
from archive.models import AuditEntry, Job, Unit
from archive.services.access import Action, Actor

BACKUP_KIND = "backup"
DRILL_ACTION, VERIFY_ACTION, RESTORE_ACTION, RUN_ACTION = "backup.drill", "backup.verify", "backup.restore", "backup.run"


def require_operator(s: Session, actor: Actor) -> None:
    """Backups hold every dossier: the CLI on the server, or an administrator of a root unit (the province)."""
    if actor.is_system:
        return
    units = actor.units_for(Action.ADMINISTER)
    if units and s.scalar(select(Unit.id).where(Unit.code.in_(units), Unit.parent_id.is_(None)).limit(1)):
        return
    raise Forbidden("Chỉ quản trị viên cấp tỉnh (đơn vị gốc) hoặc người vận hành máy chủ được xem và chạy sao lưu.")


@dataclass(frozen=True)
class RunRecord:
    job_id: int
    state: str
    started: datetime
    finished: datetime | None
    error: str | None
    result: dict[str, Any] | None
    lease_until: datetime | None = None
    worker: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _record(j: Job) -> RunRecord:
    return RunRecord(j.id, j.state, j.enqueued_at, j.finished_at, j.last_error, j.result, j.lease_until, j.worker)


def run_record(c: Context, job_id: int) -> RunRecord | None:
    with c.uow() as uow:
        job = uow.session.get(Job, job_id)
        return _record(job) if job is not None and job.kind == BACKUP_KIND else None


def busy_run(c: Context) -> RunRecord | None:
    """The backup job queued or running now, if any (one runs at a time)."""
    with c.uow() as uow:
        job = uow.session.scalar(select(Job).where(
            Job.kind == BACKUP_KIND, Job.target_type.is_(None),
            Job.state.in_((JobState.QUEUED.value, JobState.RUNNING.value))).order_by(Job.id).limit(1))
        return _record(job) if job is not None else None


@dataclass(frozen=True)
class CheckRecord:
    at: datetime
    ok: bool
    set_id: str
    target: str
    details: dict[str, Any]


@dataclass(frozen=True)
class BackupStatus:
    targets: int
    last_good_at: datetime | None  # naive UTC
    age_hours: float | None
    stale: bool  # targets configured and the last good backup older than ARCHIVE_BACKUP_MAX_AGE_HOURS (or none)
    last_drill: CheckRecord | None
    drill_stale: bool
    runs: list[RunRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # message keys with their values, for each door to word

    def health(self) -> dict[str, Any]:
        return {"targets": self.targets, "last_good_at": self.last_good_at.isoformat() + "Z" if self.last_good_at else None,
                "age_hours": self.age_hours, "stale": self.stale}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def target_urls(settings: Any) -> list[str]:
    """ARCHIVE_BACKUP_TARGETS as a list (comma- or space-separated)."""
    return [u for u in re.split(r"[,\s]+", settings.backup_targets.strip()) if u]


def last_checks(s: Session, action: str, limit: int = 200) -> list[CheckRecord]:
    rows = s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq.desc())
                     .limit(limit))
    return [CheckRecord(at=e.at, ok=bool(e.details.get("ok")), set_id=str(e.details.get("set", "")),
                        target=str(e.details.get("target", "")), details=e.details) for e in rows]


def proven_sets(s: Session) -> set[str]:
    """Sets that passed a read-data verification or a drill: the keep policy never drops the newest of them."""
    checks = last_checks(s, DRILL_ACTION) + [r for r in last_checks(s, VERIFY_ACTION) if r.details.get("read_data")]
    return {r.set_id for r in checks if r.ok and r.set_id}


def backup_status(c: Context, *, runs: int = 0) -> BackupStatus:
    now = c.clock()
    targets = len(target_urls(c.settings))
    with c.uow() as uow:
        s = uow.session
        done = s.scalars(select(Job).where(Job.kind == BACKUP_KIND, Job.state == JobState.DONE.value)
                         .order_by(Job.finished_at.desc()).limit(20)).all()
        good = next((j for j in done if (j.result or {}).get("ok")), None)
        last_good = good.finished_at if good else None
        drills = last_checks(s, DRILL_ACTION, limit=1)
        recent = [_record(j) for j in s.scalars(select(Job).where(Job.kind == BACKUP_KIND).order_by(Job.id.desc()).limit(runs))
                  ] if runs else []
    age = round((now - last_good).total_seconds() / 3600, 2) if last_good else None
    max_age = timedelta(hours=c.settings.backup_max_age_hours)
    stale = bool(targets) and (last_good is None or now - last_good > max_age)
    drill = drills[0] if drills else None
    drill_stale = bool(targets) and (drill is None or not drill.ok
                                     or now - drill.at > timedelta(days=c.settings.backup_drill_max_age_days))
    warnings = []
    if not targets:
        warnings.append("backups.warn.no_targets")
    elif targets == 1:
        warnings.append("backups.warn.one_target")
    if stale:
        warnings.append("backups.warn.stale")
    if drill_stale:
        warnings.append("backups.warn.drill")
    return BackupStatus(targets=targets, last_good_at=last_good, age_hours=age, stale=stale, last_drill=drill,
                        drill_stale=drill_stale, runs=recent, warnings=warnings)


def checks_by_set(c: Context) -> dict[tuple[str, str], CheckRecord]:
    """The newest verification or drill of each (target, set): what "verified" means on the pages."""
    with c.uow() as uow:
        records = last_checks(uow.session, VERIFY_ACTION, limit=500) + last_checks(uow.session, DRILL_ACTION, limit=100)
    out: dict[tuple[str, str], CheckRecord] = {}
    for r in sorted(records, key=lambda r: r.at):
        out[(r.target, r.set_id)] = r
    return out
