"""Two districts: A's HR officer cannot find B's staff by name or OCR text until a transfer B → A;
then finds them, and the transferred person's own account stops working."""

from fastapi.testclient import TestClient

from archive.app import create_app
from archive.services.access import SYSTEM
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import PASSWORD, logged_in, make_user
from tests.support.documents import png_bytes, rendered_page


def test_transfer_moves_visibility_and_revokes_own_account(container, tesseract):
    for code, name in (("QA", "UBND huyện Đức Hòa"), ("QB", "UBND huyện Cần Giuộc")):
        add_unit(container, SYSTEM, code=code, name=name, parent_code="TINH")
    add_staff(container, SYSTEM, code="B001", full_name="Huỳnh Thị Kiều Oanh", unit_code="QB")
    make_user(container, "hr_a", "hr_officer", "QA")
    make_user(container, "hr_b", "hr_officer", "QB")
    make_user(container, "oanh", "staff", "QB", staff_code="B001")
    app = create_app(container=container)
    hr_a, hr_b = logged_in(app, "hr_a"), logged_in(app, "hr_b")
    oanh = logged_in(app, "oanh")

    img, _ = rendered_page(["Giấy chứng nhận sức khỏe", "Bà Huỳnh Thị Kiều Oanh đủ sức khỏe công tác"])
    r = hr_b.post("/api/v1/documents", data={"staff_code": "B001"}, files={"file": ("sk.png", png_bytes(img), "image/png")})
    assert r.status_code == 403  # HR officers read and transfer; archivists upload
    make_user(container, "vt_b", "archivist", "QB")
    r = logged_in(app, "vt_b").post("/api/v1/documents", data={"staff_code": "B001"},
                                    files={"file": ("sk.png", png_bytes(img), "image/png")})
    assert r.status_code == 201, r.text
    container.queue.drain()

    by_name, by_ocr = {"q": "huynh thi kieu oanh"}, {"q": '"đủ sức khỏe công tác"'}
    for params in (by_name, by_ocr):
        assert hr_b.get("/api/v1/search", params=params).json()["total"] == 1
        assert hr_a.get("/api/v1/search", params=params).json()["total"] == 0
    assert hr_a.get("/api/v1/staff/B001").status_code == 404
    assert oanh.get("/api/v1/staff/B001").status_code == 200  # own record

    r = hr_b.post("/api/v1/staff/B001/transfer", json={"to_unit_code": "QA", "decision": "215/QĐ-UBND",
                                                        "effective_date": "2026-12-01"})
    assert r.status_code == 200, r.text
    assert r.json()["revoked_accounts"] == ["oanh"]
    container.queue.drain()  # the index consumer re-scopes the moved documents

    for params in (by_name, by_ocr):
        assert hr_a.get("/api/v1/search", params=params).json()["total"] == 1
        assert hr_b.get("/api/v1/search", params=params).json()["total"] == 0
    record = hr_a.get("/api/v1/staff/B001").json()
    assert record["unit_code"] == "QA"
    assert [a["unit_code"] for a in record["assignments"]] == ["QB", "QA"]
    assert record["assignments"][0]["to"] is not None and record["assignments"][1]["decision"] == "215/QĐ-UBND"
    assert hr_b.get("/api/v1/staff/B001").status_code == 404

    assert oanh.get("/api/v1/staff/B001").status_code == 401
    login = TestClient(app).post("/api/v1/auth/login", json={"username": "oanh", "password": PASSWORD})
    assert login.status_code == 401
