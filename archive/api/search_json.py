"""Search results as JSON, one shape for the API and `archive search --json` (scripts read either alike).

A snippet goes out as this door renders it (`snippet`: escaped HTML, matches in <mark>) and as
data for clients that render their own (`snippet_text` and `highlights`, [start, end)
character offsets into it).
"""

from __future__ import annotations

import html
from dataclasses import asdict
from typing import Any

from search import PageMatch, PeopleResult, PersonHit, SearchHit, SearchResult, Snippet


def snippet_json(snippet: Snippet) -> dict[str, Any]:
    return {"snippet": snippet.marked("<mark>", "</mark>", html.escape), "snippet_text": snippet.text,
            "highlights": [list(span) for span in snippet.spans]}


def page_hit_json(hit: SearchHit) -> dict[str, Any]:
    return {**asdict(hit), **snippet_json(hit.snippet)}


def page_match_json(m: PageMatch) -> dict[str, Any]:
    return {"document_id": m.document_id, "page": m.page, "document_type": m.document_type, "score": m.score,
            **snippet_json(m.snippet)}


def person_json(hit: PersonHit) -> dict[str, Any]:
    return {"staff_code": hit.staff_code, "full_name": hit.full_name, "birth_date": hit.birth_date or None,
            "unit": hit.unit, "status": hit.status, "status_date": hit.status_date or None, "grade": hit.grade,
            "category": hit.category, "score": hit.score, "match_count": hit.match_count,
            "record_matched": hit.record_matched, "matched": [page_match_json(m) for m in hit.matched]}


def pages_json(result: SearchResult) -> dict[str, Any]:
    return {"group": "page", "total": result.total, "hits": [page_hit_json(h) for h in result.hits],
            "facets": result.facets}


def people_json(result: PeopleResult, suggestions: tuple[str, ...] = ()) -> dict[str, Any]:
    """`total` and `facets` count people; `exact` is false when they are estimates (very broad searches)."""
    return {"group": "staff", "total": result.total, "exact": result.exact,
            "hits": [person_json(h) for h in result.hits], "facets": result.facets,
            "suggestions": list(suggestions)}
