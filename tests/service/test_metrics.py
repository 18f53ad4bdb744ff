"""GET /metrics (issue 20): off by default, a Bearer token or loopback only, route templates as labels,
uploads counted, and the database gauges equal to what the tables hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from archive.app import create_app
from archive.domain import JobState
from archive.models import Job
from archive.services.jobs import enqueue
from archive.work import run_job
from tests.support.accounts import logged_in, make_user
from tests.support.documents import CV_LINES, born_digital_pdf

TOKEN = "mã-giám-sát-không-dùng".encode().hex()


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) → value, from an exposition."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def scrape(app, token: str | None = TOKEN, client=("10.0.0.7", 40000)) -> tuple[int, str]:
    c = TestClient(app, client=client)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = c.get("/metrics", headers=headers)
    return r.status_code, r.text


@pytest.fixture
def metered(container):
    container.settings.metrics_enabled = True
    container.settings.metrics_token = TOKEN
    make_user(container, "admin1", "admin", "TINH", clearance=2)
    return container


def test_metrics_are_off_by_default_and_the_path_is_not_found(container) -> None:
    app = create_app(container=container)
    status, body = scrape(app, client=("127.0.0.1", 5000))
    assert status == 404
    assert body == "Không có trang này." and "Traceback" not in body


def test_a_scraper_without_the_token_is_refused_with_a_vietnamese_sentence(metered) -> None:
    app = create_app(container=metered)
    for token in (None, "sai-ma"):
        status, body = scrape(app, token=token)
        assert status == 401
        assert body.startswith("Cần mã truy cập số liệu giám sát")
    # loopback does not replace the token once one is set
    assert scrape(app, token=None, client=("127.0.0.1", 5000))[0] == 401
    r = TestClient(app, client=("10.0.0.7", 1)).get("/metrics")
    assert r.headers["www-authenticate"] == "Bearer"


def test_without_a_token_only_a_client_on_this_host_may_scrape(metered) -> None:
    metered.settings.metrics_token = ""
    app = create_app(container=metered)
    status, body = scrape(app, token=None, client=("10.0.0.7", 40000))
    assert status == 403 and "chính máy chủ" in body
    assert scrape(app, token=None, client=("127.0.0.1", 40000))[0] == 200
    assert scrape(app, token=None, client=("::1", 40000))[0] == 200
    relayed = TestClient(app, client=("127.0.0.1", 40000)).get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 403  # a proxy on this host relays outside clients: not local


def test_requests_are_labelled_by_route_template_and_uploads_are_counted(metered) -> None:
    app = create_app(container=metered)
    api = logged_in(app, "admin1")
    body = {"code": "NV042", "full_name": "Trần Văn Đức", "birth_date": "1959-02-01", "unit_code": "TINH"}
    assert api.post("/api/v1/staff", json=body).status_code == 201
    for _ in range(3):
        assert api.get("/api/v1/staff/NV042").status_code == 200
    assert api.get("/api/v1/staff/KHONG-CO").status_code == 404
    pdf = born_digital_pdf(CV_LINES)
    r = api.post("/api/v1/documents", data={"staff_code": "NV042"}, files={"file": ("syll.pdf", pdf, "application/pdf")})
    assert r.status_code == 201, r.text

    status, text = scrape(app)
    assert status == 200
    got = samples(text)
    template = "/api/v1/staff/{code}"
    assert got[("http_requests_total", (("handler", template), ("method", "GET"), ("status", "2xx")))] == 3
    assert got[("http_requests_total", (("handler", template), ("method", "GET"), ("status", "4xx")))] == 1
    assert "NV042" not in text and "KHONG-CO" not in text  # concrete codes never become labels
    assert ("http_request_duration_seconds_count", (("handler", template), ("method", "GET"))) in got
    upload = (("handler", "/api/v1/documents"), ("status", "2xx"))
    assert got[("archive_uploads_total", upload)] >= 1
    assert got[("archive_upload_bytes_total", (("handler", "/api/v1/documents"),))] >= len(pdf)
    # the scrape itself is not counted as a request
    assert not any(k[0] == "http_requests_total" and ("handler", "/metrics") in k[1] for k in got)


def test_queue_depth_per_kind_and_index_lag_equal_the_tables(metered) -> None:
    app = create_app(container=metered)
    api = logged_in(app, "admin1")
    body = {"code": "NV043", "full_name": "Lê Thị Hoa", "birth_date": "1970-05-01", "unit_code": "TINH"}
    assert api.post("/api/v1/staff", json=body).status_code == 201
    ids = []
    for n in range(2):
        r = api.post("/api/v1/documents", data={"staff_code": "NV043"},
                     files={"file": (f"t{n}.pdf", born_digital_pdf(CV_LINES + [f"Bản {n}"]), "application/pdf")})
        ids.append(r.json()["id"])
    with metered.uow() as uow:
        enqueue(uow.session, "fixity")
        enqueue(uow.session, "fixity")
        uow.commit()
    # run one document's extraction only: its text is stored, the index consumer has not run yet
    first_extract = metered.queue.sent_process[0]
    assert run_job(metered, metered.registry, first_extract, "test-worker") == "done"
    metered.queue.sent = [(j, k) for j, k in metered.queue.sent if j != first_extract]

    with metered.uow() as uow:
        pending = dict(uow.session.execute(select(Job.kind, func.count()).where(Job.state == JobState.QUEUED.value)
                                           .group_by(Job.kind)).all())
    assert pending.get("fixity") == 2 and pending.get("extract") == 1
    got = samples(scrape(app)[1])
    depth = {dict(k[1])["kind"]: v for k, v in got.items() if k[0] == "archive_queue_depth"}
    assert depth == pending
    oldest = {dict(k[1])["kind"]: v for k, v in got.items() if k[0] == "archive_queue_oldest_seconds"}
    assert set(oldest) == set(pending) and all(v >= 0 for v in oldest.values())
    assert got[("archive_index_lag_documents", ())] == 1
    assert got[("archive_jobs_ended_total", (("kind", "extract"), ("outcome", "done")))] >= 1
    assert got[("archive_text_layer_pages_total", ())] >= 1


def test_last_good_backup_age_and_fixity_coverage_come_from_the_database(metered) -> None:
    app = create_app(container=metered)
    assert ("archive_backup_last_good_age_seconds", ()) not in samples(scrape(app)[1])  # never backed up
    now = metered.clock()
    with metered.uow() as uow:
        job = enqueue(uow.session, "backup")
        job.state, job.result, job.finished_at = JobState.DONE.value, {"ok": True}, now - timedelta(hours=5)
        uow.commit()
    got = samples(scrape(app)[1])
    age = got[("archive_backup_last_good_age_seconds", ())]
    assert 5 * 3600 <= age < 5 * 3600 + 600
    assert got[("archive_fixity_coverage_ratio", ())] == 1.0  # nothing stored yet: nothing overdue
    assert ("archive_fixity_objects", ()) in got


def test_a_job_that_fails_for_good_is_counted_by_kind(metered) -> None:
    app = create_app(container=metered)
    with metered.uow() as uow:
        job = enqueue(uow.session, "extract", target_type="document", target_id=999_999)
        uow.commit()
        job_id = job.id
    before = samples(scrape(app)[1]).get(("archive_jobs_failed_total", (("kind", "extract"),)), 0)
    assert run_job(metered, metered.registry, job_id, "test-worker") == "failed"  # no such document
    after = samples(scrape(app)[1])
    assert after[("archive_jobs_failed_total", (("kind", "extract"),))] == before + 1
    with metered.uow() as uow:  # the durable count agrees with the table, whichever process failed the job
        stored = uow.session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == "extract", Job.state == JobState.FAILED.value))
    assert after[("archive_jobs_failed_stored", (("kind", "extract"),))] == stored == 1


def test_archive_serve_gives_its_processes_one_emptied_metrics_directory(settings, monkeypatch) -> None:
    from archive.serve import metrics_env

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert metrics_env(settings) == {}  # metrics off: the processes keep their counters in memory
    settings.metrics_enabled = True
    shared = settings.data_dir / "metrics"
    shared.mkdir()
    (shared / "counter_4242.db").write_bytes(b"a dead run's values")
    env = metrics_env(settings)
    assert env == {"PROMETHEUS_MULTIPROC_DIR": str(shared), "ARCHIVE_METRICS_DIR": str(shared)}
    assert list(shared.iterdir()) == []  # the previous run's counters are not summed into this one's


def test_every_metric_the_grafana_dashboard_plots_is_in_the_exposition(metered) -> None:
    import json
    import re
    from pathlib import Path

    dashboard = json.loads((Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json").read_text())
    wanted = {name for p in dashboard["panels"] for t in p["targets"]
              for name in re.findall(r"\b(?:archive|http)_[a-z_]+", t["expr"])}
    app = create_app(container=metered)
    api = logged_in(app, "admin1")
    api.get("/api/v1/staff/NV001")
    with metered.uow() as uow:
        job = enqueue(uow.session, "backup")
        job.state, job.result, job.finished_at = JobState.DONE.value, {"ok": True}, metered.clock()
        uow.commit()
    text = scrape(app)[1]
    shown = set(re.findall(r"^(?:# (?:HELP|TYPE) )?([a-z_]+)", text, flags=re.MULTILINE))
    assert wanted - shown == set()


@pytest.mark.engines
def test_the_database_gauges_read_the_same_on_postgresql(tmp_path, request) -> None:
    from archive.bootstrap import build
    from archive.db import migrate
    from archive.services.metrics import archive_gauges
    from archive.settings import Settings
    from tests.support.databases import fresh_postgres_database
    from tests.support.inline_queue import InlineQueue

    settings = Settings(data_dir=tmp_path / "pg-data",
                        database_url=fresh_postgres_database(request.getfixturevalue("postgres_url")))
    migrate(settings.database_url)
    c = build(settings, queue=InlineQueue())
    try:
        now = c.clock()
        with c.uow() as uow:
            for kind in ("fixity", "fixity", "backup"):
                enqueue(uow.session, kind)
            failed = enqueue(uow.session, "extract", target_type="document", target_id=1)
            failed.state = JobState.FAILED.value
            good = enqueue(uow.session, "backup")
            good.state, good.result, good.finished_at = JobState.DONE.value, {"ok": True}, now - timedelta(hours=1)
            uow.commit()
        g = archive_gauges(c)
        assert g.jobs_queued == {"fixity": 2, "backup": 1} and g.jobs_failed == {"extract": 1}
        assert set(g.oldest_queued_seconds) == {"fixity", "backup"}
        assert 3600 <= g.backup_age_seconds < 3600 + 600
        assert (g.documents_waiting_index, g.records_waiting_index, g.fixity_coverage_ratio) == (0, 0, 1.0)
    finally:
        c.close()
