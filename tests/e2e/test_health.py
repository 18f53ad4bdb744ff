"""GET /api/v1/health asks every engine for real: 503 naming the part that is down, 200 once it is back."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from archive.app import create_app
from archive.bootstrap import build
from archive.settings import Settings
from scripts.engines import load
from scripts.engines.common import EngineUnavailable, free_port
from tests.support.inline_queue import InlineQueue


def _health(settings: Settings) -> tuple[int, dict]:
    c = build(settings, queue=InlineQueue())
    try:
        r = TestClient(create_app(container=c)).get("/api/v1/health")
        return r.status_code, r.json()
    finally:
        c.close()


def test_health_is_ok_when_every_part_answers(container):
    r = TestClient(create_app(container=container)).get("/api/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok", "search": "ok", "broker": "ok"},
                        "backup": {"targets": 0, "last_good_at": None, "age_hours": None, "stale": False},
                        "fixity": {"damaged": 0, "failures_total": 0, "repairs_total": 0, "objects": 0,
                                   "coverage_pct": 100.0}}


def test_health_names_a_database_that_cannot_be_opened(settings, tmp_path):
    broken = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"})
    status, body = _health(broken)
    assert status == 503 and body["failed"] == ["database"]
    assert "cơ sở dữ liệu" in body["detail"]


@pytest.mark.engines
def test_health_answers_503_while_elasticsearch_is_stopped_and_200_when_it_is_back(settings, tmp_path,
                                                                                    elasticsearch_url):
    """A node of our own (the session's is shared): started, stopped, started again on its port."""
    es = load("es")
    state, port = tmp_path / "es", free_port()
    try:
        es.start(state, port)
    except EngineUnavailable as exc:  # the session fixture already proved ES is installed here
        pytest.fail(str(exc))
    try:
        s = settings.model_copy(update={"search_url": f"http://127.0.0.1:{port}?prefix=health{uuid.uuid4().hex[:6]}"})
        assert _health(s)[0] == 200
        es.stop(state)
        status, body = _health(s)
        assert status == 503 and body["failed"] == ["search"], body
        assert body["checks"]["database"] == body["checks"]["storage"] == "ok"
        es.start(state, port)
        status, body = _health(s)
        assert status == 200, body
    finally:
        es.stop(state)
