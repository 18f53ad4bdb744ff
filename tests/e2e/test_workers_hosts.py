"""Workers on several hosts (issue 20): two worker "hosts", each with its own data directory,
share PostgreSQL, Redis, MinIO and Elasticsearch; one is SIGKILLed mid-batch. Every document
ends done once, none is lost, no page is indexed twice. Each host also runs an index consumer:
the index drain takes a PostgreSQL advisory lock (archive/work/drain_lock.py), tested below.
"""

from __future__ import annotations

import io
import os
import signal
import uuid
from collections import Counter
from urllib.parse import urlparse, urlunparse

import pytest
from elasticsearch.helpers import scan
from sqlalchemy import create_engine, text

from archive.serve import commands
from archive.settings import Settings
from search.elasticsearch_index import ElasticsearchIndex
from tests.support.databases import fresh_postgres_database
from tests.support.documents import born_digital_pdf, png_bytes, rendered_page
from tests.support.processes import (
    cli,
    cli_json,
    service_env,
    start,
    stop_group,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.engines]

DOCUMENTS = 8


def _with_bucket(s3_url: str, bucket: str) -> str:
    return urlunparse(urlparse(s3_url)._replace(netloc=bucket))


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def test_two_worker_hosts_share_a_batch_and_one_killed_mid_batch_loses_and_doubles_nothing(
    tmp_path, tesseract, postgres_url, redis_url, elasticsearch_url, s3_url
):
    tag = uuid.uuid4().hex[:8]
    shared = dict(
        database_url=fresh_postgres_database(postgres_url), broker_url=redis_url,
        search_url=f"{elasticsearch_url}?prefix=wh{tag}", storage_url=_with_bucket(s3_url, f"wh-{tag}"),
        job_lease_seconds=5, sweep_interval_seconds=1, job_requeue_after_seconds=30,
        archival_copies="false",  # the archival follow-up is not what this test is about
    )
    hosts = {name: tmp_path / f"host-{name}" for name in ("a", "b")}  # nothing shared on disk
    env = {name: service_env(data, **shared) for name, data in hosts.items()}
    init = cli(env["a"], "init")
    assert init.returncode == 0, init.stderr
    cli_json(env["a"], "staff", "add", "--code", "NV001", "--name", "Đặng Thị Hạnh", "--unit", "TINH")
    files = []
    for n in range(1, DOCUMENTS + 1):
        img, _ = rendered_page([f"Quyết định số {n} về việc điều động", f"mã tài liệu tailieu{n}"])
        f = tmp_path / f"qd-{n}.png"
        f.write_bytes(png_bytes(img))
        files.append(f)

    cmds = {name: commands(Settings(data_dir=data), host="127.0.0.1", port=0, ocr_workers=1)
            for name, data in hosts.items()}
    procs = {f"{role}-{name}": start(cmds[name][role], env[name], tmp_path / f"{role}-{name}.log")
             for name in ("a", "b") for role in ("ocr", "index")}
    procs["beat-a"] = start(cmds["a"]["beat"], env["a"], tmp_path / "beat-a.log")  # one scheduler per site
    db = create_engine(shared["database_url"])

    def extract_jobs():
        with db.connect() as conn:
            rows = conn.execute(text("select target_id, state, attempts, worker from jobs where kind = 'extract'")).all()
        return sorted(rows, key=lambda r: int(r.target_id))

    def running_on_a():
        for job in extract_jobs():
            if job.state == "running" and job.worker and _pgid(int(job.worker.rsplit(":", 1)[1])) == procs["ocr-a"].pid:
                return job
        return None

    try:
        # both hosts consume before the batch arrives, so that the broker hands each a share
        for name in ("a", "b"):
            wait_until(lambda n=name: b" ready." in (tmp_path / f"ocr-{n}.log").read_bytes(), 120,
                       f"host {name}'s OCR worker to be ready")
        docs = cli_json(env["a"], "ingest", *map(str, files), "--staff", "NV001")
        assert len({d["id"] for d in docs}) == DOCUMENTS
        killed = wait_until(running_on_a, 180, "host a to work on a document", interval=0.05)
        stop_group(procs["ocr-a"], signal.SIGKILL)  # host a is lost mid-OCR: no ack, no release
        procs.pop("ocr-a")
        # (it may have committed in the few ms between the look and the kill: then nothing is re-run)
        mid_run = next(j for j in extract_jobs() if j.target_id == killed.target_id).state == "running"

        def settled():
            with db.connect() as conn:
                states = Counter(r[0] for r in conn.execute(text("select state from documents")))
                busy = conn.execute(text("select count(*) from jobs where state in ('queued', 'running')")).scalar()
            return states == Counter({"indexed": DOCUMENTS}) and busy == 0

        wait_until(settled, 240, "every document indexed and every job finished", interval=1)
    finally:
        for p in procs.values():
            stop_group(p)

    jobs = extract_jobs()
    ids = sorted(d["id"] for d in docs)
    assert [int(j.target_id) for j in jobs] == ids  # one extract job per document
    assert {j.state for j in jobs} == {"done"}
    again = {j.target_id: j for j in jobs if j.attempts > 1}
    assert list(again) == ([killed.target_id] if mid_run else [])  # only the one killed mid-run ran twice …
    if mid_run:
        assert again[killed.target_id].worker != killed.worker  # … and host b finished it
    with db.connect() as conn:
        pages = Counter(r[0] for r in conn.execute(text("select document_id from pages")))
        # (the follow-ups of extract are other kinds' business: only how they were delivered matters here)
        lost = conn.execute(text("select kind, target_id, last_error from jobs where state = 'failed'"
                                 " and (kind = 'extract' or last_error like 'lease expired%' or last_error = :died)"),
                            {"died": "Tiến trình xử lý dừng nhiều lần khi làm việc này."}).all()
    assert pages == Counter({i: 1 for i in ids})
    assert lost == []

    ix = ElasticsearchIndex.from_url(shared["search_url"])
    try:
        hits = list(scan(ix.client, index=ix.alias, query={"query": {"exists": {"field": "page"}}},
                         _source=["document_id"], version=True))
        assert Counter(h["_id"] for h in hits) == Counter({f"{i}:1": 1 for i in ids})
        # each page written to the index once, by whichever host's consumer held the lock
        assert {h["_version"] for h in hits} == {1}
        found = cli_json(env["b"], "search", f"tailieu{DOCUMENTS}", "--group", "page")["hits"]
        assert [(h["document_id"], h["page"]) for h in found] == [(ids[-1], 1)]
    finally:
        ix.drop()
        ix.close()
        db.dispose()


def test_on_postgresql_a_second_index_drain_does_nothing_while_the_first_holds_the_lock(tmp_path, postgres_url):
    """The decision (docs/architecture.md): the index consumer may run on every host; drains take
    turns. While another host's drain holds the lock, this one leaves the document waiting; once the
    lock is free the next drain indexes it."""
    from archive.bootstrap import build
    from archive.db import migrate
    from archive.services.access import SYSTEM
    from archive.services.catalogs import seed_catalogs
    from archive.services.documents import ingest_upload
    from archive.services.staff import add_staff
    from archive.services.units import add_unit
    from archive.work.drain_lock import lock_key
    from archive.work.kinds.index import IndexKind
    from search import SearchQuery
    from tests.support.inline_queue import InlineQueue

    s = Settings(data_dir=tmp_path / "data", database_url=fresh_postgres_database(postgres_url))
    migrate(s.database_url)
    c = build(s, queue=InlineQueue())
    c.queue.bind(c)
    other_host = create_engine(s.database_url).connect()
    try:
        seed_catalogs(c)
        add_unit(c, SYSTEM, code="TINH", name="Ủy ban nhân dân tỉnh")
        add_staff(c, SYSTEM, code="NV002", full_name="Hà Văn Khánh", unit_code="TINH")
        assert other_host.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key("index")}).scalar()
        pdf = born_digital_pdf(["Quyết định tiếp nhận ông Hà Văn Khánh", "mã tài liệu khoaduyen"])
        doc = ingest_upload(c, SYSTEM, staff_code="NV002", stream=io.BytesIO(pdf), file_name="qd.pdf",
                            document_type="khac").document
        c.queue.drain()  # extract runs, then the index drain is woken: the lock is the other host's

        def state() -> str:
            with c.engine.connect() as conn:
                return conn.execute(text("select state from documents where id = :i"), {"i": doc.id}).scalar()

        assert state() == "indexing"
        assert IndexKind().drain(c) == 0
        assert c.index.search(SearchQuery(text="khoaduyen")).total == 0

        other_host.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key("index")})
        other_host.commit()
        assert IndexKind().drain(c) == 2  # the staff record and the document, both waiting
        assert state() == "indexed"
        assert [h.document_id for h in c.index.search(SearchQuery(text="khoaduyen")).hits] == [doc.id]
    finally:
        other_host.close()
        c.close()
