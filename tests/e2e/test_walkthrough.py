"""README's walkthrough, for real: `archive serve` (API + Celery workers + beat) and the CLI."""

import signal
import time

import httpx
import pytest

from tests.support.documents import png_bytes, rendered_page
from tests.support.processes import (
    ARCHIVE, cli, cli_json, free_port, group_alive, service_env, start, stop_group, wait_http,
)

pytestmark = pytest.mark.slow


def test_cli_walkthrough_against_archive_serve(tmp_path, tesseract):
    data = tmp_path / "data"
    env = service_env(data, sweep_interval_seconds=2)
    assert cli(env, "init").returncode == 0
    assert cli(env, "init").returncode == 0, "init must be safe to run twice"

    port = free_port()
    server = start([ARCHIVE, "serve", "--port", str(port)], env, tmp_path / "serve.log")
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v1/health")
        staff = cli_json(env, "staff", "add", "--code", "NV001", "--name", "Nguyễn Văn An",
                         "--birth-date", "1955-07-20", "--unit", "TINH", "--status", "nghi_huu")
        assert staff["full_name"] == "Nguyễn Văn An"

        img, _ = rendered_page(["Quyết định nghỉ hưu", "Ông Nguyễn Văn An, chuyên viên chính Sở Nội vụ"])
        scan = tmp_path / "quyet-dinh.png"
        scan.write_bytes(png_bytes(img))
        [doc] = cli_json(env, "ingest", str(scan), "--staff", "NV001", "--type", "quyet_dinh_nghi_huu", "--wait",
                         timeout=300)
        assert doc["state"] == "indexed", doc

        found = cli_json(env, "search", "nguyen van an nghi huu", "--status", "nghi_huu", "--group", "page")
        assert [(h["document_id"], h["page"], h["staff_code"]) for h in found["hits"]] == [(doc["id"], 1, "NV001")]
        assert "Quyết định" in cli(env, "doc", "text", str(doc["id"])).stdout
        token = cli_json(env, "token", "create", "admin")["token"]
        api = httpx.get(f"http://127.0.0.1:{port}/api/v1/search", params={"q": '"nghỉ hưu"'},
                        headers={"Authorization": f"Bearer {token}"}).json()
        assert api["total"] == 1

        bad = tmp_path / "note.txt"
        bad.write_text("không phải bản quét")
        r = cli(env, "ingest", str(bad), "--staff", "NV001")
        assert r.returncode != 0 and "không được hỗ trợ" in r.stderr
        r = cli(env, "ingest", str(scan), "--staff", "NV404")
        assert r.returncode != 0 and "NV404" in r.stderr
    finally:
        # Ctrl-C in a terminal signals the whole foreground group
        stop_group(server, signal.SIGINT, timeout=60)
    assert server.returncode == 0
    time.sleep(0.5)
    assert not group_alive(server), "a worker outlived `archive serve`"
