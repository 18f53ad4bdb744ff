"""The one place that builds concrete adapters from settings (Cosmic Python's bootstrap).

The API, the Celery worker start-up and the CLI all call `build()`; nothing connects to an
engine at import time. Adapters are opened lazily, so a process that never searches never
opens the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from archive.crypto import FieldCipher, load_or_create_key_file
from archive.db import UnitOfWork, make_engine
from archive.settings import Settings
from archive.task_queue import TaskQueue
from search import SearchIndex, open_index
from storage import ObjectStore, open_store


@dataclass
class Container:
    settings: Settings
    queue: TaskQueue | None = None
    _closers: list = field(default_factory=list)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine, expire_on_commit=False)

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
    def index(self) -> SearchIndex:
        return open_index(self.settings.search_url)

    def close(self) -> None:
        if "index" in self.__dict__:
            self.index.close()
        if "engine" in self.__dict__:
            self.engine.dispose()


def build(settings: Settings | None = None, *, queue: TaskQueue | None = None) -> Container:
    settings = settings or Settings()
    for d in (settings.data_dir, settings.tmp_dir):
        d.mkdir(parents=True, exist_ok=True)
    if queue is None:
        from archive.celery_app import CeleryQueue, make_celery  # Celery only where work is sent

        queue = CeleryQueue(make_celery(settings))
    return Container(settings=settings, queue=queue)
