"""Paper vs record (đối chiếu bản giấy với hồ sơ): each check of a sơ yếu lý lịch, its findings
per field, and the correction tasks (việc cần sửa hồ sơ) HR gets when the record is wrong.

A check compares one document's fields read by OCR with the staff record at that moment; a
finding keeps both values, its state (khop | lech | khong_thay | khong_chac), and the evidence
(page, the value's box in the OCR'd page's pixels, confidence). An auditor's resolution
(record_wrong | paper_wrong | ocr_misread) is kept on the finding; record_wrong opens a task.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, utcnow


class ConsistencyCheck(Base):
    __tablename__ = "consistency_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    form: Mapped[str] = mapped_column(String(16), default="")
    ran_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ran_by: Mapped[str] = mapped_column(String(100), default="")
    compared: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)


class ConsistencyFinding(Base):
    __tablename__ = "consistency_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("consistency_checks.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(Integer, index=True)
    document_id: Mapped[int] = mapped_column(Integer)
    field_key: Mapped[str] = mapped_column(String(32))
    record_field: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)
    record_value: Mapped[str] = mapped_column(Text, default="")
    paper_value: Mapped[str] = mapped_column(Text, default="")
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # {"left", "top", "width", "height", "page_width", "page_height"} in the OCR'd page's pixels
    box: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class CorrectionTask(Base):
    __tablename__ = "correction_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("consistency_findings.id", ondelete="SET NULL"),
                                                   nullable=True)
    field_key: Mapped[str] = mapped_column(String(32))
    record_field: Mapped[str] = mapped_column(String(64))
    record_value: Mapped[str] = mapped_column(Text, default="")
    paper_value: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), index=True, default="open")  # open | done
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    done_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
