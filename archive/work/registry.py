"""Job kind → handler: the one list of background work the service knows.

To add a kind: write its handler in `archive/work/kinds/<name>.py` (a `JobKind` subclass with
its contract in the module docstring) and add one line to `default_registry()` below. A kind
that runs after another one says so in its `follow_ups`, or with `registry.then(after, kind)`.

Plug-ins (ARCHIVE_WORK_PLUGINS, comma-separated module names) may register more kinds: each
module's `register(registry)` is called when a process builds its registry, so the API that
records a job and the worker that runs it know the same kinds.
"""

from __future__ import annotations

import importlib
from typing import Iterable

from archive.work.contract import DrainKind, JobKind


class UnknownJobKind(LookupError):
    """A job row names a kind no handler is registered for (a plug-in missing on this host?)."""


class Registry:
    def __init__(self, kinds: Iterable[JobKind | DrainKind] = ()) -> None:
        self._jobs: dict[str, JobKind] = {}
        self._drains: dict[str, DrainKind] = {}
        self._then: dict[str, list[str]] = {}
        for kind in kinds:
            self.add(kind)

    def add(self, kind: JobKind | DrainKind) -> None:
        name = kind.name
        if name in self._jobs or name in self._drains:
            raise ValueError(f"job kind {name!r} is registered twice")
        if isinstance(kind, DrainKind):
            self._drains[name] = kind
        else:
            self._jobs[name] = kind

    def then(self, after: str, kind: str) -> None:
        """Queue `kind` for the same target whenever a job of `after` finishes."""
        self._then.setdefault(after, [])
        if kind not in self._then[after]:
            self._then[after].append(kind)

    def job(self, name: str) -> JobKind:
        try:
            return self._jobs[name]
        except KeyError:
            raise UnknownJobKind(f"no handler for job kind {name!r}") from None

    def drain(self, name: str) -> DrainKind:
        try:
            return self._drains[name]
        except KeyError:
            raise UnknownJobKind(f"no drain kind {name!r}") from None

    def follow_ups(self, name: str) -> tuple[str, ...]:
        declared = self.job(name).follow_ups
        return tuple(dict.fromkeys((*declared, *self._then.get(name, ()))))

    def queue_of(self, name: str) -> str:
        kind = self._jobs.get(name) or self._drains.get(name)
        if kind is None:
            raise UnknownJobKind(f"no handler for job kind {name!r}")
        return kind.queue

    @property
    def job_kinds(self) -> tuple[str, ...]:
        return tuple(self._jobs)

    @property
    def drain_kinds(self) -> tuple[DrainKind, ...]:
        return tuple(self._drains.values())

    @property
    def queues(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k.queue for k in (*self._jobs.values(), *self._drains.values())))


def default_registry(plugins: Iterable[str] = ()) -> Registry:
    """The service's kinds, one line each, then the configured plug-ins."""
    from archive.work.kinds.archival import ArchivalKind
    from archive.work.kinds.audit_anchor import AuditAnchorKind
    from archive.work.kinds.backup import BackupKind
    from archive.work.kinds.extract import ExtractKind
    from archive.work.kinds.fixity import FixityKind
    from archive.work.kinds.index import IndexKind
    from archive.work.kinds.retention import RetentionKind
    from archive.work.kinds.disposition import DispositionKind, DispositionProposeKind
    from archive.work.kinds.consistency import ConsistencyKind
    from archive.work.kinds.batch import BatchKind  # bulk intake (issue 16)
    from archive.work.kinds.consume import ConsumeKind  # watched scan folders per unit (issue 16)
    from archive.work.kinds.log_review import LogReviewKind  # log-review alerts (issue 15)
    from archive.work.kinds.warnings import NotifyMailKind, WarningsKind  # warnings, e-mail (issue 17)
    from archive.work.kinds.periodic_report import PeriodicReportKind  # báo cáo định kỳ (issue 17)
    from archive.work.kinds.annual_update import AnnualUpdateKind  # phiếu bổ sung lý lịch hằng năm (issue 18)

    registry = Registry([
        ExtractKind(),      # text of one uploaded document (PDF text layer or OCR)
        IndexKind(),        # the single index consumer
        AuditAnchorKind(),  # the audit chain's signed head into the object store
        BackupKind(),       # the nightly backup set into every target
        FixityKind(),       # the hourly fixity pass: re-hash what is due, repair from backups
        RetentionKind(),    # object lock per the retention schedule + legal holds (one document, or a pass)
        DispositionKind(),  # carry out an approved disposition (hủy tài liệu hết giá trị)
        DispositionProposeKind(),  # the weekly list of documents whose retention term ended
        ArchivalKind(),     # the two-layer PDF/A-2b archival copy of one document (TT 05/2025)
        ConsistencyKind(),  # paper vs record: a sơ yếu lý lịch's fields against the staff record
        BatchKind(),        # file an intake batch's pending files one by one (issue 16)
        ConsumeKind(),      # the watched scan folders per unit become batches (issue 16)
        LogReviewKind(),    # the daily log review: record yesterday's alerts (Hà Nội Đ8.2.c, issue 15)
        WarningsKind(),     # the daily warnings pass: retirement, salary step, contract end → notifications
        NotifyMailKind(),   # e-mail the unread notifications (off without ARCHIVE_SMTP_HOST)
        PeriodicReportKind(),  # báo cáo định kỳ on the profile's report dates (PDF + XLSX)
        AnnualUpdateKind(),  # open the phiếu bổ sung lý lịch on the profile's day; remind who has not declared
    ])
    registry.then("extract", "archival")    # the archival copy is made after every extraction
    registry.then("extract", "retention")   # lock the original's derivatives made by extract
    registry.then("extract", "consistency")  # đối chiếu a sơ yếu lý lịch (the kind skips other documents)
    registry.then("archival", "retention")  # and the archival copy (the kind may not be registered yet)
    for module_name in plugins:
        importlib.import_module(module_name).register(registry)
    return registry
