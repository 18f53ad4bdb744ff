"""GET /metrics: Prometheus exposition (số liệu giám sát), off unless ARCHIVE_METRICS_ENABLED.

Who may scrape: with ARCHIVE_METRICS_TOKEN set, whoever sends it as a Bearer token; without
one, only a client on this host (loopback, and not relayed by a proxy — a proxy on the same
host would otherwise make every client look local). Disabled, the path does not exist (404).
HTTP requests and latency are labelled by route template (`/api/v1/staff/{code}`), never by the
concrete path, so neither a staff code nor a file name reaches the monitoring system and the
label set stays bounded.
"""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator import metrics as http_metrics

from archive import error_table
from archive import metrics as process_metrics
from archive.api.deps import ContainerDep
from archive.bootstrap import Container
from archive.errors import Forbidden, NotFound, Unauthenticated
from archive.services.metrics import ArchiveGauges, archive_gauges

router = APIRouter()
PATH = "/metrics"
_RELAY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def install_metrics(app: FastAPI, container: Container) -> None:
    """Instrument the HTTP app (when metrics are on) and add the /metrics route (always: it answers 404 when off)."""
    app.include_router(router)
    if not container.settings.metrics_enabled:
        return
    # one registry per app: a second app in one process (tests) must not find the names taken
    registry = CollectorRegistry(auto_describe=True)
    app.state.http_metrics = registry
    instrumentator = Instrumentator(excluded_handlers=[PATH, "/static/.*"], registry=registry)
    instrumentator.add(http_metrics.default(registry=registry), _count_uploads)
    instrumentator.instrument(app)


def _count_uploads(info: http_metrics.Info) -> None:
    if info.modified_handler in process_metrics.UPLOAD_ROUTES and info.method in ("POST", "PUT"):
        try:
            size = int(info.request.headers.get("content-length") or 0)
        except ValueError:
            size = 0
        process_metrics.count_upload(info.modified_handler, info.modified_status, size)


@router.get(PATH, include_in_schema=False)
def scrape(request: Request, c: ContainerDep) -> Response:
    refused = _refusal(request, c)
    if refused is not None:
        return _answer(refused)
    gauges = archive_gauges(c)
    body = process_metrics.exposition(http_registry=getattr(request.app.state, "http_metrics", None),
                                      extra=[_GaugeCollector(gauges)])
    return Response(body, media_type=process_metrics.CONTENT_TYPE_LATEST)


def _refusal(request: Request, c: Container) -> Exception | None:
    s = c.settings
    if not s.metrics_enabled:
        return NotFound("Không có trang này.")
    if s.metrics_token:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), s.metrics_token.encode()):
            return None
        return Unauthenticated("Cần mã truy cập số liệu giám sát (Authorization: Bearer …).")
    if _is_loopback(request.client.host if request.client else "") and \
            not any(h in request.headers for h in _RELAY_HEADERS):
        return None
    return Forbidden("Số liệu giám sát chỉ đọc được từ chính máy chủ khi chưa đặt mã truy cập.")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _answer(exc: Exception) -> Response:
    status = error_table.http_status(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return PlainTextResponse(error_table.message(exc), status_code=status, headers=headers)


class _GaugeCollector(Collector):
    """The database's numbers of one scrape, as gauges."""

    def __init__(self, g: ArchiveGauges) -> None:
        self._g = g

    def collect(self):
        g = self._g
        queued = GaugeMetricFamily("archive_queue_depth", "Background jobs queued (chờ chạy), by kind, from the "
                                   "job table.", labels=["kind"])
        for kind, n in sorted(g.jobs_queued.items()):
            queued.add_metric([kind], n)
        running = GaugeMetricFamily("archive_jobs_running", "Background jobs leased by a worker now, by kind.",
                                    labels=["kind"])
        for kind, n in sorted(g.jobs_running.items()):
            running.add_metric([kind], n)
        failed = GaugeMetricFamily("archive_jobs_failed_stored", "Jobs in the table that failed for good, by kind "
                                   "(also those the sweeper failed after their last lease ran out).", labels=["kind"])
        for kind, n in sorted(g.jobs_failed.items()):
            failed.add_metric([kind], n)
        oldest = GaugeMetricFamily("archive_queue_oldest_seconds", "Seconds the oldest queued job of each kind has "
                                   "waited.", labels=["kind"])
        for kind, n in sorted(g.oldest_queued_seconds.items()):
            oldest.add_metric([kind], n)
        yield from (queued, running, failed, oldest)
        yield GaugeMetricFamily("archive_index_lag_documents", "Documents extracted and waiting for the search "
                                "index.", value=g.documents_waiting_index)
        yield GaugeMetricFamily("archive_index_lag_records", "Staff records queued for (re)indexing.",
                                value=g.records_waiting_index)
        if g.oldest_waiting_index_seconds is not None:
            yield GaugeMetricFamily("archive_index_lag_oldest_seconds", "Age of the oldest staff record waiting "
                                    "for the index.", value=g.oldest_waiting_index_seconds)
        yield GaugeMetricFamily("archive_backup_targets", "Backup targets configured.", value=g.backup_targets)
        if g.backup_age_seconds is not None:
            yield GaugeMetricFamily("archive_backup_last_good_age_seconds", "Seconds since the last good backup "
                                    "finished.", value=g.backup_age_seconds)
        yield GaugeMetricFamily("archive_backup_stale", "1 when targets are set and the last good backup is older "
                                "than ARCHIVE_BACKUP_MAX_AGE_HOURS (or there is none).", value=int(g.backup_stale))
        yield GaugeMetricFamily("archive_fixity_objects", "Stored objects under the fixity cycle.",
                                value=g.fixity_objects)
        yield GaugeMetricFamily("archive_fixity_coverage_ratio", "Share of objects re-hashed within the fixity "
                                "cycle (1 = all).", value=g.fixity_coverage_ratio)
        yield GaugeMetricFamily("archive_fixity_damaged_objects", "Objects found damaged or missing and not yet "
                                "repaired.", value=g.fixity_damaged)
