"""The object-store port: what the archive needs from a place that keeps originals.

Objects are content-addressed: the key is the SHA-256 of the bytes, computed while
streaming, so an original can never be silently replaced and a second upload of the same
bytes is a no-op. Retention (lưu trữ vĩnh viễn) and legal hold are part of the port
because the production store (S3 object lock) enforces them and the local store must
behave the same way.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Iterator, Protocol, runtime_checkable


class StorageError(Exception):
    """Base class of every error an object store raises."""


class ObjectNotFound(StorageError):
    """No object under that key."""


class RetentionLocked(StorageError):
    """The object is under retention or legal hold and cannot be deleted or shortened."""


class ObjectCorrupted(StorageError):
    """The stored bytes no longer hash to their key."""


class ObjectIntact(StorageError):
    """A repair was asked for an object whose stored bytes still hash to its key: nothing to repair."""


class InvalidKey(StorageError):
    """A key that is not a lowercase hex SHA-256."""


KEY_PATTERN = re.compile(r"^[0-9a-f]{64}$")  # lowercase hex SHA-256: the only valid object key


def check_key(key: str) -> str:
    """The key itself, or InvalidKey: every adapter validates keys the same way."""
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise InvalidKey(f"not a SHA-256 key: {key!r}")
    return key


NAMESPACE_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def check_namespace(name: str) -> str:
    """The namespace name itself, or ValueError (a short lowercase word: it becomes a path)."""
    if not isinstance(name, str) or not NAMESPACE_PATTERN.match(name):
        raise ValueError(f"not a namespace name: {name!r}")
    return name


class RetentionMode(str, enum.Enum):
    """S3 object-lock modes. GOVERNANCE may be bypassed by a privileged caller; COMPLIANCE never."""

    GOVERNANCE = "GOVERNANCE"
    COMPLIANCE = "COMPLIANCE"


@dataclass(frozen=True)
class Retention:
    mode: RetentionMode
    until: datetime  # timezone-aware UTC


@dataclass(frozen=True)
class ObjectInfo:
    key: str  # lowercase hex SHA-256 of the content
    size: int
    content_type: str
    created: bool = False  # True when this put wrote new bytes, False when they were already stored
    retention: Retention | None = None
    legal_hold: bool = False


@runtime_checkable
class ObjectStore(Protocol):
    """Port for keeping originals byte-for-byte."""

    def put_stream(
        self, stream: BinaryIO, *, content_type: str = "application/octet-stream",
        expected_sha256: str | None = None,
    ) -> ObjectInfo:
        """Store the stream's bytes under their SHA-256; never overwrite an existing object.

        When expected_sha256 is given and the bytes hash differently, nothing is stored and
        ObjectCorrupted is raised.
        """
        ...

    def put_file(self, path: Path, *, sha256: str, content_type: str = "application/octet-stream") -> ObjectInfo:
        """Store a local file whose SHA-256 the caller computed while writing it.

        The store may take the file over (a rename on the same disk instead of a second copy):
        the caller must not use `path` afterwards, except to remove it if it still exists.
        """
        ...

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the object; the caller closes it."""
        ...

    def iter_chunks(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The object's bytes in chunks (for HTTP streaming)."""
        ...

    def stat(self, key: str) -> ObjectInfo: ...

    def exists(self, key: str) -> bool: ...

    def list_keys(self) -> Iterator[str]: ...

    def delete(self, key: str, *, bypass_governance: bool = False) -> None:
        """Remove an object; RetentionLocked while retention or legal hold forbids it."""
        ...

    def set_retention(self, key: str, retention: Retention, *, bypass_governance: bool = False) -> None:
        """Set or extend retention; shortening a COMPLIANCE retention raises RetentionLocked."""
        ...

    def set_legal_hold(self, key: str, on: bool) -> None: ...

    def verify(self, key: str) -> bool:
        """Re-read the object and check that its bytes still hash to the key."""
        ...

    def replace_damaged(self, key: str, stream: BinaryIO, *, content_type: str | None = None) -> ObjectInfo:
        """Put the right bytes back under `key` (sửa tệp hỏng từ bản sao lưu) when the stored ones are gone
        or no longer hash to it.

        Refuses — changing nothing — with ObjectCorrupted when the stream does not hash to the key, and
        with ObjectIntact when the stored object still does. Retention and legal hold do not block it:
        they protect the content the key names, and this restores exactly that content (checked before
        anything is written); they stay on the object as they were. content_type is used only when the
        store has no better record of it (the object's metadata is gone, or says only octet-stream).
        """
        ...

    def namespace(self, name: str) -> "ObjectStore":
        """The same store's objects under namespace `name` (e.g. "derivatives"): content-addressed
        like the originals, but listed, kept and deleted apart from them. The same bytes may be
        in both; a namespace's keys never show in the parent's list_keys, nor the parent's in it."""
        ...
