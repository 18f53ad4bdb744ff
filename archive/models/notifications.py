"""Thông báo (in-app notifications), each user's e-mail for them, and the periodic reports made (báo cáo định kỳ)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, utcnow


class Notification(Base):
    """One warning told to one user. `key` names the warning (kind, record, due day), so the daily
    warnings job never tells the same person the same thing twice (unique per user and key)."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_notifications_user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    staff_code: Mapped[str] = mapped_column(String(32), default="")
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    mail_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class NotificationEmail(Base):
    """Where a user's notifications are also sent by e-mail (optional; the users table holds no address)."""

    __tablename__ = "notification_emails"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    address: Mapped[str] = mapped_column(String(254))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class PeriodicReport(Base):
    """A made periodic report (báo cáo định kỳ): its period, scope, format, and the bytes in the
    object store's `derivatives` namespace under their SHA-256; `numbers` keeps what it says."""

    __tablename__ = "periodic_reports"
    __table_args__ = (Index("ix_periodic_reports_period", "period", "unit_code", "format"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str] = mapped_column(String(32), default="")  # "": every unit the maker sees
    format: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    article: Mapped[str] = mapped_column(String(200), default="")
    numbers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
