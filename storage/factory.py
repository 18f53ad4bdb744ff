"""Pick an object-store adapter from a URL: file:///path (embedded) or s3://bucket?endpoint=… ."""

from __future__ import annotations

from urllib.parse import urlparse

from storage.port import ObjectStore


def open_store(url: str) -> ObjectStore:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        from storage.local_fs import LocalFsStore

        return LocalFsStore(parsed.path)
    if parsed.scheme == "s3":
        from storage.s3 import S3Store  # imported lazily: the embedded mode never needs minio

        return S3Store.from_url(url)
    raise ValueError(f"unsupported storage URL scheme {parsed.scheme!r} (use file:// or s3://)")
