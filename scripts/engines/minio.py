"""MinIO (the production S3 store, with object lock) built from its Go module, on loopback.

MinIO ships no Debian package and we may not download release binaries, but the Go module
proxy serves its source: `go install` builds it once into the cache (several minutes on two
cores), and later installs only check the version stamp. The upstream repository was
archived in 2026 and never tagged semver releases (its tags are RELEASE.<date>), so the
pin is the proxy's pseudo-version of the last commit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from scripts.engines.common import (
    HOST, EngineUnavailable, default_cache_dir, free_port, http_ok, new_secret, spawn,
    stop_pidfile, wait_until,
)

NAME = "minio"
MODULE = "github.com/minio/minio"
VERSION = "v0.0.0-20260212201848-7aac2a2c5b7c"
TEST_BUCKET = "archive-test"


def _binary(cache_dir: Path) -> Path:
    return cache_dir / "bin" / "minio"


def _stamp(cache_dir: Path) -> Path:
    return cache_dir / "bin" / "minio.version"


def installed(cache_dir: Path | None = None) -> bool:
    cache_dir = cache_dir or default_cache_dir()
    stamp = _stamp(cache_dir)
    return _binary(cache_dir).exists() and stamp.exists() and stamp.read_text().strip() == VERSION


def install(cache_dir: Path) -> None:
    if installed(cache_dir):
        return
    go = shutil.which("go")
    if go is None:
        raise EngineUnavailable("building MinIO needs the Go toolchain (`go` not on PATH)")
    bin_dir = cache_dir / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    print(f"engines: go install {MODULE}@{VERSION} (takes minutes the first time)", flush=True)
    # -buildvcs=false: the module cache has no .git, and VCS stamping would fail the build.
    env = {**os.environ, "GOBIN": str(bin_dir), "GOFLAGS": "-buildvcs=false"}
    subprocess.run([go, "install", f"{MODULE}@{VERSION}"], check=True, env=env, cwd=cache_dir)
    _stamp(cache_dir).write_text(VERSION + "\n")


def start(state_dir: Path, port: int) -> dict[str, str]:
    cache_dir = default_cache_dir()
    if not installed(cache_dir):
        raise EngineUnavailable("MinIO is not built (run `python -m scripts.engines install`)")
    workdir = state_dir / NAME
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    user, password = "archive" + new_secret(4), new_secret(24)
    env = {
        "MINIO_ROOT_USER": user, "MINIO_ROOT_PASSWORD": password,
        # No phoning home for updates or telemetry: this machine has no network for it.
        "MINIO_UPDATE": "off", "MINIO_CALLHOME_ENABLE": "off",
    }
    pid = spawn(
        [str(_binary(cache_dir)), "server", str(data), "--quiet",
         "--address", f"{HOST}:{port}", "--console-address", f"{HOST}:{free_port()}"],
        workdir=workdir, env=env,
    )
    wait_until(lambda: http_ok(f"http://{HOST}:{port}/minio/health/ready"), what="minio",
               timeout=90, log=workdir / "server.log", pid=pid)
    url = (f"s3://{TEST_BUCKET}?endpoint={HOST}:{port}&access_key={user}"
           f"&secret_key={password}&secure=false")
    return {"ARCHIVE_TEST_S3_URL": url}


def stop(state_dir: Path) -> None:
    stop_pidfile(state_dir / NAME)
