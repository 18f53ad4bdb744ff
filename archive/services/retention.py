"""Retention schedule (thời hạn bảo quản) and the object lock it puts on stored originals.

Each document type has a rule: vĩnh viễn, or N years counted from an event (the document's
date, the staff member's retirement, death or leaving). The root admin edits the schedule;
lengthening is free, shortening needs a decision number and a reason, is audited, and never
goes below the legal minimum (`RetentionShortening`, HTTP 409).

The lock of an object is the longest any document referencing it needs (originals are
content-addressed: two dossiers may hold the same bytes), in COMPLIANCE mode, on the original
and on its derivatives. Vĩnh viễn is "now + ARCHIVE_RETENTION_PERMANENT_YEARS", extended by the
scheduled `retention` pass before it nears; a term counted from an event that has not happened
yet is locked at least to now + the term and re-evaluated by the same pass. Locks are applied
after commit by the `retention` job kind (recorded with the upload and after extract), never
inside a transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import StaffStatus
from archive.errors import Conflict, InvalidInput, NotFound, shown
from archive.models import Derivative, Document, Job, LegalHold, Page, RetentionRule, Staff, StatusChange
from archive.services import audit, jobs
from archive.services.access import Action, Actor, check_staff, require, require_root_admin
from archive.services.catalogs import list_catalog
from archive.services.retention_seed import DEFAULT_SOURCE, seed_rules
from search import nfc
from storage import ObjectNotFound, ObjectStore, Retention, RetentionMode

DOCUMENT_TYPES = "loai_tai_lieu"
RETENTION_KIND = "retention"  # job kind: apply the locks of one document (target) or of the whole archive
MAX_YEARS = 200

COUNTED_FROM: dict[str, str] = {
    "document_date": "ngày của tài liệu",
    "retirement": "ngày nghỉ hưu",
    "death": "ngày từ trần",
    "leaving": "ngày nghỉ việc (nghỉ hưu, thôi việc, từ trần, chuyển công tác)",
}
_EVENT_STATUSES: dict[str, frozenset[str]] = {
    "retirement": frozenset({StaffStatus.NGHI_HUU.value}),
    "death": frozenset({StaffStatus.TU_TRAN.value}),
    "leaving": frozenset({StaffStatus.NGHI_HUU.value, StaffStatus.THOI_VIEC.value, StaffStatus.TU_TRAN.value,
                          StaffStatus.CHUYEN_CONG_TAC.value}),
}
_DOCUMENT_DATE_KEYS = ("ngay_van_ban", "ngay_thang_nam", "ngay_ban_hanh", "date")  # from the document description


class RetentionShortening(Conflict):
    """Rút ngắn thời hạn bảo quản without a decision, or below the legal minimum (HTTP 409)."""


@dataclass(frozen=True)
class RuleView:
    document_type: str
    permanent: bool
    years: int | None
    counted_from: str
    legal_min_permanent: bool
    legal_min_years: int | None
    source: str
    decision_ref: str
    reason: str
    updated_by: str
    updated_at: datetime | None

    @property
    def label(self) -> str:
        """'Vĩnh viễn' or '10 năm kể từ ngày nghỉ hưu'."""
        if self.permanent:
            return "Vĩnh viễn"
        return f"{self.years} năm kể từ {COUNTED_FROM.get(self.counted_from, self.counted_from)}"

    @property
    def legal_minimum_label(self) -> str:
        if self.legal_min_permanent:
            return "Vĩnh viễn"
        return f"{self.legal_min_years} năm" if self.legal_min_years else "Không quy định"

    def to_dict(self) -> dict:
        return {"document_type": self.document_type, "permanent": self.permanent, "years": self.years,
                "counted_from": self.counted_from, "label": self.label,
                "legal_min_permanent": self.legal_min_permanent, "legal_min_years": self.legal_min_years,
                "source": self.source, "decision_ref": self.decision_ref, "reason": self.reason,
                "updated_by": self.updated_by, "updated_at": self.updated_at}


def _view(r: RetentionRule) -> RuleView:
    return RuleView(r.document_type, r.permanent, r.years, r.counted_from, r.legal_min_permanent, r.legal_min_years,
                    r.source, r.decision_ref, r.reason, r.updated_by, r.updated_at)


def _default(document_type: str) -> RuleView:
    """A type nobody wrote a rule for (added to the catalog later): vĩnh viễn, no legal floor."""
    return RuleView(document_type, True, None, "document_date", False, None, DEFAULT_SOURCE, "", "", "", None)


def rule_for(session: Session, document_type: str) -> RuleView:
    row = session.scalar(select(RetentionRule).where(RetentionRule.document_type == document_type))
    return _view(row) if row is not None else _default(document_type)


def seed_missing_rules(c: Context) -> int:
    """Add the seed's rules for types that have none (init, safe to repeat); edited rules stay."""
    added = 0
    with c.uow() as uow:
        s = uow.session
        have = set(s.scalars(select(RetentionRule.document_type)))
        for rule in seed_rules():
            if rule.document_type not in have:
                s.add(RetentionRule(document_type=rule.document_type, permanent=rule.permanent, years=rule.years,
                                    counted_from=rule.counted_from, legal_min_permanent=rule.legal_min_permanent,
                                    legal_min_years=rule.legal_min_years, source=rule.source, updated_by="seed"))
                added += 1
        uow.commit()
    return added


def list_rules(c: Context, actor: Actor) -> list[RuleView]:
    """The whole schedule: one row per document type of the catalog (a type without a rule: vĩnh viễn)."""
    require(actor, Action.READ)
    types = [e.code for e in list_catalog(c, DOCUMENT_TYPES, include_inactive=True)]
    with c.uow() as uow:
        rows = {r.document_type: _view(r) for r in uow.session.scalars(select(RetentionRule))}
    return [rows.get(t) or _default(t) for t in types] + [v for t, v in sorted(rows.items()) if t not in types]


def _is_lengthening(old: RuleView, permanent: bool, years: int | None, counted_from: str) -> bool:
    if permanent:
        return True
    if old.permanent:
        return False
    # another event may come earlier (the document's date before a retirement): that counts as shortening
    return counted_from == old.counted_from and (years or 0) >= (old.years or 0)


def set_rule(c: Context, actor: Actor, document_type: str, *, permanent: bool, years: int | None = None,
             counted_from: str = "document_date", decision_ref: str = "", reason: str = "") -> RuleView:
    """Change one type's thời hạn bảo quản (root admin). Shortening needs a decision number and a reason."""
    decision_ref, reason = " ".join(nfc(decision_ref or "").split()), nfc(reason or "").strip()
    if not permanent:
        if counted_from not in COUNTED_FROM:
            raise InvalidInput(f"Mốc tính thời hạn “{shown(counted_from)}” không hợp lệ; chọn một trong: "
                               f"{', '.join(COUNTED_FROM)}.")
        if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= MAX_YEARS:
            raise InvalidInput(f"Thời hạn bảo quản phải là số năm từ 1 đến {MAX_YEARS}, hoặc vĩnh viễn.")
    else:
        years, counted_from = None, "document_date"
    if len(decision_ref) > 100 or len(reason) > 2000:
        raise InvalidInput("Số quyết định tối đa 100 ký tự, lý do tối đa 2000 ký tự.")
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
    if document_type not in {e.code for e in list_catalog(c, DOCUMENT_TYPES, include_inactive=True)}:
        raise NotFound(f"Loại tài liệu “{shown(document_type)}” không có trong danh mục loại tài liệu.")
    with c.uow() as uow:
        s = uow.session
        row = s.scalar(select(RetentionRule).where(RetentionRule.document_type == document_type))
        old = _view(row) if row is not None else _default(document_type)
        shortening = not _is_lengthening(old, permanent, years, counted_from)
        if shortening and not old.permanent and not permanent and (old.years, old.counted_from) == (years, counted_from):
            shortening = False  # no change of term
        if shortening and (not decision_ref or not reason):
            raise RetentionShortening(
                f"Rút ngắn thời hạn bảo quản của loại tài liệu “{shown(document_type)}” cần số quyết định "
                "của cấp có thẩm quyền và lý do.")
        if not permanent and old.legal_min_permanent:
            raise RetentionShortening(f"Loại tài liệu “{shown(document_type)}” phải bảo quản vĩnh viễn theo quy định; "
                                      "không thể đặt thời hạn ngắn hơn.")
        if not permanent and old.legal_min_years and (years or 0) < old.legal_min_years:
            raise RetentionShortening(f"Thời hạn bảo quản của loại tài liệu “{shown(document_type)}” không được ngắn "
                                      f"hơn mức tối thiểu theo quy định ({old.legal_min_years} năm).")
        if row is None:
            row = RetentionRule(document_type=document_type, legal_min_permanent=False, legal_min_years=None,
                                source=DEFAULT_SOURCE)
            s.add(row)
        row.permanent, row.years, row.counted_from = permanent, years, counted_from
        row.decision_ref, row.reason, row.updated_by = decision_ref, reason, actor.name
        audit.append(s, actor=actor.name, ip=actor.ip, action="retention.rule", target_type="retention_rule",
                     target_id=document_type, details={
                         "before": {"permanent": old.permanent, "years": old.years, "counted_from": old.counted_from},
                         "after": {"permanent": permanent, "years": years, "counted_from": counted_from},
                         "shortening": shortening, "decision": decision_ref, "reason": reason})
        job = jobs.enqueue(s, RETENTION_KIND)  # a lengthened term extends the locks now, not next month
        uow.commit()
        s.refresh(row)
        view, job_id = _view(row), job.id
    jobs.send_after_commit(c, [(job_id, RETENTION_KIND)])
    return view


# -- terms and locks ---------------------------------------------------------------------------

def _plus_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _document_date(doc: Document) -> date:
    for key in _DOCUMENT_DATE_KEYS:
        value = (doc.description or {}).get(key)
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return doc.created_at.date()


def _event_date(session: Session, staff: Staff, event: str) -> date | None:
    """When the event happened, or None while it has not (the staff member is still in service)."""
    statuses = _EVENT_STATUSES[event]
    if staff.status not in statuses:
        return None
    if staff.status_effective_date is not None:
        return staff.status_effective_date
    change = session.scalar(select(StatusChange).where(StatusChange.staff_id == staff.id,
                                                       StatusChange.status.in_(statuses))
                            .order_by(StatusChange.id.desc()).limit(1))
    if change is None:
        return None
    return change.effective_date or change.recorded_at.date()


@dataclass(frozen=True)
class Term:
    """How long one document must be kept: vĩnh viễn, until `ends`, or (ends None, not permanent) an
    event that has not happened yet."""

    permanent: bool
    years: int | None
    ends: date | None
    label: str

    def ended(self, today: date) -> bool:
        return not self.permanent and self.ends is not None and self.ends <= today


def term_of(session: Session, doc: Document) -> Term:
    rule = rule_for(session, doc.document_type)
    if rule.permanent or not rule.years:
        return Term(True, None, None, rule.label)
    if rule.counted_from == "document_date":
        start: date | None = _document_date(doc)
    else:
        staff = doc.staff if doc.staff is not None else session.get(Staff, doc.staff_id)
        start = _event_date(session, staff, rule.counted_from)
    return Term(False, rule.years, _plus_years(start, rule.years) if start else None, rule.label)


def _utc(d: date) -> datetime:
    return datetime.combine(d, time(), tzinfo=timezone.utc)


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class LockPlan:
    """What the objects of one original must carry: retention to `until` (extended when the current
    lock ends before `minimum`), and whether a legal hold is on."""

    sha256: str
    until: datetime | None
    minimum: datetime | None
    hold: bool
    derivative_keys: tuple[str, ...]


def active_hold_exists(session: Session, docs: Iterable[Document]) -> bool:
    docs = list(docs)
    if not docs:
        return False
    doc_ids, staff_ids = [d.id for d in docs], list({d.staff_id for d in docs})
    return session.scalar(select(LegalHold.id).where(LegalHold.released_at.is_(None), (
        ((LegalHold.target_type == "document") & LegalHold.target_id.in_(doc_ids))
        | ((LegalHold.target_type == "staff") & LegalHold.target_id.in_(staff_ids)))).limit(1)) is not None


def lock_plan(session: Session, sha256: str, *, now: datetime, permanent_years: int, margin_years: int) -> LockPlan:
    now = _aware(now)
    docs = list(session.scalars(select(Document).where(Document.sha256 == sha256)))
    # page references (issue 11): a merged document's pages are read from this object too, so it is kept
    # as long as that document is
    # (a subquery, not DISTINCT over documents: PostgreSQL cannot compare their JSON columns)
    docs += [d for d in session.scalars(select(Document).where(Document.id.in_(select(Page.document_id).where(
        Page.source_document_id.in_([d.id for d in docs]))))) if d not in docs] if docs else []
    untils: list[datetime] = []
    minimums: list[datetime] = []
    for doc in docs:
        term = term_of(session, doc)
        if term.permanent:
            untils.append(_utc(_plus_years(now.date(), permanent_years)))
            minimums.append(_utc(_plus_years(now.date(), margin_years)))
        elif term.ends is None:  # the event has not happened: the term cannot end before now + the term
            untils.append(_utc(_plus_years(now.date(), term.years or 0)))
            minimums.append(_utc(_plus_years(now.date(), min(term.years or 0, margin_years))))
        elif _utc(term.ends) > now:
            untils.append(_utc(term.ends))
            minimums.append(_utc(term.ends))
    derivative_keys = tuple(session.scalars(select(Derivative.sha256).where(Derivative.source_sha256 == sha256)))
    return LockPlan(sha256, max(untils) if untils else None, max(minimums) if minimums else None,
                    active_hold_exists(session, docs), derivative_keys)


@dataclass
class LockOutcome:
    locked: int = 0     # objects whose retention was set or extended
    held: int = 0       # objects whose legal hold was switched on
    released: int = 0   # objects whose legal hold was switched off
    missing: int = 0    # objects recorded but not in the store (a derivative not made yet …)
    unchanged: int = 0

    def add(self, other: "LockOutcome") -> None:
        for k in ("locked", "held", "released", "missing", "unchanged"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("locked", "held", "released", "missing", "unchanged")}


def _apply_to(store: ObjectStore, key: str, plan: LockPlan, now: datetime) -> LockOutcome:
    out = LockOutcome()
    try:
        info = store.stat(key)
    except ObjectNotFound:
        out.missing += 1
        return out
    changed = False
    if plan.until is not None and plan.until > now and plan.minimum is not None:
        current = info.retention.until if info.retention is not None else None
        if current is None or current < plan.minimum or info.retention.mode != RetentionMode.COMPLIANCE:
            store.set_retention(key, Retention(RetentionMode.COMPLIANCE, max(plan.until, current or plan.until)))
            out.locked += 1
            changed = True
    if info.legal_hold != plan.hold:
        store.set_legal_hold(key, plan.hold)
        if plan.hold:
            out.held += 1
        else:
            out.released += 1
        changed = True
    if not changed:
        out.unchanged += 1
    return out


def apply_locks(c: Context, sha256: str) -> LockOutcome:
    """Put the schedule's retention and the holds on one original and its derivatives (idempotent)."""
    now = _aware(c.clock())
    with c.uow() as uow:
        plan = lock_plan(uow.session, sha256, now=now, permanent_years=c.settings.retention_permanent_years,
                         margin_years=c.settings.retention_extend_margin_years)
    out = _apply_to(c.store, sha256, plan, now)
    for key in plan.derivative_keys:
        out.add(_apply_to(c.derivatives, key, plan, now))
    return out


def document_sha256(c: Context, document_id: int) -> str | None:
    with c.uow() as uow:
        doc = uow.session.get(Document, document_id)
        return doc.sha256 if doc is not None else None


def all_sha256(c: Context) -> list[str]:
    with c.uow() as uow:
        return list(uow.session.scalars(select(Document.sha256).distinct().order_by(Document.sha256)))


def enqueue_for_document(session: Session, document_id: int) -> Job:
    """Record the job that locks a document's objects (in the caller's transaction; send after commit)."""
    return jobs.enqueue(session, RETENTION_KIND, target_type="document", target_id=document_id)


def enqueue_pass(c: Context, actor: Actor) -> int:
    """`archive retention apply`: record a whole-archive pass now (root admin), return the job id."""
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        job = jobs.enqueue(s, RETENTION_KIND, payload={"actor": actor.name})
        audit.append(s, actor=actor.name, ip=actor.ip, action="retention.pass", target_type="job", target_id=job.id)
        uow.commit()
        job_id = job.id
    jobs.send_after_commit(c, [(job_id, RETENTION_KIND)])
    return job_id


@dataclass(frozen=True)
class DocumentRetention:
    """What the dossier shows of one document: its term and whether it is frozen."""

    document_id: int
    term: Term
    on_hold: bool

    def to_dict(self) -> dict:
        return {"document_id": self.document_id, "term": self.term.label, "permanent": self.term.permanent,
                "ends": self.term.ends, "on_hold": self.on_hold}


def documents_retention(session: Session, docs: Iterable[Document]) -> list[DocumentRetention]:
    return [DocumentRetention(d.id, term_of(session, d), active_hold_exists(session, [d])) for d in docs]


def document_retention(c: Context, actor: Actor, document_id: int) -> DocumentRetention:
    with c.uow() as uow:
        s = uow.session
        doc = s.get(Document, document_id) if 0 < document_id < 2**63 else None
        if doc is None:
            raise NotFound(f"Không tìm thấy tài liệu số {document_id}.")
        try:
            check_staff(s, actor, doc.staff, Action.READ)
        except NotFound:
            raise NotFound(f"Không tìm thấy tài liệu số {document_id}.") from None
        return documents_retention(s, [doc])[0]


def terms_of_documents(c: Context, document_ids: Iterable[int]) -> dict[int, DocumentRetention]:
    """Terms and holds of documents the caller has already listed (access checked there)."""
    with c.uow() as uow:
        s = uow.session
        docs = list(s.scalars(select(Document).where(Document.id.in_(list(document_ids)))))
        return {r.document_id: r for r in documents_retention(s, docs)}
