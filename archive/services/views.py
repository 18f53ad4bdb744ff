"""Read models returned by services: plain dataclasses the API and CLI render as they like."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from archive.models import Document


@dataclass(frozen=True)
class DocumentView:
    id: int
    staff_code: str
    document_type: str
    file_name: str
    content_type: str
    sha256: str
    size: int
    page_count: int
    state: str
    error: str | None
    created_at: datetime
    indexed_at: datetime | None
    withdrawn: bool = False  # thu hồi (or merged into another document; issue 11)

    @classmethod
    def of(cls, d: Document) -> "DocumentView":
        return cls(id=d.id, staff_code=d.staff.code, document_type=d.document_type, file_name=d.file_name,
                   content_type=d.content_type, sha256=d.sha256, size=d.size, page_count=d.page_count,
                   state=d.state, error=d.error, created_at=d.created_at, indexed_at=d.indexed_at,
                   withdrawn=d.withdrawn_at is not None)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["created_at"] = self.created_at.isoformat() + "Z"
        d["indexed_at"] = self.indexed_at.isoformat() + "Z" if self.indexed_at else None
        return d


@dataclass(frozen=True)
class PageView:
    number: int
    text: str
    confidence: float
    source: str
