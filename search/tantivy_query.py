"""A SearchPlan as tantivy queries; no decisions of its own (those are in search.plan).

Two queries come out: the ranked one (required clauses with their boosts, then every filter)
and the matching one (required parts only: the same pages, cheaper for facet counts, which
need no score).
"""

from __future__ import annotations

import tantivy

from search.plan import SCOPE_FIELD, FieldMatch, IntRange, KeywordFilter, SearchPlan

_MUST, _SHOULD = tantivy.Occur.Must, tantivy.Occur.Should


def _match(schema: tantivy.Schema, match: FieldMatch) -> tantivy.Query:
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


def _filters(schema: tantivy.Schema, plan: SearchPlan) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    """The user's filters, then scope, restriction and birth years; each a required part."""
    out = [(_MUST, _any_of(schema, f)) for f in plan.filters]
    if plan.scope is not None:
        # An empty scope sees nothing: the query must match no page, not every page.
        scope = _any_of(schema, KeywordFilter(SCOPE_FIELD, plan.scope)) if plan.scope else tantivy.Query.empty_query()
        out.append((_MUST, scope))
    out += [(_MUST, _range(schema, r)) for r in plan.ranges]
    return out


def queries(schema: tantivy.Schema, plan: SearchPlan) -> tuple[tantivy.Query, tantivy.Query]:
    """(ranked, matching) for `plan`."""
    required: list[tuple[tantivy.Occur, tantivy.Query]] = []
    ranked: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for clause in plan.clauses:
        must = _match(schema, clause.match)
        required.append((_MUST, must))
        # Each boost nested on its own around the word's required match: a flat list of
        # optional clauses becomes one union that walks every posting of common words
        # ("thị", "văn") in the hits' neighbourhood; one optional per level is only
        # seeked to the pages that already match. Scores add up the same either way.
        scored = must
        for boost in clause.boosts:
            weighted = tantivy.Query.boost_query(_match(schema, boost.match), boost.weight)
            scored = tantivy.Query.boolean_query([(_MUST, scored), (_SHOULD, weighted)])
        ranked.append((_MUST, scored))
    required += _filters(schema, plan)
    if not required:
        return tantivy.Query.all_query(), tantivy.Query.all_query()
    if not plan.clauses:
        required.append((_MUST, tantivy.Query.all_query()))
    matching = tantivy.Query.boolean_query(required)
    if not ranked:
        return matching, matching
    return tantivy.Query.boolean_query(ranked + required[len(ranked):]), matching
