"""Intake batches (lô tiếp nhận hồ sơ số hóa): many scans at once, each file's fate recorded.

`intake_batches`: one row per batch — where it came from (CLI, API, web, the watched consume
folder of a unit), who made it and when, its state (pending → running → done | failed). The
counts are read from its files, never kept twice.
`intake_batch_files`: one row per file of the batch, with the dossier (staff code) and document
type it goes to, its bytes staged in the object store's `intake` namespace — a zip once, whole
(`source_sha256`, each file a `member` of it), or each file of a folder as its own object — and
its state: pending → stored (with the document id, set right after the document's commit) |
duplicate (the same bytes were already in that dossier) | failed (with a Vietnamese reason) |
needs_review (a scanned stack whose first page is not a cover sheet) | split (a stack cut at its
cover sheets: its parts are rows of their own, `parent_id` pointing back).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, utcnow

# states of a batch
BATCH_PENDING, BATCH_RUNNING, BATCH_DONE, BATCH_FAILED = "pending", "running", "done", "failed"
# states of a file
PENDING, STORED, DUPLICATE, FAILED, NEEDS_REVIEW, SPLIT = (
    "pending", "stored", "duplicate", "failed", "needs_review", "split")
FILE_STATES = (PENDING, STORED, DUPLICATE, FAILED, NEEDS_REVIEW, SPLIT)


class IntakeBatch(Base):
    __tablename__ = "intake_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # cli | api | web | consume
    name: Mapped[str] = mapped_column(String(255))  # the zip's or folder's name as given
    unit_code: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)  # consume folder's unit
    state: Mapped[str] = mapped_column(String(16), default=BATCH_PENDING, index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    problems: Mapped[list] = mapped_column(JSON, default=list)  # batch-level problems (Vietnamese)
    source_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the zip, staged whole


class IntakeBatchFile(Base):
    __tablename__ = "intake_batch_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("intake_batches.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(1000))  # the name inside the batch (zip member, relative path)
    staff_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    document_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # optional metadata from the manifest
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the file's bytes (hash)
    member: Mapped[str | None] = mapped_column(String(1000), nullable=True)  # its name in the staged zip, or
    #                                  None: its bytes are an object of their own in the intake namespace
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    problem: Mapped[str | None] = mapped_column(Text, nullable=True)
    document_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the stack this part was cut from
    pages: Mapped[str | None] = mapped_column(String(200), nullable=True)  # pages of the parent, e.g. "2-3"
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
