"""A SearchPlan as tantivy queries; no decisions of its own (those are in search.plan).

Two queries come out: the ranked one (required clauses with their boosts, then every filter)
and the matching one (required parts only: the same documents, cheaper for facet counts,
which need no score).
"""

from __future__ import annotations

from dataclasses import replace

import tantivy

from search.plan import (
    KIND_FIELD, RECORD_KIND, SCOPE_FIELD, FieldMatch, IntRange, KeywordFilter, RequiredClause, SearchPlan,
)

_MUST, _SHOULD, _MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot


def _match(schema: tantivy.Schema, match: FieldMatch) -> tantivy.Query:
    if match.edits:
        return tantivy.Query.fuzzy_term_query(schema, match.field, match.tokens[0], distance=match.edits,
                                              transposition_cost_one=True, prefix=False)
    if match.prefix:  # a one-word phrase prefix: every term beginning with it
        return tantivy.Query.phrase_prefix_query(schema, match.field, list(match.tokens))
    if not match.is_phrase:
        return tantivy.Query.term_query(schema, match.field, match.tokens[0])
    return tantivy.Query.phrase_query(schema, match.field, list(match.tokens))


def _any_of(schema: tantivy.Schema, f: KeywordFilter) -> tantivy.Query:
    """Pages whose keyword field is one of the values. Term queries, not term_set_query:
    a term set is matched by building a bitset of every page holding any of the terms
    (1M postings for the root unit on every query), while term queries are intersected
    with the words' postings by skipping (bench/search: −10 ms p50 at 1M pages)."""
    terms = [tantivy.Query.term_query(schema, f.field, v, index_option="basic") for v in f.values]
    either = terms[0] if len(terms) == 1 else tantivy.Query.boolean_query([(_SHOULD, t) for t in terms])
    # A filter only selects: the same score for every page (a rare status must not rank higher)
    return tantivy.Query.const_score_query(either, 1.0)


def _range(schema: tantivy.Schema, r: IntRange) -> tantivy.Query:
    return tantivy.Query.range_query(schema, r.field, tantivy.FieldType.Integer, r.lower, r.upper)


def _kinds(schema: tantivy.Schema, kinds: str) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    """Pages: not a record (records are the fewer documents, so excluding them skips cheaply);
    records: a record; both: no condition."""
    record = tantivy.Query.term_query(schema, KIND_FIELD, RECORD_KIND, index_option="basic")
    if kinds == "pages":
        return [(_MUST_NOT, record)]
    if kinds == "records":
        return [(_MUST, tantivy.Query.const_score_query(record, 1.0))]
    return []


def filters(schema: tantivy.Schema, plan: SearchPlan) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    """The user's filters, then scope, restriction, birth years and kinds; each a required part."""
    out = [(_MUST, _any_of(schema, f)) for f in plan.filters]
    if plan.scope is not None:
        # An empty scope sees nothing: the query must match no page, not every page.
        scope = _any_of(schema, KeywordFilter(SCOPE_FIELD, plan.scope)) if plan.scope else tantivy.Query.empty_query()
        out.append((_MUST, scope))
    out += [(_MUST, _range(schema, r)) for r in plan.ranges]
    return out + _kinds(schema, plan.kinds)


def _required(schema: tantivy.Schema, clause: RequiredClause) -> tantivy.Query:
    """The clause's match (constant when it has a weight) or, for a phrase, the same phrase over a
    page break (its bridges); or any of its alternatives."""
    must = _match(schema, clause.match)
    if clause.bridges:
        must = tantivy.Query.boolean_query([(_SHOULD, must)] + [(_SHOULD, _match(schema, b)) for b in clause.bridges])
    if clause.weight is not None:
        must = tantivy.Query.const_score_query(must, clause.weight)
    if not clause.alternatives:
        return must
    either = [(_SHOULD, must)] + [(_SHOULD, tantivy.Query.const_score_query(_match(schema, a.match), a.weight))
                                  for a in clause.alternatives]
    return tantivy.Query.boolean_query(either)


def queries(schema: tantivy.Schema, plan: SearchPlan) -> tuple[tantivy.Query, tantivy.Query]:
    """(ranked, matching) for `plan`; with typo clauses, the exact way or the records' typo way,
    whichever scores better (a disjunction-max: no document scores twice)."""
    if not plan.typo_clauses:
        return _queries(schema, plan)
    exact = _queries(schema, replace(plan, typo_clauses=()))
    typos = _queries(schema, replace(plan, clauses=plan.typo_clauses, typo_clauses=(), kinds="records"))
    return (tantivy.Query.disjunction_max_query([exact[0], typos[0]]),
            tantivy.Query.boolean_query([(_SHOULD, exact[1]), (_SHOULD, typos[1])]))


def _queries(schema: tantivy.Schema, plan: SearchPlan) -> tuple[tantivy.Query, tantivy.Query]:
    words: list[tantivy.Query] = []
    scored_words: list[tantivy.Query] = []
    for clause in plan.clauses:
        must = _required(schema, clause)
        words.append(must)
        # Each boost nested on its own around the word's required match: a flat list of
        # optional clauses becomes one union that walks every posting of common words
        # ("thị", "văn") in the hits' neighbourhood; one optional per level is only
        # seeked to the pages that already match. Scores add up the same either way.
        scored = must
        for boost in clause.boosts:
            weighted = tantivy.Query.boost_query(_match(schema, boost.match), boost.weight)
            scored = tantivy.Query.boolean_query([(_MUST, scored), (_SHOULD, weighted)])
        scored_words.append(scored)
    if plan.any_clause and len(words) > 1:  # suggestions: one word is enough
        words = [tantivy.Query.boolean_query([(_SHOULD, w) for w in words])]
        scored_words = [tantivy.Query.boolean_query([(_SHOULD, w) for w in scored_words])]
    required = [(_MUST, w) for w in words] + filters(schema, plan)
    if not required:
        return tantivy.Query.all_query(), tantivy.Query.all_query()
    if not words:
        required.append((_MUST, tantivy.Query.all_query()))
    matching = tantivy.Query.boolean_query(required)
    if not scored_words:
        return matching, matching
    ranked = tantivy.Query.boolean_query([(_MUST, w) for w in scored_words] + required[len(words):])
    for boost in plan.boosts:  # the whole query as one name or code: nested the same way
        weighted = tantivy.Query.boost_query(_match(schema, boost.match), boost.weight)
        ranked = tantivy.Query.boolean_query([(_MUST, ranked), (_SHOULD, weighted)])
    return ranked, matching
