"""The Elasticsearch client as a cluster needs it: node list, timeouts and retries, on purpose.

The search URL (ARCHIVE_SEARCH_URL) names every node, comma-separated, and the options:
`http://es1:9200,http://es2:9200,http://es3:9200?prefix=archive&replicas=auto&timeout=10&retries=3`
(a bare `host:port` takes the first node's scheme). docs/architecture.md, "Elasticsearch cluster
and several workers", explains each choice; in short:

- a search answers in milliseconds, so REQUEST_TIMEOUT (10 s) for one request means a node in
  trouble, and the request is tried on the next node (`retry_on_timeout`): every request the
  adapter sends is idempotent (searches, counts, refreshes, bulk `index`/`delete` by id);
- connection errors and 502/503/504 (a node restarting, a shard being promoted) are retried
  too, MAX_RETRIES (3) times: a cluster of three that lost one node still has two to try;
- the client's own retries do not pause, but promoting a replica after a node loss takes a
  second or two, so the adapter retries a whole request again after BACKOFF_SECONDS;
- no sniffing: the nodes' publish addresses may not be reachable from here (a container
  network, a proxy); the URL's list is the truth. A failed node is left alone 1 s, 2 s, … up
  to 30 s before it is tried again (a restarting node needs ~20 s to answer).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from elasticsearch import (
    ApiError,
    ConnectionError,
    ConnectionTimeout,
    Elasticsearch,
    TransportError,
)

REQUEST_TIMEOUT = 10.0
BULK_TIMEOUT = 60.0  # one 500-page bulk chunk (or the refresh after it) on a loaded node
MAX_RETRIES = 3
RETRY_STATUS = (502, 503, 504)
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)  # between whole-request attempts, and bulk rounds of rejected items
_T = TypeVar("_T")


@dataclass(frozen=True)
class ClientOptions:
    nodes: tuple[str, ...]
    prefix: str = "archive"
    request_timeout: float = REQUEST_TIMEOUT
    max_retries: int = MAX_RETRIES
    replicas: int | None = None  # None: one replica whenever a second data node exists

    @classmethod
    def from_url(cls, url: str) -> "ClientOptions":
        base, _, query = url.partition("?")
        params = dict(parse_qsl(query))
        prefix = params.pop("prefix", "archive")
        replicas = params.pop("replicas", "auto")
        timeout = float(params.pop("timeout", REQUEST_TIMEOUT))
        retries = int(params.pop("retries", MAX_RETRIES))
        return cls(split_nodes(base, urlencode(params)), prefix=prefix, request_timeout=timeout, max_retries=retries,
                   replicas=None if replicas == "auto" else int(replicas))


def split_nodes(nodes: str, query: str = "") -> tuple[str, ...]:
    """`http://es1:9200,es2:9200` → each node's URL (a bare `host:port` takes the first one's scheme)."""
    raw = [n.strip() for n in nodes.split(",") if n.strip()]
    if not raw:
        raise ValueError("elasticsearch URL names no node")
    scheme = urlsplit(raw[0]).scheme if "://" in raw[0] else "http"
    out = []
    for node in raw:
        parts = urlsplit(node if "://" in node else f"{scheme}://{node}")
        # what is left of the query is meant for the client (as before node lists existed)
        out.append(urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")))
    return tuple(out)


def make_client(opts: ClientOptions) -> Elasticsearch:
    return Elasticsearch(
        list(opts.nodes), request_timeout=opts.request_timeout, max_retries=opts.max_retries,
        retry_on_timeout=True, retry_on_status=RETRY_STATUS,
        dead_node_backoff_factor=1.0, max_dead_node_backoff=30.0,
    )


def transient(exc: BaseException) -> bool:
    """Worth another try: the cluster is changing under us, not refusing the request."""
    if isinstance(exc, (ConnectionError, ConnectionTimeout)):
        return True
    return isinstance(exc, ApiError) and exc.meta.status in (429, *RETRY_STATUS)


def retrying(call: Callable[[], _T], retries: int = MAX_RETRIES) -> _T:
    """Send an idempotent request again, after a pause, while the cluster is changing (a node
    lost, a replica being promoted); after BACKOFF_SECONDS[:retries] the error stands."""
    for pause in (*BACKOFF_SECONDS[:retries], None):
        try:
            return call()
        except (ApiError, TransportError) as exc:
            if pause is None or not transient(exc):
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")
