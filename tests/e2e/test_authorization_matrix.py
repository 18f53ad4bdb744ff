"""Every endpoint × role × in-scope/out-of-scope, through the API: 0 leaks.

World: TINH (province) → QA (district A) → PA (ward); TINH → QB (district B). Staff SA works in
PA, SB in QB; each has one indexed document. Users hold one role over QA (admin over TINH);
the `staff` user is SA's own account.
"""

import io

import pytest

from archive.app import create_app
from archive.services.access import SYSTEM
from archive.services.accounts import reset_password
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit, delegate
from tests.support.accounts import logged_in, make_user, web_logged_in
from tests.support.documents import born_digital_pdf

ROLES = ["admin", "hr_officer", "archivist", "auditor", "unit_head", "staff"]


@pytest.fixture
def world(container):
    for code, name, parent in (("QA", "UBND quận A", "TINH"), ("PA", "UBND phường A1", "QA"),
                               ("QB", "UBND quận B", "TINH")):
        add_unit(container, SYSTEM, code=code, name=name, parent_code=parent)
    docs = {}
    for code, name, unit in (("SA", "Phan Văn Anh", "PA"), ("SB", "Phan Thị Bích", "QB")):
        add_staff(container, SYSTEM, code=code, full_name=name, unit_code=unit)
        pdf = born_digital_pdf([f"Sơ yếu lý lịch của {name}", "Quyết định tuyển dụng công chức"])
        docs[code] = ingest_upload(container, SYSTEM, staff_code=code, stream=io.BytesIO(pdf), file_name="a.pdf").document.id
    container.queue.drain()
    return docs


def _client(container, role):
    if role == "admin":
        make_user(container, "u_admin", "admin", "TINH", clearance=2)
        return logged_in(create_app(container=container), "u_admin")
    if role == "staff":
        make_user(container, "u_staff", "staff", "PA", staff_code="SA")
        return logged_in(create_app(container=container), "u_staff")
    make_user(container, f"u_{role}", role, "QA")
    return logged_in(create_app(container=container), f"u_{role}")


PDF = born_digital_pdf(["Bản bổ sung lý lịch"])
ENDPOINTS = {
    "read_staff": lambda cl, s, d: cl.get(f"/api/v1/staff/{s}"),
    "list_documents": lambda cl, s, d: cl.get(f"/api/v1/staff/{s}/documents"),
    "read_document": lambda cl, s, d: cl.get(f"/api/v1/documents/{d}"),
    "read_text": lambda cl, s, d: cl.get(f"/api/v1/documents/{d}/text"),
    "download": lambda cl, s, d: cl.get(f"/api/v1/documents/{d}/original"),
    "update_staff": lambda cl, s, d: cl.patch(f"/api/v1/staff/{s}", json={"grade_code": "01.003"}),
    "change_status": lambda cl, s, d: cl.post(f"/api/v1/staff/{s}/status", json={"status": "nghi_huu"}),
    "upload": lambda cl, s, d: cl.post("/api/v1/documents", data={"staff_code": s},
                                       files={"file": ("b.pdf", PDF, "application/pdf")}),
    "transfer": lambda cl, s, d: cl.post(f"/api/v1/staff/{s}/transfer", json={"to_unit_code": "TINH"}),
}
OK = {"read_staff": 200, "list_documents": 200, "read_document": 200, "read_text": 200, "download": 200,
      "update_staff": 200, "change_status": 200, "upload": 201, "transfer": 200}
ALLOWED = {
    "admin": set(OK),
    "hr_officer": set(OK) - {"upload"},
    "archivist": {"read_staff", "list_documents", "read_document", "read_text", "upload"},
    "auditor": {"read_staff", "list_documents", "read_document", "read_text", "download"},
    "unit_head": {"read_staff", "list_documents", "read_document", "read_text"},
    "staff": {"read_staff", "list_documents", "read_document", "read_text", "download"},
}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_in_scope_target(container, world, role, endpoint):
    client = _client(container, role)
    r = ENDPOINTS[endpoint](client, "SA", world["SA"])
    expected = OK[endpoint] if endpoint in ALLOWED[role] else 403
    assert r.status_code == expected, (role, endpoint, r.text)


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_out_of_scope_target_is_not_found(container, world, role, endpoint):
    client = _client(container, role)
    r = ENDPOINTS[endpoint](client, "SB", world["SB"])
    if role == "admin":  # the Sở Nội vụ's admin holds the whole province
        assert r.status_code == OK[endpoint], r.text
    else:
        assert r.status_code == 404, (role, endpoint, r.text)
        assert "Phan Thị Bích" not in r.text


@pytest.mark.parametrize("role", ROLES)
def test_search_never_leaks_out_of_scope_pages_or_counts(container, world, role):
    client = _client(container, role)
    r = client.get("/api/v1/search", params={"q": "phan tuyen dung"})
    if role == "staff":
        assert r.status_code == 403
        return
    body = r.json()
    codes = {h["staff_code"] for h in body["hits"]}
    expected = {"SA", "SB"} if role == "admin" else {"SA"}
    assert codes == expected and body["total"] == len(expected)
    assert sum(body["facets"]["status"].values()) == len(expected)


@pytest.mark.parametrize("role", ROLES)
def test_administration_and_audit_endpoints(container, world, role):
    client = _client(container, role)
    unit = client.post("/api/v1/units", json={"code": f"X{role[:3]}", "name": "Phòng mới", "parent_code": "QA"})
    user = client.post("/api/v1/users", json={"username": f"new_{role}", "password": "mat-khau-2026",
                                              "unit_code": "QA", "role": "archivist"})
    audit = client.get("/api/v1/audit")
    verify = client.get("/api/v1/audit/verify")
    catalog = client.put("/api/v1/catalogs/ngach/99.999", json={"name": "Ngạch thử"})
    if role == "admin":
        assert (unit.status_code, user.status_code, audit.status_code, catalog.status_code) == (201, 201, 200, 200)
        assert verify.json()["ok"] is True
    else:
        # QA is in the scope of every other role but the staff member's own account: 403 there, 404 here
        hidden = 404 if role == "staff" else 403
        assert (unit.status_code, user.status_code, catalog.status_code) == (hidden, hidden, 403), (unit.text, user.text)
        assert audit.status_code == verify.status_code == (200 if role == "auditor" else 403)
    assert client.get("/api/v1/catalogs/dan_toc").status_code == 200


def test_restricted_record_needs_clearance(container, world):
    add_staff(container, SYSTEM, code="SM", full_name="Phan Văn Mật", unit_code="PA", restriction_level=2)
    make_user(container, "hr_low", "hr_officer", "QA", clearance=0)
    make_user(container, "hr_high", "hr_officer", "QA", clearance=2)
    app = create_app(container=container)
    assert logged_in(app, "hr_low").get("/api/v1/staff/SM").status_code == 404
    assert logged_in(app, "hr_high").get("/api/v1/staff/SM").status_code == 200


def test_audit_entries_about_out_of_scope_records_are_invisible(container, world):
    province = _client(container, "admin")
    assert province.get("/api/v1/staff/SB").status_code == 200
    assert province.get(f"/api/v1/documents/{world['SB']}/text").status_code == 200
    assert province.get("/api/v1/search", params={"q": "phan thi bich"}).status_code == 200
    auditor = _client(container, "auditor")
    entries = auditor.get("/api/v1/audit", params={"limit": 1000}).json()
    assert entries, "the QA auditor sees QA's entries"
    about_sb = {("staff", "SB"), ("document", str(world["SB"]))}
    assert not [e for e in entries if (e["target_type"], e["target_id"]) in about_sb]
    assert "phan thi bich" not in str(entries), "the province admin's search is beyond QA"
    for params in ({"target_type": "staff", "target_id": "SB"}, {"target_type": "document", "target_id": world["SB"]},
                   {"user": "u_admin"}):
        assert auditor.get("/api/v1/audit", params=params).json() == [], params
    seen = {(e["target_type"], e["target_id"]) for e in province.get("/api/v1/audit", params={"limit": 1000}).json()}
    assert ("staff", "SB") in seen, "the province sees it all"


# A unit-scoped admin (admin over QA, clearance 1) administers accounts that lie wholly inside QA
# and their clearance; accounts elsewhere are not found, accounts reaching beyond are refused.
ACCOUNT_OPERATIONS = {
    "reset": lambda cl, u: cl.post(f"/api/v1/users/{u}/password-reset", json={"new_password": "doi-mat-khau-2026"}),
    "token": lambda cl, u: cl.post(f"/api/v1/users/{u}/tokens", json={"days": 30}),
    "grant": lambda cl, u: cl.post(f"/api/v1/users/{u}/grants", json={"role": "archivist", "scope_code": "PA"}),
    "expiry": lambda cl, u: cl.put(f"/api/v1/users/{u}/expiry", json={"expires_at": None}),
    "revoke": lambda cl, u: cl.post(f"/api/v1/users/{u}/revoke"),
}
ACCOUNT_OK = {"reset": 204, "token": 201, "grant": 200, "expiry": 200, "revoke": 204}
ACCOUNT_TARGETS = {  # username → (role, home unit, scope, clearance), and what the QA admin gets
    "t_in_qa": (("hr_officer", "PA", None, 0), "ok"),
    "t_in_qb": (("hr_officer", "QB", None, 0), 404),
    "t_province_wide": (("hr_officer", "QA", "TINH", 0), 403),
    "t_cleared": (("hr_officer", "QA", None, 2), 403),
}


@pytest.mark.parametrize("operation", list(ACCOUNT_OPERATIONS))
@pytest.mark.parametrize("target", list(ACCOUNT_TARGETS))
def test_unit_admin_administers_only_accounts_inside_their_scope_and_clearance(container, world, operation, target):
    make_user(container, "u_admin_qa", "admin", "QA", clearance=1)
    (role, unit, scope, clearance), expected = ACCOUNT_TARGETS[target]
    make_user(container, target, role, unit, scope=scope, clearance=clearance)
    r = ACCOUNT_OPERATIONS[operation](logged_in(create_app(container=container), "u_admin_qa"), target)
    assert r.status_code == (ACCOUNT_OK[operation] if expected == "ok" else expected), (operation, target, r.text)


@pytest.mark.parametrize("what, request_, expected", [
    ("clearance above own", lambda cl: cl.post("/api/v1/users", json={
        "username": "moi.n1", "password": "mat-khau-2026", "unit_code": "QA", "role": "auditor", "clearance": 2}), 403),
    ("own-record account of QB's staff", lambda cl: cl.post("/api/v1/users", json={
        "username": "moi.n2", "password": "mat-khau-2026", "unit_code": "QA", "role": "staff", "staff_code": "SB"}), 404),
    ("province-wide catalog", lambda cl: cl.put("/api/v1/catalogs/ngach/99.999", json={"name": "Ngạch thử"}), 403),
    ("delegation out of scope", lambda cl: cl.post("/api/v1/units/PA/delegations", json={"to_unit_code": "QB"}), 404),
    ("ten-year token", lambda cl: cl.post("/api/v1/users/u_admin_qa/tokens", json={"days": 3650}), 422),
])
def test_unit_admin_cannot_escalate(container, world, what, request_, expected):
    make_user(container, "u_admin_qa", "admin", "QA", clearance=1)
    r = request_(logged_in(create_app(container=container), "u_admin_qa"))
    assert r.status_code == expected, (what, r.text)


def test_unit_admin_delegates_and_revokes_only_inside_their_scope(container, world):
    make_user(container, "u_admin_qa", "admin", "QA", clearance=1)
    add_unit(container, SYSTEM, code="PA2", name="UBND phường A2", parent_code="QA")
    qa = logged_in(create_app(container=container), "u_admin_qa")
    assert qa.post("/api/v1/units/PA/delegations", json={"to_unit_code": "PA2"}).status_code == 204
    assert qa.delete("/api/v1/units/PA/delegations/PA2").status_code == 204
    delegate(container, SYSTEM, unit_code="PA", to_code="QB")  # made by the province
    assert qa.delete("/api/v1/units/PA/delegations/QB").status_code == 404, "QB is beyond QA's admin"
    assert _client(container, "admin").delete("/api/v1/units/PA/delegations/QB").status_code == 204


# An account whose password was reset by an admin is temporary: even the province's admin can
# then do nothing but change it (or log out), on every endpoint.
PENDING_ENDPOINTS = {
    **ENDPOINTS,
    "page_image": lambda cl, s, d: cl.get(f"/api/v1/documents/{d}/pages/1/image"),
    "search": lambda cl, s, d: cl.get("/api/v1/search", params={"q": "phan"}),
    "audit": lambda cl, s, d: cl.get("/api/v1/audit"),
    "audit_verify": lambda cl, s, d: cl.get("/api/v1/audit/verify"),
    "me": lambda cl, s, d: cl.get("/api/v1/me"),
    "own_account": lambda cl, s, d: cl.get("/api/v1/users/u_pending"),
    "own_token": lambda cl, s, d: cl.post("/api/v1/users/u_pending/tokens", json={"days": 30}),
    "units": lambda cl, s, d: cl.get("/api/v1/units"),
    "add_unit": lambda cl, s, d: cl.post("/api/v1/units", json={"code": "QX", "name": "Quận X",
                                                                "parent_code": "TINH"}),
    "catalog": lambda cl, s, d: cl.get("/api/v1/catalogs/dan_toc"),
    "create_staff": lambda cl, s, d: cl.post("/api/v1/staff", json={"code": "SX", "full_name": "Phan Văn X",
                                                                    "unit_code": "QA"}),
    "create_user": lambda cl, s, d: cl.post("/api/v1/users", json={
        "username": "moi.qa", "password": "mat-khau-2026", "unit_code": "QA", "role": "archivist"}),
    "delegations": lambda cl, s, d: cl.get("/api/v1/units/QA/delegations"),
}


@pytest.mark.parametrize("endpoint", list(PENDING_ENDPOINTS))
def test_a_temporary_password_opens_nothing_but_the_password_change(container, world, endpoint):
    make_user(container, "u_pending", "admin", "TINH", clearance=2)
    reset_password(container, SYSTEM, "u_pending", "tam-thoi-2026")
    client = logged_in(create_app(container=container), "u_pending", "tam-thoi-2026")
    r = PENDING_ENDPOINTS[endpoint](client, "SA", world["SA"])
    assert r.status_code == 403 and "đổi mật khẩu" in r.json()["detail"], (endpoint, r.text)


# -- people: grouped hits, the staff list, suggestions and autocomplete (issue 21) -----------------
# SA (PA, under QA) and SB (QB) each have a record and one document. What a QA role may reach
# of SB — a hit, a count, a name suggested or completed — is a leak.
@pytest.mark.parametrize("role", ROLES)
def test_grouped_search_never_leaks_out_of_scope_people_or_counts(container, world, role):
    client = _client(container, role)
    r = client.get("/api/v1/search", params={"q": "phan", "group": "staff"})
    if role == "staff":
        assert r.status_code == 403
        return
    body = r.json()
    expected = {"SA", "SB"} if role == "admin" else {"SA"}
    assert {h["staff_code"] for h in body["hits"]} == expected and body["total"] == len(expected)
    for facet in ("status", "unit", "category"):
        assert sum(body["facets"][facet].values()) == len(expected), facet
    assert all(m["document_id"] == world[h["staff_code"]] for h in body["hits"] for m in h["matched"])
    if role != "admin":
        assert "Bích" not in r.text and "QB" not in body["facets"]["unit"]
        listed = client.get("/api/v1/staff").json()
        assert [h["staff_code"] for h in listed["hits"]] == ["SA"] and listed["total"] == 1


@pytest.mark.parametrize("role", ROLES)
def test_suggestions_and_autocomplete_never_name_out_of_scope_people(container, world, role):
    client = _client(container, role)
    near = client.get("/api/v1/search", params={"q": "Phan Thi Bichh Xyz"})
    suggested = client.get("/api/v1/search/suggestions", params={"q": "Phan Thi Bick"})
    completed = client.get("/api/v1/search/autocomplete", params={"q": "phan"})
    by_code = client.get("/api/v1/search/autocomplete", params={"q": "s"})
    username = {"admin": "u_admin", "staff": "u_staff"}.get(role, f"u_{role}")
    web = web_logged_in(create_app(container=container), username).get(
        "/tra-cuu/goi-y", params={"q": "phan"}, headers={"Accept": "application/json"})
    if role == "staff":
        assert {near.status_code, suggested.status_code, completed.status_code, web.status_code} == {403}
        return
    assert {h["code"] for h in web.json()["staff"]} == ({"SA", "SB"} if role == "admin" else {"SA"})
    names = set(near.json()["suggestions"]) | set(suggested.json())
    completed_codes = {h["staff_code"] for h in completed.json()}
    if role == "admin":
        assert "Phan Thị Bích" in names and completed_codes == {"SA", "SB"}
    else:
        assert "Phan Thị Bích" not in names and "Bích" not in near.text + suggested.text + completed.text
        assert completed_codes == {"SA"} and {h["staff_code"] for h in by_code.json()} <= {"SA"}


def test_saved_searches_are_private_to_their_owner(container, world):
    owner = _client(container, "hr_officer")
    saved = owner.post("/api/v1/saved-searches", json={"name": "Họ Phan", "q": "phan"}).json()
    make_user(container, "u_other_hr", "hr_officer", "QA")
    other = logged_in(create_app(container=container), "u_other_hr")
    assert other.get(f"/api/v1/saved-searches/{saved['id']}/run").status_code == 404
    assert other.delete(f"/api/v1/saved-searches/{saved['id']}").status_code == 404
    assert other.get("/api/v1/saved-searches").json() == []
    assert [s["name"] for s in owner.get("/api/v1/saved-searches").json()] == ["Họ Phan"]
