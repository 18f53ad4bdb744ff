"""Fixity (kiểm tra tính toàn vẹn): every stored object, when it was last re-hashed, and every check.

`fixity_objects` has one row per object of the store (namespace "originals", "derivatives" or
"audit", key = SHA-256): the schedule (`next_due_at`) and the object's integrity state —
`damaged_since` is set while the stored bytes are missing or do not hash to the key and no backup
copy could put them back ("Lỗi toàn vẹn"). `retired_at` marks an object that was removed on
purpose (a derivative dropped, a document disposed of): no longer a holding, never an alert.
`fixity_events` records each check: when, by whom (a job or a person), the result, how long.
Kept apart from `documents.state`, which is the ingest pipeline's state.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, utcnow

# results of one check
OK, MISMATCH, MISSING, REPAIRED = "ok", "mismatch", "missing", "repaired"


class FixityObject(Base):
    __tablename__ = "fixity_objects"
    __table_args__ = (UniqueConstraint("namespace", "key", name="uq_fixity_objects_namespace_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_result: Mapped[str | None] = mapped_column(String(16), nullable=True)  # ok | mismatch | missing | repaired
    next_due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    damaged_since: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class FixityEvent(Base):
    __tablename__ = "fixity_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    object_id: Mapped[int] = mapped_column(ForeignKey("fixity_objects.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    result: Mapped[str] = mapped_column(String(16), index=True)  # ok | mismatch | missing | repaired
    by: Mapped[str] = mapped_column(String(100))  # "job:<id>" or the person's name
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    bytes_read: Mapped[int] = mapped_column(BigInteger, default=0)
    detail: Mapped[str] = mapped_column(Text, default="")
