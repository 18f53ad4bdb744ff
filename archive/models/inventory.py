"""Paper side of a dossier: the components checklist (thành phần hồ sơ), where the paper folder
lives (kho, giá, hộp, số thứ tự), the boxes (hộp) and the loans of paper dossiers (mượn / trả)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, utcnow


class DossierComponent(Base):
    """One row of the checklist (thành phần hồ sơ): which document types satisfy it, for which
    statuses and staff categories it applies (empty list: all), required or optional, and its source."""

    __tablename__ = "dossier_components"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    document_types: Mapped[list] = mapped_column(JSON, default=list)
    statuses: Mapped[list] = mapped_column(JSON, default=list)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class StorageBox(Base):
    """Hộp đựng hồ sơ giấy on a shelf (giá) of a store room (kho); `code` is printed on its QR label."""

    __tablename__ = "storage_boxes"
    __table_args__ = (UniqueConstraint("kho", "gia", "hop", name="uq_storage_boxes_place"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(120), unique=True)
    kho: Mapped[str] = mapped_column(String(32))
    gia: Mapped[str] = mapped_column(String(32))
    hop: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the unit whose records it holds
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DossierLocation(Base):
    """Where one paper dossier is: its box and its số thứ tự in the box, and its paper page count."""

    __tablename__ = "dossier_locations"
    __table_args__ = (UniqueConstraint("box_id", "position", name="uq_dossier_locations_box_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), unique=True)
    box_id: Mapped[int] = mapped_column(ForeignKey("storage_boxes.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # số thứ tự trong hộp
    paper_pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class DossierLoan(Base):
    """Phiếu mượn hồ sơ giấy: who borrowed the paper dossier, why, until when, and when it came back.

    `open_staff_id` holds the staff id while the loan is open and NULL once returned: its unique
    constraint makes "one open loan per dossier" hold in the database too (NULLs never collide)."""

    __tablename__ = "dossier_loans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    open_staff_id: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    borrower_name: Mapped[str] = mapped_column(String(200))
    borrower_unit: Mapped[str] = mapped_column(String(200), default="")
    borrower_user: Mapped[str] = mapped_column(String(100), default="")
    purpose: Mapped[str] = mapped_column(Text)
    lent_on: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    lent_by: Mapped[str] = mapped_column(String(100))
    lent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    returned_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    return_note: Mapped[str] = mapped_column(Text, default="")
