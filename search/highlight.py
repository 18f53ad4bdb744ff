"""Snippets with highlight spans computed on the stored NFC text, the same for every engine.

Engines match on the folded field, whose offsets do not point into the text a person reads;
so the excerpt is cut here from the original text, and every token whose folded form is one
of the query's folded terms becomes a span. Nothing here is HTML: doors render the Snippet.

Two ways to find those tokens, with the same answer: on text whose every character folds to
exactly one character (NFC Vietnamese always does), one regex over the text as written, each
letter of a term a class of every character that folds to it ("nguyen" → n, [gG], [uUùúủũụ…],
…), so nothing is folded and no offset map is built — a people search cuts three snippets per
person; otherwise (decomposed marks, ß → ss, astral characters) the text is folded with an
offset map and searched folded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from search.port import Snippet
from search.vietnamese import _table, fold_with_offsets

ELLIPSIS = "…"
_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=4096)  # a compiled query is ~1 ms; people ask the same things again
def _terms_pattern(folded_terms: frozenset[str]) -> re.Pattern[str]:
    """A regex finding whole tokens (runs of letters/digits, as search.vietnamese cuts them)
    equal to one of the terms: the regex engine skips the other ~250 words of a page in C,
    where walking every token in Python cost ~0.5 ms a page (20 hits per results page)."""
    alternatives = "|".join(re.escape(t) for t in sorted(folded_terms, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")


@lru_cache(maxsize=1)
def _classes() -> tuple[dict[str, frozenset[str]], re.Pattern[str]]:
    """Each folded character and every character that folds to it; and a regex of the
    characters that do not fold to exactly one (texts holding one take the folding path)."""
    members: dict[str, set[str]] = {}
    other: list[str] = ["\\U00010000-\\U0010FFFF"]
    table = _table()
    for cp, folded in table.items():
        ch = chr(cp)
        if folded is not None and len(folded) == 1:
            members.setdefault(folded, {folded}).add(ch)
        else:
            other.append(re.escape(ch))
    for cp in range(0x10000):  # characters whose fold is just their lowercase, when that is one char
        if cp in table:
            continue
        ch = chr(cp)
        low = ch.lower()
        if len(low) != 1:
            other.append(re.escape(ch))
        elif low != ch:
            members.setdefault(low, {low}).add(ch)
    return {k: frozenset(v) for k, v in members.items()}, re.compile("[" + "".join(other) + "]")


def _class(chars: frozenset[str] | set[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


@lru_cache(maxsize=4096)  # a compiled query is ~1 ms; people ask the same things again
def _written_pattern(folded_terms: frozenset[str]) -> re.Pattern[str]:
    """The terms as they may be written: each character a class of what folds to it. A
    lookahead on the terms' first letters comes first, so most positions fail at once."""
    members, _ = _classes()

    def of(ch: str) -> frozenset[str]:
        return members.get(ch, frozenset({ch}))

    alternatives = "|".join("".join(_class(of(ch)) for ch in term)
                            for term in sorted(folded_terms, key=len, reverse=True))
    first = _class(set().union(*(of(term[0]) for term in folded_terms)))
    return re.compile(rf"(?={first})(?<![^\W_])(?:{alternatives})(?![^\W_])")


def match_spans(text: str, folded_terms: frozenset[str]) -> list[tuple[int, int]]:
    """(start, end) character spans in `text` of the tokens that match a folded term."""
    if not folded_terms:
        return []
    if _classes()[1].search(text) is None:  # every character folds to one: search the text as written
        return [m.span() for m in _written_pattern(folded_terms).finditer(text)]
    folded, offsets = fold_with_offsets(text)
    spans = []
    for m in _terms_pattern(folded_terms).finditer(folded):
        start = offsets[m.start()] if offsets is not None else m.start()
        end = (offsets[m.end() - 1] if offsets is not None else m.end() - 1) + 1
        # Combining marks fold to nothing, so no folded char maps to them: in NFD text
        # the word's trailing marks would fall outside the span (and outside <mark>).
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        spans.append((start, end))
    return spans


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """[start, end) of about `width` characters around the densest run of matches, widened so
    that no word is cut in half at either edge (at most 30 characters more on the right)."""
    best_i, best_n = 0, 0
    j = 0
    for i, (s, _) in enumerate(spans):  # the window starting at a match that covers the most
        while j < len(spans) and spans[j][1] <= s + width:
            j += 1
        if j - i > best_n:
            best_i, best_n = i, j - i
    start = max(0, spans[best_i][0] - width // 4)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = min(len(text), start + width)
    while end < len(text) and not text[end].isspace() and end - start < width + 30:
        end += 1
    return start, end


def excerpt(text: str, folded_terms: frozenset[str], *, width: int = 200) -> Snippet:
    """About `width` characters of `text` around the densest matches, with their spans.

    With no match, the first `width` characters as they are. Otherwise "…" marks each cut and
    whitespace runs become one space (a snippet is one line); spans count in that final text.
    """
    spans = match_spans(text, folded_terms) if folded_terms else []
    if not spans:
        return Snippet(text[:width] + (ELLIPSIS if len(text) > width else ""))
    start, end = _window(text, spans, width)
    out: list[str] = [ELLIPSIS] if start > 0 else []
    length = len(out[0]) if out else 0
    marked: list[tuple[int, int]] = []
    pos = start
    for s, e in spans:
        if s < start or e > end:  # a match cut by the window edge stays unmarked
            continue
        between, word = _WHITESPACE.sub(" ", text[pos:s]), _WHITESPACE.sub(" ", text[s:e])
        out += [between, word]
        length += len(between)
        marked.append((length, length + len(word)))
        length += len(word)
        pos = e
    out.append(_WHITESPACE.sub(" ", text[pos:end]))
    if end < len(text):
        out.append(ELLIPSIS)
    return Snippet("".join(out), tuple(marked))
