"""A SearchPlan as an Elasticsearch 8 search body; no decisions of its own (those are in search.plan).

Required clauses go in `must`, every boost in `should` (with a `must` present, `should` only
adds score), keyword filters, scope and ranges in `filter` (no score). The derived token fields
hold space-joined tokens under the `whitespace` analyser, so a clause's tokens are sent joined.
"""

from __future__ import annotations

from typing import Any

from search.plan import SCOPE_FIELD, FACET_SIZE, FieldMatch, IntRange, KeywordFilter, SearchPlan


def _match(match: FieldMatch, boost: float = 1.0) -> dict[str, Any]:
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


def search_body(plan: SearchPlan) -> dict[str, Any]:
    """The body of one `_search` request: hits, exact total, and the plan's facets as aggs."""
    must = [_match(c.match) for c in plan.clauses]
    should = [_match(b.match, b.weight) for c in plan.clauses for b in c.boosts]
    filters = [_terms(f) for f in plan.filters]
    if plan.scope is not None:
        # An empty scope sees nothing: match no page, never drop the filter.
        filters.append(_terms(KeywordFilter(SCOPE_FIELD, plan.scope)) if plan.scope else {"match_none": {}})
    filters += [_range(r) for r in plan.ranges]
    body: dict[str, Any] = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "should": should, "filter": filters}},
        "from": plan.offset,
        "size": plan.limit,
        "track_total_hits": True,
    }
    if plan.facets:
        body["aggs"] = {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in plan.facets}
    return body
