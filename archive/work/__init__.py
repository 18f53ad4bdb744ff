"""Background work (công việc nền): job kinds, their registry, the one lease loop, the sweeper, the schedule.

The doors use it like this: a worker process builds `make_celery(settings, registry,
context_factory)`; tests and one-shot commands call `run_job` / `sweep` directly. How to add
a kind: see `archive.work.registry`; the handler contract: `archive.work.contract`.
"""

from archive.work.contract import DrainKind, Finish, JobInfo, JobKind, Lease, LeaseLost, PermanentFailure
from archive.work.registry import Registry, UnknownJobKind, default_registry
from archive.work.runner import run_job, start_kind
from archive.work.sweeper import sweep

__all__ = [
    "DrainKind", "Finish", "JobInfo", "JobKind", "Lease", "LeaseLost", "PermanentFailure", "Registry",
    "UnknownJobKind", "default_registry", "run_job", "start_kind", "sweep",
]
