"""Search index: the port, its adapters and the Vietnamese text rules they share.

Knows nothing of the rest of the service.
"""

from search.factory import open_index
from search.port import FILTER_FIELDS, PageDoc, SearchError, SearchHit, SearchIndex, SearchQuery, SearchResult
from search.vietnamese import fold, nfc

__all__ = [
    "FILTER_FIELDS", "PageDoc", "SearchError", "SearchHit", "SearchIndex", "SearchQuery", "SearchResult",
    "fold", "nfc", "open_index",
]
