"""Elasticsearch 8.x adapter — the production search index (http://host:9200?prefix=archive).

Pages live in a versioned concrete index, `<prefix>-pages-v<N>`, behind the alias
`<prefix>-pages`; every read and write goes through the alias, so `rebuild()` can fill
`-v<N+1>` beside the live index and swap the alias in one atomic request.

No analysis plugin is needed, nor is one installed on the test distribution: Python cuts
and folds the text (search.vietnamese) and the index receives space-joined tokens, which the
built-in `whitespace` analyzer splits back unchanged. ES's `standard` analyzer would not do:
it keeps "12.03.2015", "U.B.N.D" or "số_3" whole where our tokenizer (and tantivy's) cuts
them, and then the same query would find different pages on different engines.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.helpers import BulkIndexError, scan, streaming_bulk

from search.highlight import snippet
from search.port import FILTER_FIELDS, IndexSchemaOutdated, PageDoc, SearchError, SearchHit, SearchQuery, SearchResult
from search.query_syntax import Clause, parse_query
from search.vietnamese import folded_tokens, nfc, tokens

# Bump when the mapping changes: an alias over an older mapping must be rebuilt from the DB.
SCHEMA_VERSION = 4  # 4: tokens from the shared tantivy analyzers (ß → ss, ø → o, ² → 2 …)
# The same weights as the tantivy adapter, so that both rank alike.
EXACT_BOOST = 2.0  # exact-diacritic matches outrank folded-only ones
NAME_BOOST = 1.5   # a hit in the staff member's name outranks one in body text
FACET_SIZE = 1000
BULK_CHUNK = 500
# Derived token fields are searched, never shown: keep them out of _source.
_DERIVED = ("all_folded", "text_exact", "staff_name_exact", "staff_name_folded")
FIELD_GAP = "¶"  # as in the tantivy adapter: between name and text, never a query token

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
        # folded name + FIELD_GAP + folded text: every clause must match this one field;
        # name and exact-diacritic matches only add score (same shape as the tantivy adapter)
        "all_folded": _TOKENS,
        "staff_name_exact": _TOKENS,
        "staff_name_folded": _TOKENS,
        # scope_units holds an array; a keyword field takes one value or many alike.
        **{name: {"type": "keyword"} for name in FILTER_FIELDS},
        "birth_date": {"type": "keyword"},
        "restriction": {"type": "integer"},
        "birth_year": {"type": "integer"},  # null when unknown: no value, out of every range
    },
}
SETTINGS: dict[str, Any] = {
    # One shard: BM25 statistics are then exact, and ranking does not vary with routing.
    "number_of_shards": 1,
    "number_of_replicas": 0,
}


@contextmanager
def _engine_errors(action: str) -> Iterator[None]:
    """Every client failure leaves this module as a SearchError (the port's one error)."""
    try:
        yield
    except SearchError:
        raise
    except BulkIndexError as exc:
        first = exc.errors[0] if exc.errors else {}
        raise SearchError(f"elasticsearch {action}: {len(exc.errors)} pages failed, first: {first}") from exc
    except (ApiError, TransportError) as exc:
        raise SearchError(f"elasticsearch {action}: {exc}") from exc


def _joined(words: Iterable[str]) -> str:
    return " ".join(words)


def _unit_codes(codes: Iterable[str]) -> list[str]:
    """NFC unit codes, blanks and repeats dropped (as the tantivy adapter does)."""
    return list(dict.fromkeys(c for c in (nfc(code) for code in codes) if c))


class ElasticsearchIndex:
    """SearchIndex on an Elasticsearch 8 cluster; the client is made on first use."""

    def __init__(self, url: str, prefix: str = "archive", *, request_timeout: float = 30.0) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", prefix):
            raise ValueError(f"index prefix {prefix!r}: lowercase letters, digits, '_', '.', '-'")
        self.url = url
        self.prefix = prefix
        self.alias = f"{prefix}-pages"
        self._timeout = request_timeout
        self._client: Elasticsearch | None = None
        self._ready = False

    @classmethod
    def from_url(cls, url: str) -> "ElasticsearchIndex":
        """`http://es:9200?prefix=xyz` → the node URL without the query, prefix `xyz`."""
        parts = urlsplit(url)
        params = dict(parse_qsl(parts.query))
        prefix = params.pop("prefix", "archive")
        node = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), ""))
        return cls(node, prefix=prefix)

    @property
    def client(self) -> Elasticsearch:
        if self._client is None:
            self._client = Elasticsearch(self.url, request_timeout=self._timeout)
        return self._client

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
        body: dict[str, Any] = {"settings": SETTINGS, "mappings": MAPPING}
        if alias:
            body["aliases"] = {self.alias: {}}
        self.client.indices.create(index=name, **body)

    def _ensure(self) -> None:
        if self._ready:
            return
        with _engine_errors("open index"):
            indices = self._concrete_indices()
            if not indices:
                try:
                    self._create(self._versioned(1), alias=True)
                except ApiError as exc:
                    # Another process created it first, alias and all.
                    if exc.error != "resource_already_exists_exception":
                        raise
                indices = self._concrete_indices()
            for name in indices:
                meta = self.client.indices.get_mapping(index=name).body[name]["mappings"].get("_meta", {})
                if meta.get("schema_version") != SCHEMA_VERSION:
                    raise IndexSchemaOutdated(
                        f"index {name} has mapping version {meta.get('schema_version')}, "
                        f"need {SCHEMA_VERSION}; run `archive reindex --rebuild`"
                    )
        self._ready = True

    def rebuild(self, docs: Iterable[PageDoc]) -> int:
        """Index every page into a fresh `-v<N+1>`, then point the alias at it atomically.

        Searches keep answering from the old index until the swap. Pages upserted into the
        old index meanwhile are not copied: callers pause indexing, or re-upsert after.
        Returns the number of pages indexed.
        """
        with _engine_errors("rebuild"):
            generations = self._generations()
            new = self._versioned((generations[-1] if generations else 0) + 1)
            self._create(new, alias=False)
            try:
                indexed = self._bulk(new, ({"_op_type": "index", "_index": new, "_id": d.id,
                                            "_source": self._source(d)} for d in docs))
                self.client.indices.refresh(index=new)
                self.swap_alias(new)
            except BaseException:
                self.client.indices.delete(index=new, ignore_unavailable=True)
                raise
        self._ready = True
        return indexed

    def swap_alias(self, target: str) -> None:
        """Point the alias at `target` only, in one request, and drop the indices it left."""
        with _engine_errors("swap alias"):
            old = [name for name in self._concrete_indices() if name != target]
            actions: list[dict[str, Any]] = [{"add": {"index": target, "alias": self.alias}}]
            actions += [{"remove": {"index": name, "alias": self.alias}} for name in old]
            self.client.indices.update_aliases(actions=actions)
            for name in old:
                self.client.indices.delete(index=name, ignore_unavailable=True)

    def drop(self) -> None:
        """Delete every index of this prefix (tests; or before re-creating from scratch)."""
        with _engine_errors("drop"):
            names = [self._versioned(g) for g in self._generations()]
            if names:
                self.client.indices.delete(index=",".join(names), ignore_unavailable=True)
        self._ready = False

    # -- writing ---------------------------------------------------------------
    @staticmethod
    def _source(d: PageDoc) -> dict[str, Any]:
        text, name = nfc(d.text), nfc(d.staff_name)
        return {
            "document_id": d.document_id,
            "page": d.page,
            "text": text,
            "staff_name": name,
            "text_exact": _joined(tokens(text)),
            "all_folded": f"{_joined(folded_tokens(name))} {FIELD_GAP} {_joined(folded_tokens(text))}",
            "staff_name_exact": _joined(tokens(name)),
            "staff_name_folded": _joined(folded_tokens(name)),
            "staff_code": nfc(d.staff_code),
            "status": nfc(d.status),
            "unit": nfc(d.unit),
            "document_type": nfc(d.document_type),
            "birth_date": d.birth_date,
            "grade": nfc(d.grade),
            "scope_units": _unit_codes(d.scope_units),
            "restriction": int(d.restriction),
            "birth_year": None if d.birth_year is None else int(d.birth_year),
        }

    def _bulk(self, index: str, actions: Iterable[dict[str, Any]], **kwargs: Any) -> int:
        done = 0
        for ok, _item in streaming_bulk(self.client, actions, index=index, chunk_size=BULK_CHUNK,
                                        raise_on_error=True, **kwargs):
            done += bool(ok)
        return done

    def upsert(self, docs: Sequence[PageDoc]) -> None:
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
            self.client.indices.refresh(index=self.alias)

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
        self.rebuild(())

    # -- reading ---------------------------------------------------------------
    @staticmethod
    def _clause_queries(clause: Clause) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The required match of one word or phrase, and the optional boosts that rank it."""
        def on(field: str, words: tuple[str, ...], boost: float = 1.0) -> dict[str, Any]:
            kind = "match_phrase" if len(words) > 1 else "match"
            return {kind: {field: {"query": _joined(words), "boost": boost}}}

        boosts = [on("staff_name_folded", clause.folded, NAME_BOOST)]
        if clause.has_marks:  # without marks typed, "exact" would only favour pages that lost theirs
            boosts += [on("text_exact", clause.exact, EXACT_BOOST),
                       on("staff_name_exact", clause.exact, EXACT_BOOST * NAME_BOOST)]
        return on("all_folded", clause.folded), boosts

    @staticmethod
    def _filters(filters: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
        out = []
        for name, values in filters.items():
            if name not in FILTER_FIELDS:
                raise SearchError(f"cannot filter on {name!r}")
            if values:
                out.append({"terms": {name: [nfc(v) for v in values]}})
        return out

    @staticmethod
    def _access_filters(query: SearchQuery) -> list[dict[str, Any]]:
        """Scope, restriction and birth-year limits, as filters: they never change a score."""
        out: list[dict[str, Any]] = []
        if query.scope_units is not None:
            scope = _unit_codes(query.scope_units)
            # An empty scope sees nothing: match no page, never drop the filter.
            out.append({"terms": {"scope_units": scope}} if scope else {"match_none": {}})
        if query.max_restriction is not None:
            out.append({"range": {"restriction": {"lte": int(query.max_restriction)}}})
        if query.birth_year_from is not None or query.birth_year_to is not None:
            years: dict[str, int] = {}
            if query.birth_year_from is not None:
                years["gte"] = int(query.birth_year_from)
            if query.birth_year_to is not None:
                years["lte"] = int(query.birth_year_to)
            out.append({"range": {"birth_year": years}})
        return out

    def search(self, query: SearchQuery) -> SearchResult:
        for name in query.facets:
            if name not in FILTER_FIELDS:
                raise SearchError(f"cannot facet on {name!r}")
        parsed = parse_query(query.text)
        must: list[dict[str, Any]] = []
        should: list[dict[str, Any]] = []
        for clause in parsed.clauses:
            required, boosts = self._clause_queries(clause)
            must.append(required)
            should += boosts
        filters = self._filters(query.filters) + self._access_filters(query)
        body: dict[str, Any] = {
            "query": {"bool": {"must": must or [{"match_all": {}}], "should": should, "filter": filters}},
            "from": max(query.offset, 0),
            "size": max(query.limit, 0),
            "track_total_hits": True,
        }
        if query.facets:
            body["aggs"] = {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in query.facets}
        self._ensure()
        with _engine_errors("search"):
            resp = self.client.search(index=self.alias, **body).body
        hits = []
        for h in resp["hits"]["hits"]:
            src = h["_source"]
            hits.append(SearchHit(
                document_id=int(src["document_id"]), page=int(src["page"]), score=float(h["_score"] or 0.0),
                staff_code=src["staff_code"], staff_name=src["staff_name"], status=src["status"],
                unit=src["unit"], document_type=src["document_type"],
                snippet=snippet(src["text"], parsed.folded_terms),
            ))
        facets = {
            f: {b["key"]: int(b["doc_count"]) for b in resp.get("aggregations", {}).get(f, {}).get("buckets", [])}
            for f in query.facets
        }
        return SearchResult(total=int(resp["hits"]["total"]["value"]), hits=hits, facets=facets)

    def count(self) -> int:
        self._ensure()
        with _engine_errors("count"):
            return int(self.client.count(index=self.alias).body["count"])

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
