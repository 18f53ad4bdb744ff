"""Object storage: the port and its adapters. Knows nothing of the rest of the service."""

from storage.factory import open_store
from storage.local_copy import local_copy, owned_prefix
from storage.port import (
    InvalidKey,
    ObjectCorrupted,
    ObjectInfo,
    ObjectIntact,
    ObjectNotFound,
    ObjectStore,
    Retention,
    RetentionLocked,
    RetentionMode,
    StorageError,
)

__all__ = [
    "InvalidKey", "ObjectCorrupted", "ObjectInfo", "ObjectIntact", "ObjectNotFound", "ObjectStore", "Retention",
    "RetentionLocked", "RetentionMode", "StorageError", "local_copy", "open_store", "owned_prefix",
]
