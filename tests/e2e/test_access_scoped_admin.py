"""A unit-scoped admin administers inside their own scope and clearance, never beyond: API and web.

World: TINH → Q1 → {Q1.NV, Q1.TC}; TINH → Q2. `qt.q1` is admin of Q1 with clearance 1, `qt.tinh`
the province's (root) admin. Accounts: `hr.q1` (Q1), `hr.q1.mat` (Q1, clearance 2), `hr.tinh`
(HR officer over the whole province, homed in Q1), `hr.q2` (Q2). Staff Q1NV01 in Q1.NV, Q2NV01 in Q2.
"""

import io

import pytest

from archive.app import create_app
from archive.services.access import SYSTEM
from archive.services.accounts import create_api_token
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import PASSWORD, csrf_of, logged_in, make_user, web_logged_in
from tests.support.documents import born_digital_pdf

NEW_PASSWORD = "doi-mat-khau-2026"


@pytest.fixture
def app(container):
    for code, parent in (("Q1", "TINH"), ("Q1.NV", "Q1"), ("Q1.TC", "Q1"), ("Q2", "TINH")):
        add_unit(container, SYSTEM, code=code, name=f"Đơn vị {code}", parent_code=parent)
    for code, name, unit in (("Q1NV01", "Phan Văn Anh", "Q1.NV"), ("Q2NV01", "Lê Văn Cường", "Q2")):
        add_staff(container, SYSTEM, code=code, full_name=name, unit_code=unit)
        ingest_upload(container, SYSTEM, staff_code=code, file_name="a.pdf",
                      stream=io.BytesIO(born_digital_pdf([f"Sơ yếu lý lịch của {name}", "Hồ sơ ủy quyền"])))
    container.queue.drain()
    make_user(container, "qt.tinh", "admin", "TINH", clearance=2)
    make_user(container, "qt.q1", "admin", "Q1", clearance=1)
    make_user(container, "hr.q1", "hr_officer", "Q1")
    make_user(container, "hr.q1.mat", "hr_officer", "Q1", clearance=2)
    make_user(container, "hr.tinh", "hr_officer", "Q1", scope="TINH")
    make_user(container, "hr.q2", "hr_officer", "Q2")
    return create_app(container=container)


def _new_user(**changes) -> dict:
    return {"username": "moi.q1", "password": PASSWORD, "unit_code": "Q1", "role": "hr_officer", **changes}


# -- API -----------------------------------------------------------------------------------------
def test_unit_admin_creates_accounts_only_up_to_their_own_clearance_and_scope(app):
    qt = logged_in(app, "qt.q1")
    assert qt.post("/api/v1/users", json=_new_user(clearance=2)).status_code == 403
    assert qt.post("/api/v1/users", json=_new_user(scope_code="TINH")).status_code == 404
    own_q2 = _new_user(username="cuong", role="staff", staff_code="Q2NV01")
    assert qt.post("/api/v1/users", json=own_q2).status_code == 404, "a Q2 person's own-record account"
    made = qt.post("/api/v1/users", json=_new_user(clearance=1))
    assert made.status_code == 201 and made.json()["clearance"] == 1


def test_unit_admin_cannot_take_over_an_account_that_reaches_beyond_their_scope(app):
    qt = logged_in(app, "qt.q1")
    for username in ("hr.tinh", "hr.q1.mat"):  # wider scope; higher clearance
        r = qt.post(f"/api/v1/users/{username}/password-reset", json={"new_password": NEW_PASSWORD})
        assert r.status_code == 403, (username, r.text)
        assert qt.post(f"/api/v1/users/{username}/tokens", json={"days": 30}).status_code == 403
        assert qt.put(f"/api/v1/users/{username}/expiry", json={"expires_at": None}).status_code == 403
        assert qt.post(f"/api/v1/users/{username}/revoke").status_code == 403
    r = qt.post("/api/v1/auth/login", json={"username": "hr.tinh", "password": NEW_PASSWORD})
    assert r.status_code == 401, "the password was not changed"
    assert logged_in(app, "hr.tinh").get("/api/v1/staff/Q2NV01").status_code == 200, "still their account"
    assert qt.post("/api/v1/users/hr.q1/password-reset", json={"new_password": NEW_PASSWORD}).status_code == 204


def test_api_tokens_minted_by_people_are_capped(app, container):
    qt = logged_in(app, "qt.q1")
    most = container.settings.api_token_max_days
    assert qt.post("/api/v1/users/hr.q1/tokens", json={"days": 3650}).status_code == 422
    assert qt.post("/api/v1/users/hr.q1/tokens", json={"days": None}).status_code == 422, "no endless token"
    assert qt.post("/api/v1/users/hr.q1/tokens", json={"days": most}).status_code == 201
    hr = logged_in(app, "hr.q1")
    assert hr.post("/api/v1/users/hr.q1/tokens", json={"days": most + 1}).status_code == 422, "own token too"
    assert create_api_token(container, SYSTEM, "hr.q1", days=3650).startswith("at_"), "the operator's CLI is not capped"


def test_unit_admin_grants_only_inside_their_scope_to_accounts_inside_it(app):
    qt = logged_in(app, "qt.q1")
    assert qt.post("/api/v1/users/hr.q2/grants", json={"role": "archivist", "scope_code": "Q1"}).status_code == 404
    assert qt.post("/api/v1/users/hr.q1/grants", json={"role": "archivist", "scope_code": "Q2"}).status_code == 404
    assert qt.post("/api/v1/users/hr.tinh/grants", json={"role": "archivist", "scope_code": "Q1"}).status_code == 403
    r = qt.post("/api/v1/users/hr.q1/grants", json={"role": "archivist", "scope_code": "Q1.NV"})
    assert r.status_code == 200 and {"role": "archivist", "scope": "Q1.NV"} in r.json()["roles"]
    assert qt.delete("/api/v1/users/hr.tinh/grants/hr_officer/TINH").status_code == 403


def test_an_admin_neither_extends_nor_widens_their_own_account(app):
    qt = logged_in(app, "qt.q1")
    assert qt.put("/api/v1/users/qt.q1/expiry", json={"expires_at": "2099-01-01T00:00:00Z"}).status_code == 403
    assert qt.post("/api/v1/users/qt.q1/grants", json={"role": "auditor", "scope_code": "Q1"}).status_code == 403
    assert logged_in(app, "qt.tinh").put("/api/v1/users/qt.q1/expiry", json={"expires_at": None}).status_code == 200


def test_province_wide_catalogs_are_edited_by_the_root_admin_only(app):
    entry = {"name": "Ngạch thử nghiệm"}
    assert logged_in(app, "qt.q1").put("/api/v1/catalogs/ngach/99.998", json=entry).status_code == 403
    assert logged_in(app, "qt.tinh").put("/api/v1/catalogs/ngach/99.998", json=entry).status_code == 200


def test_delegations_stay_inside_the_admins_scope_and_revoking_one_re_scopes_the_dossiers(app, container):
    qt, root, hr_q2 = logged_in(app, "qt.q1"), logged_in(app, "qt.tinh"), logged_in(app, "hr.q2")
    assert qt.post("/api/v1/units/Q1.NV/delegations", json={"to_unit_code": "Q2"}).status_code == 404
    assert qt.post("/api/v1/units/Q1.NV/delegations", json={"to_unit_code": "Q1.TC"}).status_code == 204
    assert qt.post("/api/v1/units/Q1.NV/delegations", json={"to_unit_code": "Q1.TC"}).status_code == 409
    assert [d["to_unit_code"] for d in qt.get("/api/v1/units/Q1.NV/delegations").json()] == ["Q1.TC"]
    assert qt.delete("/api/v1/units/Q1.NV/delegations/Q1.TC").status_code == 204
    assert qt.delete("/api/v1/units/Q1.NV/delegations/Q1.TC").status_code == 404, "already revoked"
    assert qt.get("/api/v1/units/Q1.NV/delegations").json() == []

    assert root.post("/api/v1/units/Q1.NV/delegations", json={"to_unit_code": "Q2"}).status_code == 204
    container.queue.drain()
    assert hr_q2.get("/api/v1/staff/Q1NV01").status_code == 200
    assert hr_q2.get("/api/v1/search", params={"q": "phan van anh"}).json()["total"] == 1
    assert qt.delete("/api/v1/units/Q1.NV/delegations/Q2").status_code == 404, "Q2 is beyond Q1's admin"
    assert root.delete("/api/v1/units/Q1.NV/delegations/Q2").status_code == 204
    container.queue.drain()  # the index consumer re-scopes the documents, as after a delegation
    assert hr_q2.get("/api/v1/staff/Q1NV01").status_code == 404
    assert hr_q2.get("/api/v1/search", params={"q": "phan van anh"}).json()["total"] == 0
    about = root.get("/api/v1/audit", params={"target_type": "unit", "target_id": "Q1.NV"}).json()
    actions = [e["action"] for e in about]
    assert actions.count("unit.delegate") == 2 and actions.count("unit.delegation_revoke") == 2


# -- web -----------------------------------------------------------------------------------------
def test_web_unit_admin_is_refused_beyond_their_scope_and_clearance(app):
    admin = web_logged_in(app, "qt.q1")
    token = csrf_of(admin.get("/quan-tri/tai-khoan").text)
    r = admin.post("/quan-tri/tai-khoan/hr.tinh/mat-khau", data={"new_password": NEW_PASSWORD, "csrf": token})
    assert r.status_code == 403 and "vượt" in r.text
    r = admin.post("/quan-tri/tai-khoan/hr.tinh/thu-hoi", data={"reason": "thử", "csrf": token})
    assert r.status_code == 403
    r = admin.post("/quan-tri/tai-khoan", data={"username": "moi.q1", "password": PASSWORD, "unit_code": "Q1",
                                                "role": "auditor", "clearance": "2", "csrf": token})
    assert r.status_code == 403 and "mức tiếp cận" in r.text
    r = admin.post("/quan-tri/tai-khoan/hr.q1/mat-khau", data={"new_password": NEW_PASSWORD, "csrf": token},
                   follow_redirects=False)
    assert r.status_code == 303


def test_web_catalogs_are_read_only_for_a_unit_admin(app):
    admin = web_logged_in(app, "qt.q1")
    page = admin.get("/quan-tri/danh-muc", params={"ten": "ngach"})
    assert page.status_code == 200 and "Thêm mục" not in page.text and "cấp tỉnh" in page.text
    r = admin.post("/quan-tri/danh-muc/ngach", data={"code": "99.997", "name": "Ngạch thử", "csrf": csrf_of(page.text)})
    assert r.status_code == 403
    root = web_logged_in(app, "qt.tinh")
    page = root.get("/quan-tri/danh-muc", params={"ten": "ngach"}).text
    assert "Thêm mục" in page


def test_web_admin_delegates_and_revokes_inside_their_scope(app):
    admin = web_logged_in(app, "qt.q1")
    page = admin.get("/quan-tri").text
    token = csrf_of(page)
    refused = admin.post("/quan-tri/uy-quyen", data={"unit_code": "Q1.NV", "to_unit_code": "Q2", "csrf": token})
    assert refused.status_code == 422 and "Không tìm thấy đơn vị có mã Q2." in refused.text
    done = admin.post("/quan-tri/uy-quyen", data={"unit_code": "Q1.NV", "to_unit_code": "Q1.TC", "csrf": token})
    assert done.status_code == 200 and "Đã ủy quyền" in done.text
    assert 'action="/quan-tri/uy-quyen/Q1.NV/Q1.TC/thu-hoi"' in done.text
    revoked = admin.post("/quan-tri/uy-quyen/Q1.NV/Q1.TC/thu-hoi", data={"csrf": token})
    assert revoked.status_code == 200 and "Đã thu hồi ủy quyền" in revoked.text
    assert 'action="/quan-tri/uy-quyen/Q1.NV/Q1.TC/thu-hoi"' not in revoked.text
