"""PostgreSQL from Debian's packages, one private cluster per state dir, on loopback.

Debian keeps the server binaries in /usr/lib/postgresql/<major>/bin (the machine image also
links initdb/pg_ctl/postgres into /usr/local/bin, pointing there). We run initdb + pg_ctl
ourselves instead of pg_createcluster so that the cluster lives in the test's own directory
and disappears with it.

PostgreSQL refuses to run as root, so under root the cluster runs as the `postgres` system
user; its data dir then sits in a private temp dir that user can reach (pytest's temp dirs
are mode 0700 and root's), recorded in <state>/postgres/datadir so `stop` finds it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from scripts.engines.common import HOST, EngineUnavailable, apt_install, new_secret, wait_until

NAME = "postgres"
DATABASE = "archive"
ROLE = "archive"
RUN_AS_WHEN_ROOT = "postgres"


def bin_dir() -> Path | None:
    """The newest Debian PostgreSQL bin dir that has a server, else whatever is on PATH."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    for cand in reversed(candidates):
        if all((cand / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return cand
    on_path = shutil.which("pg_ctl")
    return Path(on_path).resolve().parent if on_path else None


def install(cache_dir: Path) -> None:
    if bin_dir() is None:
        apt_install(["postgresql"])
    if os.geteuid() == 0:
        _ensure_system_user()


def _ensure_system_user() -> None:
    try:
        pwd.getpwnam(RUN_AS_WHEN_ROOT)
    except KeyError:
        subprocess.run(["useradd", "--system", "--home-dir", "/var/lib/postgresql",
                        "--shell", "/bin/bash", RUN_AS_WHEN_ROOT], check=True)


def _run_as() -> str | None:
    return RUN_AS_WHEN_ROOT if os.geteuid() == 0 else None


def _tool(name: str) -> str:
    found = bin_dir()
    if found is None or not (found / name).exists():
        raise EngineUnavailable("PostgreSQL is not installed (run `python -m scripts.engines install`)")
    return str(found / name)


def _run(argv: list[str], *, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(argv, user=_run_as(), env={**os.environ, **(env or {})},
                          cwd="/", capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def _data_dir(workdir: Path) -> Path:
    recorded = workdir / "datadir"
    return Path(recorded.read_text().strip()) if recorded.exists() else workdir / "data"


def _cluster_base(workdir: Path) -> Path:
    """The dir holding data/, run/ and the log: the workdir, or under root one `postgres` owns."""
    user = _run_as()
    if user is None:
        base = workdir
    else:
        _ensure_system_user()
        base = Path(tempfile.mkdtemp(prefix="cbccvc-pg-"))
    (base / "run").mkdir(exist_ok=True)
    if user is not None:
        pw = pwd.getpwnam(user)
        for path in (base, base / "run"):
            os.chown(path, pw.pw_uid, pw.pw_gid)
    return base


def start(state_dir: Path, port: int) -> dict[str, str]:
    initdb, pg_ctl = _tool("initdb"), _tool("pg_ctl")
    workdir = state_dir / NAME
    workdir.mkdir(parents=True, exist_ok=True)
    base = _cluster_base(workdir)
    data, sockets = base / "data", base / "run"
    (workdir / "datadir").write_text(str(data))
    password = new_secret()
    pwfile = sockets / "pwfile"  # 0600, and deleted right after initdb
    pwfile.write_text(password + "\n")
    pwfile.chmod(0o600)
    if _run_as() is not None:
        pw = pwd.getpwnam(RUN_AS_WHEN_ROOT)
        os.chown(pwfile, pw.pw_uid, pw.pw_gid)
    try:
        _run([initdb, "-D", str(data), "-U", ROLE, f"--pwfile={pwfile}", "-E", "UTF8",
              "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256"])
    finally:
        pwfile.unlink(missing_ok=True)
    # fsync off: a test cluster is disposable, and fsync dominates its run time on small disks.
    options = (f"-c listen_addresses={HOST} -p {port} -k {sockets} "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    _run([pg_ctl, "-D", str(data), "-l", str(base / "server.log"), "-o", options, "-w", "-t", "60", "start"])
    _run([_tool("createdb"), "-h", str(sockets), "-p", str(port), "-U", ROLE, DATABASE])
    wait_until(lambda: _ready(port), what="postgres", timeout=30)
    return {"ARCHIVE_TEST_POSTGRES_URL": f"postgresql+psycopg://{ROLE}:{password}@{HOST}:{port}/{DATABASE}"}


def _ready(port: int) -> bool:
    done = subprocess.run([_tool("pg_isready"), "-h", HOST, "-p", str(port)],
                          capture_output=True, check=False)
    return done.returncode == 0


def _running(data: Path) -> bool:
    """pg_ctl status exits 0 only while the postmaster in postmaster.pid is alive."""
    done = subprocess.run([_tool("pg_ctl"), "-D", str(data), "status"], user=_run_as(), cwd="/",
                          capture_output=True, check=False)
    return done.returncode == 0


def stop(state_dir: Path) -> None:
    workdir = state_dir / NAME
    if not workdir.exists():
        return
    data = _data_dir(workdir)
    if (data / "postmaster.pid").exists() and _running(data):
        _run([_tool("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"])
    if data.parent != workdir:  # the out-of-tree dir made for root: ours to remove
        shutil.rmtree(data.parent, ignore_errors=True)
    (workdir / "datadir").unlink(missing_ok=True)
