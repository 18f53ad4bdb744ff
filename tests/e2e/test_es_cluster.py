"""A 3-node Elasticsearch cluster loses a node (SIGKILL) and gets it back, while our adapter
indexes and searches: no search fails (beyond the adapter's bounded retry), no page is lost or
doubled, and the cluster is green again. The cluster is this module's own (tests/support/es_cluster.py).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter

import pytest
from elasticsearch.helpers import scan

from search import PageDoc, SearchQuery
from search.elasticsearch_index import ElasticsearchIndex
from tests.support.es_cluster import Cluster, start_cluster

pytestmark = [pytest.mark.slow, pytest.mark.engines]

PAGES_PER_DOC = 4


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    yield from start_cluster(tmp_path_factory)


def _pages(first_doc: int, docs: int) -> list[PageDoc]:
    return [
        PageDoc(document_id=d, page=p, text=f"Quyết định nâng bậc lương số {d}/{p}, mã hồ sơ hs{d}trang{p}",
                staff_code=f"NV{d:04d}", staff_name="Trần Thị Bình", status="dang_cong_tac", unit="TINH",
                document_type="quyet_dinh", scope_units=("TINH",))
        for d in range(first_doc, first_doc + docs) for p in range(1, PAGES_PER_DOC + 1)
    ]


def _primary_node(cluster: Cluster, index: str) -> str:
    shards = cluster.get(f"/_cat/shards/{index}?format=json")
    [primary] = [s for s in shards if s["prirep"] == "p" and s["state"] == "STARTED"]
    return primary["node"]


class Writer:
    """Index a few documents, then search for them and for everything so far, through the adapter."""

    def __init__(self, ix: ElasticsearchIndex) -> None:
        self.ix = ix
        self.next_doc = 1
        self.expected: list[str] = []
        self.searches = 0
        self.slowest = 0.0

    def round(self, docs: int = 5) -> None:
        pages = _pages(self.next_doc, docs)
        self.ix.upsert(pages)
        self.expected += [p.id for p in pages]
        last = self.next_doc + docs - 1
        self.next_doc += docs
        t0 = time.monotonic()
        one = self.ix.search(SearchQuery(text=f"hs{last}trang2"))
        every = self.ix.search(SearchQuery(text="nang bac luong", limit=1))
        self.slowest = max(self.slowest, time.monotonic() - t0)
        self.searches += 2
        assert [(h.document_id, h.page) for h in one.hits] == [(last, 2)]
        assert every.total == len(self.expected)


def test_indexing_and_search_go_on_while_a_node_is_killed_and_brought_back(cluster: Cluster, caplog) -> None:
    ix = ElasticsearchIndex.from_url(f"{cluster.url}?prefix=cl{uuid.uuid4().hex[:8]}")
    assert len(ix.nodes) == 3  # the client fails over between every node of the URL
    w = Writer(ix)
    try:
        w.round(docs=20)
        [index] = ix._concrete_indices()
        settings = cluster.get(f"/{index}/_settings")[index]["settings"]["index"]
        assert settings["number_of_replicas"] == "1"  # three data nodes: min(1, 3 - 1)
        cluster.wait_green()  # the replica is a full copy before a node goes

        victim = _primary_node(cluster, index)
        cluster.kill(victim)  # SIGKILL: no shutdown, the primary copy is gone with it
        caplog.set_level(logging.WARNING, logger="elastic_transport.transport")
        survivors = [n for n in cluster.node_urls if n != victim]
        for _ in range(4):  # the replica is promoted; the client drops the dead node
            w.round()
        assert _primary_node(cluster, index) != victim
        # the client did meet the dead node, and went on to another one within its bounded retries
        assert any("Retrying request" in r.getMessage() for r in caplog.records)
        health = cluster.get("/_cluster/health", node=survivors[0])
        assert health["number_of_nodes"] == 2

        cluster.relaunch(victim)
        deadline = time.monotonic() + 120
        while True:  # writes and searches go on while the node rejoins and recovers its copy
            w.round()
            health = cluster.get("/_cluster/health", node=survivors[0])
            if health["status"] == "green" and health["number_of_nodes"] == 3:
                break
            assert time.monotonic() < deadline, f"cluster not green again: {health}"
            time.sleep(1)
        w.round()

        # every page is there exactly once, on each copy (the recovered one too)
        copies = [s["node"] for s in cluster.get(f"/_cat/shards/{index}?format=json") if s["state"] == "STARTED"]
        assert len(copies) == 2
        for node in copies:
            ids = Counter(h["_id"] for h in scan(ix.client, index=ix.alias, query={"query": {"match_all": {}}},
                                                   _source=False, preference=f"_only_nodes:{node}"))
            assert sorted(ids) == sorted(w.expected), node
            assert set(ids.values()) == {1}, node
        assert ix.count() == len(w.expected)
        print(f"\n{len(w.expected)} pages, {w.searches} searches, slowest search pair {w.slowest:.2f}s")
    finally:
        ix.drop()
        ix.close()
