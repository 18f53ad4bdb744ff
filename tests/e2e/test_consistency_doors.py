"""Paper vs record through its doors: API (report, run, resolve, crop, corrections), CLI (`audit
consistency --json`, `audit resolve`, `audit corrections`): scoped, audited, 4xx / non-zero exit with a
Vietnamese sentence on bad input and nothing changed."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from archive.app import create_app
from archive.models import AuditEntry
from archive.models.consistency import ConsistencyFinding, CorrectionTask
from archive.services.access import SYSTEM
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import logged_in, make_user
from tests.support.form_2c_pages import people, png, render_form
from tests.support.processes import cli, service_env


@pytest.fixture
def checked(container, tesseract):
    add_unit(container, SYSTEM, code="PTC", name="Phòng Tổ chức", parent_code="TINH")
    add_unit(container, SYSTEM, code="PYT", name="Phòng Y tế", parent_code="TINH")
    person = people()[0]
    add_staff(container, SYSTEM, unit_code="PTC", **person.record())
    img, _ = render_form(person, "2c_bnv_2008", "termes")
    ingest_upload(container, SYSTEM, staff_code=person.code, stream=io.BytesIO(png(img)), file_name="2c.png",
                  document_type="so_yeu_ly_lich")
    container.queue.drain()
    make_user(container, "kiemtra", "auditor", "PTC")
    make_user(container, "tochuc", "hr_officer", "PTC")
    make_user(container, "ngoai", "auditor", "PYT")
    return person


def _counts(c) -> tuple[int, int, int]:
    with c.uow() as uow:
        s = uow.session
        return (s.scalar(select(func.count()).select_from(ConsistencyFinding).where(ConsistencyFinding.resolution.is_not(None))),
                s.scalar(select(func.count()).select_from(CorrectionTask)),
                s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "consistency.resolve")))


def test_api_reports_resolves_and_scopes(container, checked):
    app = create_app(container=container)
    auditor, hr, outsider = logged_in(app, "kiemtra"), logged_in(app, "tochuc"), logged_in(app, "ngoai")
    code = checked.code
    r = auditor.get(f"/api/v1/staff/{code}/consistency")
    assert r.status_code == 200
    body = r.json()
    findings = body["documents"][0]["findings"]
    lech = {f["field_key"]: f for f in findings if f["state"] == "lech"}
    assert set(lech) >= checked.differs and body["counts"]["lech"] == len(lech)
    assert lech["ngay_sinh"]["page"] == 1 and lech["ngay_sinh"]["box"]["width"] > 0
    crop = auditor.get(f"/api/v1/consistency/{lech['ngay_sinh']['id']}/crop")
    assert crop.status_code == 200 and crop.content.startswith(b"\x89PNG")
    # another unit's auditor: the record does not exist for them
    assert outsider.get(f"/api/v1/staff/{code}/consistency").status_code == 404
    assert outsider.get(f"/api/v1/consistency/{lech['ngay_sinh']['id']}/crop").status_code == 404
    fid = lech["he_so"]["id"]
    # bad input: nothing changes
    before = _counts(container)
    bad = auditor.post(f"/api/v1/consistency/{fid}/resolve", json={"resolution": "sai"})
    assert bad.status_code == 422 and "resolution" in bad.json()["detail"]
    assert auditor.post("/api/v1/consistency/999999/resolve", json={"resolution": "paper_wrong"}).status_code == 404
    forbidden = hr.post(f"/api/v1/consistency/{fid}/resolve", json={"resolution": "record_wrong"})
    assert forbidden.status_code == 403 and "quyền" in forbidden.json()["detail"]
    assert auditor.post("/api/v1/staff/NOPE/consistency/run").status_code == 404
    assert _counts(container) == before
    ok = auditor.post(f"/api/v1/consistency/{fid}/resolve", json={"resolution": "record_wrong", "note": "Theo QĐ lương"})
    assert ok.status_code == 200 and ok.json()["resolution"] == "record_wrong"
    again = auditor.post(f"/api/v1/consistency/{fid}/resolve", json={"resolution": "paper_wrong"})
    assert again.status_code == 409 and "đã được xử lý" in again.json()["detail"]
    tasks = hr.get("/api/v1/corrections").json()
    assert [(t["staff_code"], t["field_key"], t["paper_value"]) for t in tasks] == [(code, "he_so", "3,66")]
    assert outsider.get("/api/v1/corrections").json() == []
    assert auditor.post(f"/api/v1/corrections/{tasks[0]['id']}/done").status_code == 403  # HR's job
    assert hr.post(f"/api/v1/corrections/{tasks[0]['id']}/done", json={"note": "đã sửa"}).json()["state"] == "done"
    assert hr.post(f"/api/v1/staff/{code}/consistency/run").status_code == 403  # running is an audit action
    assert auditor.post(f"/api/v1/staff/{code}/consistency/run").status_code == 200
    assert _counts(container)[1:] == (1, 1)
    with container.uow() as uow:
        entry = uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "consistency.resolve"))
        assert entry.actor == "kiemtra" and entry.target_id == code and entry.details["field"] == "he_so"


def test_cli_checks_as_json_resolves_and_refuses_bad_input_in_vietnamese(container, checked):
    env = service_env(container.settings.data_dir)
    r = cli(env, "audit", "consistency", checked.code, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    lech = [f for d in report["documents"] for f in d["findings"] if f["state"] == "lech"]
    assert {f["field_key"] for f in lech} >= checked.differs
    text = cli(env, "audit", "consistency", checked.code, "--show")
    assert text.returncode == 0 and "lệch" in text.stdout and "Ngày sinh" in text.stdout
    missing = cli(env, "audit", "consistency", "KHONGCO")
    assert missing.returncode != 0 and "Không tìm thấy hồ sơ" in missing.stderr and "Traceback" not in missing.stderr
    before = _counts(container)
    bad = cli(env, "audit", "resolve", str(lech[0]["id"]), "sai")
    assert bad.returncode != 0 and "Cách xử lý phải là" in bad.stderr
    assert _counts(container) == before
    ok = cli(env, "audit", "resolve", str(lech[0]["id"]), "record_wrong", "--note", "kiểm tra lại")
    assert ok.returncode == 0, ok.stderr
    listed = cli(env, "audit", "corrections", "--json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 1
