"""tantivy adapter — the embedded default search index (tantivy:///path/to/index).

The path is a root holding generations of the index (search.tantivy_generations): the live
one answers searches and takes writes; a rebuild fills a new one beside it and its commit
switches every process over. The schema and the page documents are in search.tantivy_schema,
the query translation in search.tantivy_query.

tantivy allows one writer per index directory (a lock file). The service keeps exactly one
indexing consumer (the `index` queue with a single worker); readers in other processes just
reload. A writer is opened per batch and released after commit so a crashed consumer never
leaves the lock held by a live process. A rebuild writes its own directory, so it never waits
for that lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence, TypeVar

import tantivy

from search.tantivy_beside import beside

from search.highlight import excerpt
from search.plan import FACET_SIZE, KIND_FIELD, PAGE_KIND, SearchPlan, plan_people, plan_search
from search.port import (
    PAGES_PER_PERSON,
    IndexMissing, IndexRebuild, IndexSchemaOutdated, PageDoc, PeopleResult, SearchError, SearchHit, SearchQuery,
    SearchResult, StaffDoc,
)
from search.tantivy_generations import Generations, Stamp, remove
from search.tantivy_people import run, search_people
from search.tantivy_query import queries
from search.tantivy_schema import MARKER, SCHEMA_VERSION, add_pages, build_schema, open_tantivy, schema_version_of

__all__ = ["SCHEMA_VERSION", "TantivyIndex", "TantivyRebuild"]

T = TypeVar("T")
_OPEN_ATTEMPTS = 3  # a generation may be removed between reading LIVE and opening it


@dataclass(frozen=True)
class _Generation:
    """One opened generation; `index` is None when it was built with another schema version."""

    name: str
    path: Path
    index: tantivy.Index | None
    schema_version: str | None

    def require(self) -> tantivy.Index:
        if self.index is None:
            raise IndexSchemaOutdated(
                f"index at {self.path} has schema {self.schema_version}, need {SCHEMA_VERSION}; run `archive reindex`")
        return self.index


class TantivyIndex:
    """SearchIndex on a local directory of tantivy index generations."""

    def __init__(self, path: str | Path, *, writer_heap: int = 64_000_000) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        self._writer_heap = writer_heap
        self._generations = Generations(self.path)
        self._lock = threading.Lock()  # the API searches from a thread pool
        self._live: _Generation | None = None
        self._stamp: Stamp = None
        self._current()  # an outdated index opens fine; using it raises IndexSchemaOutdated

    @classmethod
    def from_url(cls, url: str) -> "TantivyIndex":
        from urllib.parse import urlparse

        return cls(urlparse(url).path)

    @property
    def live_path(self) -> Path:
        """Directory of the live generation (a plain tantivy index: benchmarks open it bare)."""
        return self._current().path

    # -- generations -----------------------------------------------------------
    def _create(self, path: Path) -> tantivy.Index:
        index = open_tantivy(path, self.schema)
        (path / MARKER).write_text(SCHEMA_VERSION)
        return index

    def _open(self, name: str) -> _Generation:
        path = self._generations.path(name)
        version = schema_version_of(path)
        if version not in (None, SCHEMA_VERSION):  # None: an index from before the marker
            return _Generation(name, path, None, version)
        return _Generation(name, path, open_tantivy(path, self.schema, create=False), version)

    def _current(self) -> _Generation:
        """The live generation, reopened when LIVE changed since the last call (one stat)."""
        stamp = self._generations.stamp()
        if stamp is None and not self.path.is_dir():  # deleted under us: say so, never recreate it empty
            raise IndexMissing(f"tantivy index {self.path} is gone")
        live = self._live
        if live is not None and stamp == self._stamp:
            return live
        with self._lock:
            for attempt in range(_OPEN_ATTEMPTS):
                stamp = self._generations.stamp()
                name = self._generations.live() or self._generations.initialise(self._create)
                try:
                    if self._live is None or self._live.name != name:
                        self._live = self._open(name)
                    break
                except (OSError, ValueError) as exc:
                    if attempt == _OPEN_ATTEMPTS - 1:
                        raise SearchError(f"tantivy index {self.path}: cannot open generation {name}: {exc}") from exc
            self._stamp = stamp
            return self._live  # type: ignore[return-value]

    def _on_live(self, fn: Callable[[tantivy.Index], T]) -> T:
        """Run `fn` on the live index; if it fails because a rebuild switched generations under
        it (the old one's files are gone), once more on the new one."""
        seen = self._generations.stamp()
        index = self._current().require()
        try:
            return fn(index)
        except (OSError, ValueError, SearchError):  # tantivy's own errors arrive as ValueError
            if self._generations.stamp() == seen:
                raise
        return fn(self._current().require())

    # -- writing -------------------------------------------------------------
    def _write(self, fn: Callable[[tantivy.IndexWriter], None]) -> None:
        def write(index: tantivy.Index) -> None:
            try:
                writer = index.writer(heap_size=self._writer_heap, num_threads=0)  # 0: one per core
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
            index.reload()

        self._on_live(write)

    def upsert(self, docs: Sequence[PageDoc | StaffDoc]) -> None:
        if docs:
            self._write(lambda writer: add_pages(writer, docs))

    def delete_documents(self, document_ids: Sequence[int]) -> None:
        if not document_ids:
            return

        def delete(writer: tantivy.IndexWriter) -> None:
            for doc_id in document_ids:
                writer.delete_documents_by_term("document_key", str(int(doc_id)))

        self._write(delete)

    def rebuild(self) -> "TantivyRebuild":
        """A new generation directory beside the live one; never opens the live index."""
        name = self._generations.allocate()
        path = self._generations.path(name)
        try:
            index = self._create(path)
        except BaseException:
            remove(path)
            raise
        return TantivyRebuild(self, name, index)

    def clear(self) -> None:
        with self.rebuild():
            pass

    # -- reading -------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResult:
        plan = plan_search(query)
        return self._on_live(lambda index: self._search(index, plan))

    def _search(self, index: tantivy.Index, plan: SearchPlan) -> SearchResult:
        index.reload()
        ranked, matching = queries(self.schema, plan)
        searcher = index.searcher()
        counting = beside(searcher.aggregate, matching,
                                 {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in plan.facets}) if plan.facets else None
        res = run(searcher, ranked, plan, limit=plan.limit, offset=plan.offset)
        hits = []
        if plan.limit > 0:
            for key, address in res.hits:
                doc = searcher.doc(address)
                hits.append(SearchHit(
                    document_id=int(doc["document_id"][0]), page=int(doc["page"][0]),
                    score=float(key) if plan.sort is None else 0.0,
                    staff_code=doc["staff_code"][0], staff_name=doc["staff_name_exact"][0],
                    status=doc["status"][0], unit=doc["unit"][0], document_type=doc["document_type"][0],
                    snippet=excerpt(doc["text_exact"][0], plan.highlight_terms),
                ))
        facets: dict[str, dict[str, int]] = {}
        if counting is not None:
            result = counting.result()
            for f in plan.facets:
                facets[f] = {b["key"]: int(b["doc_count"]) for b in result.get(f, {}).get("buckets", [])}
        return SearchResult(total=int(res.count), hits=hits, facets=facets)

    def search_people(self, query: SearchQuery, *, pages_per_person: int = PAGES_PER_PERSON,
                      records_only: bool = False) -> PeopleResult:
        plan = plan_people(query, pages_per_person=pages_per_person, records_only=records_only)

        def people(index: tantivy.Index) -> PeopleResult:
            index.reload()
            return search_people(index, self.schema, plan)

        return self._on_live(people)

    def count(self) -> int:
        def count(index: tantivy.Index) -> int:
            index.reload()
            pages = tantivy.Query.term_query(self.schema, KIND_FIELD, PAGE_KIND, index_option="basic")
            return int(index.searcher().search(pages, limit=1, count=True).count)

        return self._on_live(count)

    def close(self) -> None:
        self._live = None


class TantivyRebuild(IndexRebuild):
    """A new generation being filled through one writer, committed once; see SearchIndex.rebuild."""

    def __init__(self, owner: TantivyIndex, name: str, index: tantivy.Index) -> None:
        self._owner = owner
        self.name = name
        self.path = owner._generations.path(name)
        self._index = index
        self._writer: tantivy.IndexWriter | None = None
        self._state = "open"

    def _require_open(self) -> None:
        if self._state != "open":
            raise SearchError(f"rebuild of {self.path} is already {self._state}")

    def upsert(self, docs: Sequence[PageDoc | StaffDoc]) -> None:
        self._require_open()
        if not docs:
            return
        if self._writer is None:  # one writer for the whole rebuild: one commit, at the end
            self._writer = self._index.writer(heap_size=self._owner._writer_heap, num_threads=0)
        add_pages(self._writer, docs)

    def commit(self) -> None:
        if self._state == "committed":
            return
        self._require_open()
        generations = self._owner._generations
        try:
            if self._writer is not None:
                self._writer.commit()
                self._writer.wait_merging_threads()
                self._writer = None
            generations.switch(self.name)
        except BaseException:
            self.abort()
            raise
        self._state = "committed"
        generations.remove_older(self.name)
        self._owner._current()  # this process reads the new generation from now on

    def abort(self) -> None:
        if self._state != "open":
            return
        self._state = "aborted"
        if self._writer is not None:
            try:
                self._writer.rollback()
                self._writer.wait_merging_threads()
            finally:
                self._writer = None
        if self._owner._generations.live() != self.name:  # a switch that failed after its rename
            remove(self.path)
