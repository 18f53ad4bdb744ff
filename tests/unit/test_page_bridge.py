"""The bridge over a page break (search.page_bridge) and where the plan consults it: phrase
clauses on pages only, with the page-break token at each place the break may fall."""

from __future__ import annotations

from search.page_bridge import PAGE_BREAK, bridge_phrases, bridge_text
from search.plan import BRIDGE_FIELD, FieldMatch, plan_people, plan_search
from search.port import BRIDGE_WORDS, SearchQuery, page_start


def test_page_start_keeps_the_first_words_as_written() -> None:
    assert page_start("Điều 2. Ông Nguyễn Văn An được hưởng", 4) == "Điều 2. Ông Nguyễn"
    assert page_start("  ngắn  ") == "  ngắn"
    assert page_start("") == "" and page_start("…, ;") == ""


def test_bridge_is_the_folded_end_a_break_and_the_folded_start() -> None:
    end = " ".join(f"w{n}" for n in range(20)) + " Ủy ban"
    assert bridge_text(end, "Đặng Thị, Hồng") == " ".join(
        [*(f"w{n}" for n in range(10, 20)), "uy", "ban", PAGE_BREAK, "dang", "thi", "hong"])
    assert len(bridge_text(end, end).split()) == 2 * BRIDGE_WORDS + 1


def test_no_bridge_without_words_on_both_sides() -> None:
    assert bridge_text("có hiệu lực", "") == ""
    assert bridge_text("", "thi hành") == ""
    assert bridge_text("có hiệu lực", " … ") == ""


def test_a_phrase_takes_the_break_at_every_inner_place_a_word_takes_none() -> None:
    assert bridge_phrases(("a", "b", "c")) == (("a", PAGE_BREAK, "b", "c"), ("a", "b", PAGE_BREAK, "c"))
    assert bridge_phrases(("a",)) == ()
    long = tuple(f"w{n}" for n in range(2 * BRIDGE_WORDS + 1))  # one word too many for 12 + 12
    assert bridge_phrases(long[:-1]) == (long[:BRIDGE_WORDS] + (PAGE_BREAK,) + long[BRIDGE_WORDS:-1],)
    assert bridge_phrases(long) == ()
    assert len(bridge_phrases(long[:BRIDGE_WORDS + 1])) == BRIDGE_WORDS  # 13 words: the break anywhere


def test_only_phrase_clauses_on_pages_consult_the_bridge() -> None:
    word, phrase = plan_search(SearchQuery('hiệu "có hiệu lực"')).clauses
    assert word.bridges == ()
    assert phrase.bridges == (FieldMatch(BRIDGE_FIELD, ("co", PAGE_BREAK, "hieu", "luc")),
                              FieldMatch(BRIDGE_FIELD, ("co", "hieu", PAGE_BREAK, "luc")))
    assert plan_people(SearchQuery('"có hiệu lực"')).base.clauses[0].bridges  # people: records and pages
    assert plan_search(SearchQuery('"có hiệu lực"'), kinds="records").clauses[0].bridges == ()  # a record has none
