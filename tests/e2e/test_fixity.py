"""Fixity end to end: the real `archive fixity …` program, the JSON API, and S3 (real MinIO).

Done when (issue 13): a pass finds a corrupted object — a byte flipped on the local store; on S3,
in an unlocked test bucket — and repairs it from a backup target; a new document is scheduled
for its first check; coverage is reported correctly after a run over a test corpus.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from archive.models import utcnow
from archive.services.access import SYSTEM
from archive.services.documents import get_document
from archive.services.fixity import run_pass
from archive.services.fixity_views import status
from tests.support.accounts import logged_in, make_user
from tests.support.fixity import back_up_objects, corpus, flip_a_byte, local_object_path
from tests.support.processes import cli, service_env


def _cli_json(env: dict[str, str], *args: str, expect: int = 0) -> dict:
    r = cli(env, *args, "--json", timeout=300)
    assert r.returncode == expect, r.stdout + r.stderr
    return json.loads(r.stdout)


def test_the_archive_program_runs_passes_reports_and_checks_a_document(container, tmp_path) -> None:
    c = container
    ids = corpus(c)
    back_up_objects(c, tmp_path / "backup")
    s = c.settings
    env = service_env(s.data_dir, backup_targets=s.backup_targets, backup_key=s.backup_key)
    holdings = sum(len(list(st.list_keys())) for st in (c.store, c.derivatives, c.audit_anchors))

    first = _cli_json(env, "fixity", "run")
    assert (first["state"], first["checked"], first["ok"], first["failed"]) == ("done", holdings, holdings, 0)
    st = _cli_json(env, "fixity", "status")
    assert (st["objects"], st["coverage_pct"], st["damaged_count"]) == (holdings, 100.0, 0)

    doc = get_document(c, SYSTEM, ids[0])
    flip_a_byte(local_object_path(c, "originals", doc.sha256))
    again = _cli_json(env, "fixity", "run", "--all")  # a full pass on demand finds it now
    assert (again["checked"], again["repaired"], again["failed"]) == (holdings, 1, 0)
    assert again["failures"][0]["key"] == doc.sha256 and again["failures"][0]["found"] == "mismatch"
    assert c.store.verify(doc.sha256)

    checked = _cli_json(env, "doc", "check", str(ids[0]))
    assert (checked["sha256"], checked["integrity"], checked["last_result"]) == (doc.sha256, "ok", "ok")
    report_csv = tmp_path / "bao-cao.csv"
    report = _cli_json(env, "fixity", "report", "--csv", str(report_csv))
    assert [e["key"] for e in report["repairs"]] == [doc.sha256] and report["coverage_pct"] == 100.0
    rows = list(csv.DictReader(io.StringIO(report_csv.read_text("utf-8-sig"))))
    assert len(rows) == holdings and {r["namespace"] for r in rows} == {"originals", "derivatives", "audit"}
    assert next(r for r in rows if r["sha256"] == doc.sha256)["documents"] == str(ids[0])

    # bad input: non-zero exit, one Vietnamese sentence, nothing recorded
    r = cli(env, "doc", "check", "999999")
    assert r.returncode == 1 and "Không tìm thấy tài liệu số 999999" in r.stderr and "Traceback" not in r.stderr
    r = cli(env, "fixity", "report", "--days", "0")
    assert r.returncode == 1 and "Khoảng thời gian" in r.stderr

    # a lost file and no backup to repair it from: exit 6, and status says which document
    no_backup = service_env(s.data_dir)
    path = local_object_path(c, "originals", get_document(c, SYSTEM, ids[1]).sha256)
    path.chmod(0o644)
    path.unlink()
    assert cli(no_backup, "fixity", "run", "--all").returncode == 6
    damaged = _cli_json(no_backup, "fixity", "status", expect=6)["damaged"]
    assert [(d["result"], d["documents"]) for d in damaged] == [("missing", [ids[1]])]
    text = cli(no_backup, "fixity", "status")
    assert text.returncode == 6 and "Lỗi toàn vẹn" in text.stdout


def test_the_api_reports_to_province_auditors_and_checks_documents_in_scope(container) -> None:
    from archive.app import create_app

    c = container
    ids = corpus(c)  # ids[0]: NV001 in Q1; ids[1]: NV002 in Q2
    run_pass(c, by="test")
    make_user(c, "kiemtra", "auditor", "TINH")
    make_user(c, "kiemtra.q1", "auditor", "Q1")
    make_user(c, "hr.q1", "hr_officer", "Q1")
    app = create_app(container=c)
    auditor, district, hr = logged_in(app, "kiemtra"), logged_in(app, "kiemtra.q1"), logged_in(app, "hr.q1")

    r = auditor.get("/api/v1/fixity/report")
    assert r.status_code == 200 and r.json()["coverage_pct"] == 100.0 and r.json()["damaged"] == []
    csv_r = auditor.get("/api/v1/fixity/report.csv")
    assert csv_r.status_code == 200 and csv_r.text.lstrip("\ufeff").startswith("namespace,sha256,size")
    assert auditor.get("/api/v1/fixity/metrics").json()["damaged"] == 0
    for path in ("/api/v1/fixity/report", "/api/v1/fixity/report.csv", "/api/v1/fixity/metrics"):
        r = district.get(path)
        assert r.status_code == 403 and "cấp tỉnh" in r.json()["detail"]
    assert TestClient(app).get("/api/v1/fixity/report").status_code == 401
    assert auditor.get("/api/v1/fixity/report", params={"days": 0}).status_code == 422
    assert auditor.post("/api/v1/fixity/run").status_code == 403  # auditors read; admins start passes
    make_user(c, "quantri", "admin", "TINH", clearance=2)
    admin = logged_in(app, "quantri")
    r = admin.post("/api/v1/fixity/run")
    assert r.status_code == 202 and isinstance(r.json()["job"], int)

    r = hr.post(f"/api/v1/documents/{ids[0]}/fixity-check")
    assert r.status_code == 200 and r.json()["integrity"] == "ok" and len(r.json()["sha256"]) == 64
    assert hr.get(f"/api/v1/documents/{ids[0]}/fixity").json()["last_checked_at"] is not None
    r = hr.post(f"/api/v1/documents/{ids[1]}/fixity-check")  # another district's document: not even there
    assert r.status_code == 404 and "Không tìm thấy" in r.json()["detail"]


@pytest.fixture
def unlocked_s3(container, s3_url):  # noqa: ANN001, ANN201
    """The archive's store on an UNLOCKED MinIO bucket, so a test can overwrite an object's bytes.

    S3Store refuses buckets without object lock (_ensure_bucket); this store is built with that
    check already satisfied (`_bucket_checked`), which only a test may do: in production an
    unlocked bucket would let anyone replace originals."""
    from minio import Minio

    from storage.s3 import S3Store

    parsed = urlparse(s3_url)
    q = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    client = Minio(q["endpoint"], access_key=q.get("access_key"), secret_key=q.get("secret_key"), secure=False)
    bucket = f"fixity-{uuid.uuid4().hex[:12]}"
    client.make_bucket(bucket)  # no object lock, no versioning
    store = S3Store(client, bucket)
    store._bucket_checked = True  # noqa: SLF001 - see the docstring
    container.__dict__["store"] = store  # the container's cached stores: originals and its namespaces
    container.__dict__["derivatives"] = store.namespace("derivatives")
    container.__dict__["audit_anchors"] = store.namespace("audit")
    return client, store


def test_on_s3_a_corrupted_and_a_deleted_object_are_repaired_from_a_backup(container, unlocked_s3, tmp_path) -> None:
    c = container
    client, store = unlocked_s3
    ids = corpus(c, anchor=False)  # retention jobs that lock objects fail here too: the bucket has no lock
    back_up_objects(c, tmp_path / "backup")
    assert run_pass(c, by="test").failed == 0
    bad = get_document(c, SYSTEM, ids[0]).sha256
    gone = get_document(c, SYSTEM, ids[1]).sha256
    tampered = b"%PDF-1.7 tampered " + bytes(64)
    client.put_object(store.bucket, bad, io.BytesIO(tampered), len(tampered))  # overwrites: the bucket is unlocked
    client.remove_object(store.bucket, gone)
    assert not store.verify(bad) and not store.exists(gone)
    c.clock = lambda: utcnow() + timedelta(days=26)  # their next check comes round within the cycle
    report = run_pass(c, by="test")
    assert (report.repaired, report.failed) == (2, 0)
    assert {(f["key"], f["found"]) for f in report.failures} == {(bad, "mismatch"), (gone, "missing")}
    assert store.verify(bad) and store.verify(gone)
    assert store.stat(bad).content_type == "application/pdf"
    st = status(c, SYSTEM)
    assert st.damaged == [] and {e.key for e in st.repairs} == {bad, gone} and st.coverage_pct == 100.0
