"""The one place that builds concrete adapters from settings (Cosmic Python's bootstrap).

Only the doors import it — the API and web app (`archive/app.py`), the CLI, the Celery worker
(`archive/worker.py`) — and hand the `Container` to services, which know it only as an
`archive.context.Context`. Nothing connects to an engine at import time; adapters are opened
lazily, so a process that never searches never opens the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Callable

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from archive.crypto import AuditKey, FieldCipher, load_or_create_audit_key, load_or_create_key_file
from archive.db import UnitOfWork, make_engine
from archive.models import utcnow
from archive.settings import Settings
from archive.task_queue import TaskQueue
from archive.work.registry import Registry, default_registry
import archive.services.report_metrics  # noqa: F401,E402 — registers the reports' completeness/consistency columns
from search import SearchIndex, open_index
from storage import ObjectStore, open_store

DERIVATIVES_NAMESPACE = "derivatives"
AUDIT_NAMESPACE = "audit"


@dataclass
class Container:
    settings: Settings
    queue: TaskQueue | None = None
    registry: Registry = field(default_factory=default_registry)
    clock: Callable[[], datetime] = utcnow

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        # the audit key rides on every session: audit.append seals entries with it
        return sessionmaker(self.engine, expire_on_commit=False, info={"audit_key": self.audit_key})

    @cached_property
    def audit_key(self) -> AuditKey:
        """HMAC key of the audit chain: ARCHIVE_AUDIT_KEY, or a key file in the data dir (embedded)."""
        if self.settings.audit_key:
            return AuditKey.from_spec(self.settings.audit_key)

        def head_seq() -> int:  # entries already in the log when the key is first made stay a plain chain
            with self.engine.connect() as conn:
                return int(conn.execute(text("SELECT seq FROM audit_head WHERE id = 1")).scalar() or 0)

        return load_or_create_audit_key(self.settings.data_dir / "keys" / "audit.key", head_seq)

    @cached_property
    def audit_anchors(self) -> ObjectStore:
        """Signed heads of the audit chain, under retention: the store's `audit` namespace."""
        return self.store.namespace(AUDIT_NAMESPACE)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    @cached_property
    def cipher(self) -> FieldCipher:
        """Key for sensitive fields: ARCHIVE_FIELD_KEYS, or a key file in the data dir (embedded)."""
        spec = self.settings.field_keys or load_or_create_key_file(self.settings.data_dir / "keys" / "field.key")
        return FieldCipher.from_spec(spec)

    @cached_property
    def store(self) -> ObjectStore:
        return open_store(self.settings.storage_url)

    @cached_property
    def derivatives(self) -> ObjectStore:
        return self.store.namespace(DERIVATIVES_NAMESPACE)

    @cached_property
    def index(self) -> SearchIndex:
        return open_index(self.settings.search_url)

    def close(self) -> None:
        if "index" in self.__dict__:
            self.index.close()
        if "engine" in self.__dict__:
            self.engine.dispose()


def build(settings: Settings | None = None, *, queue: TaskQueue | None = None,
          registry: Registry | None = None) -> Container:
    """A container; without `queue`, messages go to Celery on the configured broker."""
    settings = settings or Settings()
    for d in (settings.data_dir, settings.tmp_dir):
        d.mkdir(parents=True, exist_ok=True)
    registry = registry or default_registry(settings.work_plugin_modules)
    if queue is None:
        from archive.work.celery_app import CeleryQueue, make_celery  # Celery only where work is sent

        queue = CeleryQueue(make_celery(settings, registry), registry)
    return Container(settings=settings, queue=queue, registry=registry)


def build_worker_app(settings: Settings | None = None):  # -> celery.Celery
    """The Celery app of a worker process: its tasks run on a container built on first use."""
    from archive.work.celery_app import CeleryQueue, make_celery

    settings = settings or Settings()
    registry = default_registry(settings.work_plugin_modules)
    app = make_celery(settings, registry,
                      context_factory=lambda: build(settings, queue=CeleryQueue(app, registry), registry=registry))
    return app
