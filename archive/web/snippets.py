"""Highlighted text for the browser: search snippets and whole pages with the query's terms marked.

Search hits carry a Snippet: plain text plus the character spans of the matched words. This
door escapes the text and wraps each span in <mark>, so a page renders safely whatever text a
page holds. Whole pages are marked with the same matching the engines' snippets use
(search.highlight.match_spans over the query's folded terms), so "nguyen" marks "Nguyễn".
"""

from __future__ import annotations

import html
from functools import partial

from search import Snippet
from search.highlight import match_spans
from search.query_syntax import parse_query

_escape = partial(html.escape, quote=False)  # element content: quotes need no escaping


def snippet_html(snippet: Snippet) -> str:
    """The snippet as HTML: escaped text, each match in <mark>…</mark>."""
    return snippet.marked("<mark>", "</mark>", _escape)


def snippet_plain(snippet: Snippet) -> str:
    """The snippet as plain text (CSV/XLSX exports): no marks, nothing escaped."""
    return snippet.text


def query_terms(query: str) -> frozenset[str]:
    return parse_query(query or "").folded_terms


def has_match(text: str, terms: frozenset[str]) -> bool:
    return bool(terms) and bool(match_spans(text, terms))


def highlight_page(text: str, terms: frozenset[str]) -> tuple[str, int]:
    """(escaped HTML of the page with each match in <mark id="m1">…, number of matches)."""
    spans = match_spans(text, terms) if terms else []
    out, pos = [], 0
    for n, (start, end) in enumerate(spans, 1):
        out.append(_escape(text[pos:start]))
        out.append(f'<mark id="m{n}">{_escape(text[start:end])}</mark>')
        pos = end
    out.append(_escape(text[pos:]))
    return "".join(out), len(spans)
