"""Process metrics (số liệu giám sát) for Prometheus: what this process did — uploads, pages OCR'd,
OCR seconds, jobs ended — plus the HTTP instrumentation and the exposition of a scrape.

Counters live in each process; several processes (uvicorn workers, Celery prefork children,
the index consumer) add up only in prometheus-client's multiprocess mode: every process writes
its values into files of one shared directory, `PROMETHEUS_MULTIPROC_DIR`, and a scrape sums
them. prometheus-client picks that mode when it is first imported, so the directory is taken
from the environment here, before the import: `PROMETHEUS_MULTIPROC_DIR`, else our
`ARCHIVE_METRICS_DIR` (`archive serve` sets both for its children and empties the directory at
start). Gauges read from the database (queue depth, index lag, backup age, fixity coverage) are
not here: archive.services.metrics computes them at scrape time.

This module imports nothing of archive, so every layer (work kinds, the runner, the API) may
count through it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR") and os.environ.get("ARCHIVE_METRICS_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.environ["ARCHIVE_METRICS_DIR"]
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # the instrumentator refuses a missing directory; a worker started before `archive serve` made it must not crash
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE_LATEST", "UPLOAD_ROUTES", "count_job", "count_ocr_page", "count_upload",
           "exposition", "multiprocess_dir", "page_timer"]

# Seconds a page takes: an A4 scan at 300 dpi is a few seconds of tesseract on one core.
_OCR_BUCKETS = (0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120)

UPLOADS = Counter("archive_uploads", "Upload requests answered (tải lên), by door route and status class.",
                  ["handler", "status"])
UPLOAD_BYTES = Counter("archive_upload_bytes", "Bytes received in upload requests (by Content-Length).", ["handler"])
OCR_PAGES = Counter("archive_ocr_pages", "Pages read by OCR (tesseract), not from a text layer.")
TEXT_LAYER_PAGES = Counter("archive_text_layer_pages", "Pages whose text came from the PDF's own text layer.")
OCR_SECONDS = Histogram("archive_ocr_page_seconds", "Seconds spent extracting one OCR'd page.", buckets=_OCR_BUCKETS)
JOBS_ENDED = Counter("archive_jobs_ended", "Background jobs run by this process, by kind and outcome "
                     "(done, failed, requeued, lost).", ["kind", "outcome"])
JOBS_FAILED = Counter("archive_jobs_failed", "Background jobs that failed for good (no attempt left), by kind.",
                      ["kind"])

# Route templates (as FastAPI matches them) where a file is received: the API and the web page.
UPLOAD_ROUTES = frozenset({"/api/v1/documents", "/api/v1/staff/{staff_code}/documents/{file_name}",
                           "/tai-len", "/tai-len/tep"})


def count_upload(handler: str, status: str, size: int | None) -> None:
    UPLOADS.labels(handler, status).inc()
    if size:
        UPLOAD_BYTES.labels(handler).inc(size)


def count_ocr_page(source: str, seconds: float) -> None:
    """One extracted page: OCR'd pages count with their time; text-layer pages only count."""
    if source == "ocr":
        OCR_PAGES.inc()
        OCR_SECONDS.observe(seconds)
    else:
        TEXT_LAYER_PAGES.inc()


def page_timer(pages: Iterable, clock: Callable[[], float]) -> Iterator:
    """The pages of an extraction, each counted with the seconds it took to produce."""
    start = clock()
    for page in pages:
        count_ocr_page(getattr(page, "source", ""), clock() - start)
        yield page
        start = clock()  # the caller's work between pages (lease renewal) is not OCR time


def count_job(kind: str, outcome: str) -> str:
    """Count how a job run ended; returns the outcome, so `return count_job(kind, "done")` reads as it does."""
    JOBS_ENDED.labels(kind, outcome).inc()
    if outcome == "failed":
        JOBS_FAILED.labels(kind).inc()
    return outcome


def multiprocess_dir() -> str | None:
    """The shared directory when this process writes its values there (multiprocess mode)."""
    if values.ValueClass is values.MutexValue:
        return None
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class _Chain(Collector):
    def __init__(self, collectors: Iterable[Collector]) -> None:
        self._collectors = list(collectors)

    def collect(self):
        for c in self._collectors:
            yield from c.collect()


def exposition(*, http_registry: CollectorRegistry | None, extra: Iterable[Collector] = ()) -> bytes:
    """The text a scrape answers: every process's counters (summed from the shared directory in
    multiprocess mode, else this process's own), then `extra` (the database gauges)."""
    registry = CollectorRegistry(auto_describe=False)
    shared = multiprocess_dir()
    if shared:
        multiprocess.MultiProcessCollector(registry, path=shared)
    else:
        registry.register(_Chain([REGISTRY] + ([http_registry] if http_registry is not None else [])))
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)


def reset_shared_dir(path: Path) -> None:
    """Empty the multiprocess directory before the processes that write it start (values of dead
    processes would otherwise be summed into the new run's counters, forever)."""
    path.mkdir(parents=True, exist_ok=True)
    for f in path.glob("*.db"):
        f.unlink()
