"""`archive serve` keeps the archive up when one of its processes dies (embedded mode): the dead
child is started again and the job table brings back the work it held — a document whose OCR
worker was SIGKILLed mid-upload is still indexed, the API answers again after its own crash."""

from __future__ import annotations

import signal
import subprocess
import time

import httpx
import pytest

from tests.support.documents import png_bytes, rendered_page
from tests.support.processes import ARCHIVE, cli, cli_json, free_port, group_alive, service_env, start, stop_group, \
    wait_http, wait_until

pytestmark = pytest.mark.slow


def _child(server: subprocess.Popen, pattern: str) -> int | None:
    r = subprocess.run(["pgrep", "-P", str(server.pid), "-f", pattern], capture_output=True, text=True)
    pids = [int(p) for p in r.stdout.split()]
    return pids[0] if pids else None


def test_a_killed_worker_and_a_killed_api_are_started_again_and_nothing_is_lost(tmp_path, tesseract):
    data = tmp_path / "data"
    env = service_env(data, sweep_interval_seconds=1, ocr_workers=1, job_lease_seconds=6)
    assert cli(env, "init").returncode == 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    server = start([ARCHIVE, "serve", "--port", str(port)], env, log)
    try:
        wait_http(base + "/api/v1/health", timeout=90)
        cli_json(env, "staff", "add", "--code", "NV001", "--name", "Nguyễn Văn An", "--unit", "TINH")
        token = cli_json(env, "token", "create", "admin")["token"]
        api = {"Authorization": f"Bearer {token}"}

        img, _ = rendered_page(["Quyết định nâng bậc lương", "Bà Trần Thị Bích, chuyên viên Sở Nội vụ"])
        scan = tmp_path / "nang-luong.png"
        scan.write_bytes(png_bytes(img))
        [doc] = cli_json(env, "ingest", str(scan), "--staff", "NV001", "--type", "khac")
        ocr = wait_until(lambda: _child(server, "ocr,work"), 30, "the OCR worker")
        # OCR runs below the API (ARCHIVE_OCR_NICE, 10 by default): a search goes first
        assert subprocess.run(["ps", "-o", "ni=", "-p", str(ocr)], capture_output=True, text=True).stdout.strip() == "10"
        assert subprocess.run(["ps", "-o", "ni=", "-p", str(_child(server, "uvicorn"))], capture_output=True,
                              text=True).stdout.strip() == "0"
        subprocess.run(["kill", "-KILL", str(ocr)], check=True)  # mid-OCR, or before it took the message

        restarted = wait_until(lambda: (pid := _child(server, "ocr,work")) not in (None, ocr) and pid, 30,
                               "a new OCR worker")
        assert restarted != ocr
        assert "Tiến trình ocr đã dừng" in log.read_text(errors="replace")

        def indexed():
            r = httpx.get(f"{base}/api/v1/documents/{doc['id']}", headers=api, timeout=10)
            return r.status_code == 200 and r.json()["state"] == "indexed"

        wait_until(indexed, 240, "the document the killed worker held to be indexed")
        hits = httpx.get(f"{base}/api/v1/search", params={"q": '"nâng bậc lương"', "group": "page"}, headers=api,
                         timeout=30).json()
        assert [h["document_id"] for h in hits["hits"]] == [doc["id"]]

        uvicorn = _child(server, "uvicorn")
        subprocess.run(["kill", "-KILL", str(uvicorn)], check=True)
        wait_until(lambda: (pid := _child(server, "uvicorn")) not in (None, uvicorn) and pid, 30, "a new API process")
        wait_http(base + "/api/v1/health", timeout=60)
        assert httpx.get(f"{base}/api/v1/documents/{doc['id']}", headers=api, timeout=10).json()["state"] == "indexed"
        assert server.poll() is None, "serve stopped although every child came back"
    finally:
        stop_group(server, signal.SIGINT, timeout=60)
    assert server.returncode == 0
    time.sleep(0.5)
    assert not group_alive(server), "a process outlived `archive serve`"
