"""Backups end to end: a set in two targets → the archive wiped → `archive restore` → the same archive.

The archive is made in-process through the services (born-digital PDFs, so no OCR; a page
image as a derivative; an audit anchor); every backup command runs as the real `archive`
program. "The same archive" means: every object of every namespace hashes to what it did, every
table has the rows it had (plus the backup job the snapshot caught and the restore's own audit
entry), the audit chain verifies against the restored anchors, and sample searches return the
same pages. Production engines (PostgreSQL + MinIO + Elasticsearch) back up to a directory and a
second bucket and are restored from the bucket; the embedded archive to two directories.

A bucket under object lock cannot be emptied (the audit anchors are COMPLIANCE-retained, as they
must be), so "the bucket is lost" is played by a new, empty bucket; the database is dropped and
made again empty; the index is deleted.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlparse, urlunparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from archive.app import create_app
from archive.bootstrap import Container, build
from archive.crypto import new_key_spec
from archive.db import migrate
from archive.services import audit
from archive.services.access import SYSTEM
from archive.services.audit_views import verify_chain
from archive.services.backup_cipher import new_key_spec as new_backup_key
from archive.services.backup_database import table_counts
from archive.services.catalogs import seed_catalogs
from archive.services.documents import ingest_upload, page_image
from archive.services.search import search_pages
from archive.services.staff import add_staff
from archive.services.units import add_unit
from archive.settings import Settings
from archive.work import run_job, start_kind
from tests.support.accounts import PASSWORD, make_user
from tests.support.documents import born_digital_pdf
from tests.support.inline_queue import InlineQueue
from tests.support.processes import ARCHIVE, cli, free_port, service_env

QUERIES = ("nguyen van an", '"quyết định tuyển dụng"', "tran thi bich")


def _keys() -> dict[str, str]:
    """What the operator keeps apart from the server and the targets (README "Backups")."""
    return {"audit_key": base64.b64encode(secrets.token_bytes(32)).decode() + ";since=0",
            "field_keys": new_key_spec("k1"), "backup_key": new_backup_key()}


def _open(settings: Settings) -> Container:
    c = build(settings, queue=InlineQueue())
    c.queue.bind(c)
    return c


def _populate(c: Container) -> None:
    migrate(c.settings.database_url)
    seed_catalogs(c)
    add_unit(c, SYSTEM, code="TINH", name="Ủy ban nhân dân tỉnh")
    add_unit(c, SYSTEM, code="Q1", name="UBND Quận 1", parent_code="TINH")
    add_staff(c, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="Q1", status="nghi_huu",
              birth_date=date(1955, 7, 20), sensitive={"id_number": "079055001234", "religion": "00"})
    add_staff(c, SYSTEM, code="NV002", full_name="Trần Thị Bích", unit_code="Q1")
    docs = [("NV001", ["QUYẾT ĐỊNH về việc tuyển dụng công chức", "Tuyển dụng ông Nguyễn Văn An vào Phòng Nội vụ."], 2),
            ("NV001", ["QUYẾT ĐỊNH về việc nghỉ hưu", "Ông Nguyễn Văn An được nghỉ hưu từ ngày 01/08/2015."], 1),
            ("NV002", ["SƠ YẾU LÝ LỊCH", "Họ và tên: Trần Thị Bích. Quyết định tuyển dụng số 12/QĐ."], 1)]
    ids = []
    for i, (code, lines, pages) in enumerate(docs):
        outcome = ingest_upload(c, SYSTEM, staff_code=code, stream=io.BytesIO(born_digital_pdf(lines, pages=pages)),
                                file_name=f"{code}-{i}.pdf", document_type="khac")
        ids.append(outcome.document.id)
    c.queue.drain()  # extract (text layer) and index
    page_image(c, SYSTEM, ids[0], 1, width=160)  # a derivative in the store's own namespace
    assert run_job(c, c.registry, start_kind(c, c.registry, "audit_anchor"), "test") == "done"


@dataclass
class State:
    counts: dict[str, int]
    objects: dict[str, dict[str, str]]  # namespace → key → SHA-256 of the bytes read back
    hits: dict[str, list[tuple[int, int]]]


def _state(c: Container) -> State:
    counts = table_counts(c.engine)  # before the searches below, which add audit entries of their own
    objects = {}
    for ns, store in (("originals", c.store), ("derivatives", c.derivatives), ("audit", c.audit_anchors)):
        objects[ns] = {}
        for key in store.list_keys():
            with store.open(key) as fh:
                objects[ns][key] = hashlib.sha256(fh.read()).hexdigest()
    # as a set: pages that score the same (a document's two identical pages) come in index order
    hits = {q: sorted((h.document_id, h.page) for h in search_pages(c, SYSTEM, q, limit=50).hits) for q in QUERIES}
    return State(counts, objects, hits)


def _run(env: dict[str, str], *args: str, expect: int = 0) -> dict:
    r = cli(env, *args, "--json", timeout=300)
    assert r.returncode == expect, r.stdout + r.stderr
    return json.loads(r.stdout)


def _assert_same_archive(before: State, after: State) -> None:
    assert after.objects == before.objects
    assert all(digest == key for keys in after.objects.values() for key, digest in keys.items())
    # three originals, one audit anchor; derivatives: the page image plus what the pipeline keeps (text layers, copies)
    sizes = {ns: len(keys) for ns, keys in after.objects.items()}
    assert (sizes["originals"], sizes["audit"]) == (3, 1) and sizes["derivatives"] >= 2
    # the snapshot also holds the backup's own job row and the audit entries of the searches `before`
    # made after counting; the restore appended one entry of its own
    assert after.counts == {**before.counts, "jobs": before.counts["jobs"] + 1,
                            "audit_log": before.counts["audit_log"] + len(QUERIES) + 1}
    assert after.hits == before.hits and all(after.hits.values())


def _with_bucket(s3_url: str, bucket: str) -> str:
    return urlunparse(urlparse(s3_url)._replace(netloc=bucket))


@pytest.mark.engines
def test_production_archive_restores_from_the_second_bucket_after_database_bucket_and_index_are_lost(
        tmp_path, postgres_url, s3_url, elasticsearch_url):
    tag = uuid.uuid4().hex[:8]
    keys = _keys()
    database_url = _fresh_database(postgres_url, f"bk_{tag}")
    second_bucket = _with_bucket(s3_url, f"bk2-{tag}")
    base = dict(database_url=database_url, storage_url=_with_bucket(s3_url, f"bk1-{tag}"),
                search_url=f"{elasticsearch_url}?prefix=bk{tag}", backup_targets=f"file://{tmp_path / 't1'},{second_bucket}",
                **keys)
    c = _open(Settings(data_dir=tmp_path / "data", **base))
    try:
        _populate(c)
        before = _state(c)
        env = service_env(tmp_path / "data", **base)
        run = _run(env, "backup", "run")
        assert run["state"] == "done" and [t["ok"] for t in run["targets"]] == [True, True]
        assert [t["kind"] for t in run["targets"]] == ["full", "full"]  # the first set of the month
        held = sum(len(keys) for keys in before.objects.values())  # every original, derivative and anchor
        assert all(t["objects"] == held and t["objects_added"] == held for t in run["targets"])
        c.index.drop()  # the index is lost
    finally:
        c.close()
    _drop_database(postgres_url, database_url)
    _fresh_database(postgres_url, make_url(database_url).database)  # the server rebuilt, its database empty
    shutil.rmtree(tmp_path / "data")  # and the machine: only the keys were kept, by the operator
    lost = dict(base, storage_url=_with_bucket(s3_url, f"bk3-{tag}"))  # the primary bucket is gone: a new one
    env = service_env(tmp_path / "data", **lost)

    report = _run(env, "restore", "--from", "2")  # from the second bucket
    assert report["counts_equal"] and report["audit_ok"] and report["objects_restored"] == held
    assert report["documents_indexed"] == 3 and set(report["seconds"]) == {"objects", "database", "index"}
    c = _open(Settings(data_dir=tmp_path / "data", **lost))
    try:
        _assert_same_archive(before, _state(c))
        assert verify_chain(c, SYSTEM).ok
        with c.uow() as uow:
            [restored] = audit.query(uow.session, action="backup.restore")
            assert restored.target_id == run["set"]
    finally:
        c.close()

    drill = _run(env, "backup", "drill", "--from", "1")  # the directory target, into a scratch PostgreSQL database
    assert drill["ok"], drill
    assert drill["checks"] == {"counts": True, "objects": True, "audit_chain": True, "field_keys": True, "search": True}


def test_embedded_archive_restores_from_a_directory_after_the_data_dir_is_lost(tmp_path):
    keys_kept = tmp_path / "operator-safe"
    targets = f"file://{tmp_path / 't1'},file://{tmp_path / 't2'}"
    data = tmp_path / "data"
    c = _open(Settings(data_dir=data, backup_targets=targets, backup_key=(bk := new_backup_key())))
    try:
        _populate(c)
        before = _state(c)
    finally:
        c.close()
    shutil.copytree(data / "keys", keys_kept)  # embedded: the audit and field keys are files in the data dir
    env = service_env(data, backup_targets=targets, backup_key=bk)
    run = _run(env, "backup", "run")
    assert [t["ok"] for t in run["targets"]] == [True, True]

    again = _run(env, "backup", "run")  # nothing changed: an incremental set that copies nothing
    assert [(t["kind"], t["objects_added"]) for t in again["targets"]] == [("incremental", 0)] * 2
    listed = _run(env, "backup", "list")
    assert [[s["set_id"] for s in t["sets"]] for t in listed["targets"]] == [[again["set"], run["set"]]] * 2
    assert listed["targets"][0]["sets"][0]["previous"] == run["set"] and not listed["stale"]

    shutil.rmtree(data)
    data.mkdir()
    shutil.copytree(keys_kept, data / "keys")  # the operator puts the keys back first
    report = _run(env, "restore", "--from", "1", "--set", run["set"])
    assert report["counts_equal"] and report["audit_ok"] and report["set_id"] == run["set"]
    c = _open(Settings(data_dir=data))
    try:
        _assert_same_archive(before, _state(c))
        assert verify_chain(c, SYSTEM).ok
    finally:
        c.close()


def test_a_killed_run_leaves_no_set_and_the_next_run_takes_its_job_over(tmp_path):
    data, target = tmp_path / "data", tmp_path / "t1"
    bk = new_backup_key()
    c = _open(Settings(data_dir=data))
    try:
        _populate(c)
        for _ in range(40):  # enough bytes that the copy is still going when the kill comes
            c.store.put_stream(io.BytesIO(os.urandom(512 * 1024)))
        held = sum(len(list(s.list_keys())) for s in (c.store, c.derivatives, c.audit_anchors))
    finally:
        c.close()
    env = service_env(data, backup_targets=f"file://{target}", backup_key=bk, job_lease_seconds=2)
    proc = subprocess.Popen([ARCHIVE, "backup", "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not list((target / "objects").rglob("*/*/*")) and time.monotonic() < deadline:
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.005)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not list((target / "sets").glob("*.json"))  # nothing claims to be a set
    assert _run(env, "backup", "list")["targets"][0]["sets"] == []
    r = cli(env, "restore", "--from", "1")
    assert r.returncode == 1 and "chưa có bộ sao lưu hoàn chỉnh" in r.stderr

    time.sleep(2.5)  # the dead run's lease runs out
    run = _run(env, "backup", "run")
    assert run["state"] == "done" and run["targets"][0]["objects"] == held
    jobs = json.loads(cli(env, "jobs", "list", "--kind", "backup", "--json").stdout)
    assert [(j["id"], j["state"], j["attempts"]) for j in jobs] == [(run["job"], "done", 2)]  # the same job, again

    # one flipped byte in one backed-up object: the quick check cannot see it, reading the data does
    victim = next(p for p in (target / "objects" / "originals").rglob("*") if p.is_file())
    raw = bytearray(victim.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    victim.chmod(0o644)
    victim.write_bytes(bytes(raw))
    assert _run(env, "backup", "verify")["ok"]
    damaged = _run(env, "backup", "verify", "--read-data", expect=6)
    assert not damaged["ok"] and len(damaged["problems"]) == 1
    assert f"originals/{victim.name}" in damaged["problems"][0]

    # restore into an instance that is not empty: refused, nothing changed
    r = cli(env, "restore", "--from", "1")
    assert r.returncode == 1 and "không trống" in r.stderr and "chỉ khôi phục vào hệ thống trống" in r.stderr
    other = tmp_path / "other"
    shutil.copytree(data / "keys", other / "keys")
    c = _open(Settings(data_dir=other))
    try:
        c.store.put_stream(io.BytesIO(b"a file that is not in the set"))
    finally:
        c.close()
    r = cli(service_env(other, backup_targets=f"file://{target}", backup_key=bk), "restore", "--from", "1")
    assert r.returncode == 1 and "Kho lưu trữ tệp nơi khôi phục không trống" in r.stderr


def test_an_unreachable_target_fails_loudly_and_the_other_still_gets_its_set(tmp_path):
    data, target = tmp_path / "data", tmp_path / "t1"
    c = _open(Settings(data_dir=data))
    try:
        _populate(c)
    finally:
        c.close()
    nowhere = f"s3://backup?endpoint=127.0.0.1:{free_port()}&access_key=a&secret_key=b&secure=false"
    env = service_env(data, backup_targets=f"{nowhere},file://{target}", backup_key=new_backup_key())
    r = cli(env, "backup", "run", "--json")
    assert r.returncode == 2, r.stdout + r.stderr
    result = json.loads(r.stdout)
    assert result["state"] == "failed"
    assert "Không kết nối được nơi sao lưu s3://backup" in result["error"] and "secret_key=b" not in result["error"]
    assert f"Đã hoàn tất ở file://{target}" in result["error"]
    [manifest] = list((target / "sets").glob("*.json"))
    listed = _run(env, "backup", "list", "--from", "2")
    assert [s["set_id"] for s in listed["targets"][0]["sets"]] == [manifest.stem]


def test_the_drill_passes_lands_in_the_audit_log_and_shows_on_the_admin_page(tmp_path):
    data = tmp_path / "data"
    settings = Settings(data_dir=data, backup_targets=f"file://{tmp_path / 't1'}", backup_key=new_backup_key())
    c = _open(settings)
    try:
        _populate(c)
        make_user(c, "quantri", "admin", "TINH", clearance=2)
        make_user(c, "quantri.q1", "admin", "Q1", clearance=2)
    finally:
        c.close()
    env = service_env(data, backup_targets=settings.backup_targets, backup_key=settings.backup_key)
    run = _run(env, "backup", "run")
    drill = _run(env, "backup", "drill")
    assert drill["ok"] and drill["set_id"] == run["set"] and all(drill["checks"].values())
    c = _open(Settings(data_dir=data, backup_targets=settings.backup_targets, backup_key=settings.backup_key))
    try:
        with c.uow() as uow:
            [entry] = audit.query(uow.session, action="backup.drill")
            assert entry.details["ok"] and entry.details["set"] == run["set"] and entry.actor.startswith("cli:")
        assert verify_chain(c, SYSTEM).ok
        app = create_app(container=c)
        page = _login(app, "quantri").get("/quan-tri/sao-luu")
        assert page.status_code == 200
        assert run["set"] in page.text and "Diễn tập khôi phục: đạt" in page.text
        assert 'data-warning="backups.warn.one_target"' in page.text and "backups.warn.stale" not in page.text
        assert _login(app, "quantri.q1").get("/quan-tri/sao-luu").status_code == 403  # a district admin
        health = TestClient(app).get("/api/v1/health").json()
        assert health["backup"]["targets"] == 1 and not health["backup"]["stale"]
        assert health["backup"]["age_hours"] is not None and health["backup"]["age_hours"] < 1
    finally:
        c.close()


def _login(app, username: str) -> TestClient:  # noqa: ANN001
    client = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/dang-nhap").text).group(1)
    r = client.post("/dang-nhap", data={"username": username, "password": PASSWORD, "csrf": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def _fresh_database(server_url: str, name: str) -> str:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _drop_database(server_url: str, url: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()
