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
  too and never score. Validation (unknown filter or facet fields) happens here, for every engine;
- which kinds of document a search sees (KIND_FIELD): a page search pages only, a people search
  records and pages (`plan_people`), the staff list, suggestions and autocomplete records only;
- where records are seen, a word also matches the staff code (CODE_BOOST: a code typed in any
  case puts its person first), the words together are boosted as one phrase on the name
  (an exact name outranks the same words scattered over a page), and with Matching.TYPOS a
  word of 4+ letters may match a record's name 1–2 edits away (`typo_edits`) at a small
  constant score, so typos and OCR errors find the person below every exact match (as a
  second way for records to match, `typo_clauses`, taken by its better score);
- a quoted phrase may also run over a page break (search.page_bridge): where pages are
  searched, a phrase clause matches a page through its bridge field too (BRIDGE_FIELD, with
  the break inside the phrase), so the page where the phrase starts is found; single words
  never consult the bridge;
- the order (SortKey): relevance, or a key each document carries (Vietnamese name order,
  birth date, status date).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from search.page_bridge import bridge_phrases
from search.port import FILTER_FIELDS, PAGES_PER_PERSON, PERSON_FIELDS, SORTS, Matching, SearchError, SearchQuery
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
KIND_FIELD = "kind"                     # PAGE_KIND or RECORD_KIND
PAGE_KIND, RECORD_KIND = "page", "staff"
PERSON_FIELD = "staff_code"             # what groups documents into people
CODE_FIELD = "code_folded"              # a record's staff code as folded tokens
RECORD_NAMES_FIELD = "record_names"     # a record's names (full, other), folded words, no positions
CODE_KEY_FIELD = "code_key"             # a record's staff code, lowercased whole (prefixes)
NAME_KEY_FIELD = "name_key"             # search.collation.name_sort_key of the person's name
BIRTH_KEY_FIELD = "birth_key"           # yyyymmdd, unknown last (UNKNOWN_LAST)
STATUS_KEY_FIELD = "status_key"         # yyyymmdd of the status date, unknown last (0, newest first)
BRIDGE_FIELD = "page_bridge"            # a page's last words § the next page's first (search.page_bridge)

CODE_BOOST = 20.0         # a word that is (part of) the staff code: that person first
NAME_PHRASE_BOOST = 3.0   # every word, in order, in one name: the exact name first
TYPO_WEIGHT = 0.5         # constant score of a name 1–2 edits away: below every exact match
UNKNOWN_LAST = 99_999_999  # birth_key of an unknown birth date
MAX_TYPO_WORDS = 8  # words that may take typos (and suggestion words): a name has fewer; bounds the cost
# People are counted exactly while at most this many documents match (a terms count of the
# persons); beyond it the engines estimate (PeopleResult.exact is False).
EXACT_PEOPLE_DOCS = 1_000


@dataclass(frozen=True)
class FieldMatch:
    """Analysed tokens that must occur in `field`: one word, or in order and adjacent (a phrase).

    A single word may instead match any term `edits` edits away (Damerau–Levenshtein, a swap
    costs one), or any term it begins (`prefix`)."""

    field: str
    tokens: tuple[str, ...]
    edits: int = 0
    prefix: bool = False

    def __post_init__(self) -> None:
        if (self.edits or self.prefix) and len(self.tokens) != 1:
            raise ValueError("typo and prefix matches take one word")

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
    """One word or phrase the user typed: `match` — or one of the `alternatives`, each scoring
    its weight as a constant — is required; `boosts` rank the documents it finds. `weight`
    None scores `match` by BM25; a number scores it as that constant (name and code keys)."""

    match: FieldMatch
    boosts: tuple[Boost, ...]
    alternatives: tuple[Boost, ...] = ()
    weight: float | None = None
    # A phrase on a page: the same phrase across the page break (BRIDGE_FIELD, search.page_bridge),
    # any of which matches instead of `match` and scores like it (BM25).
    bridges: tuple[FieldMatch, ...] = ()


@dataclass(frozen=True)
class SortKey:
    """Order by a key every document carries (`field`), ascending unless `descending`."""

    field: str
    descending: bool = False


SORT_KEYS = {"name": SortKey(NAME_KEY_FIELD), "birth_date": SortKey(BIRTH_KEY_FIELD),
             "status_date": SortKey(STATUS_KEY_FIELD, descending=True)}


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
    kinds: str = "pages"                 # "pages", "records" or "both" (KIND_FIELD)
    boosts: tuple[Boost, ...] = ()       # optional matches of the whole query, adding score
    any_clause: bool = False             # one clause suffices (suggestions), not all of them
    sort: SortKey | None = None          # None: by score
    # Matching.TYPOS: a record also matches when every word matches it exactly or by a typo
    # on its names (these clauses, records only); a document matches either way and scores
    # the better of the two (dis_max), never both. Kept apart from `clauses` so the exact
    # words stay one fast intersection: a typo alternative inside every clause would turn
    # each into a union over the word's every posting.
    typo_clauses: tuple[RequiredClause, ...] = ()

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


def typo_edits(word: str) -> int:
    """Edits a folded word may be away from a name and still match it (Matching.TYPOS): none
    below 4 letters ("thi", "van" would match half the names), one up to 6, two from 7."""
    n = len(word)
    return 0 if n < 4 else 1 if n < 7 else 2


def close_edits(word: str) -> int:
    """Edits for suggestions (Matching.CLOSE_NAMES): looser, since nothing matched already."""
    n = len(word)
    return 0 if n < 3 else 1 if n < 5 else 2


def plan_clause(clause: Clause, *, records: bool = False, matching: Matching = Matching.WORDS,
                pages: bool = True) -> RequiredClause:
    """The required match of one word or phrase and the optional boosts that rank it.
    `records`: staff records are searched too (their codes boost, their names may take typos);
    `pages`: pages are searched (a phrase may then run over a page break)."""
    boosts = [Boost(FieldMatch(NAME_FOLDED_FIELD, clause.folded), NAME_BOOST)]
    if clause.has_marks:  # without marks typed, "exact" would only favour pages that lost theirs
        boosts += [Boost(FieldMatch(TEXT_EXACT_FIELD, clause.exact), EXACT_BOOST),
                   Boost(FieldMatch(NAME_EXACT_FIELD, clause.exact), EXACT_BOOST * NAME_BOOST)]
    alternatives: tuple[Boost, ...] = ()
    if records:
        boosts.append(Boost(FieldMatch(CODE_FIELD, clause.folded), CODE_BOOST))
        if matching is Matching.TYPOS and not clause.is_phrase and (edits := typo_edits(clause.folded[0])):
            alternatives = (Boost(FieldMatch(RECORD_NAMES_FIELD, clause.folded, edits=edits), TYPO_WEIGHT),)
    bridges = tuple(FieldMatch(BRIDGE_FIELD, p) for p in bridge_phrases(clause.folded)) \
        if pages and clause.is_phrase else ()
    return RequiredClause(FieldMatch(FOLDED_FIELD, clause.folded), tuple(boosts), alternatives, bridges=bridges)


def _without_typos(clause: RequiredClause) -> RequiredClause:
    return replace(clause, alternatives=())


def _close_name_clauses(words: tuple[str, ...]) -> tuple[RequiredClause, ...]:
    """Matching.CLOSE_NAMES: each word on the records' names, exactly (1 point) or a few edits
    away (TYPO_WEIGHT); the plan asks for any of them (any_clause)."""
    out = []
    for word in list(dict.fromkeys(words))[:MAX_TYPO_WORDS]:
        edits = close_edits(word)
        alternatives = (Boost(FieldMatch(RECORD_NAMES_FIELD, (word,), edits=edits), TYPO_WEIGHT),) if edits else ()
        out.append(RequiredClause(FieldMatch(RECORD_NAMES_FIELD, (word,)), (), alternatives, weight=1.0))
    return tuple(out)


def _prefix_clauses(text: str, words: tuple[str, ...]) -> tuple[RequiredClause, ...]:
    """Matching.PREFIX (autocomplete): the name's words, the last one begun; or, for input
    without spaces, the beginning of a staff code in any case."""
    raw = nfc(text).strip()
    if raw and not any(ch.isspace() for ch in raw):
        code = FieldMatch(CODE_KEY_FIELD, (raw.lower(),), prefix=True)
        name = (Boost(FieldMatch(RECORD_NAMES_FIELD, words[-1:], prefix=True), 1.0),) if len(words) == 1 else ()
        return (RequiredClause(code, (), name, weight=1.0),)
    if not words:
        return ()
    whole = tuple(RequiredClause(FieldMatch(RECORD_NAMES_FIELD, (w,)), (), weight=1.0) for w in words[:-1])
    return whole + (RequiredClause(FieldMatch(RECORD_NAMES_FIELD, words[-1:], prefix=True), (), weight=1.0),)


def _phrase_boosts(clauses: tuple[Clause, ...]) -> tuple[Boost, ...]:
    """Every word typed, in order, as one name or one code: the exact name or code first."""
    if len(clauses) < 2:
        return ()
    tokens = tuple(t for c in clauses for t in c.folded)
    return (Boost(FieldMatch(NAME_FOLDED_FIELD, tokens), NAME_PHRASE_BOOST),
            Boost(FieldMatch(CODE_FIELD, tokens), CODE_BOOST))


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


def plan_search(query: SearchQuery, *, kinds: str = "pages") -> SearchPlan:
    """The engine-neutral plan of `query` over `kinds` of document ("pages", "records",
    "both"); SearchError for a field that cannot be filtered, faceted or sorted on."""
    for name in query.facets:
        if name not in FILTER_FIELDS:
            raise SearchError(f"cannot facet on {name!r}")
    if query.sort not in SORTS:
        raise SearchError(f"cannot sort by {query.sort!r}")
    parsed = parse_query(query.text)
    records = kinds != "pages"
    matching = Matching(query.matching)
    if matching in (Matching.CLOSE_NAMES, Matching.PREFIX) and kinds != "records":
        raise SearchError(f"{matching.value} matching is for records only")
    words = tuple(t for c in parsed.clauses for t in c.folded)
    boosts: tuple[Boost, ...] = ()
    if matching is Matching.CLOSE_NAMES:
        clauses = _close_name_clauses(words)
    elif matching is Matching.PREFIX:
        clauses = _prefix_clauses(query.text, words)
    else:
        clauses = tuple(plan_clause(c, records=records, matching=matching if n < MAX_TYPO_WORDS else Matching.WORDS,
                                    pages=kinds != "records")
                        for n, c in enumerate(parsed.clauses))
        boosts = _phrase_boosts(parsed.clauses) if records else ()
    typo_clauses: tuple[RequiredClause, ...] = ()
    if any(c.alternatives for c in clauses):
        typo_clauses, clauses = clauses, tuple(_without_typos(c) for c in clauses)
    return SearchPlan(
        clauses=clauses,
        filters=plan_filters(query.filters),
        scope=None if query.scope_units is None else unit_codes(query.scope_units),
        restriction=_range(RESTRICTION_FIELD, None, query.max_restriction),
        birth_years=_range(BIRTH_YEAR_FIELD, query.birth_year_from, query.birth_year_to),
        facets=tuple(query.facets),
        limit=max(query.limit, 0),
        offset=max(query.offset, 0),
        highlight_terms=parsed.folded_terms if matching in (Matching.WORDS, Matching.TYPOS) else frozenset(),
        kinds=kinds,
        boosts=boosts,
        any_clause=matching is Matching.CLOSE_NAMES,
        sort=SORT_KEYS.get(query.sort),
        typo_clauses=typo_clauses,
    )


@dataclass(frozen=True)
class PeoplePlan:
    """A people search (tìm theo người): `base` over the kinds it needs, grouped by PERSON_FIELD.

    With no words and no page-level filter (document_type), a person matches exactly when
    their record does, so the records alone are asked (`base.kinds == "records"`): exact counts,
    and people with no document at all. Otherwise both kinds, and a person's score is their best
    document's (ranked by it, or by the sort key their documents share)."""

    base: SearchPlan
    pages_per_person: int

    @property
    def records_only(self) -> bool:
        return self.base.kinds == "records"

    def pages_of(self, codes: tuple[str, ...], limit: int) -> SearchPlan:
        """The same search over these people's pages only, by score (best pages, match counts)."""
        narrowed = tuple(f for f in self.base.filters if f.field != PERSON_FIELD)
        return replace(self.base, kinds="pages", filters=narrowed + (KeywordFilter(PERSON_FIELD, codes),),
                       facets=(), limit=limit, offset=0, sort=None)


def plan_people(query: SearchQuery, *, pages_per_person: int = PAGES_PER_PERSON, records_only: bool = False) -> PeoplePlan:
    parsed = parse_query(query.text)
    page_level = any(values for name, values in query.filters.items() if name not in PERSON_FIELDS)
    if records_only and page_level:
        raise SearchError("records have no document_type to filter on")
    if not records_only and not parsed.clauses and not page_level:
        records_only = True
    base = plan_search(query, kinds="records" if records_only else "both")
    return PeoplePlan(base, 0 if records_only else max(pages_per_person, 0))
