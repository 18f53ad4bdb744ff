"""The office calendar's own table: each later year's official swap days (ngày nghỉ bù, làm bù)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, utcnow


class CalendarDay(Base):
    """A date the government announced as a day off or a working day (làm bù), overriding the
    national calendar the `holidays` package knows; kept by the root admin with its decision."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200))
    decision_ref: Mapped[str] = mapped_column(String(100), default="")
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
