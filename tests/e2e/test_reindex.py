"""`archive reindex` rebuilds beside the live index: searches keep answering, an outdated index is fixed."""

from __future__ import annotations

import io
import uuid

import pytest

from archive.bootstrap import build
from archive.services.access import SYSTEM
from archive.services.catalogs import seed_catalogs
from archive.services.documents import ingest_upload
from archive.services.search import search_pages
from archive.services.staff import add_staff
from archive.services.units import add_unit
from archive.work.kinds.index import reindex_all
from tests.support.documents import born_digital_pdf
from tests.support.inline_queue import InlineQueue
from tests.support.processes import cli, cli_json, service_env


class _WatchedIndex:
    """The real index, whose rebuild runs `check()` before each batch it writes (searches in mid-rebuild)."""

    def __init__(self, index, check) -> None:  # noqa: ANN001
        self._index, self._check, self.batches = index, check, 0

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._index, name)

    def rebuild(self):  # noqa: ANN201
        real, outer = self._index.rebuild(), self

        class Watched:
            def upsert(self, docs) -> None:  # noqa: ANN001
                outer._check()
                outer.batches += 1
                real.upsert(docs)

            def commit(self) -> None:
                real.commit()

            def abort(self) -> None:
                real.abort()

            def __enter__(self):  # noqa: ANN204
                return self

            def __exit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
                real.__exit__(exc_type, exc, tb)

        return Watched()


@pytest.mark.engines
def test_reindex_on_elasticsearch_keeps_answering_searches_during_the_rebuild(settings, elasticsearch_url):
    s = settings.model_copy(update={"search_url": f"{elasticsearch_url}?prefix=reidx{uuid.uuid4().hex[:8]}"})
    c = build(s, queue=InlineQueue())
    c.queue.bind(c)
    try:
        seed_catalogs(c)
        add_unit(c, SYSTEM, code="TINH", name="Ủy ban nhân dân tỉnh")
        for n in range(6):
            add_staff(c, SYSTEM, code=f"NV{n}", full_name=f"Trần Văn Bình {n}", unit_code="TINH")
            ingest_upload(c, SYSTEM, staff_code=f"NV{n}", file_name="qd.pdf", stream=io.BytesIO(
                born_digital_pdf([f"Quyết định nâng lương cán bộ số {n}", "điều động luân chuyển"], pages=2)))
        c.queue.drain()
        before = search_pages(c, SYSTEM, "nang luong", limit=50)
        assert before.total == 12
        seen: list[int] = []

        def check() -> None:
            seen.append(search_pages(c, SYSTEM, "nang luong", limit=50).total)

        c.__dict__["index"] = _WatchedIndex(c.index, check)
        assert reindex_all(c, max_pages=4) == 6  # two documents a batch: three batches, a search before each
        watched = c.__dict__.pop("index")
        assert watched.batches == 3 and seen == [12, 12, 12]  # never empty while the new index fills
        after = search_pages(c, SYSTEM, "nang luong", limit=50)
        assert sorted((h.document_id, h.page) for h in after.hits) == sorted((h.document_id, h.page) for h in before.hits)
        assert c.index.count() == 12
    finally:
        c.close()


def test_archive_reindex_fixes_an_index_of_an_outdated_schema(tmp_path):
    env = service_env(tmp_path / "data")
    assert cli(env, "init").returncode == 0
    cli_json(env, "staff", "add", "--code", "NV1", "--name", "Lý Thị Thu", "--unit", "TINH")
    pdf = tmp_path / "qd.pdf"
    pdf.write_bytes(born_digital_pdf(["Quyết định khen thưởng bà Lý Thị Thu"]))
    r = cli(env, "ingest", str(pdf), "--staff", "NV1", "--wait", "--timeout", "1")
    assert r.returncode in (0, 4)  # no workers run here: the document waits
    # what a worker would do, then make the index look like an older version's
    from archive.settings import Settings

    [job] = cli_json(env, "jobs", "list", "--kind", "extract")
    c = build(Settings(data_dir=tmp_path / "data"), queue=InlineQueue())
    c.queue.bind(c)
    c.queue.sent.append((job["id"], job["kind"]))
    c.queue.drain()
    c.close()
    [marker] = list((tmp_path / "data" / "index").rglob("SCHEMA_VERSION"))
    marker.write_text("0")
    broken = cli(env, "search", "khen thuong")
    assert broken.returncode == 2 and "archive reindex" in broken.stderr and str(tmp_path) not in broken.stderr
    fixed = cli(env, "reindex")
    assert fixed.returncode == 0, fixed.stderr
    assert cli_json(env, "search", "khen thuong")["total"] == 1


def test_a_deleted_index_is_reported_with_how_to_rebuild_it_whether_serving_or_restarted(container):
    import shutil


    from archive.app import create_app
    from tests.support.accounts import logged_in, make_user

    add_staff(container, SYSTEM, code="NV1", full_name="Lý Thị Thu", unit_code="TINH")
    ingest_upload(container, SYSTEM, staff_code="NV1", file_name="qd.pdf",
                  stream=io.BytesIO(born_digital_pdf(["Quyết định khen thưởng"])))
    container.queue.drain()
    make_user(container, "hr1", "hr_officer", "TINH")
    api = logged_in(create_app(container=container), "hr1")
    assert api.get("/api/v1/search", params={"q": "khen thuong"}).json()["total"] == 1

    index_dir = container.settings.data_dir / "index"
    shutil.rmtree(index_dir)  # while serving
    r = api.get("/api/v1/search", params={"q": "khen thuong"})
    assert r.status_code == 503 and "archive reindex" in r.json()["detail"] and str(index_dir) not in r.text

    container.close()  # "restart": a new process opens (and creates) an empty index
    restarted = build(container.settings, queue=InlineQueue())
    restarted.queue.bind(restarted)
    try:
        api = logged_in(create_app(container=restarted), "hr1")
        r = api.get("/api/v1/search", params={"q": "khen thuong"})
        assert r.status_code == 503 and "archive reindex" in r.json()["detail"]
        assert api.get("/api/v1/search", params={"q": "khong co tu nay"}).status_code == 503  # zero hits: checked
        assert reindex_all(restarted) == 1
        assert api.get("/api/v1/search", params={"q": "khen thuong"}).json()["total"] == 1
        assert api.get("/api/v1/search", params={"q": "khong co tu nay"}).json()["total"] == 0
    finally:
        restarted.close()
