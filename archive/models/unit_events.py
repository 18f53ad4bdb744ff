"""History of the organisation tree (lịch sử tổ chức lại đơn vị): renames, moves, merges, dissolutions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, utcnow


class UnitEvent(Base):
    """One reorganisation of a unit, with the decision (quyết định) that made it.

    `kind` is rename | move | merge | dissolve. Old and new name/parent are kept as they were, so
    who managed a record when (staff_assignments) and past audit entries read true afterwards.
    """

    __tablename__ = "unit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    old_name: Mapped[str] = mapped_column(String(300), default="")
    new_name: Mapped[str] = mapped_column(String(300), default="")
    old_parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    new_parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True, index=True)
    decision_ref: Mapped[str] = mapped_column(String(100), default="")
    decision_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    effective_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # what moved with it: staff codes reassigned, child units re-parented, grants revoked or moved
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
