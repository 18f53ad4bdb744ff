"""Preservation tables: the retention schedule (thời hạn bảo quản), legal holds (phong tỏa) and
dispositions (hủy tài liệu hết giá trị) with the records they leave, kept forever."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.models.base import Base, utcnow


class RetentionRule(Base):
    """Thời hạn bảo quản of one document type (loại tài liệu): vĩnh viễn, or `years` counted from an event.

    `legal_min_*` is the floor of the law (the catalog's legal minimum): the schedule may be
    lengthened freely, shortened only with a decision, and never below this floor.
    """

    __tablename__ = "retention_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_type: Mapped[str] = mapped_column(String(64), unique=True)
    permanent: Mapped[bool] = mapped_column(Boolean, default=True)
    years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    counted_from: Mapped[str] = mapped_column(String(32), default="document_date")
    legal_min_permanent: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_min_years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str] = mapped_column(Text, default="")
    decision_ref: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class LegalHold(Base):
    """Phong tỏa: a document, or a whole dossier (target_type "staff"), frozen for an inspection,
    a complaint or a disciplinary case. Active while released_at is empty."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))  # "document" | "staff"
    target_id: Mapped[int] = mapped_column(Integer)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(100))
    placed_by: Mapped[str] = mapped_column(String(100))
    placed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    released_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    release_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class DispositionProposal(Base):
    """Danh mục tài liệu hết giá trị: documents whose term has ended, proposed for destruction.

    open → (first approval) → approved (second approval by another person) → executed.
    """

    __tablename__ = "disposition_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True, default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    decision_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decision_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    first_approver: Mapped[str | None] = mapped_column(String(100), nullable=True)
    first_approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    second_approver: Mapped[str | None] = mapped_column(String(100), nullable=True)
    second_approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    executed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    items: Mapped[list["DispositionItem"]] = relationship(
        back_populates="proposal", order_by="DispositionItem.id", cascade="all, delete-orphan")


class DispositionItem(Base):
    """One document of a proposal (no foreign key: the document row goes when it is destroyed)."""

    __tablename__ = "disposition_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("disposition_proposals.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(Integer, index=True)
    staff_id: Mapped[int] = mapped_column(Integer)
    document_type: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    term_ended: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # destroyed | blocked

    proposal: Mapped[DispositionProposal] = relationship(back_populates="items")


class DispositionRecord(Base):
    """Biên bản hủy: what was destroyed, under which decision, approved by whom — kept forever."""

    __tablename__ = "disposition_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer, index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    staff_code: Mapped[str] = mapped_column(String(32))
    document_type: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    page_count: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    document_created_at: Mapped[datetime] = mapped_column(DateTime)
    proposal_id: Mapped[int] = mapped_column(Integer)
    decision_number: Mapped[str] = mapped_column(String(100))
    decision_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    approvers: Mapped[list] = mapped_column(JSON, default=list)
    object_deleted: Mapped[bool] = mapped_column(Boolean)  # False: the bytes are still another document's
    disposed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
