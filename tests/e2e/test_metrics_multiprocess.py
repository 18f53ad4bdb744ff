"""Multiprocess metrics (issue 20): two worker processes write into one shared directory and the
API process's scrape sums them — what `archive serve` sets up for uvicorn and the Celery workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from archive.app import create_app
from tests.support.accounts import logged_in, make_user
from tests.support.documents import png_bytes, rendered_page
from tests.support.processes import service_env

ROOT = Path(__file__).resolve().parents[2]


def _run(module_args: list[str], env: dict[str, str]) -> str:
    r = subprocess.run([sys.executable, "-m", "tests.support.metrics_processes", *module_args], env=env, cwd=ROOT, check=False,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for f in text_string_to_metric_families(text) for s in f.samples}


def test_a_scrape_sums_the_pages_ocrd_by_two_worker_processes(container, tmp_path, tesseract) -> None:
    make_user(container, "admin1", "admin", "TINH", clearance=2)
    api = logged_in(create_app(container=container), "admin1")
    body = {"code": "NV077", "full_name": "Phạm Minh Tuấn", "birth_date": "1975-09-02", "unit_code": "TINH"}
    assert api.post("/api/v1/staff", json=body).status_code == 201
    for n, lines in enumerate([["Quyết định nâng bậc lương", "Ông Phạm Minh Tuấn"],
                               ["Giấy khen năm 2024", "Phòng Nội vụ huyện"]]):
        img, _ = rendered_page(lines)
        r = api.post("/api/v1/documents", data={"staff_code": "NV077"},
                     files={"file": (f"scan-{n}.png", png_bytes(img), "image/png")})
        assert r.status_code == 201, r.text
    jobs = container.queue.sent_process
    assert len(jobs) == 2

    shared = tmp_path / "metrics"
    shared.mkdir()
    env = service_env(container.settings.data_dir, metrics_enabled="true")
    env["PROMETHEUS_MULTIPROC_DIR"] = str(shared)
    env["PYTHONPATH"] = str(ROOT)
    for job_id in jobs:  # each in its own process, as two Celery prefork children would
        assert _run(["run-job", str(job_id)], env).strip() == "done"
    assert len({p.name.rsplit("_", 1)[-1] for p in shared.glob("counter_*.db")}) == 2  # one file per worker pid

    got = _samples(_run(["scrape"], env))  # a third process, the API, reads the directory
    assert got[("archive_ocr_pages_total", ())] == 2
    assert got[("archive_ocr_page_seconds_count", ())] == 2
    assert got[("archive_ocr_page_seconds_sum", ())] > 0
    assert got[("archive_jobs_ended_total", (("kind", "extract"), ("outcome", "done")))] == 2
    # the database gauges come along in the same scrape: both documents now wait for the index
    assert got[("archive_index_lag_documents", ())] == 2
    # the test process's own (in-memory) counters are not in the shared directory
    assert not any(k[0] == "archive_uploads_total" for k in got)
