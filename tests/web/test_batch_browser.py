"""Chromium: an archivist uploads a zip as a batch and sees its page with each file's state; prints a
cover sheet from a dossier (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.documents import born_digital_pdf
from tests.support.processes import cli, cli_json
from tests.support.stacks import make_zip
from tests.web.conftest import _user, login, screenshot

ARCHIVIST = "luutru.lo"


@pytest.fixture(scope="module")
def own_staff(site):
    """A unit, an archivist and staff records of this module's own, so the other browser tests' units
    and dossiers stay as they expect them."""
    r = cli(site.env, "unit", "add", "LOBIA", "--name", "Phòng Lưu trữ thử lô", "--parent", "TINH")
    assert r.returncode == 0, r.stderr
    _user(site.env, ARCHIVIST, "LOBIA", "archivist", "--name", "Lưu Trữ Lô")
    for code, name in (("NV801", "Phan Thị Lô"), ("NV802", "Đinh Văn Bìa")):
        cli_json(site.env, "staff", "add", "--code", code, "--name", name, "--unit", "LOBIA")
    return ("NV801", "NV802")


def test_an_archivist_uploads_a_zip_and_watches_the_batch_page_until_every_file_is_filed(new_page, site, own_staff,
                                                                                          tmp_path):
    zip_path = tmp_path / "lo-quan-1.zip"
    zip_path.write_bytes(make_zip({
        "manifest.csv": ("tệp,mã cán bộ,loại tài liệu\n"
                         "lo-syll.pdf,NV801,so_yeu_ly_lich\n"
                         "bia-hd.pdf,NV802,hop_dong_lam_viec\n"
                         "ngoai.pdf,NV201,khac\n").encode(),
        "lo-syll.pdf": born_digital_pdf(["SƠ YẾU LÝ LỊCH", "Phan Thị Lô, lô trình duyệt"]),
        "bia-hd.pdf": born_digital_pdf(["HỢP ĐỒNG LÀM VIỆC", "Đinh Văn Bìa, lô trình duyệt"]),
        "ngoai.pdf": born_digital_pdf(["Lê Văn Cường, ngoài phạm vi"]),
    }))
    page = new_page()
    login(page, ARCHIVIST)
    page.goto("/tai-len")
    page.get_by_role("link", name="Tải lên một lô (tệp .zip)").click()
    page.get_by_label("Tệp .zip của lô").set_input_files(str(zip_path))
    page.get_by_role("button", name="Tải lô lên").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("lo-quan-1.zip")
    expect(page.locator("#batch-summary")).to_have_attribute("data-state", "done", timeout=90_000)
    rows = page.locator("#batch-files tr.batch-file")
    expect(rows).to_have_count(3)
    expect(page.locator('#batch-files tr[data-state="stored"]')).to_have_count(2)
    expect(page.locator('#batch-files tr[data-state="failed"]')).to_contain_text("NV201")
    expect(page.locator("#batch-summary")).to_contain_text("2 đã lưu, 1 lỗi")
    screenshot(page, "lo-tiep-nhan", full_page=True)
    with page.expect_download() as dl:
        page.get_by_role("link", name="Tải báo cáo lô (CSV)").click()
    assert "NV201" in Path(dl.value.path()).read_text(encoding="utf-8-sig")


def test_an_archivist_prints_a_cover_sheet_from_a_dossier(new_page, site, own_staff):
    page = new_page()
    login(page, ARCHIVIST)
    page.goto("/ho-so/NV801")
    page.get_by_role("link", name="In tờ bìa").click()
    expect(page.locator("#cover-codes")).to_contain_text("NV801")
    page.get_by_label("Loại tài liệu").select_option("so_yeu_ly_lich")
    screenshot(page, "to-bia")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Tải tờ bìa (PDF)").click()
    data = Path(dl.value.path()).read_bytes()
    assert data.startswith(b"%PDF")


def test_each_file_on_the_upload_page_gets_its_own_document_type(new_page, site, own_staff, tmp_path):
    a, b = tmp_path / "khen-thuong.pdf", tmp_path / "khai-sinh.pdf"
    a.write_bytes(born_digital_pdf(["BẰNG KHEN", "Phan Thị Lô, từng tệp một loại"]))
    b.write_bytes(born_digital_pdf(["GIẤY KHAI SINH", "Phan Thị Lô, từng tệp một loại"]))
    page = new_page()
    login(page, ARCHIVIST)
    page.goto("/tai-len")
    page.get_by_label("Mã cán bộ").fill("NV801")
    page.get_by_label("Loại tài liệu").select_option("quyet_dinh_khen_thuong")
    page.locator("#files").set_input_files([str(a), str(b)])
    page.get_by_label("Loại của tệp khai-sinh.pdf").select_option("giay_khai_sinh")
    page.get_by_role("button", name="Tải lên", exact=True).click()
    expect(page.locator("#upload-rows tr[data-doc-id]")).to_have_count(2, timeout=60_000)
    ids = page.locator("#upload-rows tr").evaluate_all("rows => rows.map(r => [r.innerText, r.dataset.docId])")
    types = {}
    for text, doc_id in ids:
        doc = cli_json(site.env, "doc", "show", doc_id)
        types[doc["file_name"]] = doc["document_type"]
    assert types == {"khen-thuong.pdf": "quyet_dinh_khen_thuong", "khai-sinh.pdf": "giay_khai_sinh"}
