"""tantivy adapter — the embedded default search index (tantivy:///path/to/index).

tantivy allows one writer per index directory (a lock file). The service keeps exactly one
indexing consumer (the `index` queue with a single worker); readers in other processes just
reload. A writer is opened per batch and released after commit so a crashed consumer never
leaves the lock held by a live process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import tantivy

from search.highlight import snippet
from search.port import FILTER_FIELDS, IndexSchemaOutdated, PageDoc, SearchError, SearchHit, SearchQuery, SearchResult
from search.query_syntax import Clause, ParsedQuery, parse_query
from search.vietnamese import EXACT_ANALYZER, FOLDED_ANALYZER, exact_analyzer, folded_analyzer, nfc

# Bump when the schema changes: an index written with another version is rebuilt from the DB.
SCHEMA_VERSION = "5"
EXACT_BOOST = 2.0  # exact-diacritic matches outrank folded-only ones
NAME_BOOST = 1.5   # a hit in the staff member's name outranks one in body text

# Words are cut and folded inside tantivy by the analyzers search.vietnamese defines (and the
# Elasticsearch adapter and the query parser use the same ones), registered on the index under
# their names: no Python pass over the page text while indexing. The exact-text fields are
# stored, so the text a person reads is the field that is searched.
_EXACT = dict(tokenizer_name=EXACT_ANALYZER, index_option="position")
_FOLDED = dict(stored=False, tokenizer_name=FOLDED_ANALYZER, index_option="position")
_MULTI_VALUED = ("scope_units",)
_KEYWORDS = (*(f for f in FILTER_FIELDS if f not in _MULTI_VALUED), "birth_date")
# Signed: tantivy-py hands Python ints over as i64, which never matches a u64 field.
_INTEGERS = ("restriction", "birth_year")


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_unsigned_field("document_id", stored=True, indexed=True, fast=True)
    # document ids as raw text too: tantivy-py hands Python ints over as i64, which never
    # matches a u64 term, so deletes by document go through this field.
    b.add_text_field("document_key", stored=False, tokenizer_name="raw")
    b.add_unsigned_field("page", stored=True, indexed=True)
    b.add_text_field("text_exact", stored=True, **_EXACT)
    b.add_text_field("staff_name_exact", stored=True, **_EXACT)
    # all_folded holds two values, the name then the text: each query clause must match this
    # ONE field (fast: one postings list, skipping works), and tantivy leaves a position gap
    # between values so no phrase runs from the name into the text. Name and exact-diacritic
    # matches are optional clauses that only add score.
    b.add_text_field("all_folded", **_FOLDED)
    b.add_text_field("staff_name_folded", **_FOLDED)
    for name in FILTER_FIELDS:
        b.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    b.add_text_field("birth_date", stored=True, tokenizer_name="raw")
    for name in _INTEGERS:  # range-filtered through their fast fields
        b.add_integer_field(name, stored=False, indexed=True, fast=True)
    return b.build()


def _unit_codes(codes: Sequence[str]) -> list[str]:
    """NFC unit codes, blanks and repeats dropped (as the Elasticsearch adapter does)."""
    return list(dict.fromkeys(c for c in (nfc(code) for code in codes) if c))


class TantivyIndex:
    """SearchIndex on a local tantivy directory."""

    def __init__(self, path: str | Path, *, writer_heap: int = 64_000_000) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        marker = self.path / "SCHEMA_VERSION"
        self.schema = _schema()
        if marker.exists() and marker.read_text().strip() != SCHEMA_VERSION:
            raise IndexSchemaOutdated(
                f"index at {self.path} has schema {marker.read_text().strip()}, need {SCHEMA_VERSION}; "
                "run `archive reindex --rebuild`"
            )
        self._index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        self._index.register_tokenizer(EXACT_ANALYZER, exact_analyzer())
        self._index.register_tokenizer(FOLDED_ANALYZER, folded_analyzer())
        if not marker.exists():
            marker.write_text(SCHEMA_VERSION)
        self._writer_heap = writer_heap

    @classmethod
    def from_url(cls, url: str) -> "TantivyIndex":
        from urllib.parse import urlparse

        return cls(urlparse(url).path)

    # -- writing -------------------------------------------------------------
    def _write(self, fn) -> None:
        try:
            writer = self._index.writer(heap_size=self._writer_heap, num_threads=0)  # 0: one per core
        except ValueError as exc:  # lock held by another writer
            raise SearchError(f"tantivy index is locked by another writer: {exc}") from exc
        try:
            fn(writer)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # releases the directory lock
        self._index.reload()

    def upsert(self, docs: Sequence[PageDoc]) -> None:
        if not docs:
            return

        def add_all(writer: tantivy.IndexWriter) -> None:
            for d in docs:
                writer.delete_documents_by_term("id", d.id)
                text, name = nfc(d.text), nfc(d.staff_name)
                doc = tantivy.Document()
                doc.add_text("id", d.id)
                doc.add_unsigned("document_id", d.document_id)
                doc.add_text("document_key", str(d.document_id))
                doc.add_unsigned("page", d.page)
                doc.add_text("text_exact", text)
                doc.add_text("staff_name_exact", name)
                doc.add_text("all_folded", name)
                doc.add_text("all_folded", text)
                doc.add_text("staff_name_folded", name)
                for field in _KEYWORDS:
                    doc.add_text(field, nfc(getattr(d, field)))
                for unit in _unit_codes(d.scope_units):
                    doc.add_text("scope_units", unit)
                doc.add_integer("restriction", int(d.restriction))
                if d.birth_year is not None:  # unknown: no value, so every year range leaves it out
                    doc.add_integer("birth_year", int(d.birth_year))
                writer.add_document(doc)

        self._write(add_all)

    def delete_documents(self, document_ids: Sequence[int]) -> None:
        def delete(writer: tantivy.IndexWriter) -> None:
            for doc_id in document_ids:
                writer.delete_documents_by_term("document_key", str(int(doc_id)))

        self._write(delete)

    def clear(self) -> None:
        self._write(lambda w: w.delete_all_documents())

    # -- reading -------------------------------------------------------------
    def _clause_queries(self, clause: Clause) -> tuple[tantivy.Query, list[tantivy.Query]]:
        """The required match of one word or phrase, and the optional boosts that rank it."""
        def on(field: str, words: tuple[str, ...]) -> tantivy.Query:
            if len(words) == 1:
                return tantivy.Query.term_query(self.schema, field, words[0])
            return tantivy.Query.phrase_query(self.schema, field, list(words))

        boost = tantivy.Query.boost_query
        boosts = [boost(on("staff_name_folded", clause.folded), NAME_BOOST)]
        if clause.has_marks:  # without marks typed, "exact" would only favour pages that lost theirs
            boosts += [boost(on("text_exact", clause.exact), EXACT_BOOST),
                       boost(on("staff_name_exact", clause.exact), EXACT_BOOST * NAME_BOOST)]
        return on("all_folded", clause.folded), boosts

    def _filter_query(self, filters: dict[str, tuple[str, ...]]) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        out = []
        for field, values in filters.items():
            if field not in FILTER_FIELDS:
                raise SearchError(f"cannot filter on {field!r}")
            if values:
                q = self._any_of(field, [nfc(v) for v in values])
                out.append((tantivy.Occur.Must, q))
        return out

    def _any_of(self, field: str, values: list[str]) -> tantivy.Query:
        """Pages whose keyword `field` is one of `values`. Term queries, not term_set_query:
        a term set is matched by building a bitset of every page holding any of the terms
        (1M postings for the root unit on every query), while term queries are intersected
        with the words' postings by skipping (bench/search: −10 ms p50 at 1M pages)."""
        terms = [tantivy.Query.term_query(self.schema, field, v, index_option="basic") for v in dict.fromkeys(values)]
        either = terms[0] if len(terms) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Should, t) for t in terms])
        # A filter only selects: the same score for every page (a rare status must not rank higher)
        return tantivy.Query.const_score_query(either, 1.0)

    def _access_query(self, query: SearchQuery) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """Scope, restriction and birth-year limits; each one a required part of the query."""
        must, out = tantivy.Occur.Must, []
        if query.scope_units is not None:
            scope = _unit_codes(query.scope_units)
            # An empty scope sees nothing: the query must match no page, not every page.
            if scope:
                out.append((must, self._any_of("scope_units", scope)))
            else:
                out.append((must, tantivy.Query.empty_query()))
        if query.max_restriction is not None:
            out.append((must, self._range("restriction", None, query.max_restriction)))
        if query.birth_year_from is not None or query.birth_year_to is not None:
            out.append((must, self._range("birth_year", query.birth_year_from, query.birth_year_to)))
        return out

    def _range(self, field: str, lower: int | None, upper: int | None) -> tantivy.Query:
        return tantivy.Query.range_query(self.schema, field, tantivy.FieldType.Integer,
                                         None if lower is None else int(lower),
                                         None if upper is None else int(upper))

    def _build(self, query: SearchQuery) -> tuple[ParsedQuery, tantivy.Query, tantivy.Query]:
        """The parsed text, the ranked query (with the optional boosts) and the matching query
        (required parts only: the same pages, cheaper for facet counts, which need no score)."""
        parsed = parse_query(query.text)
        required: list[tuple[tantivy.Occur, tantivy.Query]] = []
        ranked: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for clause in parsed.clauses:
            must, optional = self._clause_queries(clause)
            required.append((tantivy.Occur.Must, must))
            # Each boost nested on its own around the word's required match: a flat list of
            # optional clauses becomes one union that walks every posting of common words
            # ("thị", "văn") in the hits' neighbourhood; one optional per level is only
            # seeked to the pages that already match. Scores add up the same either way.
            scored = must
            for boost in optional:
                scored = tantivy.Query.boolean_query([(tantivy.Occur.Must, scored), (tantivy.Occur.Should, boost)])
            ranked.append((tantivy.Occur.Must, scored))
        required += self._filter_query(query.filters)
        required += self._access_query(query)
        if not required:
            return parsed, tantivy.Query.all_query(), tantivy.Query.all_query()
        if not parsed.clauses:
            required.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        matching = tantivy.Query.boolean_query(required)
        if not ranked:
            return parsed, matching, matching
        return parsed, tantivy.Query.boolean_query(ranked + required[len(ranked):]), matching

    def search(self, query: SearchQuery) -> SearchResult:
        self._index.reload()
        parsed, ranked, matching = self._build(query)
        searcher = self._index.searcher()
        res = searcher.search(ranked, limit=max(query.limit, 0) or 1, count=True, offset=query.offset)
        hits = []
        if query.limit > 0:
            for score, address in res.hits:
                doc = searcher.doc(address)
                hits.append(SearchHit(
                    document_id=int(doc["document_id"][0]), page=int(doc["page"][0]), score=float(score),
                    staff_code=doc["staff_code"][0], staff_name=doc["staff_name_exact"][0],
                    status=doc["status"][0], unit=doc["unit"][0], document_type=doc["document_type"][0],
                    snippet=snippet(doc["text_exact"][0], parsed.folded_terms),
                ))
        facets: dict[str, dict[str, int]] = {}
        if query.facets:
            for field in query.facets:
                if field not in FILTER_FIELDS:
                    raise SearchError(f"cannot facet on {field!r}")
            aggs = {f: {"terms": {"field": f, "size": 1000}} for f in query.facets}
            result = searcher.aggregate(matching, aggs)
            for f in query.facets:
                facets[f] = {b["key"]: int(b["doc_count"]) for b in result.get(f, {}).get("buckets", [])}
        return SearchResult(total=int(res.count), hits=hits, facets=facets)

    def count(self) -> int:
        self._index.reload()
        return int(self._index.searcher().num_docs)

    def close(self) -> None:
        pass
