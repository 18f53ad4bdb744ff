"""The paper-dossier doors: the API (completeness, location, boxes, labels PDF, resolve, loans — bad
input 4xx with a Vietnamese sentence and nothing written), the in-process web pages, and the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pypdfium2 as pdfium
import pytest
import zxingcpp
from sqlalchemy import func, select

from archive.app import create_app
from archive.models import DossierLoan, DossierLocation
from tests.support.accounts import csrf_of, logged_in, make_user, web_logged_in
from tests.support.inventory import person, two_units, upload
from tests.support.processes import cli, service_env


@pytest.fixture
def app(container):
    two_units(container)
    person(container, "NV001", status="nghi_huu")
    person(container, "NV201", "Q2", name="Lê Văn Cường")
    upload(container, "NV001", "quyet_dinh_tuyen_dung", pages=2)
    make_user(container, "luutru", "archivist", "Q1")
    make_user(container, "tochuc", "hr_officer", "Q1")
    make_user(container, "kiemtra", "auditor", "TINH")
    container.clock = lambda: datetime(2026, 12, 1, 3, 0)
    return create_app(container=container)


def _rows(container, model) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def _decode(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [b.text for page in doc for b in zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil())]
    finally:
        doc.close()


def test_api_completeness_location_label_round_trip_and_loans(app, container):
    archivist, hr, auditor = logged_in(app, "luutru"), logged_in(app, "tochuc"), logged_in(app, "kiemtra")
    one = hr.get("/api/v1/staff/NV001/completeness").json()
    assert not one["complete"] and "Quyết định nghỉ hưu" in [m["name"] for m in one["missing"]]
    assert "Quyết định tuyển dụng" not in json.dumps(one["missing"], ensure_ascii=False)
    listed = auditor.get("/api/v1/completeness", params={"unit": "Q1", "incomplete": 1}).json()
    assert [d["staff"] for d in listed["dossiers"]] == ["NV001"] and listed["units"][0]["unit"] == "Q1"

    r = archivist.put("/api/v1/staff/NV001/location", json={"kho": "Kho 1", "gia": "Giá 2", "hop": "Hộp 3",
                                                            "stt": 1, "paper_pages": 40})
    assert r.status_code == 200, r.text
    box = r.json()["box"]
    assert hr.get("/api/v1/staff/NV001/location").json()["paper_pages"] == 40
    assert [b["code"] for b in hr.get("/api/v1/boxes").json()] == [box]
    assert hr.get(f"/api/v1/boxes/{box}").json()["items"][0]["code"] == "NV001"

    pdf = archivist.get("/api/v1/staff/NV001/label.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    [text] = _decode(pdf.content)
    opened = hr.get("/api/v1/labels/resolve", params={"text": text}).json()
    assert opened == {"kind": "staff", "code": "NV001", "title": "Nguyễn Văn Bình", "url": "/ho-so/NV001"}
    sheet = archivist.post("/api/v1/labels", json={"boxes": [box], "with_dossiers": True})
    assert sorted(_decode(sheet.content)) == sorted([f"CBCCVC:HOP:{box}", "CBCCVC:HS:NV001"])
    assert hr.get("/api/v1/staff/NV001/label.pdf").status_code == 403

    lent = archivist.post("/api/v1/staff/NV001/loans", json={
        "borrower_name": "Phạm Thu Hà", "borrower_unit": "Phòng Nội vụ", "purpose": "Thanh tra",
        "lent_on": "2026-11-01", "due_date": "2026-11-15"})
    assert lent.status_code == 201 and lent.json()["overdue"] and lent.json()["days_overdue"] == 16
    again = archivist.post("/api/v1/staff/NV001/loans", json={"borrower_name": "X", "borrower_unit": "Y",
                                                             "purpose": "Z", "due_date": "2026-12-20"})
    assert again.status_code == 409 and "đang được cho mượn" in again.json()["detail"]
    assert [x["staff"] for x in auditor.get("/api/v1/loans", params={"overdue": 1}).json()] == ["NV001"]
    back = archivist.post("/api/v1/staff/NV001/loans/return", json={"note": "Đủ"})
    assert back.status_code == 200 and not back.json()["open"]
    assert auditor.get("/api/v1/loans", params={"overdue": 1}).json() == []
    assert len(hr.get("/api/v1/staff/NV001/loans").json()) == 1


def test_api_bad_input_is_4xx_in_vietnamese_and_writes_nothing(app, container):
    archivist, hr = logged_in(app, "luutru"), logged_in(app, "tochuc")
    for body, status in (({"kho": "", "gia": "G", "hop": "H", "stt": 1}, 422),
                         ({"kho": "K", "gia": "G", "hop": "H", "stt": -3}, 422),
                         ({"kho": "K", "gia": "G", "hop": "H", "stt": 1, "paper_pages": 10**9}, 422),
                         ({"kho": "K", "gia": "G"}, 422)):
        r = archivist.put("/api/v1/staff/NV001/location", json=body)
        assert r.status_code == status, r.text
        assert "Traceback" not in r.text
    assert hr.put("/api/v1/staff/NV001/location", json={"kho": "K", "gia": "G", "hop": "H", "stt": 1}).status_code == 403
    assert archivist.put("/api/v1/staff/NV201/location",
                         json={"kho": "K", "gia": "G", "hop": "H", "stt": 1}).status_code == 404
    bad_loan = archivist.post("/api/v1/staff/NV001/loans", json={"borrower_name": "A", "borrower_unit": "B",
                                                                 "purpose": "C", "due_date": "2026-11-01"})
    assert bad_loan.status_code == 422 and "trước ngày mượn" in bad_loan.json()["detail"]
    assert archivist.post("/api/v1/staff/NV001/loans/return", json={}).status_code == 409
    r = hr.get("/api/v1/labels/resolve", params={"text": "CBCCVC:HS:NV201"})
    assert r.status_code == 404 and "Không tìm thấy" in r.json()["detail"]
    assert hr.get("/api/v1/labels/resolve", params={"text": "CBCCVC:9:HS:NV001"}).status_code == 422
    assert hr.get("/api/v1/completeness", params={"unit": "Q2"}).status_code == 404
    assert _rows(container, DossierLocation) == 0 and _rows(container, DossierLoan) == 0


def test_web_pages_show_components_location_scan_and_overdue_loans(app, container):
    web = web_logged_in(app, "luutru")
    page = web.get("/ho-so/NV001")
    assert page.status_code == 200 and 'id="s-inventory"' in page.text
    assert "Hồ sơ còn thiếu:" in page.text and "Quyết định nghỉ hưu" in page.text
    csrf = csrf_of(page.text)
    r = web.post("/ho-so/NV001/vi-tri", data={"csrf": csrf, "kho": "Kho 1", "gia": "Giá 2", "hop": "Hộp 3",
                                               "stt": "1", "paper_pages": "40"}, follow_redirects=False)
    assert r.status_code == 303
    page = web.get("/ho-so/NV001")
    assert "Kho 1 · Giá 2 · Hộp 3 · STT 1" in page.text
    bad = web.post("/ho-so/NV001/vi-tri", data={"csrf": csrf, "kho": "", "gia": "G", "hop": "H", "stt": "x"})
    assert "không phải là một số hợp lệ" in bad.text
    opened = web.get("/quet-nhan", params={"ma": "CBCCVC:HS:NV001"}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/ho-so/NV001"
    missing = web.get("/quet-nhan", params={"ma": "CBCCVC:HS:KHONG"})
    assert missing.status_code == 404 and "Không tìm thấy hồ sơ hoặc hộp" in missing.text
    lent = web.post("/ho-so/NV001/muon", data={"csrf": csrf, "borrower_name": "Phạm Thu Hà",
                                                "borrower_unit": "Phòng Nội vụ", "purpose": "Thanh tra",
                                                "lent_on": "01/11/2026", "due_date": "15/11/2026"})
    assert "Quá hạn 16 ngày" in lent.text
    loans_page = web.get("/muon-tra", params={"qua_han": 1})
    assert 'data-staff="NV001"' in loans_page.text and "loan-overdue" in loans_page.text
    rates = web.get("/thanh-phan-ho-so", params={"thieu": 1})
    assert rates.status_code == 200 and 'data-staff="NV001"' in rates.text and "crate-Q1" in rates.text
    store = web.get("/kho-ho-so")
    assert "Quét nhãn" in store.text and "KHO1-GIA2-HOP3" in store.text
    assert web.get("/kho-ho-so/hop/KHO1-GIA2-HOP3").status_code == 200
    assert web.get("/ho-so/NV001/nhan.pdf").content.startswith(b"%PDF")


def test_cli_sets_a_location_prints_a_label_and_lends(tmp_path):
    env = service_env(tmp_path / "data", admin_password="khoi-tao-2026")
    assert cli(env, "init").returncode == 0
    r = cli(env, "staff", "add", "--code", "NV001", "--name", "Nguyễn Văn An", "--unit", "TINH",
            "--status", "tu_tran")
    assert r.returncode == 0, r.stderr
    shown = cli(env, "completeness", "show", "NV001", "--json")
    assert shown.returncode == 0 and "giay_chung_tu" in [m["code"] for m in json.loads(shown.stdout)["missing"]]
    listed = cli(env, "completeness", "show", "--unit", "TINH", "--incomplete")
    assert listed.returncode == 0 and "NV001" in listed.stdout
    ok = cli(env, "inventory", "set", "NV001", "--kho", "K1", "--gia", "G2", "--hop", "H3", "--stt", "7",
             "--pages", "12")
    assert ok.returncode == 0 and "K1-G2-H3" in ok.stdout
    bad = cli(env, "inventory", "set", "NV001", "--kho", "K1", "--gia", "G2", "--hop", "H3", "--stt", "0")
    assert bad.returncode == 1 and "Số thứ tự" in bad.stderr and "Traceback" not in bad.stderr
    out = tmp_path / "nhan.pdf"
    assert cli(env, "label", "print", "NV001", "--box", "K1-G2-H3", "--out", str(out)).returncode == 0
    texts = _decode(out.read_bytes())
    assert sorted(texts) == ["CBCCVC:HOP:K1-G2-H3", "CBCCVC:HS:NV001"]
    resolved = cli(env, "label", "resolve", texts[0], "--json")
    assert resolved.returncode == 0 and json.loads(resolved.stdout)["kind"] in ("staff", "box")
    due = (date.today() - timedelta(days=2)).isoformat()
    lent_on = (date.today() - timedelta(days=9)).isoformat()
    lent = cli(env, "loan", "out", "NV001", "--borrower", "Phạm Thu Hà", "--unit", "Sở Nội vụ", "--purpose",
               "Thanh tra", "--lent-on", lent_on, "--due", due)
    assert lent.returncode == 0, lent.stderr
    later = (date.today() + timedelta(days=5)).isoformat()
    twice = cli(env, "loan", "out", "NV001", "--borrower", "X", "--unit", "Y", "--purpose", "Z", "--due", later)
    assert twice.returncode == 1 and "đang được cho mượn" in twice.stderr
    overdue = cli(env, "loan", "list", "--overdue", "--json")
    assert [x["staff"] for x in json.loads(overdue.stdout)] == ["NV001"]
    assert cli(env, "loan", "back", "NV001").returncode == 0
    assert json.loads(cli(env, "loan", "list", "--overdue", "--json").stdout) == []
    assert cli(env, "loan", "out", "NV001", "--purpose", "Z", "--due", "hom-nay").returncode == 1
