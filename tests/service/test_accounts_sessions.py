"""Sessions and passwords: a reset or a change ends the other credentials; a temporary password
(after a reset, or chosen by the admin who made the account) must be changed before anything else."""

import pytest
from fastapi.testclient import TestClient

from archive.app import create_app
from archive.errors import InvalidInput, Unauthenticated
from archive.services import accounts
from archive.services.access import SYSTEM, Action, PasswordChangeRequired
from archive.services.staff import add_staff, get_staff
from archive.services.units import add_unit
from tests.support.accounts import PASSWORD, csrf_of, logged_in, make_user, web_logged_in

TEMPORARY = "tam-thoi-2026"
CHOSEN = "cum-tu-cua-rieng-toi"


def test_password_reset_ends_every_session_and_api_token(container):
    make_user(container, "hr1", "hr_officer", "TINH")
    session = accounts.login(container, "hr1", PASSWORD)
    api = accounts.create_api_token(container, SYSTEM, "hr1", days=30)
    accounts.reset_password(container, SYSTEM, "hr1", TEMPORARY)
    for token in (session, api):
        with pytest.raises(Unauthenticated):
            accounts.authenticate(container, token)


def test_password_change_ends_the_other_sessions_and_tokens_but_keeps_this_one(container):
    make_user(container, "hr2", "hr_officer", "TINH")
    here, elsewhere = accounts.login(container, "hr2", PASSWORD), accounts.login(container, "hr2", PASSWORD)
    api = accounts.create_api_token(container, SYSTEM, "hr2", days=30)
    me = accounts.authenticate(container, here)
    accounts.change_password(container, me, PASSWORD, CHOSEN)
    for token in (elsewhere, api):
        with pytest.raises(Unauthenticated):
            accounts.authenticate(container, token)
    assert accounts.authenticate(container, here).name == "hr2"


def test_the_new_password_must_differ_from_the_current_one(container):
    make_user(container, "hr3", "hr_officer", "TINH")
    me = accounts.authenticate(container, accounts.login(container, "hr3", PASSWORD))
    with pytest.raises(InvalidInput, match="khác mật khẩu hiện tại"):
        accounts.change_password(container, me, PASSWORD, PASSWORD)


def test_after_a_reset_the_account_can_do_nothing_but_change_its_password(container):
    add_staff(container, SYSTEM, code="NV1", full_name="Đỗ Văn Hùng", unit_code="TINH")
    make_user(container, "hr4", "hr_officer", "TINH")
    accounts.reset_password(container, SYSTEM, "hr4", TEMPORARY)
    pending = accounts.authenticate(container, accounts.login(container, "hr4", TEMPORARY))
    assert pending.must_change_password and not pending.may_somewhere(Action.READ)
    with pytest.raises(PasswordChangeRequired, match="đổi mật khẩu"):
        get_staff(container, pending, "NV1")
    with pytest.raises(PasswordChangeRequired):
        accounts.create_api_token(container, pending, "hr4", days=30)

    client = logged_in(create_app(container=container), "hr4", TEMPORARY)
    for r in (client.get("/api/v1/me"), client.get("/api/v1/staff/NV1"), client.get("/api/v1/search?q=hung"),
              client.get("/api/v1/units")):
        assert r.status_code == 403 and "đổi mật khẩu" in r.json()["detail"], r.text
    same = client.post("/api/v1/me/password", json={"old_password": TEMPORARY, "new_password": TEMPORARY})
    assert same.status_code == 422
    r = client.post("/api/v1/me/password", json={"old_password": TEMPORARY, "new_password": CHOSEN})
    assert r.status_code == 204, r.text
    assert client.get("/api/v1/staff/NV1").status_code == 200, "this session goes on, now unrestricted"
    assert client.post("/api/v1/auth/logout").status_code == 204


def test_a_pending_account_may_still_log_out(container):
    make_user(container, "hr5", "hr_officer", "TINH")
    accounts.reset_password(container, SYSTEM, "hr5", TEMPORARY)
    client = logged_in(create_app(container=container), "hr5", TEMPORARY)
    assert client.post("/api/v1/auth/logout").status_code == 204
    r = client.post("/api/v1/me/password", json={"old_password": TEMPORARY, "new_password": CHOSEN})
    assert r.status_code == 401, "the session ended"


def test_an_account_made_by_an_admin_starts_with_a_temporary_password(container):
    add_unit(container, SYSTEM, code="Q1", name="UBND Quận 1", parent_code="TINH")
    make_user(container, "qt.q1", "admin", "Q1")
    app = create_app(container=container)
    admin = logged_in(app, "qt.q1")
    r = admin.post("/api/v1/users", json={"username": "moi.q1", "password": TEMPORARY, "unit_code": "Q1",
                                          "role": "auditor"})
    assert r.status_code == 201 and r.json()["must_change_password"] is True
    newcomer = logged_in(app, "moi.q1", TEMPORARY)
    assert newcomer.get("/api/v1/audit").status_code == 403
    newcomer.post("/api/v1/me/password", json={"old_password": TEMPORARY, "new_password": CHOSEN})
    assert newcomer.get("/api/v1/audit").status_code == 200
    operators = accounts.get_user(container, SYSTEM, "qt.q1")
    assert operators.must_change_password is False, "made by the operator's CLI: not temporary"


def test_web_sends_a_temporary_password_to_the_change_page_first(container):
    add_staff(container, SYSTEM, code="NV1", full_name="Đỗ Văn Hùng", unit_code="TINH")
    make_user(container, "hr6", "hr_officer", "TINH")
    accounts.reset_password(container, SYSTEM, "hr6", TEMPORARY)
    web = TestClient(create_app(container=container))
    r = web.post("/dang-nhap", data={"username": "hr6", "password": TEMPORARY,
                                     "csrf": csrf_of(web.get("/dang-nhap").text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/tai-khoan"
    page = web.get("/tai-khoan")
    assert page.status_code == 200 and "mật khẩu tạm thời" in page.text
    assert 'href="/tra-cuu"' not in page.text, "no navigation to pages the account cannot use yet"
    refused = web.get("/ho-so/NV1", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/tai-khoan"
    back = web.get("/tai-khoan")
    assert "đổi mật khẩu" in back.text and "Đỗ Văn Hùng" not in back.text
    assert web.get("/", follow_redirects=False).headers["location"] == "/tai-khoan"
    r = web.post("/tai-khoan/mat-khau", data={"old_password": TEMPORARY, "new_password": CHOSEN,
                                              "confirm_password": CHOSEN, "csrf": csrf_of(page.text)},
                 follow_redirects=False)
    assert r.status_code == 303
    assert web.get("/ho-so/NV1").status_code == 200


def test_web_password_change_keeps_this_session_and_ends_the_others(container):
    make_user(container, "hr7", "hr_officer", "TINH")
    app = create_app(container=container)
    here, other = web_logged_in(app, "hr7"), web_logged_in(app, "hr7")
    page = here.get("/tai-khoan").text
    r = here.post("/tai-khoan/mat-khau", data={"old_password": PASSWORD, "new_password": CHOSEN,
                                               "confirm_password": CHOSEN, "csrf": csrf_of(page)})
    assert r.status_code == 200 and "Đã đổi mật khẩu." in r.text
    assert here.get("/tra-cuu").status_code == 200
    gone = other.get("/tra-cuu", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/dang-nhap")


def test_a_pending_account_meets_a_refusal_in_every_service(container):
    from archive.services.audit_views import browse
    from archive.services.search import search_pages
    from archive.services.units import add_unit as add

    make_user(container, "qt8", "admin", "TINH", clearance=2)
    accounts.reset_password(container, SYSTEM, "qt8", TEMPORARY)
    pending = accounts.authenticate(container, accounts.login(container, "qt8", TEMPORARY))
    for call in (lambda: search_pages(container, pending, "hung"), lambda: browse(container, pending),
                 lambda: add(container, pending, code="QX", name="Quận X", parent_code="TINH"),
                 lambda: accounts.reset_password(container, pending, "qt8", CHOSEN)):
        with pytest.raises(PasswordChangeRequired):
            call()
