"""Redis (the Celery broker in production) from Debian's redis-server, on loopback.

Started in the foreground under our own pid file rather than via the Debian service, so
each test session gets a private, throw-away instance on a free port with no persistence.
"""

from __future__ import annotations

import socket
from pathlib import Path

from scripts.engines.common import HOST, apt_install, require_binary, spawn, stop_pidfile, wait_until

NAME = "redis"


def _workdir(state_dir: Path) -> Path:
    return state_dir / NAME


def install(cache_dir: Path) -> None:
    """Debian's package is enough: Redis 7 speaks everything Celery and redis-py need."""
    apt_install(["redis-server"])


def _pong(port: int) -> bool:
    with socket.create_connection((HOST, port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(64).startswith(b"+PONG")


def start(state_dir: Path, port: int) -> dict[str, str]:
    binary = require_binary("redis-server", NAME)
    workdir = _workdir(state_dir)
    workdir.mkdir(parents=True, exist_ok=True)
    pid = spawn(
        [str(binary), "--bind", HOST, "--port", str(port), "--dir", str(workdir),
         "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes"],
        workdir=workdir,
    )
    wait_until(lambda: _pong(port), what="redis-server", timeout=30,
               log=workdir / "server.log", pid=pid)
    return {"ARCHIVE_TEST_REDIS_URL": f"redis://{HOST}:{port}/0"}


def stop(state_dir: Path) -> None:
    stop_pidfile(_workdir(state_dir))
