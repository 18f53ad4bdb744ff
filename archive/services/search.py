"""Search dossiers (tra cứu hồ sơ): full text and staff fields, with or without diacritics."""

from __future__ import annotations

from archive.bootstrap import Container
from archive.errors import InvalidInput
from archive.services.staff import parse_status
from search import SearchQuery, SearchResult

MAX_LIMIT = 200


def search_pages(c: Container, text: str, *, statuses: list[str] | None = None, units: list[str] | None = None,
                 document_types: list[str] | None = None, limit: int = 20, offset: int = 0,
                 facets: tuple[str, ...] = ("status",)) -> SearchResult:
    if not 0 < limit <= MAX_LIMIT:
        raise InvalidInput(f"limit phải từ 1 đến {MAX_LIMIT}.")
    if offset < 0:
        raise InvalidInput("offset không được âm.")
    if len(text) > 1000:
        raise InvalidInput("Câu tìm kiếm quá dài (tối đa 1000 ký tự).")
    filters: dict[str, tuple[str, ...]] = {}
    if statuses:
        filters["status"] = tuple(parse_status(s).value for s in statuses)
    if units:
        filters["unit"] = tuple(units)
    if document_types:
        filters["document_type"] = tuple(document_types)
    return c.index.search(SearchQuery(text=text, filters=filters, facets=facets, limit=limit, offset=offset))
