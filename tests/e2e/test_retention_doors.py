"""The retention doors: API (409 with a Vietnamese sentence for a shortening without a decision),
web pages (the schedule, the disposition list, holds from the dossier) and the CLI."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from archive.app import create_app
from archive.models import RetentionRule
from archive.services.access import SYSTEM
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.staff_lifecycle import change_status
from tests.support.accounts import csrf_of, logged_in, make_user, web_logged_in
from tests.support.documents import born_digital_pdf
from tests.support.processes import cli, service_env


@pytest.fixture
def app(container):
    add_staff(container, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="TINH")
    ingest_upload(container, SYSTEM, staff_code="NV001", stream=io.BytesIO(born_digital_pdf(["Quyết định tuyển dụng"])),
                  file_name="qd.pdf", document_type="khac")
    container.queue.drain()
    make_user(container, "quantri", "admin", "TINH", clearance=2)
    make_user(container, "quantri2", "admin", "TINH", clearance=2)
    make_user(container, "kiemtra", "auditor", "TINH", clearance=2)
    make_user(container, "luutru", "archivist", "TINH")
    return create_app(container=container)


def test_api_refuses_a_shortening_without_a_decision_with_409_in_vietnamese(app, container):
    admin = logged_in(app, "quantri")
    r = admin.put("/api/v1/retention/rules/khac", json={"permanent": False, "years": 5})
    assert r.status_code == 409
    assert "quyết định" in r.json()["detail"] and "Traceback" not in r.text
    with container.uow() as uow:
        assert uow.session.scalar(select(RetentionRule).where(RetentionRule.document_type == "khac")).permanent
    assert admin.put("/api/v1/retention/rules/so_yeu_ly_lich",
                     json={"permanent": False, "years": 5, "decision": "1/QĐ", "reason": "x"}).status_code == 409
    assert admin.put("/api/v1/retention/rules/khong_co", json={"permanent": True}).status_code == 404
    assert admin.put("/api/v1/retention/rules/khac", json={"permanent": False, "years": -1, "decision": "1/QĐ",
                                                           "reason": "x"}).status_code == 422
    ok = admin.put("/api/v1/retention/rules/khac", json={"permanent": False, "years": 5, "decision": "7/QĐ-UBND",
                                                         "reason": "Hội đồng xác định giá trị tài liệu"})
    assert ok.status_code == 200 and ok.json()["label"] == "5 năm kể từ ngày của tài liệu"
    rules = {r["document_type"]: r for r in admin.get("/api/v1/retention/rules").json()}
    assert rules["khac"]["decision_ref"] == "7/QĐ-UBND" and rules["so_yeu_ly_lich"]["label"] == "Vĩnh viễn"
    assert logged_in(app, "kiemtra").put("/api/v1/retention/rules/khac", json={"permanent": True}).status_code == 403


def test_api_holds_and_a_two_person_disposition(app, container):
    admin, admin2, auditor = logged_in(app, "quantri"), logged_in(app, "quantri2"), logged_in(app, "kiemtra")
    change_status(container, SYSTEM, "NV001", status="thoi_viec", effective_date=date(2010, 1, 1))
    assert admin.put("/api/v1/retention/rules/khac", json={"permanent": False, "years": 1, "counted_from": "leaving",
                                                           "decision": "5/QĐ", "reason": "hết giá trị"}).status_code == 200
    # uploaded after the change: its term ended in 2011, nothing locks it. The fixture's document was
    # locked vĩnh viễn when it came in, and a COMPLIANCE lock never shortens: it stays until the lock ends.
    late = ingest_upload(container, SYSTEM, staff_code="NV001", stream=io.BytesIO(born_digital_pdf(["Giấy mời họp"])),
                         file_name="giay-moi.pdf", document_type="khac").document.id
    container.queue.drain()
    assert logged_in(app, "luutru").post("/api/v1/legal-holds", json={
        "staff_code": "NV001", "reason": "Thanh tra", "reference": "TT-1"}).status_code == 403
    hold = auditor.post("/api/v1/legal-holds", json={"staff_code": "NV001", "reason": "Thanh tra",
                                                     "reference": "TT-1"})
    assert hold.status_code == 201, hold.text
    assert admin.post("/api/v1/dispositions").status_code == 204  # on hold: nothing to propose
    assert auditor.post(f"/api/v1/legal-holds/{hold.json()['id']}/release",
                        json={"reason": "Xong"}).status_code == 200
    container.queue.drain()
    p = admin.post("/api/v1/dispositions")
    assert p.status_code == 201 and len(p.json()["items"]) == 2
    pid = p.json()["id"]
    assert admin.post(f"/api/v1/dispositions/{pid}/approve",
                      json={"decision_number": "9/QĐ", "decision_date": "2026-11-30"}).json()["state"] == "first_approved"
    again = admin.post(f"/api/v1/dispositions/{pid}/approve", json={"decision_number": "9/QĐ"})
    assert again.status_code == 409 and "hai người" in again.json()["detail"]
    assert admin2.post(f"/api/v1/dispositions/{pid}/approve", json={"decision_number": "9/QĐ"}).status_code == 200
    container.queue.drain()
    done = admin.get(f"/api/v1/dispositions/{pid}").json()
    assert done["state"] == "executed"
    assert sorted((i["document_id"] == late, i["outcome"]) for i in done["items"]) == [(False, "locked"),
                                                                                        (True, "destroyed")]
    [record] = auditor.get("/api/v1/staff/NV001/dispositions").json()
    assert record["document_id"] == late
    assert record["decision_number"] == "9/QĐ" and record["approvers"] == ["quantri", "quantri2"]
    assert admin.get("/api/v1/staff/NV001").status_code == 200  # the staff record stays


def test_web_schedule_page_refuses_a_shortening_and_dossier_shows_holds(app):
    web = web_logged_in(app, "quantri")
    page = web.get("/quan-tri/thoi-han-bao-quan")
    assert page.status_code == 200 and "Thời hạn bảo quản" in page.text and "Vĩnh viễn" in page.text
    r = web.post("/quan-tri/thoi-han-bao-quan/khac", data={"csrf": csrf_of(page.text), "kind": "years", "years": "5",
                                                           "counted_from": "document_date"})
    assert r.status_code == 409 and "cần số quyết định" in r.text
    r = web.post("/quan-tri/thoi-han-bao-quan/khac", data={"csrf": csrf_of(page.text), "kind": "years", "years": "5",
                                                           "counted_from": "document_date", "decision": "7/QĐ",
                                                           "reason": "Hội đồng"}, follow_redirects=False)
    assert r.status_code == 303
    assert "5 năm kể từ ngày của tài liệu" in web.get("/quan-tri/thoi-han-bao-quan").text
    listing = web.get("/quan-tri/huy-tai-lieu")
    assert listing.status_code == 200 and "Hủy tài liệu hết giá trị" in listing.text

    auditor = web_logged_in(app, "kiemtra")
    dossier = auditor.get("/ho-so/NV001")
    assert dossier.status_code == 200 and 'id="s-retention"' in dossier.text
    r = auditor.post("/ho-so/NV001/phong-toa", data={"csrf": csrf_of(dossier.text), "reason": "Khiếu nại",
                                                     "reference": "KN-2026", "document_id": ""},
                     follow_redirects=False)
    assert r.status_code == 303
    shown = auditor.get("/ho-so/NV001").text
    assert "Đang phong tỏa" in shown and "KN-2026" in shown


def test_cli_lists_rules_and_refuses_a_shortening_without_a_decision(tmp_path):
    env = service_env(tmp_path / "data", admin_password="khoi-tao-2026")
    assert cli(env, "init").returncode == 0
    rules = cli(env, "retention", "rules")
    assert rules.returncode == 0 and "so_yeu_ly_lich" in rules.stdout and "Vĩnh viễn" in rules.stdout
    refused = cli(env, "retention", "set-rule", "khac", "--years", "5")
    assert refused.returncode == 1 and "quyết định" in refused.stderr and "Traceback" not in refused.stderr
    ok = cli(env, "retention", "set-rule", "khac", "--years", "5", "--decision", "7/QĐ", "--reason", "Hội đồng")
    assert ok.returncode == 0 and "5 năm" in ok.stdout
    assert cli(env, "retention", "propose").returncode == 0
