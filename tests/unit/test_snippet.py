"""Snippets leave the search room as plain text + highlight spans; each door renders them."""

from __future__ import annotations

import html
import unicodedata

import pytest

from search.highlight import excerpt
from search.port import Snippet
from search.query_syntax import parse_query


def _terms(query: str) -> frozenset[str]:
    return parse_query(query).folded_terms


def test_spans_are_character_offsets_of_the_words_as_written() -> None:
    s = excerpt("Bà Đặng Thị Hoa, quê Đà Nẵng", _terms("dang da"))
    assert s.text == "Bà Đặng Thị Hoa, quê Đà Nẵng"
    assert s.spans == ((3, 7), (21, 23)) and s.matches == ("Đặng", "Đà")


def test_text_stays_raw_however_hostile() -> None:
    text = '<script>alert("1")</script> & Nguyễn &amp; An'
    s = excerpt(text, _terms("nguyen an"))
    assert s.text == text and s.matches == ("Nguyễn", "An")
    assert s.marked("<mark>", "</mark>", html.escape) == (
        "&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt; &amp; <mark>Nguyễn</mark> &amp;amp; <mark>An</mark>")


def test_a_long_page_is_cut_around_the_matches_with_ellipses_and_one_line() -> None:
    text = "lorem\n\n" * 60 + "Quyết   định\tnâng bậc lương cho ông Nguyễn Văn An " + "ipsum  " * 60
    s = excerpt(text, _terms("nguyen nang"), width=80)
    assert s.text.startswith("…") and s.text.endswith("…")
    assert "\n" not in s.text and "  " not in s.text and "\t" not in s.text
    assert s.matches == ("nâng", "Nguyễn")
    assert all(s.text[a:b] in ("nâng", "Nguyễn") for a, b in s.spans)


def test_no_match_gives_the_start_of_the_page_unmarked() -> None:
    assert excerpt("Sơ yếu lý lịch", _terms("nguyen")) == Snippet("Sơ yếu lý lịch")
    long = excerpt("x" * 300, frozenset(), width=200)
    assert long.text == "x" * 200 + "…" and long.spans == ()


def test_decomposed_marks_stay_inside_their_span() -> None:
    text = unicodedata.normalize("NFD", "Bà Huệ")
    s = excerpt(text, _terms("hue"))
    assert s.matches == (unicodedata.normalize("NFD", "Huệ"),)


def test_marked_wraps_spans_and_escapes_only_the_text() -> None:
    s = Snippet("a <b> c", ((0, 1), (6, 7)))
    assert s.marked("[", "]") == "[a] <b> [c]"
    assert s.marked("<mark>", "</mark>", html.escape) == "<mark>a</mark> &lt;b&gt; <mark>c</mark>"
    assert Snippet("").marked("[", "]") == ""


@pytest.mark.parametrize("spans", [((2, 1),), ((0, 0),), ((0, 4),), ((2, 3), (0, 1)), ((0, 2), (1, 3))])
def test_spans_outside_the_text_reversed_or_overlapping_are_refused(spans: tuple[tuple[int, int], ...]) -> None:
    with pytest.raises(ValueError):
        Snippet("abc", spans)


def test_the_web_door_renders_marks_and_escapes_text_and_exports_take_the_text() -> None:
    from archive.web.snippets import snippet_html, snippet_plain

    s = excerpt('Ông <b>Nguyễn</b> & "An"', _terms("nguyen an"))
    assert snippet_html(s) == 'Ông &lt;b&gt;<mark>Nguyễn</mark>&lt;/b&gt; &amp; "<mark>An</mark>"'
    assert snippet_plain(s) == 'Ông <b>Nguyễn</b> & "An"'
