"""The people parts of the engine-neutral plan (search.plan): kinds, codes, typos, prefixes, order."""

from __future__ import annotations

import pytest

from search.plan import (
    CODE_BOOST, MAX_TYPO_WORDS, NAME_PHRASE_BOOST, TYPO_WEIGHT, Boost, FieldMatch, SortKey, close_edits, plan_people,
    plan_search, typo_edits,
)
from search.port import PAGES_PER_PERSON, Matching, SearchError, SearchQuery


def test_a_page_search_sees_pages_and_a_people_search_records_and_pages() -> None:
    assert plan_search(SearchQuery("nguyen")).kinds == "pages"
    assert plan_people(SearchQuery("nguyen")).base.kinds == "both"
    assert plan_people(SearchQuery("nguyen"), records_only=True).base.kinds == "records"


def test_no_words_and_no_page_filter_asks_the_records_alone() -> None:
    assert plan_people(SearchQuery("", filters={"status": ("tu_tran",)})).records_only
    by_type = plan_people(SearchQuery("", filters={"document_type": ("giay_chung_tu",)}))
    assert not by_type.records_only and by_type.pages_per_person == PAGES_PER_PERSON == 2
    with pytest.raises(SearchError):
        plan_people(SearchQuery("", filters={"document_type": ("x",)}), records_only=True)


def test_where_records_are_seen_words_boost_on_the_code_and_together_on_the_name() -> None:
    [clause] = plan_people(SearchQuery("nv001")).base.clauses
    assert Boost(FieldMatch("code_folded", ("nv001",)), CODE_BOOST) in clause.boosts
    assert Boost(FieldMatch("code_folded", ("nv001",)), CODE_BOOST) not in plan_search(SearchQuery("nv001")).clauses[0].boosts
    plan = plan_people(SearchQuery("tran van duc")).base
    assert Boost(FieldMatch("staff_name_folded", ("tran", "van", "duc")), NAME_PHRASE_BOOST) in plan.boosts


def test_typos_are_a_second_way_for_records_and_only_for_words_of_four_letters_or_more() -> None:
    assert [typo_edits(w) for w in ("thi", "hung", "huongg", "nguyenn")] == [0, 1, 1, 2]
    assert [close_edits(w) for w in ("an", "duk", "huong")] == [0, 1, 2]
    plan = plan_people(SearchQuery("thi huongg", matching=Matching.TYPOS)).base
    assert all(not c.alternatives for c in plan.clauses)  # the exact words: one fast intersection
    thi, huongg = plan.typo_clauses
    assert thi.alternatives == ()
    assert huongg.alternatives == (Boost(FieldMatch("record_names", ("huongg",), edits=1), TYPO_WEIGHT),)
    assert plan_people(SearchQuery("thi huongg")).base.typo_clauses == ()  # words only, by default
    many = plan_people(SearchQuery(" ".join(f"chu{n:02d}" for n in range(20)), matching=Matching.TYPOS)).base
    assert sum(bool(c.alternatives) for c in many.typo_clauses) == MAX_TYPO_WORDS


def test_suggestions_take_any_word_and_autocomplete_a_prefix_or_a_code_beginning() -> None:
    close = plan_search(SearchQuery("Trần Văn Đứk", matching=Matching.CLOSE_NAMES), kinds="records")
    assert close.any_clause and [c.match.field for c in close.clauses] == ["record_names"] * 3
    words = plan_search(SearchQuery("tran van d", matching=Matching.PREFIX), kinds="records").clauses
    assert [c.match for c in words] == [FieldMatch("record_names", ("tran",)), FieldMatch("record_names", ("van",)),
                                        FieldMatch("record_names", ("d",), prefix=True)]
    [code] = plan_search(SearchQuery("NV-00", matching=Matching.PREFIX), kinds="records").clauses
    assert code.match == FieldMatch("code_key", ("nv-00",), prefix=True) and code.weight == 1.0
    with pytest.raises(SearchError):
        plan_search(SearchQuery("tran", matching=Matching.PREFIX))  # records only


def test_orders_are_keys_every_document_of_a_person_carries() -> None:
    assert plan_search(SearchQuery("", sort="name")).sort == SortKey("name_key")
    assert plan_search(SearchQuery("", sort="status_date")).sort == SortKey("status_key", descending=True)
    assert plan_search(SearchQuery("")).sort is None
    with pytest.raises(SearchError):
        plan_search(SearchQuery("", sort="salary"))


def test_best_pages_are_asked_of_the_listed_people_only() -> None:
    plan = plan_people(SearchQuery("luong", filters={"staff_code": ("X",), "status": ("nghi_huu",)}))
    pages = plan.pages_of(("NV1", "NV2"), 6)
    assert pages.kinds == "pages" and pages.limit == 6 and pages.facets == () and pages.sort is None
    assert [(f.field, f.values) for f in pages.filters] == [("status", ("nghi_huu",)), ("staff_code", ("NV1", "NV2"))]
