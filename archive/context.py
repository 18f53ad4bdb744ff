"""What a service may use: the narrow context the doors hand in (unit of work, store, index, queue…).

Services take a `Context`, never the bootstrap container itself: `archive/bootstrap.py` builds
the concrete adapters and is imported by the doors only (API, web, CLI, worker), so no
service can reach for an adapter it was not given, and no import circle runs through
bootstrap. Tests may pass any object with these attributes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Protocol

from archive.crypto import AuditKey, FieldCipher
from archive.db import UnitOfWork
from archive.settings import Settings
from archive.task_queue import TaskQueue
from search import SearchIndex
from storage import ObjectStore


class Context(Protocol):
    """Bối cảnh dịch vụ: the resources a service call may touch."""

    settings: Settings
    queue: TaskQueue | None
    clock: Callable[[], datetime]  # naive UTC now (archive.models.utcnow); tests may move it

    def uow(self) -> UnitOfWork:
        """A new transaction (commit explicitly, rolled back otherwise)."""
        ...

    @property
    def store(self) -> ObjectStore:
        """The object store of originals (its `derivatives` namespace holds what is made from them)."""
        ...

    @property
    def derivatives(self) -> ObjectStore:
        """Where page images and other re-creatable copies live: the store's `derivatives` namespace."""
        ...

    @property
    def audit_anchors(self) -> ObjectStore:
        """Signed heads of the audit chain, written under retention (the store's `audit` namespace)."""
        ...

    @property
    def audit_key(self) -> AuditKey: ...

    @property
    def index(self) -> SearchIndex: ...

    @property
    def cipher(self) -> FieldCipher: ...
