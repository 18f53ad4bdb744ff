"""Legal hold (phong tỏa): a document or a whole dossier frozen during an inspection, a complaint
or a disciplinary case.

Set and released by an admin or an auditor whose scope covers the dossier (Action.AUDIT), each
time with a reason and a reference (số văn bản); audited. While a hold is active the document
cannot be disposed of or deleted, and its objects carry the store's legal hold (switched by the
`retention` job after commit: one job per affected document, in the same transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from archive.context import Context
from archive.errors import Conflict, InvalidInput, NotFound
from archive.models import Document, LegalHold, Staff
from archive.services import audit, jobs
from archive.services.access import Action, Actor, check_staff
from archive.services.retention import RETENTION_KIND, enqueue_for_document
from search import nfc


@dataclass(frozen=True)
class HoldView:
    id: int
    target_type: str  # "document" | "staff"
    target_id: int
    staff_code: str
    reason: str
    reference: str
    placed_by: str
    placed_at: datetime
    released_by: str | None
    released_at: datetime | None
    release_reason: str | None

    @property
    def active(self) -> bool:
        return self.released_at is None

    @property
    def target_label(self) -> str:
        return "Toàn bộ hồ sơ" if self.target_type == "staff" else f"Tài liệu số {self.target_id}"

    def to_dict(self) -> dict:
        return {"id": self.id, "target_type": self.target_type, "target_id": self.target_id,
                "staff": self.staff_code, "reason": self.reason, "reference": self.reference,
                "placed_by": self.placed_by, "placed_at": self.placed_at, "released_by": self.released_by,
                "released_at": self.released_at, "release_reason": self.release_reason, "active": self.active}


def _view(h: LegalHold, staff_code: str) -> HoldView:
    return HoldView(h.id, h.target_type, h.target_id, staff_code, h.reason, h.reference, h.placed_by, h.placed_at,
                    h.released_by, h.released_at, h.release_reason)


def _clean(value: str | None, what: str, limit: int) -> str:
    text = " ".join(nfc(value or "").split())
    if not text:
        raise InvalidInput(f"Cần nhập {what}.")
    if len(text) > limit:
        raise InvalidInput(f"{what[0].upper()}{what[1:]} tối đa {limit} ký tự.")
    return text


def _affected_documents(session: Session, hold: LegalHold) -> list[int]:
    if hold.target_type == "document":
        return [hold.target_id]
    return list(session.scalars(select(Document.id).where(Document.staff_id == hold.target_id)))


def place_hold(c: Context, actor: Actor, *, reason: str, reference: str, document_id: int | None = None,
               staff_code: str | None = None) -> HoldView:
    """Phong tỏa one document (document_id) or a whole dossier (staff_code)."""
    if (document_id is None) == (staff_code is None):
        raise InvalidInput("Chọn phong tỏa một tài liệu hoặc toàn bộ một hồ sơ.")
    reason, reference = _clean(reason, "lý do phong tỏa", 2000), _clean(reference, "số văn bản căn cứ", 100)
    with c.uow() as uow:
        s = uow.session
        if document_id is not None:
            doc = s.get(Document, document_id, options=[selectinload(Document.staff)]) \
                if 0 < document_id < 2**63 else None
            if doc is None:
                raise NotFound(f"Không tìm thấy tài liệu số {document_id}.")
            try:
                staff = check_staff(s, actor, doc.staff, Action.AUDIT)
            except NotFound:
                raise NotFound(f"Không tìm thấy tài liệu số {document_id}.") from None
            target_type, target_id = "document", document_id
        else:
            staff = check_staff(s, actor, s.scalar(select(Staff).where(Staff.code == staff_code)), Action.AUDIT)
            target_type, target_id = "staff", staff.id
        hold = LegalHold(target_type=target_type, target_id=target_id, staff_id=staff.id, reason=reason,
                         reference=reference, placed_by=actor.name)
        s.add(hold)
        s.flush()
        sent = [(enqueue_for_document(s, d).id, RETENTION_KIND) for d in _affected_documents(s, hold)]
        audit.append(s, actor=actor.name, ip=actor.ip, action="legal_hold.place", target_type=target_type,
                     target_id=staff.code if target_type == "staff" else target_id,
                     details={"hold": hold.id, "staff": staff.code, "reason": reason, "reference": reference})
        uow.commit()
        view = _view(hold, staff.code)
    jobs.send_after_commit(c, sent)
    return view


def release_hold(c: Context, actor: Actor, hold_id: int, *, reason: str) -> HoldView:
    """Giải tỏa: end one hold (the objects lose their legal hold when no other hold covers them)."""
    reason = _clean(reason, "lý do giải tỏa", 2000)
    with c.uow() as uow:
        s = uow.session
        hold = s.get(LegalHold, hold_id) if 0 < hold_id < 2**63 else None
        if hold is None:
            raise NotFound(f"Không tìm thấy lệnh phong tỏa số {hold_id}.")
        try:
            staff = check_staff(s, actor, s.get(Staff, hold.staff_id), Action.AUDIT)
        except NotFound:
            raise NotFound(f"Không tìm thấy lệnh phong tỏa số {hold_id}.") from None
        if hold.released_at is not None:
            raise Conflict(f"Lệnh phong tỏa số {hold_id} đã được giải tỏa trước đó.")
        hold.released_at, hold.released_by, hold.release_reason = c.clock(), actor.name, reason
        sent = [(enqueue_for_document(s, d).id, RETENTION_KIND) for d in _affected_documents(s, hold)]
        audit.append(s, actor=actor.name, ip=actor.ip, action="legal_hold.release", target_type=hold.target_type,
                     target_id=staff.code if hold.target_type == "staff" else hold.target_id,
                     details={"hold": hold.id, "staff": staff.code, "reason": reason})
        uow.commit()
        view = _view(hold, staff.code)
    jobs.send_after_commit(c, sent)
    return view


def holds_of_staff(c: Context, actor: Actor, staff_code: str, *, include_released: bool = True) -> list[HoldView]:
    """Every hold on the dossier or on one of its documents, newest first (shown in the dossier)."""
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, s.scalar(select(Staff).where(Staff.code == staff_code)), Action.READ)
        stmt = select(LegalHold).where(LegalHold.staff_id == staff.id).order_by(LegalHold.id.desc())
        if not include_released:
            stmt = stmt.where(LegalHold.released_at.is_(None))
        return [_view(h, staff.code) for h in s.scalars(stmt)]


def is_on_hold(session: Session, document: Document) -> bool:
    return session.scalar(select(LegalHold.id).where(LegalHold.released_at.is_(None), or_(
        (LegalHold.target_type == "document") & (LegalHold.target_id == document.id),
        (LegalHold.target_type == "staff") & (LegalHold.target_id == document.staff_id))).limit(1)) is not None


__all__ = ["HoldView", "holds_of_staff", "is_on_hold", "place_hold", "release_hold"]
