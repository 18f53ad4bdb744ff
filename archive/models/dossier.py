"""Dossier tables: staff (with CV fields and histories), documents, pages, jobs, derivatives."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import false  # server default of pages.needs_review (OCR review)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.models.base import Base, utcnow

if TYPE_CHECKING:
    from archive.models.org import Unit


class Staff(Base):
    """Cán bộ, công chức, viên chức — the person a dossier (hồ sơ) belongs to."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    gender: Mapped[str] = mapped_column(String(8), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    status_effective_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status_decision: Mapped[str] = mapped_column(String(100), default="")
    grade_code: Mapped[str] = mapped_column(String(16), default="", index=True)  # mã ngạch
    # độ hạn chế tiếp cận: 0 thường, 1 hạn chế, 2 mật — users see records up to their clearance
    restriction_level: Mapped[int] = mapped_column(Integer, default=0)
    # Mẫu 2C CV fields that are not filtered on, validated by archive.services.staff_profile
    profile: Mapped[dict] = mapped_column(JSON, default=dict)
    # CCCD, BHXH, health, ethnicity, religion, party dates: AES-GCM ciphertext (archive.crypto)
    sensitive: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped["Unit"] = relationship()
    documents: Mapped[list["Document"]] = relationship(back_populates="staff")
    history: Mapped[list["StaffHistory"]] = relationship(
        back_populates="staff", order_by="StaffHistory.from_date", cascade="all, delete-orphan"
    )


class StaffHistory(Base):
    """Child records of a CV: quá trình công tác, diễn biến lương, đào tạo bồi dưỡng, khen thưởng,
    kỷ luật, quan hệ gia đình. `kind` says which; `details` holds the kind's fields."""

    __tablename__ = "staff_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    from_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    to_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    staff: Mapped[Staff] = relationship(back_populates="history")


class StatusChange(Base):
    """Lifecycle of a staff member (đang công tác → nghỉ hưu …) with the decision that made it."""

    __tablename__ = "staff_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(32))
    effective_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_ref: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100), default="")


class Assignment(Base):
    """Which unit managed a dossier when (transfers keep the history of who managed it)."""

    __tablename__ = "staff_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    from_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    to_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decision_ref: Mapped[str] = mapped_column(String(100), default="")
    effective_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class Document(Base):
    """One uploaded file of a dossier (tài liệu trong hồ sơ), kept byte-for-byte in the object store."""

    __tablename__ = "documents"
    # page references (0019): a part split off a document shares its original (same sha256), part 1, 2 …
    __table_args__ = (UniqueConstraint("staff_id", "sha256", "part", name="uq_documents_staff_sha256_part"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    document_type: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    indexed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # mô tả tài liệu: the document metadata of TT 05/2025/TT-BNV (số và ký hiệu, ngày tháng năm,
    # cơ quan ban hành, trích yếu …), validated by archive.services.document_description
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    # thu hồi (document corrections, 0018): withdrawn documents leave search and the dossier list, kept in the store
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    withdraw_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # tách tài liệu (page references, 0019): 0 for an upload, n for the n-th part split off one
    part: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    staff: Mapped[Staff] = relationship(back_populates="documents")
    pages: Mapped[list["Page"]] = relationship(
        back_populates="document", order_by="Page.number", cascade="all, delete-orphan",
        foreign_keys="Page.document_id",  # not Page.source_document_id (page references)
    )


class Page(Base):
    """Text of one page (trang), from the PDF's own text layer or from OCR, with its confidence."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_pages_document_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16))
    # xoay trang (document corrections, 0018): degrees clockwise applied to the original before OCR and display
    rotation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # page references (gộp/tách/sắp xếp, 0019): the document whose original this page is read from and
    # the page index in it; both None = the row's own document, page `number`
    source_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), nullable=True, index=True)
    source_page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # OCR review (cần xem lại, ingest.page_review, 0017): the flag, its Vietnamese reason, the turn
    # orientation detection (OSD) applied before OCR (clockwise), and who looked at the page when
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)
    review_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    osd_rotation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    document: Mapped[Document] = relationship(back_populates="pages", foreign_keys=[document_id])


class Job(Base):
    """Durable truth of background work (công việc nền): Celery messages may be lost, rows here are not.

    `kind` names the handler in archive.work's registry; `target_type`/`target_id` say what the
    job is about (a document, a staff record, a backup set … or nothing for a whole-archive
    pass); `payload` carries the kind's small parameters and `result` what it reported. A
    worker claims a job by taking a lease and renews it (heartbeat) while it works; the sweeper
    re-queues jobs whose lease expired and fails them after max attempts.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    target_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    enqueued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Derivative(Base):
    """Something made from a stored original (sản phẩm dẫn xuất): a page image now, archival PDFs next.

    Kept in the object store's `derivatives` namespace under its own SHA-256, so every host
    (and every backup) has it; re-creatable from its source with the same parameters, and
    never a reason to touch the original.
    """

    __tablename__ = "derivatives"
    __table_args__ = (UniqueConstraint("kind", "source_sha256", "params", name="uq_derivatives_source_params"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    source_sha256: Mapped[str] = mapped_column(String(64), index=True)
    params: Mapped[str] = mapped_column(String(200))  # canonical, e.g. "page=1;width=160"
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
