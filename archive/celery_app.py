"""Celery wiring: the app, its thin tasks, and the TaskQueue adapter that sends to them.

Queues: `ocr` (text extraction, as many workers as cores) and `index` (exactly one consumer,
because tantivy allows one writer per index). Tasks only call a service and return; all
state lives in the database.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from celery import Celery

from archive.settings import Settings

PROCESS_TASK = "archive.process_document"
INDEX_TASK = "archive.index_pending"
SWEEP_TASK = "archive.sweep"


def make_celery(settings: Settings) -> Celery:
    app = Celery("archive")
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
        task_routes={PROCESS_TASK: {"queue": "ocr"}, INDEX_TASK: {"queue": "index"}, SWEEP_TASK: {"queue": "index"}},
        beat_schedule={
            "sweep-jobs": {"task": SWEEP_TASK, "schedule": timedelta(seconds=settings.sweep_interval_seconds)},
        },
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
    _register_tasks(app, settings)
    return app


_container = None


def _get_container(settings: Settings):
    """One Container per worker process, built on first use (never at import)."""
    global _container
    if _container is None:
        from archive.bootstrap import build

        _container = build(settings, queue=CeleryQueue(_current_app))
    return _container


_current_app: Celery | None = None


def _register_tasks(app: Celery, settings: Settings) -> None:
    global _current_app
    _current_app = app

    @app.task(name=PROCESS_TASK)
    def process_document(job_id: int) -> None:
        from archive.services.processing import run_job

        run_job(_get_container(settings), job_id, worker_id=f"{socket.gethostname()}:{os.getpid()}")

    @app.task(name=INDEX_TASK)
    def index_pending() -> None:
        from archive.services.processing import index_pending as run

        run(_get_container(settings))

    @app.task(name=SWEEP_TASK)
    def sweep() -> None:
        from archive.services.jobs import sweep as run

        run(_get_container(settings))


class CeleryQueue:
    """TaskQueue adapter on Celery."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def send_process(self, job_id: int) -> None:
        self.app.send_task(PROCESS_TASK, args=[job_id], queue="ocr")

    def send_index(self) -> None:
        self.app.send_task(INDEX_TASK, queue="index")
