"""Indexing benchmark: bulk (re)index pages/s through the tantivy adapter vs a raw tantivy writer.

    python -m bench.reindex [--pages 50000] [--batch 500,5000] [--large]

The adapter path is ``search.tantivy_index.TantivyIndex.upsert`` in batches (the service's
``reindex_all`` upserts 500 documents per batch): NFC, folding, delete-by-id, one writer
and one commit per batch. The anchor is one raw ``tantivy`` writer with the same schema and
the same field values (folded text prepared off the clock), default threads, one commit —
what the engine alone costs. Page texts come from bench.corpus.pages (no rendering).
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


def page_docs(pages: Iterable[SyntheticPage]) -> list:
    """The search port's value type for each page."""
    from search import PageDoc

    return [PageDoc(**p._asdict()) for p in pages]


def fill_adapter(path: Path, docs: Sequence, *, batch: int) -> float:
    """Upsert ``docs`` into a fresh TantivyIndex at ``path`` in batches; return seconds."""
    from search.tantivy_index import TantivyIndex

    index = TantivyIndex(path)
    with stopwatch() as elapsed:
        for start in range(0, len(docs), batch):
            index.upsert(docs[start : start + batch])
    index.close()
    return elapsed()


def fill_raw(path: Path, docs: Sequence, *, heap: int = 64_000_000) -> float:
    """The anchor: one raw tantivy writer, the adapter's schema, one commit; return seconds."""
    import tantivy

    from search.tantivy_index import FIELD_GAP, TantivyIndex
    from search.vietnamese import folded_tokens, tokens

    schema = TantivyIndex(path.with_name(path.name + "-schema")).schema  # same fields, same tokenizers
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(path))
    # the adapter's tokens and folding, prepared off the clock: the anchor measures tantivy alone
    rows = [(d, " ".join(folded_tokens(d.staff_name)) + f" {FIELD_GAP} " + " ".join(folded_tokens(d.text)),
             " ".join(tokens(d.text)), " ".join(tokens(d.staff_name)), " ".join(folded_tokens(d.staff_name)))
            for d in docs]
    with stopwatch() as elapsed:
        writer = index.writer(heap_size=heap)
        for d, all_folded, text_exact, name_exact, name_folded in rows:
            doc = tantivy.Document()
            doc.add_text("id", d.id)
            doc.add_unsigned("document_id", d.document_id)
            doc.add_text("document_key", str(d.document_id))
            doc.add_unsigned("page", d.page)
            doc.add_bytes("text", d.text.encode("utf-8"))
            doc.add_text("staff_name", d.staff_name)
            doc.add_text("all_folded", all_folded)
            doc.add_text("text_exact", text_exact)
            doc.add_text("staff_name_exact", name_exact)
            doc.add_text("staff_name_folded", name_folded)
            for field in ("staff_code", "status", "unit", "document_type", "birth_date"):
                doc.add_text(field, getattr(d, field))
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
    return elapsed()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reindex", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=None, help="default 50,000 (200,000 with --large)")
    parser.add_argument("--batch", default="500,5000", help="adapter batch sizes (pages per upsert)")
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    count = args.pages or (200_000 if args.large else 50_000)
    batches = [int(b) for b in args.batch.split(",")]

    emit(BENCH, "machine", None, **machine())
    docs = page_docs(iter_pages(args.seed, count))
    emit(BENCH, "pages", len(docs), "pages", mean_chars=round(sum(len(d.text) for d in docs) / len(docs)))
    from search import fold

    sample = docs[: min(len(docs), 5000)]
    with stopwatch() as elapsed:
        for d in sample:
            fold(d.text)
    # diagnostic: the adapter folds every page in Python before tantivy sees it
    emit(BENCH, "python_fold_pages_per_s", round(len(sample) / elapsed()), "pages/s")
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

    service_batch = batches[0]
    summary = Summary(
        BENCH,
        f"adapter {rates[service_batch]:,.0f} pages/s at batch {service_batch} = "
        f"{rates[service_batch] / raw_rate:.2f}× raw tantivy writer ({raw_rate:,.0f} pages/s); "
        + ", ".join(f"batch {b}: {r / raw_rate:.2f}×" for b, r in rates.items() if b != service_batch),
        [Target(f"reindex pages/s at batch {service_batch}", rates[service_batch], TARGET_PAGES_PER_S, ">=")],
    )
    summary.print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
