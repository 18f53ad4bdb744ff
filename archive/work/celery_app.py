"""Celery wiring: the app, its few generic tasks, and the TaskQueue adapter that sends to them.

Tasks are thin: `archive.run_job(job_id)` runs any job kind through the one lease loop,
`archive.drain(kind)` wakes a drain kind (the index consumer), `archive.sweep` repairs lost
work, `archive.enqueue(kind)` records and runs a scheduled job. Each job kind names its
queue: `ocr` (page work, as many workers as cores), `work` (other background jobs, served by
the same workers) and `index` (exactly one consumer: tantivy allows one writer per index).
All state lives in the database.
"""

from __future__ import annotations

import os
import socket
from typing import Callable

from celery import Celery

from archive.context import Context
from archive.settings import Settings
from archive.work.registry import Registry, default_registry
from archive.work.schedule import beat_schedule, default_schedule, effective_schedule

RUN_TASK = "archive.run_job"
DRAIN_TASK = "archive.drain"
SWEEP_TASK = "archive.sweep"
ENQUEUE_TASK = "archive.enqueue"


def make_celery(settings: Settings, registry: Registry | None = None,
                context_factory: Callable[[], Context] | None = None) -> Celery:
    """The app; `context_factory` builds the worker's context on first use (workers only: a
    process that only sends messages passes none)."""
    registry = registry or default_registry(settings.work_plugin_modules)
    app = Celery("archive")
    entries = effective_schedule(default_schedule(settings.sweep_interval_seconds), settings.schedule)
    conf: dict = dict(
        broker_url=settings.broker_url,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        timezone=settings.timezone,
        task_routes={SWEEP_TASK: {"queue": "index"}, ENQUEUE_TASK: {"queue": "work"}},
        beat_schedule=beat_schedule(entries, sweep_task=SWEEP_TASK, enqueue_task=ENQUEUE_TASK),
        beat_schedule_filename=str(settings.data_dir / "celerybeat-schedule"),
    )
    if settings.is_embedded_broker:
        q = settings.queue_dir
        for sub in ("messages", "processed", "control"):
            (q / sub).mkdir(parents=True, exist_ok=True)
        conf["broker_transport_options"] = {
            "data_folder_in": str(q / "messages"),
            "data_folder_out": str(q / "messages"),
            "processed_folder": str(q / "processed"),
            "control_folder": str(q / "control"),  # kombu's default is ./control in the cwd
            "store_processed": False,
        }
        # the file-system transport has no fan-out exchange for remote control and events
        conf["worker_enable_remote_control"] = False
        conf["worker_send_task_events"] = False
    app.conf.update(conf)
    _register_tasks(app, registry, context_factory)
    return app


def _register_tasks(app: Celery, registry: Registry, context_factory: Callable[[], Context] | None) -> None:
    context: list[Context] = []  # one per worker process, built on first use (never at import)

    def ctx() -> Context:
        if not context:
            if context_factory is None:
                raise RuntimeError("this Celery app only sends messages; workers pass a context_factory")
            context.append(context_factory())
        return context[0]

    @app.task(name=RUN_TASK)
    def run_job(job_id: int) -> str:
        from archive.work.runner import run_job as run

        # the pid as it is in the worker child (prefork), not in the parent that defined the task
        return run(ctx(), registry, job_id, worker_id=f"{socket.gethostname()}:{os.getpid()}")

    @app.task(name=DRAIN_TASK)
    def drain(kind: str) -> int:
        return registry.drain(kind).drain(ctx())

    @app.task(name=SWEEP_TASK)
    def sweep() -> dict:
        from archive.work.sweeper import sweep as run

        return run(ctx(), registry)

    @app.task(name=ENQUEUE_TASK)
    def enqueue(kind: str) -> int | None:
        from archive.work.runner import start_kind

        return start_kind(ctx(), registry, kind)



class CeleryQueue:
    """TaskQueue adapter on Celery: each kind's message goes to the queue its handler names."""

    def __init__(self, app: Celery, registry: Registry) -> None:
        self.app = app
        self.registry = registry

    def send_job(self, job_id: int, kind: str) -> None:
        self.app.send_task(RUN_TASK, args=[job_id], queue=self.registry.queue_of(kind))

    def wake(self, kind: str) -> None:
        self.app.send_task(DRAIN_TASK, args=[kind], queue=self.registry.queue_of(kind))

    def ping(self) -> None:
        with self.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
