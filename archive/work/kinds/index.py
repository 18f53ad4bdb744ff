"""`index`: the single index consumer — a drain kind over documents waiting in `indexing`
and staff records waiting in `staff_index_queue`.

No job rows: a document's state and a record's queue rows are the durable truth (extract sets
`indexing`, archive.services.record_index adds queue rows on every change of a record or its
scope; this marks them `indexed`). Queue: `index`, exactly one consumer, because tantivy
allows one writer per index. The index is written before the database says `indexed`: a crash
in between re-indexes (an idempotent upsert), never loses. `reindex_all` is `archive reindex`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import INDEX_KIND, DocumentState
from archive.models import Document, Page, Staff, Unit, utcnow
from archive.models.search_state import StaffIndexQueue
from archive.services.access import scope_codes
from archive.services.record_index import staff_category, staff_docs  # also registers the record listeners
from archive.work.contract import DrainKind
from search import PageDoc
from search.port import page_start


class IndexKind(DrainKind):
    name = INDEX_KIND
    queue = "index"

    def has_pending(self, session: Session) -> bool:
        return session.scalar(
            select(Document.id).where(Document.state == DocumentState.INDEXING.value).limit(1)) is not None or \
            session.scalar(select(StaffIndexQueue.id).where(StaffIndexQueue.indexed_at.is_(None)).limit(1)) is not None

    def drain(self, ctx: Context) -> int:
        # An index worker may run on every host: one drain at a time (PostgreSQL advisory lock, issue 20)
        from archive.work.drain_lock import exclusive_drain

        with exclusive_drain(ctx, self.name) as mine:
            return index_pending_records(ctx) + index_pending(ctx) if mine else 0


def page_docs(session: Session, document_ids: list[int]) -> list[PageDoc]:
    """Search documents of these documents' pages, with the staff fields and the access scope.

    One joined query of plain rows (no ORM objects: a rebuild reads every page of the
    archive); scope codes are computed once per unit. Each page carries the start of the next
    page of its document (the row numbered one more, page references' order), so a quoted
    phrase over the page break finds it."""
    rows = session.execute(
        select(Page.document_id, Page.number, Page.text, Document.document_type, Staff.code, Staff.full_name,
               Staff.status, Staff.unit_id, Staff.birth_date, Staff.restriction_level, Staff.grade_code, Unit.code,
               Staff.status_effective_date)
        .join(Document, Page.document_id == Document.id).join(Staff, Document.staff_id == Staff.id)
        .join(Unit, Staff.unit_id == Unit.id)
        .where(Page.document_id.in_(document_ids), Document.withdrawn_at.is_(None))  # thu hồi: not searchable
        .order_by(Page.document_id, Page.number)
    ).all()
    scopes: dict[int, tuple[str, ...]] = {}
    texts = {(row[0], row[1]): row[2] for row in rows}
    docs = []
    for (doc_id, number, text, doc_type, code, name, status, unit_id, birth, restriction, grade, unit_code,
         status_date) in rows:
        if unit_id not in scopes:
            scopes[unit_id] = scope_codes(session, session.get(Unit, unit_id))
        docs.append(PageDoc(
            document_id=doc_id, page=number, text=text, staff_code=code, staff_name=name, status=status,
            unit=unit_code, document_type=doc_type, birth_date=birth.isoformat() if birth else "",
            scope_units=scopes[unit_id], restriction=restriction, grade=grade,
            birth_year=birth.year if birth else None, category=staff_category(grade),
            status_date=status_date.isoformat() if status_date else "",
            next_text=page_start(texts.get((doc_id, number + 1)) or "")))
    return docs


# Pages per index commit. Each commit flushes a segment, syncs it and lets the engine merge,
# which costs a fixed ~0.3–0.5 s on tantivy whatever the batch: small batches keep new uploads
# quick to appear, a rebuild wants large ones (bench/reindex measures both).
INDEX_BATCH_PAGES = 2_000
REINDEX_BATCH_PAGES = 20_000  # also bounds the ids in one IN (…): SQLite allows 32,766 parameters
# Records per index commit: a record is a short document, about a fifth of a page to index.
INDEX_BATCH_RECORDS = 2_000
REINDEX_BATCH_RECORDS = 10_000
KEEP_DONE_QUEUE_ROWS = timedelta(days=1)  # done rows stay a day: `archive reindex` re-queues recent ones


@dataclass(frozen=True)
class _Batch:
    """Documents to index together: their ids, which of them were indexed before, their pages."""

    ids: list[int]
    reindexed: list[int]
    pages: list[PageDoc]


def _next_batch_ids(session: Session, max_pages: int, after_id: int,
                    states: tuple[str, ...] = (DocumentState.INDEXING.value,)) -> list[int]:
    """Ids of the next documents in `states` (those waiting in `indexing`) after `after_id`,
    oldest first, whose pages add up to at most `max_pages` (at least one document, however large)."""
    rows = session.execute(
        select(Document.id, Document.page_count)
        .where(Document.state.in_(states), Document.id > after_id)
        .order_by(Document.id).limit(max_pages)
    ).all()
    ids, pages = [], 0
    for doc_id, page_count in rows:
        if ids and pages + page_count > max_pages:
            break
        ids.append(doc_id)
        pages += page_count
    return ids


def _read_batch(c: Context, max_pages: int, after_id: int) -> _Batch:
    with c.uow() as uow:
        ids = _next_batch_ids(uow.session, max_pages, after_id)
        if not ids:
            return _Batch([], [], [])
        reindexed = list(uow.session.scalars(
            select(Document.id).where(Document.id.in_(ids), Document.indexed_at.is_not(None))))
        return _Batch(ids, reindexed, page_docs(uow.session, ids))


def index_pending(c: Context, *, max_pages: int = INDEX_BATCH_PAGES) -> int:
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


def index_pending_records(c: Context, *, max_records: int = INDEX_BATCH_RECORDS) -> int:
    """Index every staff record with a waiting row in `staff_index_queue`; returns the records written.

    The rows a batch covers are marked done only after the index has the records, and only
    those with an id up to the newest row read: a change queued while the batch was written
    (a higher id) waits for the next batch, so it is never marked done unwritten."""
    total = 0
    while True:
        with c.uow() as uow:
            s = uow.session
            rows = s.execute(select(StaffIndexQueue.id, StaffIndexQueue.staff_id)
                             .where(StaffIndexQueue.indexed_at.is_(None))
                             .order_by(StaffIndexQueue.id).limit(max_records)).all()
            if not rows:
                s.execute(delete(StaffIndexQueue).where(StaffIndexQueue.indexed_at < utcnow() - KEEP_DONE_QUEUE_ROWS))
                uow.commit()
                return total
            newest, staff_ids = rows[-1][0], sorted({staff_id for _, staff_id in rows})
            docs = staff_docs(s, staff_ids)
        c.index.upsert(docs)
        with c.uow() as uow:
            uow.session.execute(
                update(StaffIndexQueue)
                .where(StaffIndexQueue.indexed_at.is_(None), StaffIndexQueue.id <= newest,
                       StaffIndexQueue.staff_id.in_(staff_ids))
                .values(indexed_at=utcnow()).execution_options(synchronize_session=False))
            uow.commit()
        total += len(docs)


def _next_staff_ids(session: Session, max_records: int, after_id: int) -> list[int]:
    return list(session.scalars(select(Staff.id).where(Staff.id > after_id).order_by(Staff.id).limit(max_records)))


def reindex_all(c: Context, *, max_pages: int = REINDEX_BATCH_PAGES, max_records: int = REINDEX_BATCH_RECORDS) -> int:
    """`archive reindex`: build a new index from the database beside the live one, then switch.

    Searches keep answering from the live index all along (Elasticsearch: a new index behind
    the alias; tantivy: a new generation directory), and an index of an outdated schema is
    replaced without being opened. Every staff record goes in too, a batch of records along
    with each batch of pages (one write each). Documents and records the live consumer wrote
    while the rebuild ran went into the old index; after the switch they are sent back to
    `indexing` (and their queue rows back to waiting), and the consumer (woken here, or by the
    sweeper) writes them into the new one. Returns the documents rebuilt.
    """
    started = utcnow()
    states = (DocumentState.INDEXED.value, DocumentState.INDEXING.value)
    total, after_id, after_staff = 0, 0, 0
    with c.index.rebuild() as rebuild:
        while True:
            with c.uow() as uow:
                ids = _next_batch_ids(uow.session, max_pages, after_id, states=states) if after_id >= 0 else []
                staff_ids = _next_staff_ids(uow.session, max_records, after_staff) if after_staff >= 0 else []
                if not ids and not staff_ids:
                    break
                batch = [*staff_docs(uow.session, staff_ids), *page_docs(uow.session, ids)]
            rebuild.upsert(batch)
            after_id = ids[-1] if ids else -1  # -1: every document sent
            after_staff = staff_ids[-1] if staff_ids else -1
            total += len(ids)
    with c.uow() as uow:
        moved = uow.session.execute(
            update(Document).where(Document.state == DocumentState.INDEXED.value, Document.indexed_at >= started)
            .values(state=DocumentState.INDEXING.value).execution_options(synchronize_session=False)
        ).rowcount
        moved += uow.session.execute(
            update(StaffIndexQueue).where(StaffIndexQueue.indexed_at >= started).values(indexed_at=None)
            .execution_options(synchronize_session=False)).rowcount
        waiting = moved or IndexKind().has_pending(uow.session)
        uow.commit()
    if waiting and c.queue is not None:
        c.queue.wake(INDEX_KIND)
    return total
