"""Separate processes for the multiprocess metrics test: one runs a job, one scrapes /metrics.

`python -m tests.support.metrics_processes run-job JOB_ID` and `… scrape` read ARCHIVE_DATA_DIR
and PROMETHEUS_MULTIPROC_DIR from the environment, as `archive serve`'s children do.
"""

from __future__ import annotations

import sys


def run_job_here(job_id: int) -> str:
    from archive.bootstrap import build
    from archive.work import run_job
    from tests.support.inline_queue import InlineQueue

    c = build(queue=InlineQueue())  # follow-ups are recorded, not run: this process does one job
    try:
        return run_job(c, c.registry, job_id, worker_id=f"metrics-test-{job_id}")
    finally:
        c.close()


def scrape_here() -> str:
    from fastapi.testclient import TestClient

    from archive.app import create_app

    r = TestClient(create_app(), client=("127.0.0.1", 9100)).get("/metrics")
    assert r.status_code == 200, r.text
    return r.text


if __name__ == "__main__":
    if sys.argv[1] == "run-job":
        print(run_job_here(int(sys.argv[2])))
    else:
        sys.stdout.write(scrape_here())
