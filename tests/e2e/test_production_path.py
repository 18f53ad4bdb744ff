"""The full production path: API process + Celery workers on Redis, PostgreSQL, Elasticsearch, S3."""

import hashlib
import io
import uuid
from urllib.parse import urlparse, urlunparse

import httpx
import pytest
from sqlalchemy import create_engine, text

from archive.serve import commands
from archive.settings import Settings
from storage.s3 import S3Store
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
        found = httpx.get(f"{base}/search", params={"q": "vo thi sau nho ben nghe", "status": "thoi_viec", "group": "page"},
                          headers=auth).json()
        assert [(h["document_id"], h["page"]) for h in found["hits"]] == [(doc_id, 1)]
        assert "<mark>Bến</mark>" in found["hits"][0]["snippet"]
        original = httpx.get(f"{base}/documents/{doc_id}/original", headers=auth)
        assert original.content == png_bytes(img)

        # page images are derivatives in MinIO, recorded in PostgreSQL: a second API host with its
        # own empty disk serves what the first one rendered, from the store
        thumb = httpx.get(f"{base}/documents/{doc_id}/pages/1/image", params={"width": 160}, headers=auth, timeout=60)
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
        store = S3Store.from_url(env["ARCHIVE_STORAGE_URL"])
        derived = store.namespace("derivatives")
        key = hashlib.sha256(thumb.content).hexdigest()  # (beside it: the OCR text layers and the archival copy)
        assert key in set(derived.list_keys()) and key not in set(store.list_keys())
        marker = png_bytes(rendered_page(["Ảnh đánh dấu"])[0])  # swap the record to other bytes:
        marker_key = derived.put_stream(io.BytesIO(marker), content_type="image/png").key  # only a store read shows them
        db = create_engine(env["ARCHIVE_DATABASE_URL"])
        with db.begin() as conn:
            conn.execute(text("UPDATE derivatives SET sha256 = :k"), {"k": marker_key})
        db.dispose()
        port2 = free_port()
        env2 = {**env, "ARCHIVE_DATA_DIR": str(tmp_path / "host2")}
        api2 = start(commands(Settings(data_dir=tmp_path / "host2"), host="127.0.0.1", port=port2, ocr_workers=1)["api"],
                     env2, tmp_path / "api2.log")
        procs.append(api2)
        base2 = f"http://127.0.0.1:{port2}/api/v1"
        wait_http(f"{base2}/health")
        served = httpx.get(f"{base2}/documents/{doc_id}/pages/1/image", params={"width": 160}, headers=auth, timeout=60)
        assert served.status_code == 200 and served.content == marker
        assert not list((tmp_path / "host2").rglob("*.png"))
    finally:
        for p in procs:
            stop_group(p)
