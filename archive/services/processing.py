"""Background processing: extract the text of a document (OCR worker) and index it (single consumer)."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from archive.bootstrap import Container
from archive.domain import DocumentState, JobState
from archive.models import Document, Job, Page, utcnow
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


def page_docs(session, doc: Document, scopes: dict[int, tuple[str, ...]] | None = None) -> list[PageDoc]:  # noqa: ANN001
    """Search documents of a document's pages, with the staff fields and the access scope.

    `scopes` caches scope codes by unit id across a batch (many documents share a unit)."""
    staff = doc.staff
    birth = staff.birth_date.isoformat() if staff.birth_date else ""
    scopes = {} if scopes is None else scopes
    if staff.unit_id not in scopes:
        scopes[staff.unit_id] = scope_codes(session, staff.unit)
    scope = scopes[staff.unit_id]
    return [
        PageDoc(document_id=doc.id, page=p.number, text=p.text, staff_code=staff.code,
                staff_name=staff.full_name, status=staff.status, unit=staff.unit.code,
                document_type=doc.document_type, birth_date=birth, scope_units=scope,
                restriction=staff.restriction_level, grade=staff.grade_code,
                birth_year=staff.birth_date.year if staff.birth_date else None)
        for p in doc.pages
    ]


def index_pending(c: Container, *, batch: int = 200) -> int:
    """Index every document waiting in state `indexing`; the single index consumer runs this.

    The index is written before the database says `indexed`: if the process dies in between,
    the document is indexed again (an idempotent upsert), never left out.
    """
    total = 0
    while True:
        with c.uow() as uow:
            docs = uow.session.scalars(
                select(Document).where(Document.state == DocumentState.INDEXING.value)
                .options(selectinload(Document.pages), selectinload(Document.staff))
                .order_by(Document.id).limit(batch)
            ).all()
            if not docs:
                return total
            reindexed = [d.id for d in docs if d.indexed_at is not None]
            if reindexed:  # pages may have shrunk since the last run
                c.index.delete_documents(reindexed)
            scopes: dict[int, tuple[str, ...]] = {}
            c.index.upsert([pd for d in docs for pd in page_docs(uow.session, d, scopes)])
            ids = [d.id for d in docs]
            uow.session.execute(
                update(Document).where(Document.id.in_(ids), Document.state == DocumentState.INDEXING.value)
                .values(state=DocumentState.INDEXED.value, indexed_at=utcnow())
            )
            uow.commit()
            total += len(ids)


def reindex_all(c: Container, *, batch: int = 500) -> int:
    """Rebuild the index from the database (after a schema change or a lost index)."""
    c.index.clear()
    with c.uow() as uow:
        uow.session.execute(
            update(Document).where(Document.state == DocumentState.INDEXED.value)
            .values(state=DocumentState.INDEXING.value, indexed_at=None)
        )
        uow.commit()
    return index_pending(c, batch=batch)
