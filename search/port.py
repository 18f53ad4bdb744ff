"""The search-index port: page-level documents in, ranked hits with snippets out.

Every adapter indexes two forms of each text field — the NFC text with diacritics (exact)
and its folded form (search.vietnamese.fold) — and queries both, so that a query typed with
the right marks ranks those pages first while an unaccented query still finds them.
Snippets and highlights are cut by search.highlight from the stored text, so every engine
shows the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence, runtime_checkable

# Fields an adapter can filter on and count (facets); values are stored as-is (raw keywords).
FILTER_FIELDS = ("status", "unit", "document_type", "staff_code")


class SearchError(Exception):
    """The search engine failed or rejected a request."""


class IndexSchemaOutdated(SearchError):
    """The index was built with another schema/mapping version; rebuild it (`archive reindex`)."""


@dataclass(frozen=True)
class PageDoc:
    """One indexed page of one document (trang tài liệu) with its staff member's fields."""

    document_id: int
    page: int
    text: str
    staff_code: str
    staff_name: str
    status: str
    unit: str = ""
    document_type: str = ""
    birth_date: str = ""  # ISO date or ""

    @property
    def id(self) -> str:
        return f"{self.document_id}:{self.page}"


@dataclass(frozen=True)
class SearchQuery:
    text: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field → any of values
    facets: tuple[str, ...] = ()
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class SearchHit:
    document_id: int
    page: int
    score: float
    staff_code: str
    staff_name: str
    status: str
    unit: str
    document_type: str
    snippet: str  # HTML-escaped, matches wrapped in <mark>…</mark>


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@runtime_checkable
class SearchIndex(Protocol):
    """Port for the full-text index of dossier pages."""

    def upsert(self, docs: Sequence[PageDoc]) -> None:
        """Add or replace pages (by PageDoc.id) and make them searchable before returning."""
        ...

    def delete_documents(self, document_ids: Sequence[int]) -> None:
        """Remove every page of these documents."""
        ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def count(self) -> int:
        """Number of indexed pages."""
        ...

    def clear(self) -> None:
        """Drop every page (used before a full rebuild)."""
        ...

    def close(self) -> None: ...
