"""`archive serve`: the API, the OCR workers, the single index consumer and the scheduler as child
processes of one supervisor. Ctrl-C (or SIGTERM) stops them all; if one dies, all stop.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from archive.settings import Settings


def commands(settings: Settings, *, host: str, port: int, ocr_workers: int) -> dict[str, list[str]]:
    py = sys.executable
    celery = [py, "-m", "celery", "-A", "archive.worker"]
    return {
        "api": [py, "-m", "uvicorn", "archive.app:create_app", "--factory", "--host", host, "--port", str(port)],
        # page work (ocr) and the other job kinds (work) share the CPU-sized pool
        "ocr": celery + ["worker", "-Q", "ocr,work", "-c", str(ocr_workers), "-n", f"ocr-{os.getpid()}@%h",
                         "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
        # exactly one index consumer: tantivy allows one writer per index
        "index": celery + ["worker", "-Q", "index", "-c", "1", "-P", "solo", "-n", f"index-{os.getpid()}@%h",
                           "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
        "beat": celery + ["beat", "--loglevel", "INFO", "-s", str(settings.data_dir / "celerybeat-schedule")],
    }


def _stop(procs: dict[str, subprocess.Popen], grace: float = 15.0) -> None:
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for p in procs.values():
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def run_all(settings: Settings, *, host: str, port: int, ocr_workers: int) -> int:
    env = dict(os.environ, ARCHIVE_DATA_DIR=str(settings.data_dir), OMP_THREAD_LIMIT="1")
    procs: dict[str, subprocess.Popen] = {}
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        for name, cmd in commands(settings, host=host, port=port, ocr_workers=ocr_workers).items():
            procs[name] = subprocess.Popen(cmd, env=env)
        print(f"Đang phục vụ tại http://{host}:{port} (API: /docs). Nhấn Ctrl-C để dừng.", flush=True)
        while not stopping:
            for name, p in procs.items():
                if p.poll() is not None:
                    print(f"Tiến trình {name} đã dừng (mã {p.returncode}); dừng toàn bộ.", file=sys.stderr, flush=True)
                    return 1
            time.sleep(0.5)
        return 0
    finally:
        _stop(procs)
