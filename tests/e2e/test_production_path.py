"""The full production path: API process + Celery workers on Redis, PostgreSQL, Elasticsearch, S3."""

import uuid
from urllib.parse import urlparse, urlunparse

import httpx
import pytest

from archive.serve import commands
from archive.settings import Settings
from tests.support.databases import fresh_postgres_database
from tests.support.documents import png_bytes, rendered_page
from tests.support.processes import cli, cli_json, free_port, service_env, start, stop_group, wait_http, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.engines]


def _with_bucket(s3_url: str, bucket: str) -> str:
    return urlunparse(urlparse(s3_url)._replace(netloc=bucket))


def test_upload_scan_wait_and_find_on_production_engines(
    tmp_path, tesseract, postgres_url, redis_url, elasticsearch_url, s3_url
):
    tag = uuid.uuid4().hex[:8]
    env = service_env(
        tmp_path / "data",
        database_url=fresh_postgres_database(postgres_url),
        broker_url=redis_url,
        search_url=f"{elasticsearch_url}?prefix=e2e{tag}",
        storage_url=_with_bucket(s3_url, f"e2e-{tag}"),
        sweep_interval_seconds=2,
    )
    init = cli(env, "init")
    assert init.returncode == 0, init.stderr
    auth = {"Authorization": f"Bearer {cli_json(env, 'token', 'create', 'admin')['token']}"}
    s = Settings(data_dir=tmp_path / "data")
    port = free_port()
    cmds = commands(s, host="127.0.0.1", port=port, ocr_workers=1)
    procs = [start(cmds[name], env, tmp_path / f"{name}.log") for name in ("api", "ocr", "index", "beat")]
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        wait_http(f"{base}/health")
        r = httpx.post(f"{base}/units", json={"code": "BN", "name": "UBND phường Bến Nghé", "parent_code": "TINH"},
                       headers=auth)
        assert r.status_code == 201, r.text
        r = httpx.post(f"{base}/staff", json={"code": "HCM001", "full_name": "Võ Thị Sáu Nhỏ", "status": "thoi_viec",
                                               "unit_code": "BN"}, headers=auth)
        assert r.status_code == 201, r.text
        img, _ = rendered_page(["Quyết định thôi việc", "Bà Võ Thị Sáu Nhỏ, nhân viên UBND phường Bến Nghé"])
        r = httpx.post(f"{base}/documents", data={"staff_code": "HCM001", "document_type": "quyet_dinh_thoi_viec"},
                       files={"file": ("qd.png", png_bytes(img), "image/png")}, headers=auth, timeout=60)
        assert r.status_code == 201, r.text
        doc_id = r.json()["id"]
        wait_until(lambda: httpx.get(f"{base}/documents/{doc_id}", headers=auth).json()["state"] in ("indexed", "failed"), 180,
                   "the document to be processed")
        doc = httpx.get(f"{base}/documents/{doc_id}", headers=auth).json()
        assert doc["state"] == "indexed", doc
        found = httpx.get(f"{base}/search", params={"q": "vo thi sau nho ben nghe", "status": "thoi_viec"},
                          headers=auth).json()
        assert [(h["document_id"], h["page"]) for h in found["hits"]] == [(doc_id, 1)]
        assert "<mark>Bến</mark>" in found["hits"][0]["snippet"]
        original = httpx.get(f"{base}/documents/{doc_id}/original", headers=auth)
        assert original.content == png_bytes(img)
    finally:
        for p in procs:
            stop_group(p)
