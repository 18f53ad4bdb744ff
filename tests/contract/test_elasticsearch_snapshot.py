"""An Elasticsearch index survives snapshot → delete → restore through an `fs` repository."""

import uuid

from elasticsearch import Elasticsearch

from search.elasticsearch_index import ElasticsearchIndex
from search.port import PageDoc, SearchQuery


def test_snapshot_to_fs_repository_and_restore(elasticsearch_url):
    prefix = f"snap{uuid.uuid4().hex[:8]}"
    index = ElasticsearchIndex(elasticsearch_url, prefix=prefix)
    index.upsert([PageDoc(document_id=1, page=1, text="Quyết định nâng bậc lương thường xuyên", staff_code="NV1",
                          staff_name="Bùi Văn Lương", status="dang_cong_tac")])
    es = Elasticsearch(elasticsearch_url)
    settings = next(iter(es.nodes.info(metric="settings")["nodes"].values()))["settings"]
    repo_path = settings["path"]["repo"]
    repo_path = repo_path[0] if isinstance(repo_path, list) else repo_path
    repo = f"repo-{prefix}"
    es.snapshot.create_repository(name=repo, repository={"type": "fs", "settings": {"location": f"{repo_path}/{prefix}"}})
    concrete = list(es.indices.get_alias(name=f"{prefix}-pages").body)
    es.snapshot.create(repository=repo, snapshot="s1", indices=",".join(concrete), wait_for_completion=True,
                       include_global_state=False)
    try:
        es.indices.delete(index=",".join(concrete))
        assert not es.indices.exists_alias(name=f"{prefix}-pages")
        es.snapshot.restore(repository=repo, snapshot="s1", wait_for_completion=True)  # restores the alias too
        es.cluster.health(index=",".join(concrete), wait_for_status="yellow", timeout="30s")
        hits = ElasticsearchIndex(elasticsearch_url, prefix=prefix).search(SearchQuery("nang bac luong")).hits
        assert [(h.document_id, h.staff_name) for h in hits] == [(1, "Bùi Văn Lương")]
    finally:
        es.snapshot.delete(repository=repo, snapshot="s1")
        es.indices.delete(index=",".join(concrete), ignore_unavailable=True)
        es.snapshot.delete_repository(name=repo)
