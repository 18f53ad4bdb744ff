"""What people see of the fixity cycle: coverage, failures and repairs (báo cáo kiểm tra toàn vẹn), a document's check.

The report is for auditors: it spans every unit, so it is shown to the operator's CLI and to
administrators or auditors of a root unit (the province) only. A document's own check
("Kiểm tra tệp") is scoped like viewing the document, and audited.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.errors import Forbidden, InvalidInput
from archive.models import Derivative, Document, Unit
from archive.models.fixity import MISMATCH, MISSING, REPAIRED, FixityEvent, FixityObject
from archive.services import audit, documents
from archive.services.access import Action, Actor, refuse_pending
from archive.services.fixity import NAMESPACES, RETIRED, check_one, record, schedule_object, settle

CHECK_ACTION = "document.fixity_check"
RUN_ACTION = "fixity.run"
FAILED = (MISMATCH, MISSING)
INTEGRITY_ERROR = "integrity_error"  # "Lỗi toàn vẹn"


def require_fixity_reader(s: Session, actor: Actor) -> None:
    """The CLI on the server, or an administrator or auditor of a root unit (the report names every unit's files)."""
    refuse_pending(actor)
    if actor.is_system:
        return
    units = actor.units_for(Action.AUDIT)
    if units and s.scalar(select(Unit.id).where(Unit.code.in_(units), Unit.parent_id.is_(None)).limit(1)):
        return
    raise Forbidden("Chỉ quản trị viên, kiểm tra viên cấp tỉnh (đơn vị gốc) hoặc người vận hành máy chủ "
                    "được xem báo cáo kiểm tra toàn vẹn.")


def require_fixity_runner(s: Session, actor: Actor) -> None:
    """Starting a pass: the CLI, or an administrator of a root unit."""
    refuse_pending(actor)
    if actor.is_system:
        return
    units = actor.units_for(Action.ADMINISTER)
    if units and s.scalar(select(Unit.id).where(Unit.code.in_(units), Unit.parent_id.is_(None)).limit(1)):
        return
    raise Forbidden("Chỉ quản trị viên cấp tỉnh hoặc người vận hành máy chủ được chạy kiểm tra toàn vẹn.")


@dataclass(frozen=True)
class Damaged:
    namespace: str
    key: str
    result: str
    since: datetime
    documents: list[int]


@dataclass(frozen=True)
class EventView:
    at: datetime
    namespace: str
    key: str
    result: str
    by: str
    detail: str
    documents: list[int]


@dataclass
class FixityStatus:
    """Coverage (tỷ lệ đã kiểm tra trong chu kỳ), what is damaged now, and the period's failures and repairs."""

    cycle_days: int
    objects: int
    bytes: int
    checked_in_cycle: int
    never_checked: int
    overdue: int       # not checked within the cycle (coverage short of 100 %)
    due_now: int
    damaged: list[Damaged]
    failures: list[EventView] = field(default_factory=list)  # failed checks in the period
    repairs: list[EventView] = field(default_factory=list)
    checks_in_period: int = 0
    period_days: int = 0
    last_check_at: datetime | None = None
    max_mbps: float = 0.0
    cycle_fits: bool = True  # the holdings can be read within the cycle at the throttle and budget

    @property
    def coverage_pct(self) -> float:
        return 100.0 if self.objects == 0 else round(100.0 * self.checked_in_cycle / self.objects, 2)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["coverage_pct"] = self.coverage_pct
        d["damaged_count"] = len(self.damaged)
        return d


def _documents_of(s: Session, namespace: str, keys: set[str]) -> dict[str, list[int]]:
    """key → the documents it belongs to (an original, or a derivative made from one)."""
    out: dict[str, list[int]] = {}
    if not keys:
        return out
    if namespace == "originals":
        for doc_id, sha in s.execute(select(Document.id, Document.sha256).where(Document.sha256.in_(keys))):
            out.setdefault(sha, []).append(doc_id)
    elif namespace == "derivatives":
        q = (select(Document.id, Derivative.sha256).join(Document, Document.sha256 == Derivative.source_sha256)
             .where(Derivative.sha256.in_(keys)))
        for doc_id, sha in s.execute(q):
            out.setdefault(sha, []).append(doc_id)
    return out


def _events(s: Session, results: tuple[str, ...], since: datetime, limit: int = 500) -> list[EventView]:
    q = (select(FixityEvent, FixityObject.namespace, FixityObject.key)
         .join(FixityObject, FixityObject.id == FixityEvent.object_id)
         .where(FixityEvent.result.in_(results), FixityEvent.at >= since)
         .order_by(FixityEvent.at.desc(), FixityEvent.id.desc()).limit(limit))
    rows = list(s.execute(q))
    docs = {ns: _documents_of(s, ns, {k for _, n, k in rows if n == ns}) for ns in NAMESPACES}
    return [EventView(at=e.at, namespace=ns, key=key, result=e.result, by=e.by, detail=e.detail,
                      documents=docs[ns].get(key, [])) for e, ns, key in rows]


def status(c: Context, actor: Actor, *, period_days: int | None = None) -> FixityStatus:
    s = c.settings
    period = s.fixity_cycle_days if period_days is None else period_days
    if not 1 <= period <= 3660:
        raise InvalidInput("Khoảng thời gian của báo cáo phải từ 1 đến 3660 ngày.")
    now = c.clock()
    cycle_start = now - timedelta(days=s.fixity_cycle_days)
    with c.uow() as uow:
        ses = uow.session
        require_fixity_reader(ses, actor)
        live = FixityObject.retired_at.is_(None)

        def count(*where) -> int:  # noqa: ANN002
            return int(ses.scalar(select(func.count()).select_from(FixityObject).where(live, *where)) or 0)

        objects = count()
        total_bytes = int(ses.scalar(select(func.coalesce(func.sum(FixityObject.size), 0)).where(live)) or 0)
        in_cycle = count(FixityObject.last_checked_at >= cycle_start)
        never = count(FixityObject.last_checked_at.is_(None))
        damaged_rows = list(ses.scalars(select(FixityObject).where(live, FixityObject.damaged_since.is_not(None))
                                        .order_by(FixityObject.damaged_since)))
        docs = {ns: _documents_of(ses, ns, {r.key for r in damaged_rows if r.namespace == ns}) for ns in NAMESPACES}
        since = now - timedelta(days=period)
        st = FixityStatus(
            cycle_days=s.fixity_cycle_days, objects=objects, bytes=total_bytes, checked_in_cycle=in_cycle,
            never_checked=never, overdue=objects - in_cycle - count(FixityObject.last_checked_at.is_(None),
                                                                     FixityObject.first_seen >= cycle_start),
            due_now=count(FixityObject.next_due_at <= now),
            damaged=[Damaged(r.namespace, r.key, r.last_result or MISSING, r.damaged_since,  # type: ignore[arg-type]
                             docs[r.namespace].get(r.key, [])) for r in damaged_rows],
            failures=_events(ses, FAILED, since), repairs=_events(ses, (REPAIRED,), since),
            checks_in_period=int(ses.scalar(select(func.count()).select_from(FixityEvent).where(
                FixityEvent.at >= since, FixityEvent.result != RETIRED)) or 0),
            period_days=period, last_check_at=ses.scalar(select(func.max(FixityEvent.at))),
            max_mbps=s.fixity_max_mbps,
        )
    if s.fixity_max_mbps > 0:  # hourly passes of pass_seconds each, at the throttle
        per_cycle = s.fixity_cycle_days * 5 / 6 * 24 * min(s.fixity_pass_seconds, 3600) * s.fixity_max_mbps * 1e6
        st.cycle_fits = total_bytes <= per_cycle
    return st


def csv_rows(c: Context, actor: Actor) -> Iterator[str]:
    """Every holding, one CSV line each (for auditors): namespace, key, size, last check, result, integrity."""
    with c.uow() as uow:
        require_fixity_reader(uow.session, actor)
    out = io.StringIO()
    writer = csv.writer(out)

    def take() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(["namespace", "sha256", "size", "first_seen", "last_checked_at", "last_result", "integrity",
                     "next_due_at", "documents"])
    yield "\ufeff" + take()  # a BOM, so spreadsheet programs read the Vietnamese as UTF-8
    last_id = 0
    while True:
        with c.uow() as uow:
            s = uow.session
            rows = list(s.scalars(select(FixityObject).where(FixityObject.retired_at.is_(None),
                                                             FixityObject.id > last_id)
                                  .order_by(FixityObject.id).limit(1000)))
            docs = {ns: _documents_of(s, ns, {r.key for r in rows if r.namespace == ns}) for ns in NAMESPACES}
            if not rows:
                return
            for r in rows:
                writer.writerow([r.namespace, r.key, r.size, _iso(r.first_seen), _iso(r.last_checked_at),
                                 r.last_result or "", INTEGRITY_ERROR if r.damaged_since else "ok",
                                 _iso(r.next_due_at), " ".join(str(d) for d in docs[r.namespace].get(r.key, []))])
            last_id = rows[-1].id
        yield take()


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") + "Z" if value else ""


# -- one document --------------------------------------------------------------------------------

@dataclass(frozen=True)
class FileState:
    """A document's original as fixity knows it: its SHA-256, last check and integrity."""

    document_id: int
    sha256: str
    last_checked_at: datetime | None
    last_result: str | None
    damaged: bool
    derivatives_damaged: int = 0

    @property
    def integrity_error(self) -> bool:
        return self.damaged or self.derivatives_damaged > 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["last_checked_at"] = _iso(self.last_checked_at) or None
        d["integrity"] = INTEGRITY_ERROR if self.integrity_error else "ok"
        return d


def file_states(c: Context, docs: list[tuple[int, str]]) -> dict[int, FileState]:
    """(document id, sha256) → its FileState; for documents the caller already may see (no scope check here)."""
    shas = {sha for _, sha in docs}
    if not shas:
        return {}
    with c.uow() as uow:
        s = uow.session
        rows = {r.key: r for r in s.scalars(select(FixityObject).where(
            FixityObject.namespace == "originals", FixityObject.key.in_(shas)))}
        bad = dict(s.execute(select(Derivative.source_sha256, func.count()).join(
            FixityObject, (FixityObject.namespace == "derivatives") & (FixityObject.key == Derivative.sha256))
            .where(Derivative.source_sha256.in_(shas), FixityObject.damaged_since.is_not(None),
                   FixityObject.retired_at.is_(None)).group_by(Derivative.source_sha256)).all())
        out = {}
        for doc_id, sha in docs:
            r = rows.get(sha)
            out[doc_id] = FileState(doc_id, sha, r.last_checked_at if r else None, r.last_result if r else None,
                                    bool(r and r.damaged_since and r.retired_at is None), int(bad.get(sha, 0)))
    return out


def may_read(c: Context, actor: Actor) -> bool:
    """Whether the actor may read the report (for a link to it)."""
    with c.uow() as uow:
        try:
            require_fixity_reader(uow.session, actor)
        except Forbidden:
            return False
    return True


def dossier_context(c: Context, actor: Actor, docs: list) -> dict:
    """What the dossier page shows of its documents' fixity (documents the actor already sees)."""
    return {"fixity_states": file_states(c, [(d.id, d.sha256) for d in docs]), "may_read_fixity": may_read(c, actor)}


def check_document(c: Context, actor: Actor, document_id: int) -> FileState:
    """"Kiểm tra tệp": re-hash the document's original and its derivatives now (repairing what fails); audited."""
    doc = documents.get_document(c, actor, document_id)  # scoped like viewing it (outside the scope: 404)
    now = c.clock()
    with c.uow() as uow:
        s = uow.session
        schedule_object(s, "originals", doc.sha256, size=doc.size, now=now)
        for d in s.scalars(select(Derivative).where(Derivative.source_sha256 == doc.sha256)):
            schedule_object(s, "derivatives", d.sha256, size=d.size, now=now)
        uow.commit()
        targets = [(r.id, r.namespace, r.key) for r in s.scalars(select(FixityObject).where(
            ((FixityObject.namespace == "originals") & (FixityObject.key == doc.sha256))
            | ((FixityObject.namespace == "derivatives") & FixityObject.key.in_(
                select(Derivative.sha256).where(Derivative.source_sha256 == doc.sha256)))))]
    outcomes = [settle(c, check_one(c, rid, ns, key)) for rid, ns, key in targets]
    with c.uow() as uow:
        s = uow.session
        record(s, outcomes, by=actor.name, job_id=None, now=c.clock(), cycle_days=c.settings.fixity_cycle_days)
        original = next(o for o in outcomes if o.namespace == "originals")
        audit.append(s, actor=actor.name, ip=actor.ip, action=CHECK_ACTION, target_type="document",
                     target_id=document_id, details={
                         "staff": doc.staff_code, "sha256": doc.sha256, "result": original.result,
                         "derivatives": len(outcomes) - 1,
                         "failed": [f"{o.namespace}/{o.key}" for o in outcomes if o.found]})
        uow.commit()
    return file_states(c, [(document_id, doc.sha256)])[document_id]


def health(c: Context) -> dict:
    """For /health and monitoring: damaged objects now, failures and repairs ever, coverage (information only)."""
    with c.uow() as uow:
        s = uow.session
        live = FixityObject.retired_at.is_(None)
        damaged = int(s.scalar(select(func.count()).select_from(FixityObject).where(
            live, FixityObject.damaged_since.is_not(None))) or 0)
        counts = dict(s.execute(select(FixityEvent.result, func.count()).group_by(FixityEvent.result)).all())
        objects = int(s.scalar(select(func.count()).select_from(FixityObject).where(live)) or 0)
        in_cycle = int(s.scalar(select(func.count()).select_from(FixityObject).where(
            live, FixityObject.last_checked_at >= c.clock() - timedelta(days=c.settings.fixity_cycle_days))) or 0)
    return {"damaged": damaged, "failures_total": int(counts.get(MISMATCH, 0)) + int(counts.get(MISSING, 0)),
            "repairs_total": int(counts.get(REPAIRED, 0)), "objects": objects,
            "coverage_pct": 100.0 if objects == 0 else round(100.0 * in_cycle / objects, 2)}
