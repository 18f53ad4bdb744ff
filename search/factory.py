"""Pick a search adapter from a URL: tantivy:///path (embedded) or http(s)://host:9200 (Elasticsearch)."""

from __future__ import annotations

from urllib.parse import urlparse

from search.port import SearchIndex


def open_index(url: str) -> SearchIndex:
    scheme = urlparse(url).scheme
    if scheme == "tantivy":
        from search.tantivy_index import TantivyIndex

        return TantivyIndex.from_url(url)
    if scheme in ("http", "https"):
        from search.elasticsearch_index import ElasticsearchIndex  # lazy: embedded mode needs no client

        return ElasticsearchIndex.from_url(url)
    raise ValueError(f"unsupported search URL scheme {scheme!r} (use tantivy:// or http(s)://)")
