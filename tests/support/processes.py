"""Run the real service processes (API, Celery workers, beat, CLI) from tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from scripts.engines.common import free_port  # noqa: F401 — re-exported for the tests

ARCHIVE = str(Path(sys.executable).with_name("archive"))


def service_env(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
    env.update({"ARCHIVE_DATA_DIR": str(data_dir), "OMP_THREAD_LIMIT": "1"})
    env.update({f"ARCHIVE_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def cli(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([ARCHIVE, *args], env=env, capture_output=True, text=True, timeout=timeout)


def cli_json(env: dict[str, str], *args: str, timeout: float = 600):
    r = cli(env, *args, "--json", timeout=timeout)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a process in its own session, so a test can signal it and all its children."""
    fh = open(log, "ab")
    return subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def group_alive(p: subprocess.Popen) -> bool:
    try:
        os.killpg(p.pid, 0)
        return True
    except ProcessLookupError:
        return False


def stop_group(p: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    try:
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        return
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def wait_until(predicate, timeout: float, what: str, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
