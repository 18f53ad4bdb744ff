"""A 3-node Elasticsearch cluster on loopback, from the same distribution as elasticsearch.py.

What a province runs (three nodes, one replica of every shard) so that tests can lose a node:
each node has its own data/log dirs under <state>/elasticsearch-cluster/node-<i>, its own HTTP
and transport ports, and discovers the others through `discovery.seed_hosts` on loopback. The
cluster name is fresh on every start, so two clusters on one machine (two engineers, two CI
jobs) never join each other. Heaps stay small (elasticsearch.HEAP, 512 MB each).

`python -m scripts.engines start --es-nodes 3` starts this instead of the single node (the
URL variable then lists every node, comma-separated, which the adapter reads as its node
list); tests/support/es_cluster.py starts one per test module and kills/relaunches nodes with
kill_node()/relaunch_node(). stop() reaps every node.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

from scripts.engines import elasticsearch as es
from scripts.engines.common import HOST, free_port, log_tail, new_secret, pid_alive

NAME = "elasticsearch-cluster"
NODES = 3
# C1 only: three JVMs warming up at once on two cores spend most of their start-up in the C2
# compiler; a test cluster serves a few hundred pages, where C1 code is fast enough.
JAVA_OPTS = f"{es.HEAP} -XX:TieredStopAtLevel=1"


@dataclass(frozen=True)
class Node:
    name: str
    workdir: Path
    http_port: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.http_port}"


def _root(state_dir: Path) -> Path:
    return state_dir.resolve() / NAME


def nodes(state_dir: Path) -> list[Node]:
    """The nodes a start() configured (read back from the state dir)."""
    state = _root(state_dir) / "cluster.json"
    if not state.exists():
        return []
    return [Node(n["name"], Path(n["workdir"]), int(n["http_port"])) for n in json.loads(state.read_text())["nodes"]]


def url(state_dir: Path) -> str:
    """Every node's URL, comma-separated: the adapter's node list (search.elasticsearch_index)."""
    return ",".join(n.url for n in nodes(state_dir))


def health(base_url: str, *, query: str = "", timeout: float = 5) -> dict:
    with urlopen(f"{base_url}/_cluster/health{query}", timeout=timeout) as resp:  # noqa: S310 - loopback
        return json.load(resp)


def install(cache_dir: Path) -> None:
    es.install(cache_dir)


def start(state_dir: Path, port: int, count: int = NODES) -> dict[str, str]:
    """Start `count` nodes (the first HTTP port is `port`) and wait until the cluster is green."""
    stop(state_dir)
    root = _root(state_dir)
    root.mkdir(parents=True, exist_ok=True)
    http_ports = [port] + [free_port() for _ in range(count - 1)]
    transport_ports = [free_port() for _ in range(count)]
    names = [f"node-{i}" for i in range(count)]
    cluster_name = f"archive-test-{new_secret(6).lower()}"
    started = [Node(names[i], root / names[i], http_ports[i]) for i in range(count)]
    (root / "cluster.json").write_text(json.dumps({"cluster_name": cluster_name, "nodes": [
        {"name": n.name, "workdir": str(n.workdir), "http_port": n.http_port} for n in started]}, indent=2))
    pids = []
    for i, node in enumerate(started):
        pids.append(es.launch_node(node.workdir, node.http_port, cluster={
            "cluster.name": cluster_name,
            "node.name": node.name,
            "transport.port": transport_ports[i],
            "discovery.seed_hosts": [f"{HOST}:{p}" for p in transport_ports],
            # Only read when the cluster first forms; a node brought back ignores it.
            "cluster.initial_master_nodes": names,
        }, java_opts=JAVA_OPTS))
    wait_green(state_dir, timeout=es.START_TIMEOUT * 1.5, pids=pids)
    return {"ARCHIVE_TEST_ELASTICSEARCH_URL": url(state_dir)}


def wait_green(state_dir: Path, *, timeout: float, pids: list[int] | None = None) -> dict:
    """Wait until every node is in the cluster and every shard copy is allocated."""
    members = nodes(state_dir)
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        for node in members:
            try:
                h = health(node.url, query=f"?wait_for_status=green&wait_for_nodes={len(members)}&timeout=2s",
                           timeout=10)
            except OSError as exc:
                last = exc
                continue
            if h.get("status") == "green" and int(h.get("number_of_nodes", 0)) == len(members):
                return h
            last = h
        if pids is not None and not any(pid_alive(p) for p in pids):
            break
        time.sleep(0.5)
    logs = "".join(log_tail(n.workdir / "server.log", 10) for n in members)
    raise RuntimeError(f"elasticsearch cluster not green after {timeout:.0f}s (last: {last}){logs}")


def kill_node(state_dir: Path, name: str) -> None:
    """SIGKILL one node (launcher and JVM): no shutdown, as when a host loses power."""
    es.kill_node(_node(state_dir, name).workdir)


def relaunch_node(state_dir: Path, name: str) -> int:
    """Bring a killed node back on its data dir; returns its pid (does not wait)."""
    return es.relaunch_node(_node(state_dir, name).workdir)


def _node(state_dir: Path, name: str) -> Node:
    for node in nodes(state_dir):
        if node.name == name:
            return node
    raise KeyError(f"no node {name!r} in {_root(state_dir)}")


def stop(state_dir: Path) -> None:
    """Stop every node this state dir started (each its own process group), then forget them."""
    root = _root(state_dir)
    for node in nodes(state_dir):
        es.stop_node(node.workdir)
    (root / "cluster.json").unlink(missing_ok=True)
