"""History of document corrections (hiệu chỉnh tài liệu): each change an archivist made to a
document's record — type, dossier, withdrawal, re-OCR, page rotation — with before and after.

The stored original is never touched by a correction; this table and the audit chain say what
changed in the record around it. The columns a correction sets live on `documents`
(withdrawn_at/by, withdraw_reason) and `pages` (rotation).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, utcnow


class DocumentCorrection(Base):
    __tablename__ = "document_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # retype | move | withdraw | reocr | rotate
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
