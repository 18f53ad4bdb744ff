"""Every endpoint × role × in-scope/out-of-scope, through the API: 0 leaks.

World: TINH (province) → QA (district A) → PA (ward); TINH → QB (district B). Staff SA works in
PA, SB in QB; each has one indexed document. Users hold one role over QA (admin over TINH);
the `staff` user is SA's own account.
"""

import io

import pytest

from archive.app import create_app
from archive.services.access import SYSTEM
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import logged_in, make_user
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
