"""The ranking plan (kế hoạch truy vấn): what a SearchQuery asks of any engine, written once.

`plan_search(query)` turns a query into a frozen SearchPlan of plain values — analysed tokens,
index field names, weights, keyword filters, ranges, facets, paging — and each adapter only
translates that plan into its engine's query (search.tantivy_query, search.elasticsearch_query).
So the shape of a search, and with it ranking and results, cannot drift between engines:

- every word or quoted phrase typed is a RequiredClause: its folded tokens must match the
  combined folded field (name and text, FOLDED_FIELD) — one postings list per word;
- each clause carries optional Boosts that only add score: its folded tokens on the folded
  name (NAME_BOOST), and, only when the user typed diacritics, its exact tokens on the exact
  text (EXACT_BOOST) and exact name (EXACT_BOOST × NAME_BOOST), so "Nguyễn" ranks pages with
  "Nguyễn" above "Nguyên" while "nguyen" finds both and favours neither;
- the user's filters are KeywordFilters (any of the values, exact NFC keywords, constant score),
  all required; the caller's access scope, restriction level and birth-year range are required
  too and never score. Validation (unknown filter or facet fields) happens here, for every engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from search.port import FILTER_FIELDS, SearchError, SearchQuery
from search.query_syntax import Clause, parse_query
from search.text import nfc

EXACT_BOOST = 2.0  # exact-diacritic matches outrank folded-only ones
NAME_BOOST = 1.5   # a hit in the staff member's name outranks one in body text
FACET_SIZE = 1000  # most distinct values one facet counts

# Index fields every adapter defines under these names.
FOLDED_FIELD = "all_folded"             # folded name + folded text, two values with a gap
NAME_FOLDED_FIELD = "staff_name_folded"
TEXT_EXACT_FIELD = "text_exact"
NAME_EXACT_FIELD = "staff_name_exact"
SCOPE_FIELD = "scope_units"
RESTRICTION_FIELD = "restriction"
BIRTH_YEAR_FIELD = "birth_year"


@dataclass(frozen=True)
class FieldMatch:
    """Analysed tokens that must occur in `field`: one word, or in order and adjacent (a phrase)."""

    field: str
    tokens: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.tokens) > 1


@dataclass(frozen=True)
class Boost:
    """An optional match that only adds score: `weight` × the engine's BM25 score for it."""

    match: FieldMatch
    weight: float


@dataclass(frozen=True)
class RequiredClause:
    """One word or phrase the user typed: `match` is required; `boosts` rank the pages it finds."""

    match: FieldMatch
    boosts: tuple[Boost, ...]


@dataclass(frozen=True)
class KeywordFilter:
    """Pages whose keyword `field` holds any of `values` (NFC, distinct, never empty).
    A filter selects and never scores: a rare status must not rank higher."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class IntRange:
    """Pages whose integer `field` lies in [lower, upper]; a None bound is open. Pages without
    a value in the field are outside every range."""

    field: str
    lower: int | None
    upper: int | None


@dataclass(frozen=True)
class SearchPlan:
    """Everything an adapter needs to run one search, in the order it should apply it."""

    clauses: tuple[RequiredClause, ...]
    filters: tuple[KeywordFilter, ...]   # what the user chose to narrow by, all required
    # The caller's access scope (phạm vi quản lý) as distinct NFC unit codes matched on
    # SCOPE_FIELD: None is unscoped; an empty tuple sees nothing — never "no filter".
    scope: tuple[str, ...] | None
    restriction: IntRange | None         # restriction ≤ the caller's clearance
    birth_years: IntRange | None         # năm sinh, inclusive
    facets: tuple[str, ...]
    limit: int                           # ≥ 0; 0 asks for the total and facets only
    offset: int                          # ≥ 0
    highlight_terms: frozenset[str]      # folded words to mark in snippets

    @property
    def ranges(self) -> tuple[IntRange, ...]:
        return tuple(r for r in (self.restriction, self.birth_years) if r is not None)

    @property
    def sees_nothing(self) -> bool:
        """An empty access scope: the engine must match no page, whatever else is asked."""
        return self.scope == ()


def unit_codes(codes: Iterable[str]) -> tuple[str, ...]:
    """NFC unit codes, blanks and repeats dropped, first occurrence order kept."""
    return tuple(dict.fromkeys(c for c in (nfc(code) for code in codes) if c))


def plan_clause(clause: Clause) -> RequiredClause:
    """The required match of one word or phrase and the optional boosts that rank it."""
    boosts = [Boost(FieldMatch(NAME_FOLDED_FIELD, clause.folded), NAME_BOOST)]
    if clause.has_marks:  # without marks typed, "exact" would only favour pages that lost theirs
        boosts += [Boost(FieldMatch(TEXT_EXACT_FIELD, clause.exact), EXACT_BOOST),
                   Boost(FieldMatch(NAME_EXACT_FIELD, clause.exact), EXACT_BOOST * NAME_BOOST)]
    return RequiredClause(FieldMatch(FOLDED_FIELD, clause.folded), tuple(boosts))


def plan_filters(filters: dict[str, tuple[str, ...]]) -> tuple[KeywordFilter, ...]:
    """One KeywordFilter per field with values, in the order given; unknown fields refused."""
    out = []
    for name, values in filters.items():
        if name not in FILTER_FIELDS:
            raise SearchError(f"cannot filter on {name!r}")
        if values:
            out.append(KeywordFilter(name, tuple(dict.fromkeys(nfc(v) for v in values))))
    return tuple(out)


def _range(name: str, lower: int | None, upper: int | None) -> IntRange | None:
    if lower is None and upper is None:
        return None
    return IntRange(name, None if lower is None else int(lower), None if upper is None else int(upper))


def plan_search(query: SearchQuery) -> SearchPlan:
    """The engine-neutral plan of `query`; SearchError for a field that cannot be filtered or faceted."""
    for name in query.facets:
        if name not in FILTER_FIELDS:
            raise SearchError(f"cannot facet on {name!r}")
    parsed = parse_query(query.text)
    return SearchPlan(
        clauses=tuple(plan_clause(c) for c in parsed.clauses),
        filters=plan_filters(query.filters),
        scope=None if query.scope_units is None else unit_codes(query.scope_units),
        restriction=_range(RESTRICTION_FIELD, None, query.max_restriction),
        birth_years=_range(BIRTH_YEAR_FIELD, query.birth_year_from, query.birth_year_to),
        facets=tuple(query.facets),
        limit=max(query.limit, 0),
        offset=max(query.offset, 0),
        highlight_terms=parsed.folded_terms,
    )
