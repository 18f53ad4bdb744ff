"""Highlighted text for the browser: search snippets and whole pages with the query's terms marked.

Search hits arrive with snippets already HTML-escaped and matches wrapped in <mark>. They are
still re-escaped here, keeping only bare <mark>/</mark>, so a page renders safely whatever
an engine adapter returns. Whole pages are marked with the same matching the engines' snippets
use (search.highlight.match_spans over the query's folded terms), so "nguyen" marks "Nguyễn".
"""

from __future__ import annotations

import html
import re

from search.highlight import match_spans
from search.query_syntax import parse_query

_MARK = re.compile(r"(</?mark>)")


def safe_snippet(snippet: str) -> str:
    """HTML with nothing but text and <mark> elements (idempotent on a well-escaped snippet)."""
    parts = _MARK.split(snippet or "")
    out, open_ = [], False
    for part in parts:
        if part == "<mark>" and not open_:
            out.append(part)
            open_ = True
        elif part == "</mark>" and open_:
            out.append(part)
            open_ = False
        elif part not in ("<mark>", "</mark>"):
            out.append(html.escape(html.unescape(part), quote=False))
    if open_:
        out.append("</mark>")
    return "".join(out)


def plain_snippet(snippet: str) -> str:
    """The snippet as plain text (for CSV/XLSX exports)."""
    return html.unescape(_MARK.sub("", snippet or ""))


def query_terms(query: str) -> frozenset[str]:
    return parse_query(query or "").folded_terms


def has_match(text: str, terms: frozenset[str]) -> bool:
    return bool(terms) and bool(match_spans(text, terms))


def highlight_page(text: str, terms: frozenset[str]) -> tuple[str, int]:
    """(escaped HTML of the page with each match in <mark id="m1">…, number of matches)."""
    spans = match_spans(text, terms) if terms else []
    out, pos = [], 0
    for n, (start, end) in enumerate(spans, 1):
        out.append(html.escape(text[pos:start], quote=False))
        out.append(f'<mark id="m{n}">{html.escape(text[start:end], quote=False)}</mark>')
        pos = end
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out), len(spans)
