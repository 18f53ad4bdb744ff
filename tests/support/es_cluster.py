"""A 3-node Elasticsearch cluster for one test module (scripts/engines/es_cluster.py).

The tests that use it kill and bring back nodes, so the cluster is always this module's own:
it is never shared through an env var as the single-node engine is. Like the session engines,
a developer without Elasticsearch installed skips, CI (CI=true) fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.request import urlopen

import pytest

from scripts.engines import es_cluster
from scripts.engines.common import EngineUnavailable, free_port
from tests.support.engines import _unavailable


@dataclass
class Cluster:
    state_dir: Path

    @property
    def url(self) -> str:
        """Every node, comma-separated: what ARCHIVE_SEARCH_URL holds for a cluster."""
        return es_cluster.url(self.state_dir)

    @property
    def node_urls(self) -> dict[str, str]:
        return {n.name: n.url for n in es_cluster.nodes(self.state_dir)}

    def get(self, path: str, *, node: str | None = None, timeout: float = 30) -> object:
        """GET a JSON API on one node (any live one when `node` is None), bypassing our adapter."""
        urls = [self.node_urls[node]] if node else list(self.node_urls.values())
        last: Exception | None = None
        for base in urls:
            try:
                with urlopen(f"{base}{path}", timeout=timeout) as resp:  # noqa: S310 - loopback
                    return json.load(resp)
            except OSError as exc:
                last = exc
        raise RuntimeError(f"no node answered {path}: {last}")

    def kill(self, name: str) -> None:
        es_cluster.kill_node(self.state_dir, name)

    def relaunch(self, name: str) -> None:
        es_cluster.relaunch_node(self.state_dir, name)

    def wait_green(self, timeout: float = 120) -> dict:
        return es_cluster.wait_green(self.state_dir, timeout=timeout)


def start_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    state_dir = tmp_path_factory.mktemp("es-cluster")
    try:
        es_cluster.start(state_dir, free_port())
    except EngineUnavailable as exc:
        es_cluster.stop(state_dir)
        _unavailable(f"3-node Elasticsearch: {exc}")
    except Exception as exc:  # noqa: BLE001 - any start failure means "no cluster" here
        es_cluster.stop(state_dir)
        _unavailable(f"3-node Elasticsearch failed to start: {exc}")
    try:
        yield Cluster(state_dir)
    finally:
        es_cluster.stop(state_dir)
