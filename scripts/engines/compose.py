"""Docker Compose (the `docker compose` CLI plugin) built from its Go module, for validating
docker-compose.yml without a Docker daemon.

The docker CLI on our machines has no compose plugin and we may not download release
binaries, but the Go module proxy serves Compose's source. Compose's current major is v5
(`github.com/docker/compose/v5`, the successor of the v2 line; same `compose` commands and
compose-spec loader). The pin is the newest v5 release whose go.mod accepts this machine's
Go 1.26.8 (v5.7.x asks for go 1.26.10, which would force GOTOOLCHAIN onto every shell).

Compose's go.mod carries `exclude` directives, which `go install module@version` refuses, so
we build it the way its own Makefile does: `go build ./cmd` inside the downloaded module
(the module zip ships its go.sum, so the dependency set is exactly upstream's). The binary is
installed twice from one build: `bin/docker-compose` (standalone) and, as a hard link,
`~/.docker/cli-plugins/docker-compose` so `docker compose …` works too. No server: `start`
only names the binary (ARCHIVE_TEST_COMPOSE_BIN) for the tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from scripts.engines.common import EngineUnavailable, default_cache_dir

NAME = "compose"
MODULE = "github.com/docker/compose/v5"
VERSION = "v5.6.0"


def _binary(cache_dir: Path) -> Path:
    return cache_dir / "bin" / "docker-compose"


def _stamp(cache_dir: Path) -> Path:
    return cache_dir / "bin" / "docker-compose.version"


def plugin_path() -> Path:
    """Where the docker CLI looks for plugins (its per-user directory)."""
    config = Path(os.environ.get("DOCKER_CONFIG", Path.home() / ".docker"))
    return config / "cli-plugins" / "docker-compose"


def installed(cache_dir: Path | None = None) -> bool:
    cache_dir = cache_dir or default_cache_dir()
    stamp = _stamp(cache_dir)
    return _binary(cache_dir).exists() and stamp.exists() and stamp.read_text().strip() == VERSION


def binary() -> Path | None:
    """The built standalone binary, or None when `install` has not run on this machine."""
    cache_dir = default_cache_dir()
    return _binary(cache_dir) if installed(cache_dir) else None


def install(cache_dir: Path) -> None:
    if not installed(cache_dir):
        _build(cache_dir)
    _link_plugin(_binary(cache_dir), cache_dir / "bin" / "docker-compose.plugin")


def _build(cache_dir: Path) -> None:
    go = shutil.which("go")
    if go is None:
        raise EngineUnavailable("building Docker Compose needs the Go toolchain (`go` not on PATH)")
    bin_dir = cache_dir / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    # GOTOOLCHAIN=local: the pin is chosen to build on this machine's Go; never fetch another.
    env = {**os.environ, "GOFLAGS": "-buildvcs=false", "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}
    print(f"engines: building {MODULE}@{VERSION} (takes minutes the first time)", flush=True)
    done = subprocess.run([go, "mod", "download", "-json", f"{MODULE}@{VERSION}"],
                          check=True, env=env, cwd=cache_dir, capture_output=True, text=True)
    module_dir = Path(json.loads(done.stdout)["Dir"])
    partial = bin_dir / "docker-compose.partial"
    subprocess.run(
        [go, "build", "-trimpath", "-tags", "e2e",
         "-ldflags", f"-w -X {MODULE}/internal.Version={VERSION}",
         "-o", str(partial), "./cmd"],
        check=True, env=env, cwd=module_dir,
    )
    partial.replace(_binary(cache_dir))  # a half-written binary never carries the final name
    _stamp(cache_dir).write_text(VERSION + "\n")


def _link_plugin(built: Path, marker: Path) -> None:
    """Make `docker compose` find the build (a copy when the link crosses file systems).

    A plugin someone else put there (Docker Desktop, a package) is left alone: only the file
    this module made (its inode recorded in `marker`) is replaced."""
    target = plugin_path()
    if target.exists():
        ours = {built.stat().st_ino}
        if marker.exists():
            ours.add(int(marker.read_text().split()[0] or 0))
        if target.stat().st_ino not in ours:
            print(f"engines: leaving the existing {target} alone; tests use {built}", flush=True)
            return
        if target.stat().st_ino == built.stat().st_ino:
            marker.write_text(f"{target.stat().st_ino} {target}\n")  # so a later version may replace it
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(".docker-compose.partial")
    tmp.unlink(missing_ok=True)
    try:
        os.link(built, tmp)
    except OSError:
        shutil.copy2(built, tmp)
    tmp.replace(target)
    marker.write_text(f"{target.stat().st_ino} {target}\n")


def start(state_dir: Path, port: int) -> dict[str, str]:
    found = binary()
    if found is None:
        raise EngineUnavailable("Docker Compose is not built (run `python -m scripts.engines install`)")
    return {"ARCHIVE_TEST_COMPOSE_BIN": str(found)}


def stop(state_dir: Path) -> None:
    """Nothing runs: compose here only parses and validates files."""
