"""SearchIndex.rebuild(), run alike on embedded tantivy and a real Elasticsearch 8.

A rebuild (lập lại chỉ mục) fills a new index beside the live one: until its commit, every
search — in this process or another one holding its own SearchIndex on the same URL — keeps
answering from the old pages, never from an empty index; the commit switches everyone over at
once; an abort leaves the live index as it was. A live index built with an outdated schema
is refused for searches but can be rebuilt, which is how `archive reindex` fixes it.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest

from search import IndexSchemaOutdated, PageDoc, SearchError, SearchIndex, SearchQuery, open_index
from tests.contract.test_search_index import ADAPTERS, DOSSIER, LY_LICH, NGHI_HUU, TUYEN_DUNG_P1

ROOT = Path(__file__).resolve().parents[2]

# What a rebuild from the database finds: one page corrected, one document renumbered.
CORRECTED = dataclasses.replace(
    NGHI_HUU, text="QUYẾT ĐỊNH (bản đính chính) về việc nghỉ hưu của bà Lê Thị Đào.")
MOVED = dataclasses.replace(LY_LICH, document_id=505)
REBUILT = [CORRECTED, MOVED]
EXTRA = PageDoc(document_id=606, page=1, staff_code="NV-0606", staff_name="Tạ Văn Mười", status="dang_cong_tac",
                text="Quyết định điều động ông Tạ Văn Mười về Văn phòng Sở.")


def _keys(docs: list[PageDoc]) -> set[tuple[int, int]]:
    return {(d.document_id, d.page) for d in docs}


def _found(index: SearchIndex, text: str = "") -> set[tuple[int, int]]:
    return {(h.document_id, h.page) for h in index.search(SearchQuery(text, limit=100)).hits}


# -- one index location per test, opened by URL like every process does ----------------------
@pytest.fixture(params=ADAPTERS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "tantivy":
        yield f"tantivy://{tmp_path / 'index'}"
        return
    base = request.getfixturevalue("elasticsearch_url")
    url = f"{base}?prefix=test-{uuid.uuid4().hex[:12]}"
    try:
        yield url
    finally:
        from search.elasticsearch_index import ElasticsearchIndex

        es = ElasticsearchIndex.from_url(url)
        es.drop()
        es.close()


@pytest.fixture
def live(url: str) -> Iterator[SearchIndex]:
    index = open_index(url)
    index.upsert(DOSSIER)
    yield index
    index.close()


# -- contract ----------------------------------------------------------------------------------
def test_an_open_rebuild_is_invisible_and_the_live_index_keeps_answering(live: SearchIndex) -> None:
    rebuild = live.rebuild()
    assert _found(live) == _keys(DOSSIER)  # before any page is sent: never an empty index
    rebuild.upsert(REBUILT)
    assert _found(live) == _keys(DOSSIER) and live.count() == len(DOSSIER)
    assert _found(live, "bảo hiểm xã hội") == {(303, 1)} and _found(live, '"bản đính chính"') == set()
    rebuild.commit()
    assert _found(live) == _keys(REBUILT) and live.count() == len(REBUILT)
    assert _found(live, '"bản đính chính"') == {(303, 1)} and _found(live, "bảo hiểm xã hội") == set()


def test_the_live_index_takes_writes_during_a_rebuild_and_they_are_resent_after(live: SearchIndex) -> None:
    rebuild = live.rebuild()
    rebuild.upsert(REBUILT)
    live.upsert([EXTRA])  # an upload indexed meanwhile …
    live.delete_documents([101])  # … and a deletion
    assert _found(live) == _keys(DOSSIER) - {(101, 1), (101, 2)} | {(606, 1)}
    rebuild.commit()
    assert _found(live) == _keys(REBUILT)  # the rebuild holds what it was sent, nothing more
    live.upsert([EXTRA])  # the caller re-sends what changed since the rebuild began
    assert _found(live, "dieu dong") == {(606, 1)}


def test_abort_drops_the_new_index_and_leaves_the_live_one(live: SearchIndex) -> None:
    rebuild = live.rebuild()
    rebuild.upsert(REBUILT)
    rebuild.abort()
    rebuild.abort()  # idempotent: safe in any cleanup
    assert _found(live) == _keys(DOSSIER)
    with pytest.raises(SearchError):
        rebuild.upsert([EXTRA])
    with pytest.raises(SearchError):
        rebuild.commit()
    with live.rebuild() as again:  # the next rebuild is not hindered by the aborted one
        again.upsert([EXTRA])
    assert _found(live) == {(606, 1)}


def test_a_rebuild_commits_on_normal_exit_and_aborts_on_an_exception(live: SearchIndex) -> None:
    with pytest.raises(RuntimeError):
        with live.rebuild() as rebuild:
            rebuild.upsert(REBUILT)
            raise RuntimeError("the database went away")
    assert _found(live) == _keys(DOSSIER)
    with live.rebuild() as rebuild:
        rebuild.upsert(REBUILT[:1])
        copy = dataclasses.replace(MOVED, text="Sơ yếu lý lịch (bản sao)")
        rebuild.upsert(REBUILT[1:] + [copy])  # the same id twice: the later page replaces the earlier
        rebuild.commit()  # an explicit commit inside the block is fine: the exit does not repeat it
    assert _found(live) == _keys(REBUILT) and _found(live, '"bản sao"') == {(505, 1)}


def test_another_index_object_on_the_same_url_sees_the_new_index_after_commit(url: str, live: SearchIndex) -> None:
    other = open_index(url)  # what the API process holds while `archive reindex` runs
    try:
        assert _found(other) == _keys(DOSSIER)
        with live.rebuild() as rebuild:
            rebuild.upsert(REBUILT)
            assert _found(other) == _keys(DOSSIER)
        assert _found(other) == _keys(REBUILT) and other.count() == len(REBUILT)
        other.upsert([EXTRA])  # its writes go to the new index too
        assert _found(live, "dieu dong") == {(606, 1)}
    finally:
        other.close()


def test_a_rebuild_committed_by_another_process_is_seen_without_reopening(url: str, live: SearchIndex) -> None:
    script = textwrap.dedent("""
        import sys
        from search import PageDoc, open_index

        index = open_index(sys.argv[1])
        with index.rebuild() as rebuild:
            rebuild.upsert([PageDoc(document_id=909, page=1, staff_code="NV-0909", staff_name="Tạ Văn Mười",
                                    status="dang_cong_tac", text="Quyết định điều động công tác")])
        index.close()
    """)
    assert _found(live) == _keys(DOSSIER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script, url], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert _found(live) == {(909, 1)}
    assert _found(live, "dieu dong") == {(909, 1)}


def test_an_empty_rebuild_empties_the_index_and_it_stays_usable(live: SearchIndex) -> None:
    with live.rebuild():
        pass
    assert live.count() == 0 and live.search(SearchQuery("")).total == 0
    live.upsert([EXTRA])
    assert _found(live) == {(606, 1)}


def test_a_rebuild_carries_staff_records_beside_pages(live: SearchIndex) -> None:
    from search import StaffDoc

    record = StaffDoc(staff_code="NV-0707", full_name="Hồ Văn Bảy", status="tu_tran", text="Không có tài liệu.")
    live.upsert([record])
    with live.rebuild() as rebuild:
        rebuild.upsert([CORRECTED, dataclasses.replace(record, status="nghi_huu")])
        assert [h.status for h in live.search_people(SearchQuery("ho van bay")).hits] == ["tu_tran"]
    [hit] = live.search_people(SearchQuery("ho van bay")).hits
    assert (hit.staff_code, hit.status, hit.match_count) == ("NV-0707", "nghi_huu", 0)
    assert live.count() == 1 and _found(live) == {(303, 1)}  # count() and page searches: pages only


# -- an outdated schema is refused, and a rebuild replaces it ------------------------------------
def _outdated_tantivy(url: str) -> None:
    """Today's layout (files in the root, no generations) with another schema and version."""
    import tantivy

    path = Path(url.removeprefix("tantivy://"))
    path.mkdir(parents=True)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=True)
    old = tantivy.Index(builder.build(), path=str(path))
    writer = old.writer(heap_size=15_000_000, num_threads=1)
    writer.add_document(tantivy.Document(body="hồ sơ cũ"))
    writer.commit()
    writer.wait_merging_threads()
    (path / "SCHEMA_VERSION").write_text("4")


def _outdated_elasticsearch(url: str) -> None:
    from search.elasticsearch_index import MAPPING, SETTINGS, ElasticsearchIndex

    es = ElasticsearchIndex.from_url(url)
    es.client.indices.create(index=f"{es.alias}-v1", settings=SETTINGS,
                             mappings={**MAPPING, "_meta": {"schema_version": 0}}, aliases={es.alias: {}})
    es.close()


MAKE_OUTDATED: dict[str, Callable[[str], None]] = {"tantivy": _outdated_tantivy,
                                                   "elasticsearch": _outdated_elasticsearch}


def test_a_rebuild_replaces_an_index_of_an_outdated_schema(url: str) -> None:
    MAKE_OUTDATED["tantivy" if url.startswith("tantivy:") else "elasticsearch"](url)
    index, other = open_index(url), open_index(url)  # opening is fine: using it is refused
    try:
        for use in (lambda ix: ix.search(SearchQuery("Nguyễn")), lambda ix: ix.upsert([EXTRA]),
                    lambda ix: ix.count()):
            with pytest.raises(IndexSchemaOutdated, match="archive reindex"):
                use(index)
        with pytest.raises(IndexSchemaOutdated):
            other.search(SearchQuery(""))
        with index.rebuild() as rebuild:
            rebuild.upsert(DOSSIER)
        assert _found(index, "nguyen van an") == {(101, 1), (101, 2)}
        assert _found(other) == _keys(DOSSIER)  # the other process recovers without a restart
    finally:
        index.close()
        other.close()


def test_clear_also_replaces_an_outdated_index(url: str) -> None:
    MAKE_OUTDATED["tantivy" if url.startswith("tantivy:") else "elasticsearch"](url)
    index = open_index(url)
    index.clear()  # what `archive reindex` starts with
    index.upsert([TUYEN_DUNG_P1])
    assert _found(index) == {(101, 1)}
    index.close()


# -- tantivy only: generations on disk ---------------------------------------------------------
def _tantivy(path: Path) -> SearchIndex:
    from search.tantivy_index import TantivyIndex

    return TantivyIndex(path)


def test_tantivy_commit_switches_the_live_pointer_and_removes_older_generations(tmp_path: Path) -> None:
    index = _tantivy(tmp_path)
    assert (tmp_path / "LIVE").read_text() == "gen-000001" and (tmp_path / "gen-000001" / "meta.json").exists()
    index.upsert(DOSSIER)
    crashed = index.rebuild()  # a rebuild whose process died: its directory stays …
    assert crashed.path == tmp_path / "gen-000002"  # type: ignore[attr-defined]
    with index.rebuild() as rebuild:
        assert rebuild.path == tmp_path / "gen-000003"  # type: ignore[attr-defined]
        rebuild.upsert(REBUILT)
    assert (tmp_path / "LIVE").read_text() == "gen-000003"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["gen-000003"]  # … until the next commit
    assert (tmp_path / "gen-000003" / "SCHEMA_VERSION").exists()
    aborted = index.rebuild()
    aborted.abort()
    assert not aborted.path.exists()  # type: ignore[attr-defined]
    assert _found(index) == _keys(REBUILT)


def test_tantivy_index_in_the_layout_before_generations_is_read_in_place_then_moved(tmp_path: Path) -> None:
    from search.tantivy_schema import MARKER, SCHEMA_VERSION, add_pages, open_tantivy

    old = open_tantivy(tmp_path)  # files in the root, as every index was made until now
    writer = old.writer(heap_size=15_000_000, num_threads=1)
    add_pages(writer, DOSSIER)
    writer.commit()
    writer.wait_merging_threads()
    (tmp_path / MARKER).write_text(SCHEMA_VERSION)
    (tmp_path / "NOTES.txt").write_text("not tantivy's")

    index, reader = _tantivy(tmp_path), _tantivy(tmp_path)
    assert not (tmp_path / "LIVE").exists()  # generation 0, left where it is
    assert _found(index, "nguyen van an") == {(101, 1), (101, 2)} and _found(reader) == _keys(DOSSIER)
    index.upsert([EXTRA])
    assert _found(reader, "dieu dong") == {(606, 1)}
    with index.rebuild() as rebuild:
        rebuild.upsert(REBUILT)
    assert (tmp_path / "LIVE").read_text() == "gen-000001"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "LIVE", "NOTES.txt", "gen-000001"]  # tantivy's files and the marker left the root, nothing else
    assert _found(reader) == _keys(REBUILT)  # its open generation's files were deleted under it


def test_tantivy_readers_opened_on_a_removed_generation_recover(tmp_path: Path) -> None:
    index = _tantivy(tmp_path)
    index.upsert(DOSSIER)
    readers = [_tantivy(tmp_path) for _ in range(2)]
    for reader in readers:
        assert reader.count() == len(DOSSIER)
    for _ in range(3):  # gen 1 → 4, each commit deleting the one the readers have open
        with index.rebuild() as rebuild:
            rebuild.upsert(REBUILT)
        for reader in readers:
            assert _found(reader) == _keys(REBUILT)
    readers[0].delete_documents([505])
    assert _found(index) == {(303, 1)}


def test_tantivy_reader_in_another_process_never_sees_an_error_or_an_empty_index(tmp_path: Path) -> None:
    reader = textwrap.dedent("""
        import sys
        from search import SearchQuery, open_index

        index, seen, empty = open_index(sys.argv[1]), set(), 0
        print("ready", flush=True)
        for _ in range(3000):  # an error here fails the process
            empty += index.search(SearchQuery("quyết định", limit=5)).total == 0
            seen.add(index.live_path.name)
        print(empty, len(seen), flush=True)
    """)
    index = _tantivy(tmp_path)
    index.upsert(DOSSIER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", reader, f"tantivy://{tmp_path}"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    rebuilds = 0
    while proc.poll() is None and rebuilds < 500:
        with index.rebuild() as rebuild:
            rebuild.upsert(DOSSIER if rebuilds % 2 else REBUILT)
        rebuilds += 1
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    empty, generations = map(int, out.split())
    assert empty == 0 and generations > 1, (out, rebuilds)


# -- Elasticsearch only: the alias ---------------------------------------------------------------
def test_elasticsearch_commit_swaps_the_alias_and_deletes_older_indices(elasticsearch_url: str) -> None:
    from search.elasticsearch_index import ElasticsearchIndex

    es = ElasticsearchIndex(elasticsearch_url, prefix=f"test-{uuid.uuid4().hex[:12]}")
    try:
        es.upsert(DOSSIER)
        assert set(es.client.indices.get_alias(name=es.alias).body) == {f"{es.alias}-v1"}
        crashed = es.rebuild()  # a rebuild whose process died: its index stays …
        with es.rebuild() as rebuild:
            assert rebuild.name == f"{es.alias}-v3"
            rebuild.upsert(REBUILT)
            assert set(es.client.indices.get_alias(name=es.alias).body) == {f"{es.alias}-v1"}
        assert set(es.client.indices.get_alias(name=es.alias).body) == {f"{es.alias}-v3"}
        for gone in (f"{es.alias}-v1", crashed.name):  # … until the next commit
            assert not es.client.indices.exists(index=gone)
        aborted = es.rebuild()
        aborted.abort()
        assert not es.client.indices.exists(index=aborted.name)
        assert _found(es) == _keys(REBUILT)
    finally:
        es.drop()
        es.close()
