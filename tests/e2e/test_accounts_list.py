"""The account list and unlock through the API and the web forms, scoped to the admin's own
ADMINISTER scope and audited (issue 11, item 5); `archive user list/unlock`; and GET
/api/v1/me/uploads (item 4).

World: TINH → Q1 → Q1.NV; TINH → Q2. `qt.tinh` root admin, `qt.q1` admin of Q1.
"""

from __future__ import annotations

import io
import sqlite3
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from archive.app import create_app
from archive.models import AuditEntry, User, utcnow
from archive.services.access import SYSTEM
from archive.services.accounts import set_expiry
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import (
    PASSWORD,
    csrf_of,
    logged_in,
    make_user,
    web_logged_in,
)
from tests.support.documents import born_digital_pdf
from tests.support.processes import ARCHIVE, cli, cli_json, service_env


@pytest.fixture
def app(container):
    for code, parent in (("Q1", "TINH"), ("Q1.NV", "Q1"), ("Q2", "TINH")):
        add_unit(container, SYSTEM, code=code, name=f"Đơn vị {code}", parent_code=parent)
    add_staff(container, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="Q1.NV")
    make_user(container, "qt.tinh", "admin", "TINH", clearance=2)
    make_user(container, "qt.q1", "admin", "Q1", clearance=1)
    make_user(container, "hr.q1", "hr_officer", "Q1")
    make_user(container, "luutru.nv", "archivist", "Q1.NV")
    make_user(container, "hr.q2", "hr_officer", "Q2")
    make_user(container, "cu.q1", "auditor", "Q1")
    set_expiry(container, SYSTEM, "cu.q1", utcnow() - timedelta(days=1))
    return create_app(container=container)


def _lock(app, username: str) -> None:
    api = logged_in(app, "qt.tinh")  # any client: wrong passwords for `username`
    for _ in range(5):
        assert api.post("/api/v1/auth/login", json={"username": username, "password": "sai"}).status_code == 401


def _names(r) -> list[str]:
    assert r.status_code == 200, r.text
    return [u["username"] for u in r.json()["users"]]


def test_the_list_holds_only_accounts_inside_the_admins_scope(app, container):
    root, q1 = logged_in(app, "qt.tinh"), logged_in(app, "qt.q1")
    assert set(_names(root.get("/api/v1/users"))) == {"qt.tinh", "qt.q1", "hr.q1", "luutru.nv", "hr.q2", "cu.q1"}
    assert set(_names(q1.get("/api/v1/users"))) == {"qt.q1", "hr.q1", "luutru.nv", "cu.q1"}, "never Q2's or the province's"
    assert _names(root.get("/api/v1/users", params={"unit": "Q1.NV"})) == ["luutru.nv"]
    assert set(_names(root.get("/api/v1/users", params={"unit": "Q1"}))) == {"qt.q1", "hr.q1", "luutru.nv", "cu.q1"}
    r = q1.get("/api/v1/users", params={"unit": "Q2"})
    assert r.status_code == 404 and r.json()["detail"] == "Không tìm thấy đơn vị có mã Q2.", "not revealed"
    assert _names(root.get("/api/v1/users", params={"role": "hr_officer"})) == ["hr.q1", "hr.q2"]
    assert _names(root.get("/api/v1/users", params={"expired": "true"})) == ["cu.q1"]
    assert "cu.q1" not in _names(root.get("/api/v1/users", params={"expired": "false"}))
    with container.uow() as uow:
        entries = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.list")).all()
        assert {e.actor for e in entries} == {"qt.tinh", "qt.q1"}


def test_bad_filters_and_callers_without_the_right_are_refused_in_vietnamese(app):
    root = logged_in(app, "qt.tinh")
    r = root.get("/api/v1/users", params={"role": "sep"})
    assert r.status_code == 422 and r.json()["detail"].startswith("Vai trò không hợp lệ")
    r = root.get("/api/v1/users", params={"locked": "co-le"})
    assert r.status_code == 422 and "locked" in r.json()["detail"]
    r = logged_in(app, "hr.q1").get("/api/v1/users")
    assert r.status_code == 403 and r.json()["detail"] == "Bạn không có quyền thực hiện thao tác này."


def test_a_locked_account_is_listed_unlocked_within_scope_and_the_unlock_audited(app, container):
    _lock(app, "hr.q1")
    _lock(app, "hr.q2")
    root, q1 = logged_in(app, "qt.tinh"), logged_in(app, "qt.q1")
    assert _names(root.get("/api/v1/users", params={"locked": "true"})) == ["hr.q1", "hr.q2"]
    assert _names(q1.get("/api/v1/users", params={"locked": "true"})) == ["hr.q1"]
    r = q1.post("/api/v1/users/hr.q2/unlock")
    assert r.status_code == 404 and r.json()["detail"] == "Không tìm thấy tài khoản hr.q2."
    r = q1.post("/api/v1/users/hr.q1/unlock")
    assert r.status_code == 200 and r.json()["locked"] is False
    assert logged_in(app, "hr.q1").get("/api/v1/me").status_code == 200, "the password works again"
    with container.uow() as uow:
        user = uow.session.scalar(select(User).where(User.username == "hr.q2"))
        assert user.locked_until is not None, "the refused unlock changed nothing"
        [entry] = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.unlock")).all()
        assert (entry.actor, entry.target_id) == ("qt.q1", "hr.q1")


def test_the_web_list_filters_by_state_unlocks_and_defaults_the_role_to_least_privilege(app):
    _lock(app, "hr.q1")
    web = web_logged_in(app, "qt.q1")
    page = web.get("/quan-tri/tai-khoan", params={"trang_thai": "tam_khoa"}).text
    assert 'data-username="hr.q1"' in page and 'data-username="luutru.nv"' not in page
    assert 'data-username="hr.q2"' not in web.get("/quan-tri/tai-khoan").text
    assert '<option value="staff" selected>' in page, "the role picker starts at the least privilege"
    assert 'data-username="cu.q1" data-state="expired"' in web.get("/quan-tri/tai-khoan?trang_thai=het_han").text
    bad = web.get("/quan-tri/tai-khoan", params={"vai_tro": "sep"})
    assert bad.status_code == 200 and "Vai trò không hợp lệ" in bad.text
    card = web.get("/quan-tri/tai-khoan", params={"u": "hr.q1"}).text
    r = web.post("/quan-tri/tai-khoan/hr.q1/mo-khoa", data={"csrf": csrf_of(card)}, follow_redirects=False)
    assert r.status_code == 303
    assert "Đang tạm khoá" not in web.get(r.headers["location"]).text.split('id="user-card"')[1].split("</div>")[0]
    # beyond scope: an error page, nothing changed
    assert web.post("/quan-tri/tai-khoan/hr.q2/mo-khoa", data={"csrf": csrf_of(card)}).status_code == 404
    # grant edit: a bad date is shown in the card, a good grant lands
    r = web.post("/quan-tri/tai-khoan/hr.q1/quyen", data={"csrf": csrf_of(card), "role": "archivist",
                                                          "scope_code": "Q1.NV", "expires": "31/02/2027"})
    assert r.status_code == 422 and "31/02/2027" in r.text
    r = web.post("/quan-tri/tai-khoan/hr.q1/quyen", data={"csrf": csrf_of(card), "role": "archivist",
                                                          "scope_code": "Q1.NV", "expires": ""})
    assert r.status_code == 200 and "Văn thư lưu trữ tại Q1.NV" in r.text
    r = web.post("/quan-tri/tai-khoan/hr.q1/quyen", data={"csrf": csrf_of(card), "role": "archivist",
                                                          "scope_code": "Q2"})
    assert r.status_code == 422 and "Không tìm thấy đơn vị có mã Q2." in r.text, "a scope beyond the admin's own"


def test_my_uploads_through_the_api(app):
    me = logged_in(app, "luutru.nv")
    r = me.post("/api/v1/documents", data={"staff_code": "NV001"},
                files={"file": ("a.pdf", io.BytesIO(born_digital_pdf(["Một"])), "application/pdf")})
    assert r.status_code == 201, r.text
    [doc] = me.get("/api/v1/me/uploads").json()
    assert doc["id"] == r.json()["id"] and doc["file_name"] == "a.pdf" and doc["uploaded_at"].endswith("Z")
    assert logged_in(app, "hr.q1").get("/api/v1/me/uploads").status_code == 403


def test_the_operator_lists_and_unlocks_accounts_from_the_cli(tmp_path):
    env = service_env(tmp_path / "data", admin_password="khoi-tao-2026")
    assert cli(env, "init").returncode == 0
    assert cli(env, "unit", "add", "QA", "--name", "UBND huyện Đức Hòa", "--parent", "TINH").returncode == 0
    r = subprocess.run([ARCHIVE, "user", "add", "kt.qa", "--unit", "QA", "--role", "auditor", "--password-stdin"],
                       input=PASSWORD + "\n", env=env, capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(tmp_path / "data" / "archive.db")  # as if five wrong passwords had locked it
    con.execute("UPDATE users SET locked_until = '2999-01-01 00:00:00' WHERE username = 'kt.qa'")
    con.commit()
    con.close()
    listed = cli_json(env, "user", "list", "--unit", "QA", "--locked", "--json")
    assert [u["username"] for u in listed["users"]] == ["kt.qa"] and listed["users"][0]["locked"] is True
    plain = cli(env, "user", "list", "--role", "auditor")
    assert plain.returncode == 0 and "kt.qa\tQA\tauditor@QA\tđang tạm khoá" in plain.stdout
    bad = cli(env, "user", "list", "--unit", "KHONGCO")
    assert bad.returncode != 0 and "Không tìm thấy đơn vị có mã KHONGCO." in bad.stderr
    assert "Đã mở khoá tài khoản kt.qa." in cli(env, "user", "unlock", "kt.qa").stdout
    assert cli_json(env, "user", "list", "--locked", "--json")["users"] == []
