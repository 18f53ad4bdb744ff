"""Document corrections (hiệu chỉnh tài liệu) by the archivist: change the type, move a document
to the right dossier, withdraw it (thu hồi), read it again (nhận dạng lại), turn a page (xoay trang).

None of them touches the stored original: they change the document's row, its pages' rotation,
and record background work (extract, index, retention) through the durable queue, sent after
commit. Each is scoped like an upload (archivist or admin over the dossier; outside scope the
document does not exist), audited with before/after, and kept in `document_corrections`.

A withdrawn document leaves the dossier list and search (the index consumer drops its pages:
`page_docs` skips withdrawn documents) but stays in the store under its retention lock; only
retention decides its fate. Merging, splitting and reordering (page rows that name the original
and page they are read from, beside `rotation`) are in archive.services.page_references.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.context import Context
from archive.domain import EXTRACT_KIND, INDEX_KIND, DocumentState
from archive.errors import Conflict, Forbidden, InvalidInput, NotFound, shown
from archive.models import Document, Page, Staff, utcnow
from archive.models.document_corrections import DocumentCorrection
from archive.services import audit, jobs
from archive.services.access import Action, Actor, check_staff, require
from archive.services.documents import check_document_type, visible_document
from archive.services.page_rotation import ROTATIONS
from archive.services.retention import RETENTION_KIND, enqueue_for_document
from archive.services.views import DocumentView
from search import nfc

MAX_REASON = 1000
TURNS = {90: 90, 180: 180, 270: 270, -90: 270}  # a turn clockwise; -90 is "xoay trái"
_BUSY = (DocumentState.QUEUED.value, DocumentState.PROCESSING.value)


@dataclass(frozen=True)
class WithdrawnView:
    """A withdrawn document (tài liệu đã thu hồi) as the "Đã thu hồi" list shows it."""

    id: int
    staff_code: str
    staff_name: str
    document_type: str
    file_name: str
    sha256: str
    withdrawn_at: datetime
    withdrawn_by: str
    reason: str

    def to_dict(self) -> dict:
        return {**self.__dict__, "withdrawn_at": self.withdrawn_at.isoformat() + "Z"}


@dataclass(frozen=True)
class CorrectionView:
    id: int
    document_id: int
    kind: str
    before: dict
    after: dict
    reason: str
    actor: str
    at: datetime

    def to_dict(self) -> dict:
        return {**self.__dict__, "at": self.at.isoformat() + "Z"}


def _reason(reason: object, *, required: bool) -> str:
    text = " ".join(nfc(str(reason or "")).split())
    if required and not text:
        raise InvalidInput("Cần ghi lý do thu hồi tài liệu.")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"Lý do dài quá {MAX_REASON} ký tự.")
    return text


def _correctable(s: Session, actor: Actor, document_id: int) -> Document:
    """The document, if the actor may correct it (archivist/admin in scope) and it is not withdrawn."""
    doc = visible_document(s, actor, document_id, Action.UPLOAD)
    if doc.withdrawn_at is not None:
        raise Conflict(f"Tài liệu số {document_id} đã bị thu hồi, không thể hiệu chỉnh.")
    return doc


def _record(s: Session, actor: Actor, doc: Document, kind: str, before: dict, after: dict, reason: str = "") -> None:
    s.add(DocumentCorrection(document_id=doc.id, kind=kind, before=before, after=after, reason=reason,
                             actor=actor.name))
    audit.append(s, actor=actor.name, ip=actor.ip, action=f"document.{kind}", target_type="document",
                 target_id=doc.id, details={"staff": doc.staff.code, "sha256": doc.sha256, "before": before,
                                            "after": after, **({"reason": reason} if reason else {})})


def _to_index(doc: Document) -> bool:
    """Send an indexed document back to the index consumer (its pages are re-written or dropped)."""
    if doc.state == DocumentState.INDEXED.value:
        doc.state = DocumentState.INDEXING.value
        return True
    return doc.state == DocumentState.INDEXING.value


def _after(c: Context, sent: list[tuple[int, str]], wake_index: bool) -> None:
    jobs.send_after_commit(c, sent)
    if wake_index and c.queue is not None:
        c.queue.wake(INDEX_KIND)


def change_type(c: Context, actor: Actor, document_id: int, document_type: str) -> DocumentView:
    """Đổi loại tài liệu: a type from the catalog; the index and the retention term follow."""
    new_type = check_document_type(c, document_type)
    with c.uow() as uow:
        s = uow.session
        doc = _correctable(s, actor, document_id)
        if doc.document_type == new_type:
            return DocumentView.of(doc)
        before = {"document_type": doc.document_type}
        doc.document_type = new_type
        wake = _to_index(doc)
        lock = enqueue_for_document(s, doc.id)  # the type may name another retention rule: recompute
        _record(s, actor, doc, "retype", before, {"document_type": new_type})
        uow.commit()
        view, sent = DocumentView.of(doc), [(lock.id, RETENTION_KIND)]
    _after(c, sent, wake)
    return view


def move_to_dossier(c: Context, actor: Actor, document_id: int, staff_code: str, reason: str = "") -> DocumentView:
    """Chuyển sang hồ sơ đúng: the target dossier must be in the actor's scope too, and must not
    hold the same bytes already (Conflict). Re-indexed under the new person; the lock stays."""
    reason = _reason(reason, required=False)
    with c.uow() as uow:
        s = uow.session
        doc = _correctable(s, actor, document_id)
        target = s.scalar(select(Staff).where(Staff.code == str(staff_code or "")))
        if target is None:
            raise NotFound(f"Không tìm thấy cán bộ có mã {shown(staff_code)}.")
        target = check_staff(s, actor, target, Action.UPLOAD)
        if target.id == doc.staff_id:
            raise InvalidInput(f"Tài liệu số {document_id} đã ở trong hồ sơ {target.code}.")
        twin = s.scalar(select(Document.id).where(Document.staff_id == target.id, Document.sha256 == doc.sha256))
        if twin is not None:
            raise Conflict(f"Hồ sơ {target.code} đã có tài liệu giống hệt (số {twin}); không chuyển được.")
        before = {"staff": doc.staff.code}
        doc.staff_id = target.id
        s.flush()
        s.refresh(doc, ["staff"])
        wake = _to_index(doc)
        lock = enqueue_for_document(s, doc.id)  # the rule may depend on the person (status): recompute
        _record(s, actor, doc, "move", before, {"staff": target.code}, reason)
        uow.commit()
        view, sent = DocumentView.of(doc), [(lock.id, RETENTION_KIND)]
    _after(c, sent, wake)
    return view


def withdraw(c: Context, actor: Actor, document_id: int, reason: str) -> DocumentView:
    """Thu hồi: the document leaves the dossier list and search, and is kept (no deletion)."""
    reason = _reason(reason, required=True)
    with c.uow() as uow:
        s = uow.session
        doc = _correctable(s, actor, document_id)
        doc.withdrawn_at, doc.withdrawn_by, doc.withdraw_reason = utcnow(), actor.name, reason
        wake = _to_index(doc) or doc.indexed_at is not None
        _record(s, actor, doc, "withdraw", {"withdrawn": False}, {"withdrawn": True}, reason)
        uow.commit()
        view = DocumentView.of(doc)
    _after(c, [], wake)
    return view


def _queue_extract(s: Session, doc: Document, payload: dict | None = None) -> int:
    if doc.state in _BUSY:
        raise Conflict(f"Tài liệu số {doc.id} đang chờ hoặc đang được nhận dạng; hãy thử lại sau.")
    job = jobs.enqueue(s, EXTRACT_KIND, target_type="document", target_id=doc.id, payload=payload)
    doc.state, doc.error = DocumentState.QUEUED.value, None
    return job.id


def reocr_document(c: Context, actor: Actor, document_id: int) -> DocumentView:
    """Nhận dạng lại: record an extract job again; its pages replace the old ones when it finishes."""
    with c.uow() as uow:
        s = uow.session
        doc = _correctable(s, actor, document_id)
        before = {"state": doc.state}
        job_id = _queue_extract(s, doc)
        _record(s, actor, doc, "reocr", before, {"state": doc.state, "job": job_id})
        uow.commit()
        view = DocumentView.of(doc)
    _after(c, [(job_id, EXTRACT_KIND)], False)
    return view


def rotate_page(c: Context, actor: Actor, document_id: int, page: int, turn: int) -> int:
    """Xoay trang: turn one page by 90, 180 or 270 degrees clockwise (−90: left); that page is read
    again from the original turned that way. Returns the page's rotation now."""
    if turn not in TURNS:
        raise InvalidInput("Chỉ xoay được 90°, 180° hoặc 270° (−90° là xoay trái).")
    with c.uow() as uow:
        s = uow.session
        doc = _correctable(s, actor, document_id)
        if not isinstance(page, int) or not 1 <= page <= max(doc.page_count, 1):
            raise NotFound(f"Tài liệu số {document_id} không có trang {page}.")
        row = s.scalar(select(Page).where(Page.document_id == doc.id, Page.number == page))
        if row is None:
            row = Page(document_id=doc.id, number=page, text="", confidence=0.0, source="ocr", rotation=0)
            s.add(row)
        before = row.rotation or 0
        after = (before + TURNS[turn]) % 360
        assert after in ROTATIONS
        job_id = _queue_extract(s, doc, {"only_pages": [page]})
        row.rotation = after
        _record(s, actor, doc, "rotate", {"page": page, "rotation": before}, {"page": page, "rotation": after})
        uow.commit()
    _after(c, [(job_id, EXTRACT_KIND)], False)
    return after


def list_withdrawn(c: Context, actor: Actor, staff_code: str | None = None) -> list[WithdrawnView]:
    """Đã thu hồi: withdrawn documents of the dossiers the actor audits (admins, auditors)."""
    require(actor, Action.AUDIT)
    with c.uow() as uow:
        s = uow.session
        q = (select(Document).where(Document.withdrawn_at.is_not(None))
             .options(selectinload(Document.staff)).order_by(Document.withdrawn_at.desc(), Document.id.desc()))
        if staff_code:
            q = q.join(Staff, Document.staff_id == Staff.id).where(Staff.code == staff_code)
        out = []
        for d in s.scalars(q):
            try:
                check_staff(s, actor, d.staff, Action.AUDIT)
            except (NotFound, Forbidden):
                continue
            out.append(WithdrawnView(id=d.id, staff_code=d.staff.code, staff_name=d.staff.full_name,
                                     document_type=d.document_type, file_name=d.file_name, sha256=d.sha256,
                                     withdrawn_at=d.withdrawn_at, withdrawn_by=d.withdrawn_by or "",
                                     reason=d.withdraw_reason or ""))
        return out


def history(c: Context, actor: Actor, document_id: int) -> list[CorrectionView]:
    """The corrections made to one document, oldest first."""
    with c.uow() as uow:
        s = uow.session
        visible_document(s, actor, document_id, Action.READ)
        rows = s.scalars(select(DocumentCorrection).where(DocumentCorrection.document_id == document_id)
                         .order_by(DocumentCorrection.id))
        return [CorrectionView(id=r.id, document_id=r.document_id, kind=r.kind, before=r.before, after=r.after,
                               reason=r.reason, actor=r.actor, at=r.at) for r in rows]


__all__ = ["CorrectionView", "WithdrawnView", "change_type", "history", "list_withdrawn", "move_to_dossier",
           "reocr_document", "rotate_page", "withdraw"]
