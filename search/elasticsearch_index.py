"""Elasticsearch 8.x adapter — the production search index (http://host:9200?prefix=archive).

Pages and staff records live in a versioned concrete index, `<prefix>-pages-v<N>`, behind the
alias `<prefix>-pages` (one index, a `kind` field telling them apart, as on tantivy: one alias
swap rebuilds both, and a people search collapses a record and its pages in one request);
every read and write goes through the alias, so `rebuild()` can fill `-v<N+1>` beside the live
index and swap the alias in one atomic request (every process reading through the alias sees
the new index at once), then delete the old one. People searches: search.elasticsearch_people.

No analysis plugin is needed, nor is one installed on the test distribution: Python cuts
and folds the text (search.vietnamese) and the index receives space-joined tokens, which the
built-in `whitespace` analyzer splits back unchanged. ES's `standard` analyzer would not do:
it keeps "12.03.2015", "U.B.N.D" or "số_3" whole where our tokenizer (and tantivy's) cuts
them, and then the same query would find different pages on different engines.

A cluster (issue 20; docs/architecture.md "Elasticsearch cluster and several workers"): the URL
may list several nodes, comma-separated (`http://es1:9200,http://es2:9200?prefix=archive`), and
the client fails over between them. Indices get one replica whenever the cluster has a second
data node (`auto_expand_replicas: 0-1`, i.e. min(1, nodes - 1) as nodes come and go), or
exactly `?replicas=N`. Timeouts and retries are chosen, not defaulted: search.elasticsearch_client.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.helpers import BulkIndexError, scan, streaming_bulk

from search.elasticsearch_client import (
    BACKOFF_SECONDS, BULK_TIMEOUT, MAX_RETRIES, REQUEST_TIMEOUT, RETRY_STATUS, ClientOptions, make_client, retrying,
    split_nodes,
)
from search.elasticsearch_docs import source
from search.elasticsearch_people import pages_body, people_body, people_result
from search.elasticsearch_query import search_body
from search.highlight import excerpt
from search.plan import KIND_FIELD, RECORD_KIND, plan_people, plan_search
from search.port import (
    PAGES_PER_PERSON,
    FILTER_FIELDS, IndexMissing, IndexRebuild, IndexSchemaOutdated, PageDoc, PeopleResult, SearchError, SearchHit,
    SearchQuery, SearchResult, StaffDoc,
)

_T = TypeVar("_T")
# Bump when the mapping changes: an alias over an older mapping must be rebuilt from the DB.
SCHEMA_VERSION = 6  # 6: page_bridge (phrases over a page break); 5: staff records beside pages
BULK_CHUNK = 500
# Derived token fields are searched, never shown: keep them out of _source.
_DERIVED = ("all_folded", "text_exact", "staff_name_exact", "staff_name_folded", "code_folded", "record_names",
            "page_bridge")

_TOKENS = {"type": "text", "analyzer": "whitespace"}
MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"schema_version": SCHEMA_VERSION},
    "_source": {"excludes": list(_DERIVED)},
    "properties": {
        "document_id": {"type": "long"},
        "page": {"type": "integer"},
        # The NFC text a person reads; snippets are cut from it in Python.
        "text": {"type": "text", "index": False},
        "staff_name": {"type": "text", "index": False},
        "text_exact": _TOKENS,
        # folded name ¶ folded text ¶ code (search.elasticsearch_docs): every clause must match
        # this one field; name and exact-diacritic matches only add score (as on tantivy)
        "all_folded": _TOKENS,
        "staff_name_exact": _TOKENS,
        "staff_name_folded": _TOKENS,
        # pages only: last words § next page's first words (search.page_bridge), phrases only
        "page_bridge": _TOKENS,
        # scope_units holds an array; a keyword field takes one value or many alike.
        **{name: {"type": "keyword"} for name in FILTER_FIELDS},
        "birth_date": {"type": "keyword"},
        "status_date": {"type": "keyword"},
        "restriction": {"type": "integer"},
        "birth_year": {"type": "integer"},  # null when unknown: no value, out of every range
        "kind": {"type": "keyword"},
        # records only: the code as tokens and whole (prefixes), the names as folded tokens
        "code_folded": _TOKENS,
        "code_key": {"type": "keyword"},
        "record_names": {"type": "text", "analyzer": "whitespace", "index_options": "docs", "norms": False},
        # every document of a person: the person's sort keys (search.doc_fields)
        "name_key": {"type": "keyword"},
        "birth_key": {"type": "integer"},
        "status_key": {"type": "integer"},
    },
}
SETTINGS: dict[str, Any] = {
    # One shard: BM25 statistics are then exact, and ranking does not vary with routing.
    "number_of_shards": 1,
    # A replica as soon as a second data node exists, none on a single node (which would
    # otherwise stay yellow forever): min(1, data nodes - 1), kept up as nodes join and leave.
    "auto_expand_replicas": "0-1",
}

@contextmanager
def _engine_errors(action: str) -> Iterator[None]:
    """Every client failure leaves this module as a SearchError (the port's one error)."""
    try:
        yield
    except SearchError:
        raise
    except NotFoundError as exc:
        if exc.error == "index_not_found_exception":  # deleted behind our back
            raise IndexMissing(f"elasticsearch {action}: {exc}") from exc
        raise SearchError(f"elasticsearch {action}: {exc}") from exc
    except BulkIndexError as exc:
        first = exc.errors[0] if exc.errors else {}
        raise SearchError(f"elasticsearch {action}: {len(exc.errors)} pages failed, first: {first}") from exc
    except (ApiError, TransportError) as exc:
        raise SearchError(f"elasticsearch {action}: {exc}") from exc


class ElasticsearchIndex:
    """SearchIndex on an Elasticsearch 8 cluster; the client is made on first use."""

    def __init__(self, url: str | Sequence[str], prefix: str = "archive", *,
                 request_timeout: float = REQUEST_TIMEOUT, max_retries: int = MAX_RETRIES,
                 replicas: int | None = None) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", prefix):
            raise ValueError(f"index prefix {prefix!r}: lowercase letters, digits, '_', '.', '-'")
        # "http://es1:9200,http://es2:9200" (as ARCHIVE_TEST_ELASTICSEARCH_URL holds for a cluster) is every node
        self.nodes = list(split_nodes(url) if isinstance(url, str) else url)
        if not self.nodes:
            raise ValueError("elasticsearch: no node URL")
        self.url = self.nodes[0]
        self.prefix = prefix
        self.alias = f"{prefix}-pages"
        self._timeout = request_timeout
        self._retries = max_retries
        self.replicas = replicas  # None: auto_expand_replicas 0-1
        self._client: Elasticsearch | None = None
        self._ready = False

    @classmethod
    def from_url(cls, url: str) -> "ElasticsearchIndex":
        """`http://es1:9200,http://es2:9200?prefix=xyz&replicas=1&timeout=10&retries=3`: the nodes
        (comma-separated), the index prefix, replicas (default `auto`: min(1, data nodes - 1)),
        seconds per request and retries per request (search.elasticsearch_client)."""
        o = ClientOptions.from_url(url)
        return cls(o.nodes, prefix=o.prefix, request_timeout=o.request_timeout, max_retries=o.max_retries,
                   replicas=o.replicas)

    @property
    def client(self) -> Elasticsearch:
        if self._client is None:
            self._client = make_client(ClientOptions(tuple(self.nodes), self.prefix, self._timeout, self._retries,
                                                     self.replicas))
        return self._client

    def _retrying(self, call: Callable[[], _T]) -> _T:
        return retrying(call, self._retries)

    def _index_settings(self) -> dict[str, Any]:
        if self.replicas is None:
            return SETTINGS
        return {"number_of_shards": SETTINGS["number_of_shards"], "number_of_replicas": self.replicas}

    # -- index lifecycle -------------------------------------------------------
    def _concrete_indices(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def _versioned(self, generation: int) -> str:
        return f"{self.alias}-v{generation}"

    def _generations(self) -> list[int]:
        """Generations of `<alias>-v<N>` indices that exist, alias or not."""
        found = self.client.indices.get(index=f"{self.alias}-v*", expand_wildcards="open,closed").body
        pattern = re.compile(re.escape(self.alias) + r"-v(\d+)")
        return sorted(int(m.group(1)) for name in found if (m := pattern.fullmatch(name)))

    def _create(self, name: str, *, alias: bool) -> None:
        body: dict[str, Any] = {"settings": self._index_settings(), "mappings": MAPPING}
        if alias:
            body["aliases"] = {self.alias: {}}
        self.client.indices.create(index=name, **body)

    def _live_indices(self) -> list[str]:
        """The indices behind the alias, creating an empty first generation if there is none.
        Never looks at their mapping: a rebuild must work over an outdated index."""
        indices = self._concrete_indices()
        if not indices:
            generations = self._generations()  # a crashed rebuild may have left -v<N> without the alias
            try:
                self._create(self._versioned((generations[-1] if generations else 0) + 1), alias=True)
            except ApiError as exc:
                # Another process created it first, alias and all.
                if exc.error != "resource_already_exists_exception":
                    raise
            indices = self._concrete_indices()
        return indices

    def _ensure(self) -> None:
        if self._ready:
            return
        with _engine_errors("open index"):
            for name in self._live_indices():
                meta = self.client.indices.get_mapping(index=name).body[name]["mappings"].get("_meta", {})
                if meta.get("schema_version") != SCHEMA_VERSION:
                    raise IndexSchemaOutdated(
                        f"index {name} has mapping version {meta.get('schema_version')}, "
                        f"need {SCHEMA_VERSION}; run `archive reindex`"
                    )
        self._ready = True

    def rebuild(self) -> "ElasticsearchRebuild":
        """A fresh `-v<N+1>` beside the live index; its commit swaps the alias to it.

        The live index (whatever its mapping version: it is not checked) keeps answering
        searches and taking writes through the alias until then.
        """
        with _engine_errors("rebuild"):
            self._live_indices()  # so that searches meanwhile find an index behind the alias
            generations = self._generations()
            new = self._versioned((generations[-1] if generations else 0) + 1)
            try:
                self._create(new, alias=False)
            except ApiError as exc:
                if exc.error == "resource_already_exists_exception":
                    raise SearchError(f"elasticsearch rebuild: {new} exists; is another rebuild running?") from exc
                raise
        return ElasticsearchRebuild(self, new)

    def swap_alias(self, target: str) -> None:
        """Point the alias at `target` only, in one request, then drop the indices it left."""
        self._drop_older(target, self._point_alias(target))

    def _point_alias(self, target: str) -> list[str]:
        """The atomic switch: the alias leaves every other index for `target`; returns those."""
        with _engine_errors("swap alias"):
            old = [name for name in self._concrete_indices() if name != target]
            actions: list[dict[str, Any]] = [{"add": {"index": target, "alias": self.alias}}]
            actions += [{"remove": {"index": name, "alias": self.alias}} for name in old]
            self.client.indices.update_aliases(actions=actions)
        self._ready = False  # check the new index's mapping on next use, like any other
        return old

    def _drop_older(self, target: str, old: list[str]) -> None:
        """Delete the indices the alias left and any older generation without the alias (left
        by a rebuild that crashed). Searches already read the new index, so none of them waits."""
        with _engine_errors("drop old generations"):
            number = int(target.rsplit("-v", 1)[1])
            stale = [self._versioned(g) for g in self._generations() if g < number]
            for name in dict.fromkeys(old + stale):
                self.client.indices.delete(index=name, ignore_unavailable=True)

    def drop(self) -> None:
        """Delete every index of this prefix (tests; or before re-creating from scratch)."""
        with _engine_errors("drop"):
            names = [self._versioned(g) for g in self._generations()]
            if names:
                self.client.indices.delete(index=",".join(names), ignore_unavailable=True)
        self._ready = False

    # -- writing ---------------------------------------------------------------
    _source = staticmethod(source)  # what each page or record is sent as (search.elasticsearch_docs)

    def _bulk(self, index: str, actions: Iterable[dict[str, Any]], **kwargs: Any) -> int:
        """Send the actions in chunks; items the cluster rejected for now (429, or 502/503/504
        while a primary moves) are sent again after a pause, up to the retry bound."""
        done = 0
        client = self.client.options(request_timeout=BULK_TIMEOUT)
        for ok, _item in streaming_bulk(client, actions, index=index, chunk_size=BULK_CHUNK,
                                        raise_on_error=True, max_retries=self._retries,
                                        retry_on_status=(429, *RETRY_STATUS),
                                        initial_backoff=BACKOFF_SECONDS[0], max_backoff=BACKOFF_SECONDS[-1],
                                        **kwargs):
            done += bool(ok)
        return done

    def _refresh(self, index: str) -> None:
        self._retrying(lambda: self.client.options(request_timeout=BULK_TIMEOUT).indices.refresh(index=index))

    def upsert(self, docs: Sequence[PageDoc | StaffDoc]) -> None:
        if not docs:
            return
        self._ensure()
        with _engine_errors("upsert"):
            # require_alias: if the alias vanished, fail rather than auto-create a concrete
            # index of that name with a guessed mapping.
            self._bulk(self.alias, ({"_op_type": "index", "_id": d.id, "_source": self._source(d)}
                                    for d in docs), require_alias=True)
            # Visible to search when we return. One refresh per call, not refresh=wait_for on
            # every bulk chunk: that waited up to a refresh interval (1 s) per 500 pages.
            self._refresh(self.alias)

    def delete_documents(self, document_ids: Sequence[int]) -> None:
        """Find the pages' ids, then bulk-delete them.

        Not _delete_by_query: that lives in ES's `reindex` module, which a cluster may lack
        (the test distribution has none), while search and bulk are in every node's core.
        """
        if not document_ids:
            return
        self._ensure()
        query = {"terms": {"document_id": [int(i) for i in document_ids]}}
        with _engine_errors("delete"):
            hits = scan(self.client, index=self.alias, query={"query": query}, _source=False,
                        size=BULK_CHUNK, preserve_order=False)
            # 404: a concurrent delete got there first, which is the outcome we want.
            self._bulk(self.alias, ({"_op_type": "delete", "_id": h["_id"]} for h in hits),
                       refresh="wait_for", require_alias=True, ignore_status=(404,))

    def clear(self) -> None:
        """An empty generation behind the alias: instant, and needs no delete-by-query."""
        with self.rebuild():
            pass

    # -- reading ---------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResult:
        plan = plan_search(query)
        self._ensure()
        with _engine_errors("search"):
            # No partial answers: a shard copy lost with its node must not quietly drop pages
            # from the hits; the request is retried (on the promoted copy) or fails.
            resp = self._retrying(lambda: self.client.search(
                index=self.alias, allow_partial_search_results=False, **search_body(plan)).body)
        hits = []
        for h in resp["hits"]["hits"]:
            src = h["_source"]
            hits.append(SearchHit(
                document_id=int(src["document_id"]), page=int(src["page"]), score=float(h["_score"] or 0.0),
                staff_code=src["staff_code"], staff_name=src["staff_name"], status=src["status"],
                unit=src["unit"], document_type=src["document_type"],
                snippet=excerpt(src["text"], plan.highlight_terms),
            ))
        facets = {
            f: {b["key"]: int(b["doc_count"]) for b in resp.get("aggregations", {}).get(f, {}).get("buckets", [])}
            for f in plan.facets
        }
        return SearchResult(total=int(resp["hits"]["total"]["value"]), hits=hits, facets=facets)

    def search_people(self, query: SearchQuery, *, pages_per_person: int = PAGES_PER_PERSON,
                      records_only: bool = False) -> PeopleResult:
        plan = plan_people(query, pages_per_person=pages_per_person, records_only=records_only)
        self._ensure()
        with _engine_errors("search"):
            resp = self._retrying(lambda: self.client.search(
                index=self.alias, allow_partial_search_results=False, **people_body(plan)).body)

            def pages(codes: list[str]) -> dict[str, Any]:
                return self._retrying(lambda: self.client.search(
                    index=self.alias, allow_partial_search_results=False, **pages_body(plan, codes)).body)

            return people_result(resp, plan, pages)

    def count(self) -> int:
        self._ensure()
        pages = {"bool": {"must_not": [{"term": {KIND_FIELD: RECORD_KIND}}]}}
        with _engine_errors("count"):
            return int(self._retrying(lambda: self.client.count(index=self.alias, query=pages).body)["count"])

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class ElasticsearchRebuild(IndexRebuild):
    """A new concrete index filled beside the live one; see SearchIndex.rebuild."""

    def __init__(self, index: ElasticsearchIndex, name: str) -> None:
        self._index = index
        self.name = name  # the concrete index being filled, `<alias>-v<N>`
        self._state = "open"

    def _require_open(self) -> None:
        if self._state != "open":
            raise SearchError(f"rebuild of {self.name} is already {self._state}")

    def upsert(self, docs: Sequence[PageDoc | StaffDoc]) -> None:
        self._require_open()
        if not docs:
            return
        ix = self._index
        with _engine_errors("rebuild upsert"):
            ix._bulk(self.name, ({"_op_type": "index", "_index": self.name, "_id": d.id, "_source": ix._source(d)}
                                 for d in docs))

    def commit(self) -> None:
        if self._state == "committed":
            return
        self._require_open()
        try:
            with _engine_errors("rebuild commit"):
                self._index._refresh(self.name)
            old = self._index._point_alias(self.name)
        except BaseException:
            try:
                self.abort()
            except SearchError:
                pass  # the commit's own error is the one to report
            raise
        self._state = "committed"
        self._index._drop_older(self.name, old)

    def abort(self) -> None:
        if self._state != "open":
            return
        self._state = "aborted"
        with _engine_errors("rebuild abort"):
            if self.name in self._index._concrete_indices():  # a swap that reported an error yet happened
                return
            self._index.client.indices.delete(index=self.name, ignore_unavailable=True)
