"""Search benchmark: p50/p95 latency of the engine call vs the bare tantivy query, same index;
people (one hit per person) vs pages on the same index; then the same queries through the HTTP
API, and on Elasticsearch when one is running.

    python -m bench.search [--pages 100000] [--large] [--queries 300] [--index-dir DIR]
                           [--staff N] [--no-api] [--es-pages 100000]

The index holds the pages and one staff record per person (bench.people: the pages regrouped
into ``--staff`` people, default one per 10 pages — 10k at 100k pages, 100k at 1M). The people
search (SUMMARY ``search_people``) is ``TantivyIndex.search_people`` as the service asks it
(names take typos, 3 facets, 20 people with their best pages — search.PAGES_PER_PERSON, 2 — and
snippets), timed
interleaved with the page search; its target is ≤ 1.5× the page search's p95.

Builds a tantivy index of synthetic pages (bench.corpus.pages) through the adapter, then
times ``TantivyIndex.search`` with a status filter, facet counts (status, unit,
document_type) and 20 hits with snippets. The anchor runs, on the same index directory
opened with the bare ``tantivy`` API, the plainest equivalent: every word or phrase on the
folded field, the same status filter, top 20 documents fetched, the same aggregation.
``--index-dir`` keeps the index between runs (the 1M-page build takes minutes).

Then ``bench.search_api`` times the same queries through ``GET /api/v1/search`` of a real
server process on the same index (SUMMARY ``search_api``). If ARCHIVE_TEST_ELASTICSEARCH_URL
is set (``python -m scripts.engines start --only es``), an Elasticsearch index is filled with
the first ``--es-pages`` of the same pages and the same engine queries are timed there
(SUMMARY ``search_es``); otherwise that line says it was not measured.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.corpus.pages import iter_pages
from bench.people import PAGES_PER_PERSON, People
from bench.reindex import fill_adapter, page_docs
from bench.report import Summary, Target, emit, emit_percentiles, machine, percentile, stopwatch
from search.port import PAGES_PER_PERSON as SERVICE_PAGES_PER_PERSON  # best pages shown per person

BENCH = "search"
FACETS = ("status", "unit", "document_type")
STATUSES = ("dang_cong_tac", "nghi_huu", "thoi_viec", "tu_tran", "chuyen_cong_tac")
TOPICS = (
    '"nâng bậc lương"', "nghỉ hưu", "quyết định tuyển dụng", '"Sở Nội vụ"', "Chuyên viên chính",
    "thanh tra", "bao hiem xa hoi", "Kiểm lâm", '"tóm tắt quá trình công tác"', "bổ nhiệm Trưởng phòng",
    "thoi viec", "điều động", "Đảng Cộng sản", "ngạch Kế toán viên", "Nghị định 138/2020",
)
TARGET_ENGINE_P95_MS = 20.0
TARGET_PEOPLE_RATIO = 1.5  # people search p95 / page search p95, same index and queries
ES_URL_VARIABLE = "ARCHIVE_TEST_ELASTICSEARCH_URL"


@dataclass(frozen=True)
class BenchQuery:
    text: str
    status: str
    kind: str  # name | folded_name | topic | name_and_topic


def make_queries(seed: int, names: list[str], count: int) -> list[BenchQuery]:
    """A realistic mix: a person's name with or without marks, a topic, or both."""
    from search import fold

    rng = random.Random(f"{seed}:queries")
    out = []
    for _ in range(count):
        kind = rng.choice(("name", "folded_name", "topic", "name_and_topic"))
        name = rng.choice(names)
        text = {"name": name, "folded_name": fold(name), "topic": rng.choice(TOPICS),
                "name_and_topic": f"{name} {rng.choice(TOPICS)}"}[kind]
        out.append(BenchQuery(text, rng.choice(STATUSES), kind))
    return out


class BareTantivy:
    """The anchor: the same index directory through the bare tantivy API."""

    def __init__(self, path: Path) -> None:
        import tantivy

        from search.tantivy_index import TantivyIndex

        self.tantivy = tantivy
        # `path` holds the adapter's generations; the live one is a plain tantivy index
        self.index = tantivy.Index.open(str(TantivyIndex(path).live_path))
        self.schema = self.index.schema

    def search(self, q: BenchQuery) -> int:
        from search.query_syntax import parse_query

        t = self.tantivy
        parts = []
        for clause in parse_query(q.text).clauses:
            words = list(clause.folded)
            query = (t.Query.term_query(self.schema, "all_folded", words[0]) if len(words) == 1
                     else t.Query.phrase_query(self.schema, "all_folded", words))
            parts.append((t.Occur.Must, query))
        parts.append((t.Occur.Must, t.Query.term_set_query(self.schema, "status", [q.status])))
        query = t.Query.boolean_query(parts)
        searcher = self.index.searcher()
        result = searcher.search(query, limit=20, count=True)
        for _, address in result.hits:
            searcher.doc(address)
        searcher.aggregate(query, {f: {"terms": {"field": f, "size": 1000}} for f in FACETS})
        return int(result.count)


def staff_for(pages: int, staff: int | None = None) -> int:
    return staff or max(1, pages // PAGES_PER_PERSON)


def bench_docs(seed: int, pages: int, staff: int | None = None) -> tuple[list, list]:
    """(page docs, staff records) of the benchmark corpus, in memory (Elasticsearch, small runs)."""
    people = People(staff_for(pages, staff))
    docs = page_docs(people.regroup(iter_pages(seed, pages)))
    return docs, people.records()


def ensure_index(path: Path, *, seed: int, pages: int, staff: int | None = None, batch: int = 10_000) -> list[str]:
    """Build (or reuse) the index at ``path`` — pages and staff records; return a sample of staff names."""
    from search.tantivy_index import SCHEMA_VERSION

    staff = staff_for(pages, staff)
    # schema version and corpus shape in the name: an index of another shape is rebuilt
    marker = path / f"BENCH-schema{SCHEMA_VERSION}-scoped-seed{seed}-pages{pages}-staff{staff}"
    names: list[str] = []
    if marker.exists():
        emit(BENCH, "index_reused", pages, "pages", path=str(path), staff=staff)
        return marker.read_text(encoding="utf-8").splitlines()
    if path.exists():
        shutil.rmtree(path)
    chunk = 100_000  # keeps memory flat for 1M pages
    built_seconds = 0.0
    people = People(staff)
    stream = people.regroup(iter_pages(seed, pages))
    done = 0
    while done < pages:
        docs = page_docs(p for _, p in zip(range(min(chunk, pages - done)), stream))
        names += [d.staff_name for d in docs[:: max(1, len(docs) // 200)]]
        built_seconds += fill_adapter(path, docs, batch=batch)
        done += len(docs)
    records = people.records()
    built_seconds += fill_adapter(path, records, batch=batch)
    emit(BENCH, "index_built", pages, "pages", seconds=round(built_seconds, 1),
         pages_per_s=round(pages / built_seconds), batch=batch, staff_records=len(records))
    marker.write_text("\n".join(names), encoding="utf-8")
    return names


def page_query(q: BenchQuery):  # noqa: ANN201
    """The page search as bench.search has always timed it: status filter, 3 facets, 20 hits."""
    from search import SearchQuery

    return SearchQuery(q.text, {"status": (q.status,)}, FACETS, 20)


def people_query(q: BenchQuery):  # noqa: ANN201
    """The people search as the service asks it: the same words and filter, names take typos."""
    from search import Matching, SearchQuery

    return SearchQuery(q.text, {"status": (q.status,)}, FACETS, 20, matching=Matching.TYPOS)


def measure_es(url: str, queries: list[BenchQuery], *, seed: int, pages: int,
               tantivy_p95_ms: float | None = None, staff: int | None = None) -> None:
    """Fill an Elasticsearch index with the first ``pages`` pages, time the same engine queries, drop it.

    ``tantivy_p95_ms``: the tantivy engine's p95 on the same pages, for the ratio (None when
    the tantivy index had another page count).
    """
    from search.elasticsearch_index import ElasticsearchIndex

    es = ElasticsearchIndex(url, prefix=f"bench-search-{os.getpid()}", request_timeout=120)
    try:
        docs, records = bench_docs(seed, pages, staff)
        with stopwatch() as elapsed:  # rebuild: streaming bulk into a fresh index, one refresh
            with es.rebuild() as rebuild:
                rebuild.upsert(docs)
                rebuild.upsert(records)
        indexed = es.count()
        emit("search_es", "index_built", indexed, "pages", seconds=round(elapsed(), 1),
             pages_per_s=round(indexed / elapsed()), staff_records=len(records))
        for q in queries[:30]:
            es.search(page_query(q))
            es.search_people(people_query(q))
        es_ms: list[float] = []
        people_ms: list[float] = []
        totals: list[int] = []
        for q in queries:
            with stopwatch() as elapsed:
                result = es.search(page_query(q))
            es_ms.append(elapsed() * 1000)
            totals.append(result.total)
            with stopwatch() as elapsed:
                es.search_people(people_query(q))
            people_ms.append(elapsed() * 1000)
    finally:
        es.drop()
        es.close()
    stats = emit_percentiles("search_es", "engine", es_ms, pages=pages, queries=len(queries))
    people_stats = emit_percentiles("search_es", "people", people_ms, pages=pages, queries=len(queries))
    emit("search_es", "ratio_people_vs_pages_p95", round(people_stats[95] / stats[95], 2), "x")
    emit("search_es", "mean_hits_total", round(sum(totals) / len(totals)), "pages")
    versus = ""
    if tantivy_p95_ms:
        emit("search_es", "ratio_es_vs_tantivy_engine_p95", round(stats[95] / tantivy_p95_ms, 2), "x")
        versus = f" = {stats[95] / tantivy_p95_ms:.2f}× the tantivy engine p95 ({tantivy_p95_ms:.1f} ms)"
    Summary(
        "search_es",
        f"Elasticsearch engine p50 {stats[50]:.1f} ms / p95 {stats[95]:.1f} ms at {pages:,} pages{versus} "
        "(ElasticsearchIndex.search, same queries, status filter + 3 facets, 1 shard); people p95 "
        f"{people_stats[95]:.1f} ms = {people_stats[95] / stats[95]:.2f}× its page search",
        [],  # the targets are the embedded engine's; the production engine is compared, not judged
    ).print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=None, help="default 100,000 (1,000,000 with --large)")
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--index-dir", type=Path, help="build here and keep (reused when seed/pages match)")
    parser.add_argument("--staff", type=int, default=None, help="people (staff records); default pages / 10")
    parser.add_argument("--no-api", action="store_true", help="skip the HTTP API measurement")
    parser.add_argument("--es-pages", type=int, default=None,
                        help=f"pages for Elasticsearch when {ES_URL_VARIABLE} is set (default min(pages, 100,000))")
    args = parser.parse_args(argv)
    pages = args.pages or (1_000_000 if args.large else 100_000)

    from search.tantivy_index import TantivyIndex

    emit(BENCH, "machine", None, **machine())
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        path = args.index_dir or Path(tmp) / "index"
        staff = staff_for(pages, args.staff)
        names = ensure_index(path, seed=args.seed, pages=pages, staff=staff)
        engine, bare = TantivyIndex(path), BareTantivy(path)
        queries = make_queries(args.seed, names, args.queries)
        for q in queries[:30]:  # warm caches and code paths, off the clock
            engine.search(page_query(q))
            engine.search_people(people_query(q))
            bare.search(q)
        engine_ms: list[float] = []
        people_ms: list[float] = []
        one_page_ms: list[float] = []  # diagnostic: as many snippets as the page search (1 per person)
        bare_ms: list[float] = []
        hit_totals: list[int] = []
        people_totals: list[int] = []
        for q in queries:  # interleaved, so all see the same machine noise
            with stopwatch() as elapsed:
                result = engine.search(page_query(q))
            engine_ms.append(elapsed() * 1000)
            with stopwatch() as elapsed:
                people = engine.search_people(people_query(q))
            people_ms.append(elapsed() * 1000)
            with stopwatch() as elapsed:
                engine.search_people(people_query(q), pages_per_person=1)
            one_page_ms.append(elapsed() * 1000)
            with stopwatch() as elapsed:
                bare.search(q)
            bare_ms.append(elapsed() * 1000)
            hit_totals.append(result.total)
            people_totals.append(people.total)
        engine.close()

        stats = {name: emit_percentiles(BENCH, name, samples, pages=pages, queries=len(queries))
                 for name, samples in (("engine", engine_ms), ("bare_tantivy", bare_ms))}
        people_stats = emit_percentiles("search_people", "engine", people_ms, pages=pages, staff=staff,
                                        queries=len(queries))
        people_ratio = people_stats[95] / stats["engine"][95]
        emit("search_people", "ratio_people_vs_pages_p95", round(people_ratio, 2), "x")
        one_page = emit_percentiles("search_people", "one_page_each", one_page_ms, pages=pages, staff=staff,
                                    queries=len(queries))
        one_page_ratio = one_page[95] / stats["engine"][95]
        emit("search_people", "ratio_one_page_each_vs_pages_p95", round(one_page_ratio, 2), "x",
             note="1 best page per person: 20 snippets, as many as the page search shows")
        emit("search_people", "mean_people_total", round(sum(people_totals) / len(queries)), "people")
        for kind in sorted({q.kind for q in queries}):
            picked = [i for i, q in enumerate(queries) if q.kind == kind]
            emit("search_people", "p95_ms_by_query_kind", None, "ms", kind=kind, queries=len(picked),
                 people=round(percentile([people_ms[i] for i in picked], 95), 2),
                 pages=round(percentile([engine_ms[i] for i in picked], 95), 2))
        emit(BENCH, "mean_hits_total", round(sum(hit_totals) / len(queries)), "pages")
        for kind in sorted({q.kind for q in queries}):  # what drives the tail
            picked = [i for i, q in enumerate(queries) if q.kind == kind]
            emit(BENCH, "p95_ms_by_query_kind", None, "ms", kind=kind, queries=len(picked),
                 engine=round(percentile([engine_ms[i] for i in picked], 95), 2),
                 bare_tantivy=round(percentile([bare_ms[i] for i in picked], 95), 2),
                 mean_hits_total=round(sum(hit_totals[i] for i in picked) / len(picked)))
        ratio = stats["engine"][95] / stats["bare_tantivy"][95]
        emit(BENCH, "ratio_engine_vs_bare_p95", round(ratio, 2), "x")
        Summary(
            BENCH,
            f"engine p50 {stats['engine'][50]:.1f} ms / p95 {stats['engine'][95]:.1f} ms at {pages:,} pages = "
            f"{ratio:.2f}× bare tantivy p95 ({stats['bare_tantivy'][95]:.1f} ms), status filter + 3 facets",
            [Target(f"engine p95 at {pages:,} pages (target set for 1M)", stats["engine"][95],
                    TARGET_ENGINE_P95_MS, "<=", " ms")],
        ).print()

        Summary(
            "search_people",
            f"people p50 {people_stats[50]:.1f} ms / p95 {people_stats[95]:.1f} ms at {pages:,} pages and "
            f"{staff:,} staff records = {people_ratio:.2f}× page search p95 of this run ({stats['engine'][95]:.1f} ms); "
            f"one hit per person, {SERVICE_PAGES_PER_PERSON} best pages each, facets count people, names take typos; "
            "with 1 page each "
            f"(20 snippets, as the page search): {one_page_ratio:.2f}×",
            [Target(f"people / page search p95 at {pages:,} pages", people_ratio, TARGET_PEOPLE_RATIO, "<=", "×")],
        ).print()

        if args.no_api:
            print("SUMMARY search_api: not measured — --no-api", flush=True)
            print("SUMMARY search_people_api: not measured — --no-api", flush=True)
        else:
            from bench.search_api import measure_api

            measure_api(path, queries, workdir=Path(tmp), pages=pages, engine_p95_ms=stats["engine"][95],
                        engine_totals=hit_totals, people_totals=people_totals, staff=staff)

    es_url = os.environ.get(ES_URL_VARIABLE)
    if es_url:
        es_pages = args.es_pages or min(pages, 100_000)
        measure_es(es_url, queries, seed=args.seed, pages=es_pages,
                   tantivy_p95_ms=stats["engine"][95] if es_pages == pages else None,
                   staff=staff if es_pages == pages else None)
    else:
        emit("search_es", "status", "not measured", reason=f"{ES_URL_VARIABLE} not set")
        print(f"SUMMARY search_es: not measured: {ES_URL_VARIABLE} not set "
              "(python -m scripts.engines start --only es --state-dir DIR; source DIR/engines.env)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
