"""A people search (one hit per person) on Elasticsearch 8, from a PeoplePlan; no decisions of its own.

Two requests. The first is the plan's query collapsed on the staff code (from/size then page
over people, each represented by their best document — or their first by the sort key), with
people counted by `cardinality` on the staff code in total and under each facet value (with
status faceted, the total is the sum of its buckets: search.people.total_from_facets). The
precision threshold is Elasticsearch's default, 3,000: counts are exact below it (but for hash
collisions), so well past plan.EXACT_PEOPLE_DOCS, and estimated beyond, as on tantivy — 40,000
(the maximum) doubled the young-generation garbage of a people search for counts nobody reads
exactly. The second asks the same query narrowed to the people of that page: a terms aggregation on their codes gives
each one's matching documents by kind (pages, and whether the record matched) and, through a
`top_hits` on their pages, their best pages by score. (Inner hits of the collapse would give
the same, at one search per person: four times slower.)
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from search.elasticsearch_query import query_body, sort_body
from search.people import TOTAL_FACET, page_match, person_hit, total_from_facets
from search.plan import (
    EXACT_PEOPLE_DOCS, FACET_SIZE, KIND_FIELD, PAGE_KIND, PERSON_FIELD, RECORD_KIND, PeoplePlan, SearchPlan,
)
from search.port import PeopleResult, PersonHit

PRECISION = 3_000  # Elasticsearch's default; counts below it are exact but for hash collisions
_PAGE_SOURCE = ["document_id", "page", "document_type", "text", KIND_FIELD]
_PERSON_SOURCE = ["staff_code", "staff_name", "status", "unit", "birth_date", "grade", "category", "status_date",
                  KIND_FIELD]


def _people_aggs(plan: SearchPlan) -> dict[str, Any]:
    people = {"cardinality": {"field": PERSON_FIELD, "precision_threshold": PRECISION}}
    aggs: dict[str, Any] = {} if TOTAL_FACET in plan.facets else {"_people": people}
    for f in plan.facets:
        aggs[f] = {"terms": {"field": f, "size": FACET_SIZE}, "aggs": {"people": people}}
    return aggs


def people_body(plan: PeoplePlan) -> dict[str, Any]:
    base = plan.base
    body: dict[str, Any] = {"query": query_body(base), "from": base.offset, "size": base.limit,
                            "track_total_hits": True, "_source": _PERSON_SOURCE}
    if (sort := sort_body(base)) is not None:
        body["sort"] = sort
    if plan.records_only:
        if base.facets:
            body["aggs"] = {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in base.facets}
        return body
    body["collapse"] = {"field": PERSON_FIELD}
    body["aggs"] = _people_aggs(base)
    return body


def pages_body(plan: PeoplePlan, codes: list[str]) -> dict[str, Any]:
    """The second request: each listed person's matching documents by kind, and best pages."""
    narrowed = plan.pages_of(tuple(codes), 0)
    query = query_body(replace(narrowed, kinds="both"))
    per_person: dict[str, Any] = {"kinds": {"terms": {"field": KIND_FIELD}}}
    if plan.pages_per_person:
        per_person["pages"] = {"filter": {"term": {KIND_FIELD: PAGE_KIND}}, "aggs": {"best": {"top_hits": {
            "size": plan.pages_per_person, "_source": _PAGE_SOURCE}}}}
    return {"query": query, "size": 0, "track_total_hits": False,
            "aggs": {"people": {"terms": {"field": PERSON_FIELD, "size": len(codes)}, "aggs": per_person}}}


def _fields(src: dict[str, Any]) -> dict[str, str]:
    return {"staff_code": src.get("staff_code", ""), "full_name": src.get("staff_name", ""),
            **{f: src.get(f) or "" for f in ("status", "unit", "birth_date", "grade", "category", "status_date")}}


def _person(hit: dict[str, Any], plan: PeoplePlan, scored: bool, about: dict[str, Any]) -> PersonHit:
    """A collapsed hit, with what the second request says of that person (`about`: a bucket)."""
    kinds = {b["key"]: int(b["doc_count"]) for b in about.get("kinds", {}).get("buckets", [])}
    best = about.get("pages", {}).get("best", {}).get("hits", {}).get("hits", [])
    matched = [page_match(h["_source"]["document_id"], h["_source"]["page"], h.get("_score") or 0.0,
                          h["_source"].get("document_type", ""), h["_source"].get("text", ""),
                          plan.base.highlight_terms) for h in best]
    return person_hit(_fields(hit["_source"]), score=(hit.get("_score") or 0.0) if scored else 0.0,
                      match_count=kinds.get(PAGE_KIND, 0), record_matched=kinds.get(RECORD_KIND, 0) > 0,
                      matched=matched)


def people_result(resp: dict[str, Any], plan: PeoplePlan,
                  pages: Callable[[list[str]], dict[str, Any]] | None = None) -> PeopleResult:
    """`pages(codes)` runs the second request (pages_body) and returns its response."""
    base = plan.base
    scored = base.sort is None
    documents = int(resp["hits"]["total"]["value"])
    aggs = resp.get("aggregations", {})
    if plan.records_only:
        hits = [person_hit(_fields(h["_source"]), score=(h.get("_score") or 0.0) if scored else 0.0, match_count=0,
                           record_matched=True, matched=()) for h in resp["hits"]["hits"]]
        facets = {f: {b["key"]: int(b["doc_count"]) for b in aggs.get(f, {}).get("buckets", [])} for f in base.facets}
        return PeopleResult(total=documents, hits=hits, facets=facets, exact=True)
    if documents == 0:
        return PeopleResult(total=0, hits=[], facets={f: {} for f in base.facets})
    codes = [h["_source"]["staff_code"] for h in resp["hits"]["hits"]]
    about: dict[str, Any] = {}
    if codes and pages is not None:
        about = {b["key"]: b for b in pages(codes)["aggregations"]["people"]["buckets"]}
    hits = [_person(h, plan, scored, about.get(code, {})) for h, code in zip(resp["hits"]["hits"], codes)]
    facets = {f: {b["key"]: int(b["people"]["value"]) for b in aggs.get(f, {}).get("buckets", [])
                  if int(b["people"]["value"])} for f in base.facets}
    total = total_from_facets(facets)
    if total is None:
        total = int(aggs["_people"]["value"])
    return PeopleResult(total=total, hits=hits, facets=facets,
                        exact=documents <= EXACT_PEOPLE_DOCS)
