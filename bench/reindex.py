"""Indexing benchmark: bulk (re)index pages/s through the tantivy adapter vs a raw tantivy writer.

    python -m bench.reindex [--pages 50000] [--batch 2000,20000] [--large]   # --large: 1M pages

Three measurements on the same page texts (bench.corpus.pages, no rendering):
- service: ``archive reindex`` as it runs — ``archive.work.kinds.index.reindex_all`` over a
  SQLite database holding the pages (staff, units, documents inserted off the clock): read
  from the DB, build the page documents with their access scope, upsert, mark indexed. This
  is the number the target is about.
- adapter: ``TantivyIndex.upsert`` in batches of pages (2,000 = what a live index consumer
  commits at most; 20,000 = what ``reindex_all`` commits): NFC, delete-by-id, one writer and
  one commit per batch; words are cut and folded inside tantivy by the shared analyzers.
- anchor: one raw ``tantivy`` writer on the adapter's schema and analyzers, one commit —
  what the engine alone costs.
With ARCHIVE_TEST_ELASTICSEARCH_URL set (scripts/engines), the Elasticsearch adapter's bulk
upsert is measured too, against the same anchor.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from bench.corpus.pages import SyntheticPage, iter_pages
from bench.report import Summary, Target, emit, machine, stopwatch

BENCH = "reindex"
TARGET_PAGES_PER_S = 5000.0
ES_MAX_PAGES = 200_000  # Elasticsearch on one small node: a sample is enough for its rate


def page_docs(pages: Iterable[SyntheticPage]) -> list:
    """The search port's value type for each page."""
    from search import PageDoc

    return [PageDoc(**p._asdict(), birth_year=int(p.birth_date[:4]) if p.birth_date else None) for p in pages]


def fill_adapter(path: Path, docs: Sequence, *, batch: int) -> float:
    """Upsert ``docs`` into a fresh TantivyIndex at ``path`` in batches; return seconds."""
    from search.tantivy_index import TantivyIndex

    index = TantivyIndex(path)
    with stopwatch() as elapsed:
        for start in range(0, len(docs), batch):
            index.upsert(docs[start : start + batch])
    index.close()
    return elapsed()


def fill_service(data_dir: Path, docs: Sequence) -> tuple[float, int]:
    """Insert the pages into a fresh embedded database (off the clock), then time
    ``reindex_all`` over it; return (seconds, pages the index holds afterwards)."""
    from datetime import date

    from sqlalchemy import insert

    from archive.bootstrap import build
    from archive.db import migrate
    from archive.domain import DocumentState
    from archive.models import Document, Page, Staff, Unit
    from archive.work.kinds.index import reindex_all
    from archive.settings import Settings

    settings = Settings(data_dir=data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.database_url)
    c = build(settings)
    units: dict[str, tuple[int, str]] = {}  # code -> (id, path)
    staff: dict[str, int] = {}
    units_rows, staff_rows, doc_rows, page_rows = [], [], [], []
    for d in docs:
        parent: tuple[int, str] | None = None
        for code in d.scope_units:  # root first, then each ancestor, then the unit itself
            if code not in units:
                uid = len(units) + 1
                path = f"{parent[1] if parent else '/'}{uid}/"
                units[code] = (uid, path)
                units_rows.append(dict(id=uid, code=code, name=code, parent_id=parent[0] if parent else None, path=path))
            parent = units[code]
        if d.staff_code not in staff:
            staff[d.staff_code] = len(staff) + 1
            staff_rows.append(dict(id=staff[d.staff_code], code=d.staff_code, full_name=d.staff_name,
                                   birth_date=date.fromisoformat(d.birth_date) if d.birth_date else None,
                                   unit_id=units[d.scope_units[-1]][0], status=d.status, grade_code=d.grade,
                                   restriction_level=0, profile={}))
        if d.page == 1:
            doc_rows.append(dict(id=d.document_id, staff_id=staff[d.staff_code], document_type=d.document_type,
                                 file_name=f"{d.document_id}.pdf", content_type="application/pdf",
                                 sha256=f"{d.document_id:064x}", size=0, page_count=0,
                                 state=DocumentState.INDEXED.value))
        doc_rows[-1]["page_count"] += 1
        page_rows.append(dict(document_id=d.document_id, number=d.page, text=d.text, confidence=90.0, source="ocr"))
    with c.uow() as uow:
        for model, rows in ((Unit, units_rows), (Staff, staff_rows), (Document, doc_rows), (Page, page_rows)):
            for start in range(0, len(rows), 20_000):
                uow.session.execute(insert(model), rows[start:start + 20_000])
        uow.commit()
    try:
        with stopwatch() as elapsed:
            reindex_all(c)
        return elapsed(), c.index.count()
    finally:
        c.close()


def fill_raw(path: Path, docs: Sequence, *, heap: int = 64_000_000) -> float:
    """The anchor: one raw tantivy writer, the adapter's schema and analyzers, one commit;
    return seconds. Every field the adapter writes, but no NFC pass and no delete-by-id."""
    import tantivy

    from search.tantivy_schema import open_tantivy

    path.mkdir(parents=True, exist_ok=True)
    index = open_tantivy(path)  # the adapter's schema and analyzers, in one plain directory
    with stopwatch() as elapsed:
        writer = index.writer(heap_size=heap, num_threads=0)
        for d in docs:
            doc = tantivy.Document()
            doc.add_text("id", d.id)
            doc.add_unsigned("document_id", d.document_id)
            doc.add_text("document_key", str(d.document_id))
            doc.add_unsigned("page", d.page)
            doc.add_text("text_exact", d.text)
            doc.add_text("staff_name_exact", d.staff_name)
            doc.add_text("all_folded", d.staff_name)
            doc.add_text("all_folded", d.text)
            doc.add_text("staff_name_folded", d.staff_name)
            for field in ("staff_code", "status", "unit", "document_type", "birth_date", "grade"):
                doc.add_text(field, getattr(d, field))
            for unit in d.scope_units:
                doc.add_text("scope_units", unit)
            doc.add_integer("restriction", int(d.restriction))
            if d.birth_year is not None:
                doc.add_integer("birth_year", d.birth_year)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
    return elapsed()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reindex", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=None, help="default 50,000 (1,000,000 with --large)")
    parser.add_argument("--batch", default="2000,20000", help="adapter batch sizes (pages per upsert)")
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    count = args.pages or (1_000_000 if args.large else 50_000)
    batches = [int(b) for b in args.batch.split(",")]

    emit(BENCH, "machine", None, **machine())
    docs = page_docs(iter_pages(args.seed, count))
    emit(BENCH, "pages", len(docs), "pages", mean_chars=round(sum(len(d.text) for d in docs) / len(docs)))
    with tempfile.TemporaryDirectory(prefix="bench-reindex-") as tmp:
        raw_seconds = fill_raw(Path(tmp) / "raw", docs)
        raw_rate = len(docs) / raw_seconds
        emit(BENCH, "raw_tantivy_pages_per_s", round(raw_rate), "pages/s", seconds=round(raw_seconds, 2))
        rates: dict[int, float] = {}
        for batch in batches:
            seconds = fill_adapter(Path(tmp) / f"adapter-{batch}", docs, batch=batch)
            rates[batch] = len(docs) / seconds
            emit(BENCH, "adapter_pages_per_s", round(rates[batch]), "pages/s", batch=batch,
                 seconds=round(seconds, 2), ratio_to_raw=round(rates[batch] / raw_rate, 3))
        service_seconds, indexed = fill_service(Path(tmp) / "service", docs)
        service_rate = len(docs) / service_seconds
        emit(BENCH, "service_reindex_pages_per_s", round(service_rate), "pages/s", seconds=round(service_seconds, 2),
             pages_indexed=indexed, ratio_to_raw=round(service_rate / raw_rate, 3))
        es = es_rate(docs[:ES_MAX_PAGES])
    summary = Summary(
        BENCH,
        f"archive reindex {service_rate:,.0f} pages/s = {service_rate / raw_rate:.2f}× raw tantivy writer "
        f"({raw_rate:,.0f} pages/s); adapter "
        + ", ".join(f"batch {b}: {r / raw_rate:.2f}×" for b, r in rates.items())
        + (f"; Elasticsearch bulk {es:,.0f} pages/s" if es else ""),
        [Target("archive reindex pages/s (embedded)", service_rate, TARGET_PAGES_PER_S, ">=")],
    )
    summary.print()
    return 0


def es_rate(docs: Sequence) -> float | None:
    """Pages/s of the Elasticsearch adapter's upsert in batches of 2,000, when an ES is running."""
    import os

    url = os.environ.get("ARCHIVE_TEST_ELASTICSEARCH_URL")
    if not url:
        emit(BENCH, "elasticsearch", None, note="not measured: ARCHIVE_TEST_ELASTICSEARCH_URL not set")
        return None
    import uuid

    from search.elasticsearch_index import ElasticsearchIndex

    index = ElasticsearchIndex.from_url(f"{url}?prefix=bench-reindex-{uuid.uuid4().hex[:8]}")
    try:
        with stopwatch() as elapsed:
            for start in range(0, len(docs), 2000):
                index.upsert(docs[start : start + 2000])
        rate = len(docs) / elapsed()
        emit(BENCH, "elasticsearch_pages_per_s", round(rate), "pages/s", batch=2000, pages=len(docs),
             pages_indexed=index.count())
        return rate
    finally:
        for name in index._concrete_indices():  # the bench's own indices only (unique prefix)
            index.client.indices.delete(index=name)
        index.close()


if __name__ == "__main__":
    raise SystemExit(main())
