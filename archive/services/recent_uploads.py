"""Tài liệu tôi đã tải lên (đang xử lý): the caller's recent uploads and where each stands.

Documents do not carry their uploader; the audit log does (`document.upload`, actor = the
account's name, target = the document id). So the list is read from the log, newest first,
and each document is then shown only if the caller may still read its dossier today (a grant
taken away hides what they uploaded under it, as everywhere else: not found, not forbidden).

Also here: the sentence shown for a failed document. The pipeline's own reasons are
Vietnamese sentences; anything else that reached `document.error` (a library's English text
such as "Stream has ended unexpectedly") is replaced by one naming the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from archive.context import Context
from archive.errors import ArchiveError
from archive.models import AuditEntry, Document
from archive.services.access import Action, Actor, check_staff, require
from archive.services.views import DocumentView

UPLOAD_ACTION = "document.upload"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Letters only Vietnamese (among the languages our messages are in) writes: one of them marks a
# sentence as ours. The error table and the pipeline never write English to people.
_VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE)


def shown_error(error: str | None, file_name: str) -> str:
    """The reason a document failed, as one Vietnamese sentence for the person who sent it."""
    if not error:
        return ""
    if _VIETNAMESE.search(error):
        return error
    return (f"Không xử lý được tệp “{file_name}”: tệp có thể bị hỏng hoặc không đúng định dạng; "
            f"hãy kiểm tra tệp rồi tải lên lại.")


@dataclass(frozen=True)
class RecentUpload:
    document: DocumentView
    uploaded_at: datetime
    error: str  # shown_error of the document's error ("" when none)


def recent_uploads(c: Context, actor: Actor, *, limit: int = DEFAULT_LIMIT) -> list[RecentUpload]:
    """The caller's own uploads, newest first, at most `limit` (1…200), each still in their sight."""
    require(actor, Action.UPLOAD)
    limit = max(1, min(int(limit), MAX_LIMIT))
    with c.uow() as uow:
        s = uow.session
        entries = s.execute(
            select(AuditEntry.target_id, AuditEntry.at)
            .where(AuditEntry.action == UPLOAD_ACTION, AuditEntry.actor == actor.name,
                   AuditEntry.target_type == "document")
            .order_by(AuditEntry.seq.desc()).limit(limit)
        ).all()
        ids = [int(e.target_id) for e in entries if e.target_id.isdigit()]
        docs = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(ids))
                                           .options(selectinload(Document.staff)))}
        out: list[RecentUpload] = []
        for e in entries:
            doc = docs.get(int(e.target_id)) if e.target_id.isdigit() else None
            if doc is None:
                continue  # removed since (disposition): nothing left to follow
            try:
                check_staff(s, actor, doc.staff, Action.READ)
            except ArchiveError:
                continue
            view = DocumentView.of(doc)
            out.append(RecentUpload(document=view, uploaded_at=e.at, error=shown_error(view.error, view.file_name)))
        return out


__all__ = ["RecentUpload", "recent_uploads", "shown_error"]
