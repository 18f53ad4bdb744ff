"""Background processing: extract the text of a document (OCR worker) and index it (single consumer)."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select, update

from archive.bootstrap import Container
from archive.domain import DocumentState, JobState
from archive.models import Document, Job, Page, Staff, Unit, utcnow
from archive.services import jobs
from archive.services.access import scope_codes
from ingest import ExtractionFailed, ExtractOptions, InvalidUpload, PageText, extract_pages
from ingest.validate import detect_kind
from search import PageDoc

log = logging.getLogger(__name__)


def _copy_original(c: Container, sha256: str) -> Path:
    fd, name = tempfile.mkstemp(dir=c.settings.tmp_dir, prefix="work-")
    with os.fdopen(fd, "wb") as out, c.store.open(sha256) as src:
        shutil.copyfileobj(src, out, 1 << 20)
    return Path(name)


def run_job(c: Container, job_id: int, worker_id: str) -> str:
    """Run one extraction job; returns what happened ('done', 'skipped', 'failed', 'requeued', 'lost')."""
    if not jobs.claim(c, job_id, worker_id):
        return "skipped"  # already done, running elsewhere, or out of attempts
    with c.uow() as uow:
        job = uow.session.get(Job, job_id)
        doc = uow.session.get(Document, job.document_id)
        sha256, doc_id = doc.sha256, doc.id
    s = c.settings
    opts = ExtractOptions(lang=s.ocr_language, dpi=s.ocr_dpi, text_layer_min_chars=s.text_layer_min_chars)
    work = None
    pages: list[PageText] = []
    try:
        work = _copy_original(c, sha256)
        with open(work, "rb") as fh:
            kind = detect_kind(fh.read(16))
        if kind is None:
            raise InvalidUpload("Bản gốc đã lưu không còn là định dạng hỗ trợ.")
        for page in extract_pages(work, kind, opts):
            pages.append(page)
            if not jobs.heartbeat(c, job_id, worker_id):
                log.warning("job %s: lease lost to another worker; dropping my result", job_id)
                return "lost"
    except InvalidUpload as exc:
        jobs.fail(c, job_id, worker_id, str(exc))
        return "failed"
    except (ExtractionFailed, OSError) as exc:
        jobs.give_back(c, job_id, worker_id, str(exc))
        return "requeued"
    except Exception as exc:  # noqa: BLE001 — an unexpected bug must not lose the job either
        log.exception("job %s failed", job_id)
        jobs.give_back(c, job_id, worker_id, f"{type(exc).__name__}: {exc}")
        return "requeued"
    finally:
        if work is not None:
            work.unlink(missing_ok=True)

    with c.uow() as uow:
        s_ = uow.session
        job = s_.get(Job, job_id)
        if job.worker != worker_id or job.state != JobState.RUNNING.value:
            return "lost"
        # replace, never append: a re-run after a crash must not duplicate pages
        s_.execute(delete(Page).where(Page.document_id == doc_id))
        s_.add_all(Page(document_id=doc_id, number=p.number, text=p.text, confidence=p.confidence,
                        source=p.source) for p in pages)
        doc = s_.get(Document, doc_id)
        doc.page_count, doc.state, doc.error = len(pages), DocumentState.INDEXING.value, None
        job.state, job.lease_until, job.last_error = JobState.DONE.value, None, None
        uow.commit()
    if c.queue is not None:
        c.queue.send_index()
    return "done"


def page_docs(session, document_ids: list[int]) -> list[PageDoc]:  # noqa: ANN001
    """Search documents of these documents' pages, with the staff fields and the access scope.

    One joined query of plain rows (no ORM objects: a rebuild reads every page of the
    archive); scope codes are computed once per unit."""
    rows = session.execute(
        select(Page.document_id, Page.number, Page.text, Document.document_type, Staff.code, Staff.full_name,
               Staff.status, Staff.unit_id, Staff.birth_date, Staff.restriction_level, Staff.grade_code, Unit.code)
        .join(Document, Page.document_id == Document.id).join(Staff, Document.staff_id == Staff.id)
        .join(Unit, Staff.unit_id == Unit.id)
        .where(Page.document_id.in_(document_ids)).order_by(Page.document_id, Page.number)
    ).all()
    scopes: dict[int, tuple[str, ...]] = {}
    docs = []
    for (doc_id, number, text, doc_type, code, name, status, unit_id, birth, restriction, grade, unit_code) in rows:
        if unit_id not in scopes:
            scopes[unit_id] = scope_codes(session, session.get(Unit, unit_id))
        docs.append(PageDoc(
            document_id=doc_id, page=number, text=text, staff_code=code, staff_name=name, status=status,
            unit=unit_code, document_type=doc_type, birth_date=birth.isoformat() if birth else "",
            scope_units=scopes[unit_id], restriction=restriction, grade=grade,
            birth_year=birth.year if birth else None))
    return docs


# Pages per index commit. Each commit flushes a segment, syncs it and lets the engine merge,
# which costs a fixed ~0.3–0.5 s on tantivy whatever the batch: small batches keep new uploads
# quick to appear, a rebuild wants large ones (bench/reindex measures both).
INDEX_BATCH_PAGES = 2_000
REINDEX_BATCH_PAGES = 20_000  # also bounds the ids in one IN (…): SQLite allows 32,766 parameters


@dataclass(frozen=True)
class _Batch:
    """Documents to index together: their ids, which of them were indexed before, their pages."""

    ids: list[int]
    reindexed: list[int]
    pages: list[PageDoc]


def _next_batch_ids(session, max_pages: int, after_id: int) -> list[int]:  # noqa: ANN001
    """Ids of the next documents waiting in `indexing` after `after_id`, oldest first, whose
    pages add up to at most `max_pages` (always at least one document, however large)."""
    rows = session.execute(
        select(Document.id, Document.page_count)
        .where(Document.state == DocumentState.INDEXING.value, Document.id > after_id)
        .order_by(Document.id).limit(max_pages)
    ).all()
    ids, pages = [], 0
    for doc_id, page_count in rows:
        if ids and pages + page_count > max_pages:
            break
        ids.append(doc_id)
        pages += page_count
    return ids


def _read_batch(c: Container, max_pages: int, after_id: int) -> _Batch:
    with c.uow() as uow:
        ids = _next_batch_ids(uow.session, max_pages, after_id)
        if not ids:
            return _Batch([], [], [])
        reindexed = list(uow.session.scalars(
            select(Document.id).where(Document.id.in_(ids), Document.indexed_at.is_not(None))))
        return _Batch(ids, reindexed, page_docs(uow.session, ids))


def index_pending(c: Container, *, max_pages: int = INDEX_BATCH_PAGES) -> int:
    """Index every document waiting in state `indexing`; the single index consumer runs this.

    The index is written before the database says `indexed`: if the process dies in between,
    the document is indexed again (an idempotent upsert), never left out. While one batch is
    being written to the index (the engine works outside the GIL), the next one is read from
    the database in a second thread; the two threads never use the database at once.
    """
    total, after_id = 0, 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-read") as reader:
        batch = _read_batch(c, max_pages, after_id)
        while True:
            if not batch.ids:
                if after_id == 0:
                    return total
                after_id = 0  # once more from the start: documents that entered `indexing` meanwhile
                batch = _read_batch(c, max_pages, after_id)
                continue
            after_id = batch.ids[-1]
            ahead = reader.submit(_read_batch, c, max_pages, after_id)
            try:
                if batch.reindexed:  # pages may have shrunk since the last run
                    c.index.delete_documents(batch.reindexed)
                c.index.upsert(batch.pages)
            except BaseException:
                wait([ahead])  # the reader's session is closed before the error leaves
                raise
            following = ahead.result()
            with c.uow() as uow:
                uow.session.execute(
                    update(Document)
                    .where(Document.id.in_(batch.ids), Document.state == DocumentState.INDEXING.value)
                    .values(state=DocumentState.INDEXED.value, indexed_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
                uow.commit()
            total += len(batch.ids)
            batch = following


def reindex_all(c: Container, *, max_pages: int = REINDEX_BATCH_PAGES) -> int:
    """Rebuild the index from the database (after a schema change or a lost index)."""
    c.index.clear()
    with c.uow() as uow:
        uow.session.execute(
            update(Document).where(Document.state == DocumentState.INDEXED.value)
            .values(state=DocumentState.INDEXING.value, indexed_at=None)
            .execution_options(synchronize_session=False)
        )
        uow.commit()
    return index_pending(c, max_pages=max_pages)
