"""A real API server process in embedded mode for the API benchmarks (search_api, upload).

Set up as an operator would: ``archive init`` on a fresh data directory (SQLite migrated,
root unit, first admin), an API token from ``archive token create``, then the API process
exactly as ``archive serve`` starts it (``archive.serve.commands``: uvicorn on the app
factory, one process) — without the OCR/index workers and the scheduler, which the
benchmarks do not need. The caller talks to it over loopback with a Bearer token.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from scripts.engines.common import free_port

ARCHIVE = str(Path(sys.executable).with_name("archive"))  # the console script of this venv


@dataclass(frozen=True)
class ApiServer:
    base_url: str  # …/api/v1
    token: str
    pid: int  # the uvicorn process, which handles every request (no --workers)
    data_dir: Path
    log: Path

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def server_env(data_dir: Path, **settings: object) -> dict[str, str]:
    """This process's environment without any ARCHIVE_* of the caller, plus the given settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
    env.update({"ARCHIVE_DATA_DIR": str(data_dir), "OMP_THREAD_LIMIT": "1"})
    env.update({f"ARCHIVE_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def archive_cli(env: dict[str, str], *args: str) -> str:
    """Run the ``archive`` CLI; its stdout, or RuntimeError with what it said."""
    r = subprocess.run([ARCHIVE, *args], env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"archive {' '.join(args)} failed ({r.returncode}): {r.stdout}{r.stderr}")
    return r.stdout


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"API server exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:g} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop_group(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM the process group, SIGKILL it after `timeout` seconds."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextmanager
def api_server(data_dir: Path, **settings: object) -> Iterator[ApiServer]:
    """Init ``data_dir``, start the API on a free loopback port, yield it, stop it.

    ``settings`` become ARCHIVE_* variables of the init and the server (e.g.
    ``search_url="tantivy:///…"``, ``max_upload_bytes=…``). The server's output goes to
    ``<data_dir>.log``.
    """
    from archive.serve import commands
    from archive.settings import Settings

    env = server_env(data_dir, **settings)
    archive_cli(env, "init")
    token = json.loads(archive_cli(env, "token", "create", "admin", "--expires", "30", "--json"))["token"]
    port = free_port()
    cmd = commands(Settings(data_dir=data_dir), host="127.0.0.1", port=port, ocr_workers=1)["api"]
    log = data_dir.with_name(data_dir.name + ".log")
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        _wait_healthy(f"{base}/health", proc, log)
        yield ApiServer(base_url=base, token=token, pid=proc.pid, data_dir=data_dir, log=log)
    finally:
        stop_group(proc)


def proc_status_kib(pid: int, field: str) -> int:
    """A ``kB`` field of /proc/<pid>/status (VmRSS, VmHWM …) in KiB; 0 if absent."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak_rss(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0, own processes); False if not possible."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False
