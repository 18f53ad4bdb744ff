"""What every engine launcher shares: ports, pid files, health polling, Debian installs.

Stdlib only, because this runs before the project's virtualenv may exist (CI bootstraps
engines first). Every server binds 127.0.0.1 only: this machine has no network but the
package registries, and a test server must never listen beyond loopback.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

HOST = "127.0.0.1"


class EngineUnavailable(RuntimeError):
    """The engine is not installed here (run `python -m scripts.engines install`)."""


def default_cache_dir() -> Path:
    """Where built binaries live between runs, so a second install is a no-op."""
    return Path(os.environ.get("CBCCVC_ENGINES_CACHE", Path.home() / ".cache" / "cbccvc-engines"))


def free_port() -> int:
    """A port nobody listens on right now (the kernel picks it; a race is possible but rare)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def new_secret(nbytes: int = 18) -> str:
    """A URL-safe random credential; tests get fresh ones every start."""
    return secrets.token_urlsafe(nbytes).replace("-", "x").replace("_", "y")


def wait_until(check: Callable[[], bool], *, what: str, timeout: float = 60.0,
               log: Path | None = None, pid: int | None = None) -> None:
    """Poll `check` until it is true; fail early with the log tail if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        if pid is not None and not pid_alive(pid):
            raise RuntimeError(f"{what} exited during start-up{log_tail(log)}")
        time.sleep(0.2)
    raise RuntimeError(f"{what} not healthy after {timeout:.0f}s{log_tail(log)}")


def log_tail(log: Path | None, lines: int = 20) -> str:
    if log is None or not log.exists():
        return ""
    tail = log.read_text("utf-8", errors="replace").splitlines()[-lines:]
    return "\n--- " + str(log) + " ---\n" + "\n".join(tail)


def spawn(argv: Sequence[str], *, workdir: Path, env: Mapping[str, str] | None = None,
          user: str | None = None) -> int:
    """Start a foreground server detached from our session; record its pid in workdir/pid.

    A new session means Ctrl-C in the caller's terminal does not kill the server half-way,
    and `stop` can end the whole group it started, and nothing else.
    """
    log = workdir / "server.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            cwd=workdir, env={**os.environ, **(env or {})}, start_new_session=True, user=user,
        )
    (workdir / "pid").write_text(str(proc.pid))
    return proc.pid


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours counts as gone.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True


def _owned_by_workdir(pid: int, workdir: Path) -> bool:
    """True when the process's command line names our workdir: a recycled pid is left alone."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        cwd = os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return False
    return str(workdir) in cmdline or cwd == str(workdir)


def stop_pidfile(workdir: Path, *, timeout: float = 20.0) -> None:
    """Stop the process recorded in workdir/pid (TERM, then KILL); a no-op when none runs."""
    pid_file = workdir / "pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().strip() or 0)
    if pid > 0 and pid_alive(pid) and _owned_by_workdir(pid, workdir):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.1)
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
        _reap(pid)
    pid_file.unlink(missing_ok=True)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def http_ok(url: str) -> bool:
    """True when GET url answers 2xx (used as a health check)."""
    from urllib.request import urlopen

    with urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback health checks only
        return 200 <= resp.status < 300


def debian_installed(package: str) -> bool:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                          capture_output=True, text=True, check=False)
    return "install ok installed" in done.stdout


_apt_updated = False


def apt_install(packages: Sequence[str]) -> None:
    """Install missing Debian packages; `apt-get update` once per process, only if needed."""
    global _apt_updated
    missing = [p for p in packages if not debian_installed(p)]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not _apt_updated:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
        _apt_updated = True
    print(f"engines: apt-get install {' '.join(missing)}", flush=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                   check=True, env=env)


def require_binary(path: Path | str | None, engine: str) -> Path:
    """The binary's path, or EngineUnavailable telling how to install it."""
    found = shutil.which(str(path)) if path else None
    if not found:
        raise EngineUnavailable(f"{engine} is not installed (run `python -m scripts.engines install`)")
    return Path(found)
