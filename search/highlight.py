"""Snippets with highlights computed on the stored NFC text, the same for every engine.

Engines match on the folded field, whose offsets do not point into the text a person reads;
so the snippet is cut here from the original text, marking every token whose folded form is
one of the query's folded terms.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from search.vietnamese import fold_with_offsets

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


@lru_cache(maxsize=256)
def _terms_pattern(folded_terms: frozenset[str]) -> re.Pattern[str]:
    """A regex finding whole tokens (runs of letters/digits, as search.vietnamese cuts them)
    equal to one of the terms: the regex engine skips the other ~250 words of a page in C,
    where walking every token in Python cost ~0.5 ms a page (20 hits per results page)."""
    alternatives = "|".join(re.escape(t) for t in sorted(folded_terms, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")


def match_spans(text: str, folded_terms: frozenset[str]) -> list[tuple[int, int]]:
    """(start, end) character spans in `text` of the tokens that match a folded term."""
    if not folded_terms:
        return []
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


def snippet(text: str, folded_terms: frozenset[str], *, width: int = 200) -> str:
    """An HTML-escaped excerpt of about `width` characters around the densest matches."""
    spans = match_spans(text, folded_terms) if folded_terms else []
    if not spans:
        excerpt = text[:width]
        return html.escape(excerpt) + ("…" if len(text) > width else "")
    # pick the window start (at a match) that covers the most matches
    best_i, best_n = 0, 0
    j = 0
    for i, (s, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= s + width:
            j += 1
        if j - i > best_n:
            best_i, best_n = i, j - i
    start = max(0, spans[best_i][0] - width // 4)
    # do not cut a word in half at the left edge
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = min(len(text), start + width)
    while end < len(text) and not text[end].isspace() and end - start < width + 30:
        end += 1
    parts = ["…" if start > 0 else ""]
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts.append(html.escape(text[pos:s]))
        parts.append(MARK_OPEN + html.escape(text[s:e]) + MARK_CLOSE)
        pos = e
    parts.append(html.escape(text[pos:end]))
    if end < len(text):
        parts.append("…")
    return re.sub(r"\s+", " ", "".join(parts))
