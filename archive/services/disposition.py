"""Disposition (hủy tài liệu hết giá trị): propose documents whose term has ended, destroy them only
under a council decision approved by two people, and keep a record of each one forever.

- `propose`: the scheduled `disposition_propose` job (weekly) or the root admin lists every
  document whose thời hạn bảo quản has ended — never one kept vĩnh viễn, never one on hold,
  never one already on a pending list — as a proposal (danh mục tài liệu hết giá trị).
- `approve`: two separate actions by two different root admins with the same decision number
  (số quyết định of the Hội đồng xác định giá trị tài liệu); the second records the
  `disposition` job in its own transaction.
- the job (`run_disposition` + `record_disposition`) re-checks every item (a hold placed since
  the proposal blocks it), removes the document's pages from the search index, deletes the
  original and its derivatives when no other live document references the bytes (the store
  refuses while its object lock still holds: the item is then blocked), and in one transaction
  deletes the document row with its pages and writes a `disposition_records` row (metadata,
  SHA-256, decision, approvers, when). The staff record itself is never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.context import Context
from archive.errors import Conflict, InvalidInput, NotFound
from archive.models import (Derivative, DispositionItem, DispositionProposal, DispositionRecord, Document, Page,
                            RetentionRule,
                            Staff)
from archive.services import audit, jobs
from archive.services.access import Action, Actor, check_staff, require_root_admin
from archive.services.legal_hold import is_on_hold
from archive.services.retention import term_of
from search import nfc
from storage import ObjectNotFound, RetentionLocked

DISPOSITION_KIND = "disposition"                   # job: carry out one approved proposal
DISPOSITION_PROPOSE_KIND = "disposition_propose"   # job: the weekly list of documents whose term ended
PENDING_STATES = ("open", "first_approved", "approved")
STATE_LABELS = {"open": "Chờ phê duyệt", "first_approved": "Đã có một người phê duyệt",
                "approved": "Đã phê duyệt, đang hủy", "executed": "Đã thực hiện"}


@dataclass(frozen=True)
class ItemView:
    document_id: int
    staff_code: str
    document_type: str
    file_name: str
    sha256: str
    term_ended: date
    outcome: str | None

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("document_id", "staff_code", "document_type", "file_name", "sha256",
                                              "term_ended", "outcome")}


@dataclass(frozen=True)
class ProposalView:
    id: int
    state: str
    created_at: datetime
    created_by: str
    decision_number: str | None
    decision_date: date | None
    first_approver: str | None
    second_approver: str | None
    executed_at: datetime | None
    items: tuple[ItemView, ...] = field(default=())

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    def to_dict(self) -> dict:
        return {"id": self.id, "state": self.state, "created_at": self.created_at, "created_by": self.created_by,
                "decision_number": self.decision_number, "decision_date": self.decision_date,
                "first_approver": self.first_approver, "second_approver": self.second_approver,
                "executed_at": self.executed_at, "items": [i.to_dict() for i in self.items]}


@dataclass(frozen=True)
class RecordView:
    id: int
    document_id: int
    staff_code: str
    document_type: str
    file_name: str
    size: int
    page_count: int
    sha256: str
    decision_number: str
    decision_date: date | None
    approvers: tuple[str, ...]
    disposed_at: datetime
    object_deleted: bool

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("id", "document_id", "staff_code", "document_type", "file_name", "size",
                                           "page_count", "sha256", "decision_number", "decision_date",
                                           "disposed_at", "object_deleted")}
        d["approvers"] = list(self.approvers)
        return d


def _proposal_view(session: Session, p: DispositionProposal) -> ProposalView:
    items = []
    for it in p.items:
        doc = session.get(Document, it.document_id)
        staff = session.get(Staff, it.staff_id)
        if doc is not None:
            name = doc.file_name
        else:
            rec = session.scalar(select(DispositionRecord.file_name).where(
                DispositionRecord.document_id == it.document_id).limit(1))
            name = rec or ""
        items.append(ItemView(it.document_id, staff.code if staff else "", it.document_type, name, it.sha256,
                              it.term_ended, it.outcome))
    return ProposalView(p.id, p.state, p.created_at, p.created_by, p.decision_number, p.decision_date,
                        p.first_approver, p.second_approver, p.executed_at, tuple(items))


def _record_view(r: DispositionRecord) -> RecordView:
    return RecordView(r.id, r.document_id, r.staff_code, r.document_type, r.file_name, r.size, r.page_count, r.sha256,
                      r.decision_number, r.decision_date, tuple(r.approvers or ()), r.disposed_at, r.object_deleted)


# -- proposing -----------------------------------------------------------------------------

def ended_documents(session: Session, today: date) -> list[tuple[Document, date]]:
    """Documents whose term has ended, not on hold and not on a pending list (oldest end first)."""
    types = list(session.scalars(select(RetentionRule.document_type).where(RetentionRule.permanent.is_(False))))
    if not types:
        return []
    pending = set(session.scalars(select(DispositionItem.document_id).join(DispositionProposal).where(
        DispositionProposal.state.in_(PENDING_STATES))))
    out = []
    for doc in session.scalars(select(Document).where(Document.document_type.in_(types))
                               .options(selectinload(Document.staff)).order_by(Document.id)):
        if doc.id in pending:
            continue
        term = term_of(session, doc)
        if term.ended(today) and not is_on_hold(session, doc) and not _read_by_another(session, doc.id):
            out.append((doc, term.ends))
    return sorted(out, key=lambda pair: (pair[1], pair[0].id))


def _read_by_another(session: Session, document_id: int) -> bool:
    """A page of another document is read from this one (page references, issue 11: gộp tài liệu).

    Such a document is kept while the document reading it is: destroying it would take pages
    out of a kept document (and its rows are what those pages point at).
    """
    return session.scalar(select(Page.id).where(Page.source_document_id == document_id,
                                                Page.document_id != document_id).limit(1)) is not None


def propose_in(session: Session, *, today: date, created_by: str, ip: str = "") -> DispositionProposal | None:
    """Write a proposal of every document whose term ended (None when there is none)."""
    ended = ended_documents(session, today)
    if not ended:
        return None
    p = DispositionProposal(state="open", created_by=created_by)
    session.add(p)
    for doc, ends in ended:
        p.items.append(DispositionItem(document_id=doc.id, staff_id=doc.staff_id, document_type=doc.document_type,
                                       sha256=doc.sha256, term_ended=ends))
    session.flush()
    audit.append(session, actor=created_by, ip=ip, action="disposition.propose", target_type="disposition",
                 target_id=p.id, details={"documents": [d.id for d, _ in ended]})
    return p


def propose(c: Context, actor: Actor) -> ProposalView | None:
    """Lập danh mục tài liệu hết giá trị now (root admin); None when no document's term has ended."""
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        p = propose_in(s, today=c.clock().date(), created_by=actor.name, ip=actor.ip)
        if p is None:
            return None
        uow.commit()
        return _proposal_view(s, p)


def list_proposals(c: Context, actor: Actor) -> list[ProposalView]:
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        return [_proposal_view(s, p) for p in s.scalars(
            select(DispositionProposal).options(selectinload(DispositionProposal.items))
            .order_by(DispositionProposal.id.desc()).limit(100))]


def get_proposal(c: Context, actor: Actor, proposal_id: int) -> ProposalView:
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        return _proposal_view(s, _load(s, proposal_id))


def _load(session: Session, proposal_id: int) -> DispositionProposal:
    p = session.get(DispositionProposal, proposal_id) if 0 < proposal_id < 2**63 else None
    if p is None:
        raise NotFound(f"Không tìm thấy danh mục tài liệu đề nghị hủy số {proposal_id}.")
    return p


# -- approving -----------------------------------------------------------------------------

def approve(c: Context, actor: Actor, proposal_id: int, *, decision_number: str,
            decision_date: date | None = None) -> ProposalView:
    """One council member's approval. The first records the decision; the second — another person,
    the same decision number — approves and records the job that destroys the documents."""
    number = " ".join(nfc(decision_number or "").split())
    if not number or len(number) > 100:
        raise InvalidInput("Cần nhập số quyết định hủy tài liệu (tối đa 100 ký tự).")
    sent: list[tuple[int, str]] = []
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        p = _load(s, proposal_id)
        for it in p.items:  # every dossier on the list must be within the approver's scope
            check_staff(s, actor, s.get(Staff, it.staff_id), Action.ADMINISTER)
        now = c.clock()
        if p.state == "open":
            if decision_date is None:
                raise InvalidInput("Cần nhập ngày của quyết định hủy tài liệu.")
            p.state, p.decision_number, p.decision_date = "first_approved", number, decision_date
            p.first_approver, p.first_approved_at = actor.name, now
        elif p.state == "first_approved":
            if actor.name == p.first_approver:
                raise Conflict("Việc hủy tài liệu cần hai người phê duyệt khác nhau; bạn đã phê duyệt danh mục này.")
            if number != p.decision_number:
                raise Conflict(f"Số quyết định không khớp với số đã ghi khi phê duyệt lần đầu ({p.decision_number}).")
            p.state, p.second_approver, p.second_approved_at = "approved", actor.name, now
            job = jobs.enqueue(s, DISPOSITION_KIND, target_type="disposition", target_id=p.id)
            sent.append((job.id, DISPOSITION_KIND))
        else:
            raise Conflict(f"Danh mục số {proposal_id} đã được phê duyệt đủ; không cần phê duyệt thêm.")
        audit.append(s, actor=actor.name, ip=actor.ip, action="disposition.approve", target_type="disposition",
                     target_id=p.id, details={"decision": number, "date": p.decision_date, "state": p.state})
        uow.commit()
        view = _proposal_view(s, p)
    jobs.send_after_commit(c, sent)
    return view


# -- carrying out ----------------------------------------------------------------------------

@dataclass
class ItemPlan:
    document_id: int
    sha256: str
    delete_object: bool          # no other live document holds these bytes
    derivative_keys: list[str]
    outcome: str = "destroyed"   # or blocked: on_hold | not_ended | referenced | locked | gone


def plan_disposition(c: Context, proposal_id: int) -> list[ItemPlan]:
    """Re-check every item of an approved proposal as things are now."""
    with c.uow() as uow:
        s = uow.session
        p = _load(s, proposal_id)
        if p.state != "approved":
            return []
        today = c.clock().date()
        plans: list[ItemPlan] = []
        docs: dict[int, Document] = {}
        for it in p.items:
            doc = s.get(Document, it.document_id)
            if doc is None:
                plans.append(ItemPlan(it.document_id, it.sha256, False, [], "gone"))
                continue
            outcome = "destroyed"
            if is_on_hold(s, doc):
                outcome = "on_hold"
            elif not term_of(s, doc).ended(today):
                outcome = "not_ended"  # the schedule was lengthened since the proposal
            elif _read_by_another(s, doc.id):
                outcome = "referenced"  # merged into a document that is kept: its pages are read from this one
            docs[doc.id] = doc
            plans.append(ItemPlan(doc.id, doc.sha256, False, [], outcome))
        going = {pl.document_id for pl in plans if pl.outcome == "destroyed"}
        for pl in plans:
            if pl.outcome != "destroyed":
                continue
            others = s.scalar(select(Document.id).where(Document.sha256 == pl.sha256,
                                                        Document.id.not_in(going)).limit(1))
            pl.delete_object = others is None
            if pl.delete_object:
                pl.derivative_keys = [k for k in s.scalars(select(Derivative.sha256).where(
                    Derivative.source_sha256 == pl.sha256)) if s.scalar(select(Derivative.id).where(
                        Derivative.sha256 == k, Derivative.source_sha256 != pl.sha256).limit(1)) is None]
        return plans


def _delete(store, key: str) -> None:  # noqa: ANN001
    try:
        store.delete(key)
    except ObjectNotFound:
        pass  # a run before this one deleted it already


def _still_locked(store, key: str, now: datetime) -> bool:  # noqa: ANN001
    try:
        info = store.stat(key)
    except ObjectNotFound:
        return False
    return info.legal_hold or (info.retention is not None and info.retention.until > now)


def delete_objects(c: Context, plans: list[ItemPlan]) -> None:
    """Delete the bytes from the store, then the pages from the search index. An object whose lock
    still holds (a term shortened after it was locked: COMPLIANCE never shortens) blocks its items."""
    now = c.clock().replace(tzinfo=timezone.utc)
    done: set[str] = set()
    for pl in plans:
        if pl.outcome != "destroyed" or not pl.delete_object or pl.sha256 in done:
            continue
        try:
            if _still_locked(c.store, pl.sha256, now):
                raise RetentionLocked(pl.sha256)
            for key in pl.derivative_keys:
                _delete(c.derivatives, key)
            _delete(c.store, pl.sha256)
            done.add(pl.sha256)
        except RetentionLocked:
            for other in plans:
                if other.sha256 == pl.sha256 and other.outcome == "destroyed":
                    other.outcome = "locked"
    ids = [pl.document_id for pl in plans if pl.outcome == "destroyed"]
    if ids:
        c.index.delete_documents(ids)  # the rows go in the job's final transaction, right after


def record_disposition(session: Session, proposal_id: int, plans: list[ItemPlan], *, actor: str,
                       now: datetime) -> dict:
    """In the job's final transaction: delete the rows of destroyed documents, write their records."""
    p = _load(session, proposal_id)
    by_id = {pl.document_id: pl for pl in plans}
    approvers = [a for a in (p.first_approver, p.second_approver) if a]
    counts: dict[str, int] = {}
    for it in p.items:
        pl = by_id.get(it.document_id)
        outcome = pl.outcome if pl is not None else "gone"
        if outcome == "destroyed":
            doc = session.get(Document, it.document_id, options=[selectinload(Document.staff)])
            if doc is None:
                outcome = "gone"
            else:
                session.add(DispositionRecord(
                    document_id=doc.id, staff_id=doc.staff_id, staff_code=doc.staff.code,
                    document_type=doc.document_type, file_name=doc.file_name, content_type=doc.content_type,
                    size=doc.size, page_count=doc.page_count, sha256=doc.sha256,
                    description=dict(doc.description or {}), document_created_at=doc.created_at,
                    proposal_id=p.id, decision_number=p.decision_number or "", decision_date=p.decision_date,
                    approvers=approvers, object_deleted=pl.delete_object, disposed_at=now))
                if pl.delete_object:
                    for d in session.scalars(select(Derivative).where(Derivative.source_sha256 == doc.sha256)):
                        session.delete(d)
                audit.append(session, actor=actor, action="document.dispose", target_type="document",
                             target_id=doc.id, details={"staff": doc.staff.code, "sha256": doc.sha256,
                                                        "decision": p.decision_number, "approvers": approvers,
                                                        "object_deleted": pl.delete_object})
                session.delete(doc)  # its pages go with it (cascade); the staff record stays
        it.outcome = outcome
        counts[outcome] = counts.get(outcome, 0) + 1
    p.state, p.executed_at, p.result = "executed", now, counts
    audit.append(session, actor=actor, action="disposition.execute", target_type="disposition", target_id=p.id,
                 details={"decision": p.decision_number, "outcomes": counts})
    return counts


def records_of_staff(c: Context, actor: Actor, staff_code: str) -> list[RecordView]:
    """Biên bản hủy of a dossier's documents, shown in the dossier where the documents were."""
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, s.scalar(select(Staff).where(Staff.code == staff_code)), Action.READ)
        return [_record_view(r) for r in s.scalars(select(DispositionRecord).where(
            DispositionRecord.staff_id == staff.id).order_by(DispositionRecord.id))]
