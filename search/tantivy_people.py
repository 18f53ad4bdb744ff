"""A people search (one hit per person) on tantivy, from a PeoplePlan; no decisions of its own.

tantivy has no collapse, so people are taken from the top documents in order: the ranked
query's best K documents, their `person` fast field read in one call (no document loaded),
distinct persons in the order they first appear — which is the order of their best score
(or of the sort key all their documents share). K grows until the page of people is full or
every match was seen. Then, for the people of that page only: one aggregation counts their
matching pages and tells whether their record matched; their best pages are those among the
top documents, or one query over those of the people whose pages were cut off there.

People are counted with a terms aggregation over `person` (exact) while at most
plan.EXACT_PEOPLE_DOCS documents match, with tantivy's cardinality (HyperLogLog) beyond.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import tantivy

from search.tantivy_beside import beside

from search.plan import EXACT_PEOPLE_DOCS, FACET_SIZE, KIND_FIELD, PAGE_KIND, RECORD_KIND, PeoplePlan, SearchPlan
from search.people import TOTAL_FACET, Person, Seen, group_in_order, page_match, person_hit, total_from_facets
from search.port import PeopleResult
from search.tantivy_query import queries

_MUST, _SHOULD, _MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot
PERSON = "person"
_FIRST_K = 64   # documents read for the first page of people, at least
_GROWTH = 4
_DEPTH = 8  # the first read holds each person's record and best pages this many times over
_DEEP_READ = 1_000  # ... up to this many documents (twice over beyond)
_TYPO_RECORDS = 256  # records the typo way may match and still stand in for it (see _people_queries)


def run(searcher: tantivy.Searcher, query: tantivy.Query, plan: SearchPlan, *, limit: int,
        offset: int = 0) -> Any:
    """searcher.search by score, or by the plan's sort key (hits then carry the key, not a score)."""
    if plan.sort is None:
        return searcher.search(query, limit=max(limit, 1), count=True, offset=offset)
    order = tantivy.Order.Desc if plan.sort.descending else tantivy.Order.Asc
    return searcher.search(query, limit=max(limit, 1), count=True, offset=offset, order_by_field=plan.sort.field,
                           order=order)


def _fields(doc: tantivy.Document) -> dict[str, str]:
    def one(name: str) -> str:
        values = doc.get_all(name)
        return str(values[0]) if values else ""

    return {"staff_code": one("staff_code"), "full_name": one("staff_name_exact"), "status": one("status"),
            "unit": one("unit"), "birth_date": one("birth_date"), "grade": one("grade"), "category": one("category"),
            "status_date": one("status_date")}


def _in(schema: tantivy.Schema, keys: list[int]) -> tantivy.Query:
    """Documents of these persons, adding nothing to the score of the query it narrows (a page's
    score among its person's best pages is its score in the search, as on Elasticsearch, where
    this is a filter; with 1.0 here, pages found by _pages_query scored one point too high)."""
    terms = [tantivy.Query.term_query(schema, PERSON, k) for k in keys]
    return tantivy.Query.const_score_query(tantivy.Query.boolean_query([(_SHOULD, t) for t in terms]), 0.0)


def _counts(searcher: tantivy.Searcher, matching: tantivy.Query, plan: SearchPlan,
            exact: bool) -> tuple[int, dict[str, dict[str, int]]]:
    """Distinct persons among the matching documents, in total and under each facet value."""
    distinct: dict[str, Any] = ({"terms": {"field": PERSON, "size": EXACT_PEOPLE_DOCS}} if exact
                                else {"cardinality": {"field": PERSON}})
    aggs: dict[str, Any] = {} if TOTAL_FACET in plan.facets else {"_people": distinct}
    for f in plan.facets:
        aggs[f] = {"terms": {"field": f, "size": FACET_SIZE}, "aggs": {"people": distinct}}
    result = searcher.aggregate(matching, aggs)

    def count(agg: dict[str, Any]) -> int:
        return len(agg.get("buckets", [])) if exact else int(round(agg.get("value") or 0))

    facets = {f: {b["key"]: count(b["people"]) for b in result.get(f, {}).get("buckets", []) if count(b["people"])}
              for f in plan.facets}
    total = total_from_facets(facets)
    if total is None:
        total = count(result.get("_people", {}))
    return total, facets


def _page_counts(searcher: tantivy.Searcher, schema: tantivy.Schema, matching: tantivy.Query,
                 keys: list[int]) -> dict[int, dict[str, int]]:
    """Each person's matching documents by kind (pages, record), in one small aggregation (the
    matching query narrowed to their `person` values: cheaper than a filter aggregation)."""
    query = tantivy.Query.boolean_query([(_MUST, matching), (_MUST, _in(schema, keys))])
    result = searcher.aggregate(query, {"p": {"terms": {"field": PERSON, "size": len(keys)},
                                              "aggs": {"k": {"terms": {"field": KIND_FIELD}}}}})
    return {b["key"]: {k["key"]: int(k["doc_count"]) for k in b["k"]["buckets"]} for b in result["p"]["buckets"]}


def _top_people(searcher: tantivy.Searcher, ranked: tantivy.Query, plan: SearchPlan, need: int,
                pages_per_person: int) -> tuple[dict[int, list[Seen]], int]:
    """Persons in order of their first document among the top hits, enough for `need` people.
    The first read is deep enough to hold each person's record and best pages _DEPTH times over,
    so that their best pages are usually among them and need no query of their own, and so that
    a person whose pages crowd the top seldom makes a second read: a read's cost is evaluating
    the query over every match, not how many hits it keeps, and a second read pays it again
    (at 1M pages, with twice over, 11 of 300 bench queries read twice, 25–40 ms each time)."""
    per_person = need * (pages_per_person + 1)
    # deep pages (offset up to 10,000) read at least twice over, not _DEPTH times: 240k hits to sort
    k = max(per_person * 2, min(per_person * _DEPTH, _DEEP_READ), _FIRST_K)
    while True:
        res = run(searcher, ranked, plan, limit=k)
        addresses = [a for _, a in res.hits]
        persons = searcher.fast_field_values(PERSON, addresses)
        document_ids = searcher.fast_field_values("document_id", addresses)
        scored = plan.sort is None
        order = group_in_order(
            (person, Seen(address, float(key) if scored else 0.0, document_id is None))
            for (key, address), person, document_id in zip(res.hits, persons, document_ids))
        if len(order) >= need or len(res.hits) >= res.count:
            return order, int(res.count)
        k *= _GROWTH


def _pages_query(schema: tantivy.Schema, ranked: tantivy.Query, keys: list[int]) -> tantivy.Query:
    return tantivy.Query.boolean_query([
        (_MUST, ranked), (_MUST, _in(schema, keys)),
        (_MUST_NOT, tantivy.Query.term_query(schema, KIND_FIELD, RECORD_KIND))])


def _best_pages(searcher: tantivy.Searcher, schema: tantivy.Schema, ranked: tantivy.Query, people: list[Person],
                n: int, *, sorted_: bool) -> dict[Any, list[Seen]]:
    """Each person's n best pages (by score): those among the top hits when they are all there in
    score order; for the others one query over their pages together, then one per person still
    short (a person whose pages crowd the others out of that query)."""
    best = {p.key: p.best_pages(n) for p in people}
    short = [p for p in people if p.match_count and (sorted_ or len(best[p.key]) < min(n, p.match_count))]
    if not short:
        return best
    res = searcher.search(_pages_query(schema, ranked, [p.key for p in short]), limit=len(short) * n * 4, count=False)
    addresses = [a for _, a in res.hits]
    together = group_in_order((person, Seen(a, float(score), False))
                              for (score, a), person in zip(res.hits, searcher.fast_field_values(PERSON, addresses)))
    for p in short:
        pages = together.get(p.key, [])[:n]
        if len(pages) < min(n, p.match_count):
            hits = searcher.search(_pages_query(schema, ranked, [p.key]), limit=n, count=False).hits
            pages = [Seen(a, float(score), False) for score, a in hits]
        best[p.key] = pages
    return best


def _people_queries(searcher: tantivy.Searcher, schema: tantivy.Schema,
                    base: SearchPlan) -> tuple[tantivy.Query, tantivy.Query]:
    """(ranked, matching) as tantivy_query.queries makes them, with the typo way run once here.

    A fuzzy term is expanded over the names' term dictionary each time a query holding it runs
    (~0.5 ms at 100k pages), and a people search runs four or five queries (top documents,
    people counts, their page counts, best pages). The typo way matches records only, and few
    of them (none at all for most topic queries), so they are found once and stand in for it:
    each record a constant score equal to its typo-way score. Same documents, same scores
    (dis_max of the same two values); with more than _TYPO_RECORDS of them, the typo way itself."""
    if not base.typo_clauses:
        return queries(schema, base)
    exact_ranked, exact_matching = queries(schema, replace(base, typo_clauses=()))
    typo_ranked, typo_matching = queries(schema, replace(base, clauses=base.typo_clauses, typo_clauses=(),
                                                         kinds="records"))
    found = searcher.search(typo_ranked, limit=_TYPO_RECORDS + 1, count=True)
    if found.count == 0:
        return exact_ranked, exact_matching
    if found.count <= _TYPO_RECORDS:
        record = tantivy.Query.term_query(schema, KIND_FIELD, RECORD_KIND, index_option="basic")
        persons = searcher.fast_field_values(PERSON, [a for _, a in found.hits])
        typo_matching = typo_ranked = tantivy.Query.boolean_query([
            (_SHOULD, tantivy.Query.const_score_query(tantivy.Query.boolean_query(
                [(_MUST, tantivy.Query.term_query(schema, PERSON, person)), (_MUST, record)]), float(score)))
            for (score, _), person in zip(found.hits, persons)])
    return (tantivy.Query.disjunction_max_query([exact_ranked, typo_ranked]),
            tantivy.Query.boolean_query([(_SHOULD, exact_matching), (_SHOULD, typo_matching)]))


class _Docs:
    """Stored documents loaded at most once per search (a person's representative is often one of
    the best pages already loaded for its snippet)."""

    def __init__(self, searcher: tantivy.Searcher) -> None:
        self.searcher, self.loaded = searcher, {}

    def __call__(self, address: Any) -> tantivy.Document:
        key = (address.segment_ord, address.doc)
        doc = self.loaded.get(key)
        if doc is None:
            doc = self.loaded[key] = self.searcher.doc(address)
        return doc


def search_people(index: tantivy.Index, schema: tantivy.Schema, plan: PeoplePlan) -> PeopleResult:
    base = plan.base
    searcher = index.searcher()
    if plan.records_only:
        ranked, matching = queries(schema, base)
        return _records(searcher, ranked, matching, base)
    ranked, matching = _people_queries(searcher, schema, base)
    need = base.offset + base.limit
    # The counts run on the second core while this thread finds the page of people (tantivy
    # releases the GIL inside a search): their costs overlap instead of adding up. Started before
    # the number of matching documents is known, they are the estimate (cardinality); when few
    # documents match, the exact count replaces it — cheap there, as the estimate was.
    estimate = beside(_counts, searcher, matching, base, False)
    order, documents = _top_people(searcher, ranked, base, need, plan.pages_per_person)
    if documents == 0:
        return PeopleResult(total=0, hits=[], facets={f: {} for f in base.facets})
    exact = documents <= EXACT_PEOPLE_DOCS
    counting = beside(_counts, searcher, matching, base, True) if exact else estimate
    people = [Person(key, seen) for key, seen in list(order.items())[base.offset:need]]
    by_key = _page_counts(searcher, schema, matching, [p.key for p in people]) if people else {}
    for p in people:
        kinds = by_key.get(p.key, {})
        p.match_count, p.record_matched = kinds.get(PAGE_KIND, 0), kinds.get(RECORD_KIND, 0) > 0
    best = _best_pages(searcher, schema, ranked, people, plan.pages_per_person,
                       sorted_=base.sort is not None) if plan.pages_per_person else {}
    hits = []
    doc_at = _Docs(searcher)
    for p in people:
        matched = []
        for s in best.get(p.key, []):
            doc = doc_at(s.address)
            matched.append(page_match(doc["document_id"][0], doc["page"][0], s.score, doc["document_type"][0],
                                      doc["text_exact"][0], base.highlight_terms))
        fields = _fields(doc_at(p.representative.address))
        hits.append(person_hit(fields, score=p.score, match_count=p.match_count, record_matched=p.record_matched,
                               matched=matched))
    total, facets = counting.result()
    return PeopleResult(total=total, hits=hits, facets=facets, exact=exact)


def _records(searcher: tantivy.Searcher, ranked: tantivy.Query, matching: tantivy.Query,
             plan: SearchPlan) -> PeopleResult:
    """Records alone: each document is one person, so counts are document counts (exact)."""
    res = run(searcher, ranked, plan, limit=plan.limit, offset=plan.offset)
    scored = plan.sort is None
    hits = [] if plan.limit == 0 else [
        person_hit(_fields(searcher.doc(a)), score=float(key) if scored else 0.0, match_count=0,
                   record_matched=True, matched=()) for key, a in res.hits]
    facets: dict[str, dict[str, int]] = {}
    if plan.facets:
        result = searcher.aggregate(matching, {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in plan.facets})
        facets = {f: {b["key"]: int(b["doc_count"]) for b in result.get(f, {}).get("buckets", [])} for f in plan.facets}
    return PeopleResult(total=int(res.count), hits=hits, facets=facets, exact=True)
