"""What the search side keeps in the database: records waiting for the index, saved searches.

Kept in a module of its own (imported where used) so that the dossier tables stay as they
are: a record's re-indexing is a row here, not a column on `staff`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, utcnow


class StaffIndexQueue(Base):
    """A staff record to (re)index (hồ sơ chờ lập chỉ mục): the durable truth, as a document's
    `indexing` state is for its pages. Rows are only added (never updated by writers, so two
    transactions changing one record never conflict); the index consumer sets `indexed_at` on
    the rows it covered after writing the index, and removes them a day later."""

    __tablename__ = "staff_index_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    queued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    indexed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)


class SavedSearch(Base):
    """A search a user named (tìm kiếm đã lưu): its words, filters, grouping and order — never
    its results nor a scope. Private to its owner, and always run with the owner's scope of the
    day it runs."""

    __tablename__ = "saved_searches"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_searches_user_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
