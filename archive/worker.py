"""Entry point for `celery -A archive.worker worker|beat`: the app configured from the environment."""

from archive.celery_app import make_celery
from archive.settings import Settings

app = make_celery(Settings())
