"""CLI: python -m scripts.engines install|start|stop|env --state-dir DIR [--only pg,redis,es,s3] [--es-nodes 3].

`start` writes DIR/engines.json and DIR/engines.env (`source` it, or `eval "$(… env …)"`),
so a CI script starts the engines once and every test process finds them by env var.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path
from types import ModuleType, SimpleNamespace

from scripts.engines import ENGINES, load
from scripts.engines.common import EngineUnavailable, default_cache_dir, free_port


def _modules(only: str) -> list[tuple[str, ModuleType]]:
    names = [n.strip() for n in only.split(",") if n.strip()] if only else list(ENGINES)
    unknown = [n for n in names if n not in ENGINES]
    if unknown:
        raise SystemExit(f"unknown engine(s) {unknown}; choose from {','.join(ENGINES)}")
    picked = []
    for name in names:
        try:
            picked.append((name, load(name)))
        except ModuleNotFoundError as exc:
            if exc.name != f"scripts.engines.{ENGINES[name]}":
                raise
            print(f"engines: skipping {name}: scripts/engines/{ENGINES[name]}.py is missing", file=sys.stderr)
    return picked


def _write_state(state_dir: Path, started: dict[str, dict[str, object]]) -> None:
    (state_dir / "engines.json").write_text(json.dumps(started, indent=2) + "\n")
    env = {k: v for info in started.values() for k, v in info["env"].items()}  # type: ignore[union-attr]
    lines = [f"export {k}={shlex.quote(v)}" for k, v in sorted(env.items())]
    path = state_dir / "engines.env"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)  # it holds the engines' generated passwords


def _start(state_dir: Path, modules: list[tuple[str, ModuleType]]) -> None:
    state_file = state_dir / "engines.json"
    started: dict[str, dict[str, object]] = json.loads(state_file.read_text()) if state_file.exists() else {}
    for name, module in modules:
        if name in started:
            print(f"engines: {name} already started under {state_dir}", file=sys.stderr)
            continue
        port, t0 = free_port(), time.monotonic()
        try:
            env = module.start(state_dir, port)
        except BaseException:
            module.stop(state_dir)
            _write_state(state_dir, started)
            raise
        started[name] = {"port": port, "env": env}
        _write_state(state_dir, started)
        print(f"engines: {name} up on 127.0.0.1:{port} in {time.monotonic() - t0:.1f}s", file=sys.stderr)


def _es_cluster(count: int) -> SimpleNamespace:
    """`--es-nodes N`: the `es` engine as an N-node cluster (scripts/engines/es_cluster.py)."""
    from scripts.engines import es_cluster

    return SimpleNamespace(install=es_cluster.install, stop=es_cluster.stop,
                           start=lambda state_dir, port: es_cluster.start(state_dir, port, count))


def _stop(state_dir: Path, modules: list[tuple[str, ModuleType]]) -> None:
    state_file = state_dir / "engines.json"
    started = json.loads(state_file.read_text()) if state_file.exists() else {}
    for name, module in modules:
        module.stop(state_dir)
        if name == "es":  # a cluster started with --es-nodes: every node is reaped, whatever stop's flags
            _es_cluster(1).stop(state_dir)
        started.pop(name, None)
    if state_dir.exists():
        _write_state(state_dir, started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.engines", description=__doc__)
    parser.add_argument("command", choices=["install", "start", "stop", "env"])
    parser.add_argument("--state-dir", type=Path, required=False,
                        help="where servers keep data, pid files and engines.json/env")
    parser.add_argument("--only", default="", help="comma-separated subset of " + ",".join(ENGINES))
    parser.add_argument("--es-nodes", type=int, default=1,
                        help="start Elasticsearch as a cluster of this many nodes on loopback (default 1)")
    args = parser.parse_args(argv)
    if args.command != "install" and args.state_dir is None:
        parser.error(f"{args.command} needs --state-dir")
    state_dir: Path | None = args.state_dir.resolve() if args.state_dir else None
    modules = _modules(args.only)
    if args.es_nodes > 1:
        modules = [(n, _es_cluster(args.es_nodes) if n == "es" else m) for n, m in modules]  # type: ignore[misc]
    if args.command == "install":
        cache_dir = default_cache_dir()
        cache_dir.mkdir(parents=True, exist_ok=True)
        for name, module in modules:
            t0 = time.monotonic()
            module.install(cache_dir)
            print(f"engines: {name} installed ({time.monotonic() - t0:.1f}s)", file=sys.stderr)
    elif args.command == "start":
        assert state_dir is not None
        state_dir.mkdir(parents=True, exist_ok=True)
        _start(state_dir, modules)
    elif args.command == "stop":
        assert state_dir is not None
        _stop(state_dir, modules)
    else:
        assert state_dir is not None
        env_file = state_dir / "engines.env"
        if not env_file.exists():
            print(f"engines: nothing started under {state_dir}", file=sys.stderr)
            return 1
        sys.stdout.write(env_file.read_text())
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except EngineUnavailable as exc:  # an expected state, not a bug: no traceback
        print(f"engines: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
