"""`archive serve`: the API, the OCR workers, the single index consumer and the scheduler as child
processes of one supervisor. Ctrl-C (or SIGTERM) stops them all.

A child that dies is started again: the job table is the durable truth (the sweeper sends
again whatever the dead process held), so one crashed worker must not take the whole archive
down with it. A child that keeps dying — more than RESTART_LIMIT times within
RESTART_WINDOW_SECONDS, a broken setting rather than bad luck — stops everything, with a message.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

from archive.settings import Settings


def metrics_env(settings: Settings) -> dict[str, str]:
    """With metrics on, the API and every worker write their counters into one directory, emptied
    here before they start, so a scrape of the API sums all of them (prometheus-client multiprocess mode)."""
    if not settings.metrics_enabled:
        return {}
    from archive.metrics import reset_shared_dir

    path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.metrics_dir or settings.data_dir / "metrics")
    reset_shared_dir(path)
    return {"PROMETHEUS_MULTIPROC_DIR": str(path), "ARCHIVE_METRICS_DIR": str(path)}


def niced(level: int) -> list[str]:
    """The `nice` prefix for a command at `level` (coreutils' nice: in every Debian image)."""
    return ["nice", "-n", str(level)] if level else []


def commands(settings: Settings, *, host: str, port: int, ocr_workers: int) -> dict[str, list[str]]:
    py = sys.executable
    celery = [py, "-m", "celery", "-A", "archive.worker"]
    return {
        "api": [py, "-m", "uvicorn", "archive.app:create_app", "--factory", "--host", host, "--port", str(port)],
        # page work (ocr) and the other job kinds (work) share the CPU-sized pool
        # below the API, the index consumer and the engines: OCR is throughput, a search is a person waiting
        "ocr": niced(settings.ocr_nice) + celery + ["worker", "-Q", "ocr,work", "-c", str(ocr_workers),
                                                    "-n", f"ocr-{os.getpid()}@%h",
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


RESTART_LIMIT = 5
RESTART_WINDOW_SECONDS = 60.0


def keeps_dying(deaths: deque[float], now: float, *, limit: int = RESTART_LIMIT,
                window: float = RESTART_WINDOW_SECONDS) -> bool:
    """Record a death at `now`; true when more than `limit` fell within the last `window` seconds."""
    deaths.append(now)
    while deaths and now - deaths[0] > window:
        deaths.popleft()
    return len(deaths) > limit


def run_all(settings: Settings, *, host: str, port: int, ocr_workers: int) -> int:
    env = dict(os.environ, ARCHIVE_DATA_DIR=str(settings.data_dir), OMP_THREAD_LIMIT="1")
    env.update(metrics_env(settings))  # shared multiprocess metrics directory (issue 20)
    procs: dict[str, subprocess.Popen] = {}
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    cmds = commands(settings, host=host, port=port, ocr_workers=ocr_workers)
    deaths: dict[str, deque[float]] = {name: deque() for name in cmds}
    try:
        for name, cmd in cmds.items():
            procs[name] = subprocess.Popen(cmd, env=env)
        print(f"Đang phục vụ tại http://{host}:{port} (API: /docs). Nhấn Ctrl-C để dừng.", flush=True)
        while not stopping:
            for name, p in procs.items():
                if p.poll() is None or stopping:
                    continue
                if keeps_dying(deaths[name], time.monotonic()):
                    print(f"Tiến trình {name} đã dừng (mã {p.returncode}) {len(deaths[name])} lần trong "
                          f"{RESTART_WINDOW_SECONDS:.0f} giây; dừng toàn bộ.", file=sys.stderr, flush=True)
                    return 1
                print(f"Tiến trình {name} đã dừng (mã {p.returncode}); khởi động lại.", file=sys.stderr, flush=True)
                procs[name] = subprocess.Popen(cmds[name], env=env)
            time.sleep(0.5)
        return 0
    finally:
        _stop(procs)
