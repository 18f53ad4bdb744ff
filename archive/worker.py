"""Entry point for `celery -A archive.worker worker|beat`: the app configured from the environment."""

from archive.bootstrap import build_worker_app

app = build_worker_app()
