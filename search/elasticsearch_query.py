"""A SearchPlan as an Elasticsearch 8 search body; no decisions of its own (those are in search.plan).

Required clauses go in `must`, every boost in `should` (with a `must` present, `should` only
adds score), keyword filters, scope, ranges and kinds in `filter` / `must_not` (no score). The
derived token fields hold space-joined tokens under the `whitespace` analyser, so a clause's
tokens are sent joined; typo and prefix matches are term-level queries on single tokens.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from search.plan import (
    FACET_SIZE, KIND_FIELD, RECORD_KIND, SCOPE_FIELD, FieldMatch, IntRange, KeywordFilter, RequiredClause, SearchPlan,
)

# Typos: as tantivy's fuzzy term query — every term within the distance, a swap costing one.
_MAX_EXPANSIONS = 1000


def _constant(query: dict[str, Any], weight: float) -> dict[str, Any]:
    return {"constant_score": {"filter": query, "boost": weight}}


def _match(match: FieldMatch, boost: float = 1.0) -> dict[str, Any]:
    token = match.tokens[0]
    if match.edits:
        return {"fuzzy": {match.field: {"value": token, "fuzziness": match.edits, "transpositions": True,
                                        "prefix_length": 0, "max_expansions": _MAX_EXPANSIONS, "boost": boost}}}
    if match.prefix:
        return {"prefix": {match.field: {"value": token, "boost": boost}}}
    kind = "match_phrase" if match.is_phrase else "match"
    return {kind: {match.field: {"query": " ".join(match.tokens), "boost": boost}}}


def _terms(f: KeywordFilter) -> dict[str, Any]:
    return {"terms": {f.field: list(f.values)}}


def _range(r: IntRange) -> dict[str, Any]:
    bounds: dict[str, int] = {}
    if r.lower is not None:
        bounds["gte"] = r.lower
    if r.upper is not None:
        bounds["lte"] = r.upper
    return {"range": {r.field: bounds}}


def _required(clause: RequiredClause) -> dict[str, Any]:
    must = _match(clause.match) if clause.weight is None else _constant(_match(clause.match), clause.weight)
    if clause.bridges:  # a phrase: on the page, or over its page break (search.page_bridge)
        must = {"bool": {"should": [must, *(_match(b) for b in clause.bridges)], "minimum_should_match": 1}}
    if not clause.alternatives:
        return must
    either = [must] + [_constant(_match(a.match), a.weight) for a in clause.alternatives]
    return {"bool": {"should": either, "minimum_should_match": 1}}


def query_body(plan: SearchPlan) -> dict[str, Any]:
    """The plan's `query`: required words, boosts, filters, scope, ranges and kinds; with typo
    clauses, the exact way or the records' typo way, whichever scores better (dis_max)."""
    if plan.typo_clauses:
        typos = replace(plan, clauses=plan.typo_clauses, typo_clauses=(), kinds="records")
        return {"dis_max": {"queries": [query_body(replace(plan, typo_clauses=())), query_body(typos)]}}
    must = [_required(c) for c in plan.clauses]
    should = [_match(b.match, b.weight) for c in plan.clauses for b in c.boosts]
    should += [_match(b.match, b.weight) for b in plan.boosts]
    if plan.any_clause and len(must) > 1:  # suggestions: one word is enough
        must = [{"bool": {"should": must, "minimum_should_match": 1}}]
    filters = [_terms(f) for f in plan.filters]
    if plan.scope is not None:
        # An empty scope sees nothing: match no page, never drop the filter.
        filters.append(_terms(KeywordFilter(SCOPE_FIELD, plan.scope)) if plan.scope else {"match_none": {}})
    filters += [_range(r) for r in plan.ranges]
    must_not: list[dict[str, Any]] = []
    record = {"term": {KIND_FIELD: RECORD_KIND}}
    if plan.kinds == "pages":
        must_not.append(record)
    elif plan.kinds == "records":
        filters.append(record)
    return {"bool": {"must": must or [{"match_all": {}}], "should": should, "filter": filters, "must_not": must_not}}


def sort_body(plan: SearchPlan) -> list[dict[str, Any]] | None:
    if plan.sort is None:
        return None
    return [{plan.sort.field: {"order": "desc" if plan.sort.descending else "asc"}}]


def search_body(plan: SearchPlan) -> dict[str, Any]:
    """The body of one `_search` request: hits, exact total, and the plan's facets as aggs."""
    body: dict[str, Any] = {
        "query": query_body(plan),
        "from": plan.offset,
        "size": plan.limit,
        "track_total_hits": True,
    }
    if (sort := sort_body(plan)) is not None:
        body["sort"] = sort
    if plan.facets:
        body["aggs"] = {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in plan.facets}
    return body
