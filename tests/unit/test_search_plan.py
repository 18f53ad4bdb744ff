"""The engine-neutral ranking plan (search.plan): the one place a search's shape is decided."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from search.plan import (
    EXACT_BOOST, NAME_BOOST, Boost, FieldMatch, IntRange, KeywordFilter, RequiredClause, plan_search,
)
from search.port import SearchError, SearchQuery


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_each_word_and_phrase_is_required_on_the_combined_folded_field() -> None:
    plan = plan_search(SearchQuery('nguyen "quyết định tuyển dụng" 2015'))
    assert [c.match for c in plan.clauses] == [
        FieldMatch("all_folded", ("nguyen",)),
        FieldMatch("all_folded", ("quyet", "dinh", "tuyen", "dung")),
        FieldMatch("all_folded", ("2015",)),
    ]
    assert [c.match.is_phrase for c in plan.clauses] == [False, True, False]


def test_a_word_typed_without_marks_is_boosted_on_the_name_only() -> None:
    [clause] = plan_search(SearchQuery("nguyen")).clauses
    assert clause == RequiredClause(FieldMatch("all_folded", ("nguyen",)),
                                    (Boost(FieldMatch("staff_name_folded", ("nguyen",)), NAME_BOOST),))


def test_a_word_typed_with_marks_is_boosted_on_the_exact_text_and_name_too() -> None:
    [word, phrase] = plan_search(SearchQuery('Nguyễn "Đặng Thị"')).clauses
    assert word.boosts == (
        Boost(FieldMatch("staff_name_folded", ("nguyen",)), NAME_BOOST),
        Boost(FieldMatch("text_exact", ("nguyễn",)), EXACT_BOOST),
        Boost(FieldMatch("staff_name_exact", ("nguyễn",)), EXACT_BOOST * NAME_BOOST),
    )
    assert [b.match for b in phrase.boosts] == [FieldMatch("staff_name_folded", ("dang", "thi")),
                                                FieldMatch("text_exact", ("đặng", "thị")),
                                                FieldMatch("staff_name_exact", ("đặng", "thị"))]
    assert EXACT_BOOST > 1 and NAME_BOOST > 1


def test_decomposed_query_plans_like_precomposed() -> None:
    text = 'Trưởng "phòng Nội vụ"'
    assert plan_search(SearchQuery(_nfd(text))) == plan_search(SearchQuery(text))


def test_an_empty_query_has_no_clauses_and_no_terms_to_highlight() -> None:
    plan = plan_search(SearchQuery('  " '))
    assert plan.clauses == () and plan.highlight_terms == frozenset()
    assert plan.filters == () and plan.scope is None and plan.ranges == ()


def test_filters_are_nfc_keywords_any_of_in_the_order_given_without_empty_fields() -> None:
    plan = plan_search(SearchQuery("", filters={"unit": (_nfd("Phòng Nội vụ"), "Phòng Nội vụ", "Q1"),
                                                "status": (), "grade": ("01.003",)}))
    assert plan.filters == (KeywordFilter("unit", ("Phòng Nội vụ", "Q1")), KeywordFilter("grade", ("01.003",)))


def test_unknown_filter_or_facet_fields_are_refused_for_every_engine() -> None:
    with pytest.raises(SearchError, match="filter"):
        plan_search(SearchQuery("", filters={"salary": ("1",)}))
    with pytest.raises(SearchError, match="facet"):
        plan_search(SearchQuery("", facets=("salary",)))
    assert plan_search(SearchQuery("", facets=("status", "scope_units"))).facets == ("status", "scope_units")


def test_scope_is_distinct_nfc_codes_and_an_empty_scope_sees_nothing() -> None:
    assert plan_search(SearchQuery("")).scope is None
    plan = plan_search(SearchQuery("", scope_units=("HCM", _nfd("HÀ-NỘI"), "HCM", "")))
    assert plan.scope == ("HCM", "HÀ-NỘI") and not plan.sees_nothing
    for empty in ((), ("", "")):  # blank codes are no units, never "unscoped"
        plan = plan_search(SearchQuery("", scope_units=empty))
        assert plan.scope == () and plan.sees_nothing


def test_restriction_and_birth_years_are_inclusive_integer_ranges() -> None:
    plan = plan_search(SearchQuery("", max_restriction=1, birth_year_from=1980, birth_year_to=1990))
    assert plan.restriction == IntRange("restriction", None, 1)
    assert plan.birth_years == IntRange("birth_year", 1980, 1990)
    assert plan.ranges == (plan.restriction, plan.birth_years)
    only_to = plan_search(SearchQuery("", birth_year_to=1985))
    assert only_to.birth_years == IntRange("birth_year", None, 1985) and only_to.restriction is None
    assert plan_search(SearchQuery("", max_restriction=0)).restriction == IntRange("restriction", None, 0)


def test_paging_is_never_negative_and_limit_zero_is_kept() -> None:
    plan = plan_search(SearchQuery("", limit=-5, offset=-3))
    assert (plan.limit, plan.offset) == (0, 0)
    plan = plan_search(SearchQuery("", limit=20, offset=40))
    assert (plan.limit, plan.offset) == (20, 40)


def test_highlight_terms_are_the_folded_words_of_every_clause() -> None:
    plan = plan_search(SearchQuery('Đặng "quê quán" 1985'))
    assert plan.highlight_terms == frozenset({"dang", "que", "quan", "1985"})


def test_a_plan_is_a_frozen_value() -> None:
    query = SearchQuery("Nguyễn", filters={"status": ("nghi_huu",)}, scope_units=("Q1",), max_restriction=2)
    plan = plan_search(query)
    assert plan == plan_search(query) and hash(plan) == hash(plan_search(query))
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.limit = 5  # type: ignore[misc]
