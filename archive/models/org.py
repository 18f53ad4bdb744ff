"""The organisation tree (cơ cấu tổ chức) and delegations (ủy quyền quản lý hồ sơ)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.models.base import Base, utcnow


class Unit(Base):
    """A unit: province/city → sở, ban, ngành, quận, huyện → phòng, đơn vị sự nghiệp, phường, xã.

    `path` is the materialised list of ancestor ids ("/1/4/9/"), so "the subtree of X" is one
    LIKE on an index instead of a recursive query.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True, index=True)
    path: Mapped[str] = mapped_column(String(1000), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # tổ chức lại (migration 0016): a merged or dissolved unit is kept, ended, pointing at its successor
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    end_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)  # merge | dissolve
    successor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # a units.id (no FK: see 0016)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])


class Delegation(Base):
    """Unit `unit_id` (and its subtree) has its dossiers managed by `delegate_unit_id`.

    The delegating unit's ancestors keep read and oversight rights through the tree.
    """

    __tablename__ = "unit_delegations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    delegate_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
