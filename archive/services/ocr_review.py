"""Cần xem lại: OCR'd pages that need a person, the list archivists work through, and "đã xem".

The rule is ingest.page_review (thresholds from settings: ocr_review_*, ocr_blank_ink_ratio);
the extract job calls `flag_pages` in the same transaction that writes the pages. A document
needs review while any of its pages is flagged and nobody has marked it reviewed: it IS indexed
and searchable, and every door shows it amber "Cần xem lại" with the reasons instead of green.

The list is scoped as every list page is (the caller's READ units' subtrees, delegations,
clearance — in the query), and filtered by unit (with its subunits), uploader (read from the
audit log's `document.upload` entries, as recent_uploads does: documents do not carry their
uploader) and intake batch. Marking a page reviewed needs UPLOAD on its dossier and is audited
(`page.review_done`); a list view is one audit entry (`review.list`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import String, false, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from archive.context import Context
from archive.errors import Conflict, InvalidInput, NotFound
from archive.models import AuditEntry, Document, IntakeBatchFile, Page, Staff, Unit
from archive.services import audit
from archive.services.access import (
    Action,
    Actor,
    check_staff,
    require,
    staff_seen_from,
    subtree_ids,
)
from archive.services.recent_uploads import UPLOAD_ACTION
from archive.settings import Settings
from ingest import PageText
from ingest.page_review import PageFacts, ReviewRule, review_sentence

DONE_ACTION = "page.review_done"
LIST_ACTION = "review.list"
MAX_ROWS = 500


def rule_of(settings: Settings) -> ReviewRule:
    """The review thresholds the settings give (defaults in archive.settings)."""
    return ReviewRule(min_confidence=settings.ocr_review_min_confidence, min_words=settings.ocr_review_min_words,
                      blank_ink_ratio=settings.ocr_blank_ink_ratio)


def flag_pages(session: Session, document_id: int, pages: Iterable[PageText], rule: ReviewRule) -> int:
    """Set each written page's review flag and reason (extract job, same transaction); how many flagged.

    A page read again starts unreviewed: what a person looked at was the previous reading.
    """
    session.flush()
    rows = {p.number: p for p in session.scalars(select(Page).where(Page.document_id == document_id))}
    flagged = 0
    for p in pages:
        row = rows.get(p.number)
        if row is None:
            continue
        sentence = review_sentence(PageFacts(number=p.number, source=p.source, confidence=p.confidence,
                                             words=len(p.words), ink_ratio=p.ink_ratio, rotation=p.osd_rotation), rule)
        row.needs_review, row.review_reason, row.osd_rotation = sentence is not None, sentence, p.osd_rotation
        row.reviewed_at, row.reviewed_by = None, None
        flagged += sentence is not None
    return flagged


def open_reasons(session: Session, document_ids: Iterable[int]) -> dict[int, list[str]]:
    """Document id → the reasons of its pages still waiting for a person (documents with none left out)."""
    ids = list(set(document_ids))
    if not ids:
        return {}
    out: dict[int, list[str]] = {}
    for doc_id, reason in session.execute(
            select(Page.document_id, Page.review_reason)
            .where(Page.document_id.in_(ids), Page.needs_review.is_(True), Page.reviewed_at.is_(None))
            .order_by(Page.document_id, Page.number)):
        out.setdefault(doc_id, []).append(reason or "")
    return out


def document_reasons(c: Context, document_ids: Iterable[int]) -> dict[int, list[str]]:
    """`open_reasons` in its own unit of work, for doors that already checked the documents' scope."""
    with c.uow() as uow:
        return open_reasons(uow.session, document_ids)


@dataclass(frozen=True)
class ReviewPage:
    """One page waiting for a person (trang cần xem lại)."""

    page_id: int
    document_id: int
    page_number: int
    reason: str
    confidence: float
    osd_rotation: int
    file_name: str
    staff_code: str
    staff_name: str
    unit_code: str
    unit_name: str
    uploader: str
    uploaded_at: datetime | None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["uploaded_at"] = self.uploaded_at.isoformat() if self.uploaded_at else None
        return d


def _visible(session: Session, actor: Actor) -> ColumnElement[bool]:
    if actor.is_system:
        return true()
    units = list(session.scalars(select(Unit).where(Unit.code.in_(actor.units_for(Action.READ)))))
    return staff_seen_from(units, actor.clearance) if units else false()


def _uploads(session: Session, document_ids: list[int]) -> dict[int, tuple[str, datetime]]:
    """Document id → (uploader, when), from the audit log's upload entries (the first one)."""
    out: dict[int, tuple[str, datetime]] = {}
    if not document_ids:
        return out
    for target, who, at in session.execute(
            select(AuditEntry.target_id, AuditEntry.actor, AuditEntry.at)
            .where(AuditEntry.action == UPLOAD_ACTION, AuditEntry.target_type == "document",
                   AuditEntry.target_id.in_([str(i) for i in document_ids])).order_by(AuditEntry.seq)):
        if target.isdigit():
            out.setdefault(int(target), (who, at))
    return out


def review_list(c: Context, actor: Actor, *, unit: str = "", uploader: str = "", batch: int | None = None,
                limit: int = MAX_ROWS) -> list[ReviewPage]:
    """Pages needing review in the caller's scope, oldest document first, filtered as asked."""
    require(actor, Action.READ)
    unit, uploader = unit.strip(), uploader.strip()
    limit = max(1, min(int(limit), MAX_ROWS))
    with c.uow() as uow:
        s = uow.session
        q = (select(Page, Document, Staff, Unit).join(Document, Page.document_id == Document.id)
             .join(Staff, Document.staff_id == Staff.id).join(Unit, Staff.unit_id == Unit.id)
             .where(Page.needs_review.is_(True), Page.reviewed_at.is_(None), _visible(s, actor)))
        if unit:
            u = s.scalar(select(Unit).where(Unit.code == unit))
            if u is None:
                raise InvalidInput(f"Không có đơn vị mã “{unit}”.")
            q = q.where(Staff.unit_id.in_(subtree_ids([u])))
        if uploader:
            q = q.where(Document.id.cast(String).in_(  # ids as text: the log's target_id is a string
                select(AuditEntry.target_id).where(
                    AuditEntry.action == UPLOAD_ACTION, AuditEntry.target_type == "document",
                    AuditEntry.actor == uploader)))
        if batch is not None:
            if not 0 < batch < 2**31:  # beyond any batch (and PostgreSQL's integer)
                raise InvalidInput(f"Không có lô tiếp nhận số {batch}.")
            q = q.where(Document.id.in_(select(IntakeBatchFile.document_id).where(IntakeBatchFile.batch_id == batch)))
        rows = s.execute(q.order_by(Document.id, Page.number).limit(limit)).all()
        uploads = _uploads(s, sorted({d.id for _, d, _, _ in rows}))
        out = [ReviewPage(page_id=p.id, document_id=d.id, page_number=p.number, reason=p.review_reason or "",
                          confidence=p.confidence, osd_rotation=p.osd_rotation, file_name=d.file_name,
                          staff_code=st.code, staff_name=st.full_name, unit_code=u.code, unit_name=u.name,
                          uploader=uploads.get(d.id, ("", None))[0], uploaded_at=uploads.get(d.id, ("", None))[1])
               for p, d, st, u in rows]
        audit.append(s, actor=actor.name, ip=actor.ip, action=LIST_ACTION, target_type="page",
                     details={"unit": unit, "uploader": uploader, "batch": batch, "rows": len(out)})
        uow.commit()
        return out


def mark_reviewed(c: Context, actor: Actor, page_id: int) -> ReviewPage:
    """A person looked at the page (đã xem): it leaves the list and its document turns green."""
    require(actor, Action.UPLOAD)
    with c.uow() as uow:
        s = uow.session
        page = s.get(Page, page_id) if 0 < page_id < 2**31 else None
        doc = s.get(Document, page.document_id) if page is not None else None
        if page is None or doc is None:
            raise NotFound(f"Không tìm thấy trang số {page_id}.")
        staff = check_staff(s, actor, doc.staff, Action.UPLOAD)  # out of scope reads as not found
        if not page.needs_review:
            raise Conflict(f"Trang {page.number} của tệp “{doc.file_name}” không cần xem lại.")
        if page.reviewed_at is not None:
            raise Conflict(f"Trang {page.number} của tệp “{doc.file_name}” đã được {page.reviewed_by} đánh dấu đã xem.")
        page.reviewed_at, page.reviewed_by = c.clock(), actor.name
        audit.append(s, actor=actor.name, ip=actor.ip, action=DONE_ACTION, target_type="document",
                     target_id=doc.id, details={"staff": staff.code, "page": page.number,
                                                "reason": page.review_reason or ""})
        uploads = _uploads(s, [doc.id])
        unit = staff.unit
        view = ReviewPage(page_id=page.id, document_id=doc.id, page_number=page.number,
                          reason=page.review_reason or "", confidence=page.confidence,
                          osd_rotation=page.osd_rotation, file_name=doc.file_name, staff_code=staff.code,
                          staff_name=staff.full_name, unit_code=unit.code, unit_name=unit.name,
                          uploader=uploads.get(doc.id, ("", None))[0], uploaded_at=uploads.get(doc.id, ("", None))[1])
        uow.commit()
        return view


__all__ = ["ReviewPage", "document_reasons", "flag_pages", "mark_reviewed", "open_reasons", "review_list",
           "rule_of"]
