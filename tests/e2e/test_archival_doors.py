"""The archival copy's doors: API (download, state, description PUT/PATCH), web (dossier section,
description form, download) and CLI (`doc archival --out`, `doc describe`), all scoped and audited."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select

from archive.app import create_app
from archive.models import AuditEntry, Document
from archive.services.access import SYSTEM
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import csrf_of, logged_in, make_user, web_logged_in
from tests.support.documents import born_digital_pdf
from tests.support.processes import cli, service_env

ORIGINAL = born_digital_pdf(["QUYẾT ĐỊNH", "Số: 77/QĐ-UBND", "Đức Hòa, ngày 1 tháng 7 năm 2019",
                             "Về việc tiếp nhận công chức Nguyễn Văn An"])


@pytest.fixture
def doc_id(container):
    add_unit(container, SYSTEM, code="PNV", name="Phòng Nội vụ", parent_code="TINH")
    add_unit(container, SYSTEM, code="PYT", name="Phòng Y tế", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="PNV")
    out = ingest_upload(container, SYSTEM, staff_code="NV001", stream=io.BytesIO(ORIGINAL), file_name="qđ-77.pdf")
    container.queue.drain()
    make_user(container, "quantri", "admin", "TINH", clearance=2)
    make_user(container, "ngoai", "admin", "PYT", clearance=2)
    return out.document.id


def test_api_serves_the_copy_and_edits_the_description_with_vietnamese_errors(container, doc_id):
    app = create_app(container=container)
    admin, outsider = logged_in(app, "quantri"), logged_in(app, "ngoai")
    r = admin.get(f"/api/v1/documents/{doc_id}/archival")
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and r.headers["content-type"] == "application/pdf"
    assert "attachment" in r.headers["content-disposition"] and ".pdfa.pdf" in r.headers["content-disposition"]
    assert admin.get(f"/api/v1/documents/{doc_id}/archival/state").json()["state"] == "ok"
    # prefilled from the OCR-free text layer too: số/ký hiệu and date are unambiguous
    assert admin.get(f"/api/v1/documents/{doc_id}/description").json() == {
        "so_ky_hieu": "77/QĐ-UBND", "ngay_van_ban": "2019-07-01", "ten_loai": "Quyết định"}
    bad = admin.patch(f"/api/v1/documents/{doc_id}/description", json={"ngay_van_ban": "2019-13-01"})
    assert bad.status_code == 422 and "ngày hợp lệ" in bad.json()["detail"]
    ok = admin.patch(f"/api/v1/documents/{doc_id}/description", json={"ma_ho_so": "HS-NV001", "muc_do_tin_cay": "so_hoa"})
    assert ok.status_code == 200 and ok.json()["ma_ho_so"] == "HS-NV001" and ok.json()["so_ky_hieu"] == "77/QĐ-UBND"
    put = admin.put(f"/api/v1/documents/{doc_id}/description", json={"ma_ho_so": "HS-NV001"})
    assert put.json() == {"ma_ho_so": "HS-NV001"}
    # another unit's admin sees nothing of it: 404, not 403 (no leak of existence)
    assert outsider.get(f"/api/v1/documents/{doc_id}/archival").status_code == 404
    assert outsider.patch(f"/api/v1/documents/{doc_id}/description", json={"ma_ho_so": "x"}).status_code == 404
    with container.uow() as uow:
        actions = [a.action for a in uow.session.scalars(select(AuditEntry))]
    assert actions.count("document.archival_download") == 1 and actions.count("document.describe") == 2


def test_web_dossier_shows_the_state_saves_the_description_and_downloads(container, doc_id):
    web = web_logged_in(create_app(container=container), "quantri")
    page = web.get("/ho-so/NV001")
    assert page.status_code == 200 and "Bản lưu trữ PDF/A" in page.text and "Tải bản PDF/A" in page.text
    r = web.post(f"/ho-so/NV001/tai-lieu/{doc_id}/mo-ta", data={
        "csrf": csrf_of(page.text), "ma_ho_so": "HS-WEB", "che_do_su_dung": "cong_khai"}, follow_redirects=False)
    assert r.status_code == 303
    shown = web.get("/ho-so/NV001").text
    assert "HS-WEB" in shown and "Đã lưu thông tin mô tả" in shown
    pdf = web.get(f"/ho-so/NV001/tai-lieu/{doc_id}/ban-luu-tru")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_cli_writes_the_copy_and_refuses_bad_fields_in_vietnamese(container, doc_id, tmp_path):
    env = service_env(container.settings.data_dir)
    out = tmp_path / "ban-luu-tru.pdf"
    r = cli(env, "doc", "archival", str(doc_id), "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert out.read_bytes().startswith(b"%PDF") and "PDF/A-2b" in r.stdout
    bad = cli(env, "doc", "describe", str(doc_id), "--so-trang", "mười")
    assert bad.returncode == 1 and "số nguyên dương" in bad.stderr and "Traceback" not in bad.stderr
    ok = cli(env, "doc", "describe", str(doc_id), "--ma-ho-so", "HS-CLI")
    assert ok.returncode == 0 and "Mã hồ sơ: HS-CLI" in ok.stdout
    missing = cli(env, "doc", "archival", "999999", "--out", str(tmp_path / "x.pdf"))
    assert missing.returncode == 1 and "Không tìm thấy" in missing.stderr and not (tmp_path / "x.pdf").exists()
    with container.uow() as uow:
        sha = uow.session.get(Document, doc_id).sha256
    assert sha == hashlib.sha256(ORIGINAL).hexdigest()
