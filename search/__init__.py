"""Search index: the port, its adapters and the Vietnamese text rules they share.

Knows nothing of the rest of the service. Importing this package (or search.text) loads no
engine: the port and the factory are plain Python and the adapters are imported by
open_index(); `fold`, which needs tantivy's analyzers, is imported on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from search.factory import open_index
from search.port import (
    FILTER_FIELDS, PAGES_PER_PERSON, SORTS, IndexMissing, IndexRebuild, IndexSchemaOutdated, Matching, PageDoc, PageMatch, PeopleResult,
    PersonHit, Restriction, SearchError, SearchHit, SearchIndex, SearchQuery, SearchResult, Snippet, StaffDoc,
)
from search.collation import name_sort_key
from search.text import nfc

if TYPE_CHECKING:
    from search.vietnamese import fold

__all__ = [
    "FILTER_FIELDS", "PAGES_PER_PERSON", "SORTS", "IndexMissing", "IndexRebuild", "IndexSchemaOutdated", "Matching", "PageDoc", "PageMatch",
    "PeopleResult", "PersonHit", "Restriction", "SearchError", "SearchHit", "SearchIndex", "SearchQuery", "SearchResult",
    "Snippet", "StaffDoc", "fold", "name_sort_key", "nfc", "open_index",
]


def __getattr__(name: str) -> Any:
    if name == "fold":  # loads tantivy: only for callers that fold
        from search.vietnamese import fold

        return fold
    raise AttributeError(f"module 'search' has no attribute {name!r}")
