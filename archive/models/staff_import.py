"""Excel import of staff records (nhập hồ sơ cán bộ từ Excel): mapping templates, runs, fingerprints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, utcnow


class StaffImportTemplate(Base):
    """A saved column mapping (mẫu ánh xạ cột): a spreadsheet header → a record field."""

    __tablename__ = "staff_import_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class StaffImportRun(Base):
    """One import of one file: its dry-run plan (kế hoạch nhập thử), then, once applied, its counts.

    `payload` holds the file's rows as read (names already Unicode), encrypted like sensitive
    fields (archive.crypto): a row may carry CCCD numbers. `plan` is what the doors show,
    sensitive values masked."""

    __tablename__ = "staff_import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    template: Mapped[str] = mapped_column(String(100), default="")
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="planned")  # planned | applied
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    conflict_count: Mapped[int] = mapped_column(Integer, default=0)
    problem_count: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[list] = mapped_column(JSON, default=list)


class StaffImportFingerprint(Base):
    """Per imported record, a hash of each value the last import wrote (dấu vân tay lần nhập):
    a field whose current value hashes differently was edited in the system since, and an
    import never overwrites it. Hashes, not values: sensitive fields stay only encrypted."""

    __tablename__ = "staff_import_fingerprints"

    staff_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("staff_import_runs.id"), index=True)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
