"""Paper dossiers in a real Chromium against `archive serve`: the archivist prints a dossier's QR
label, the label is decoded with a QR reader and its text typed into "Quét nhãn" (as a USB
scanner does) which opens the dossier; the dossier names its missing components; a loan
recorded after the fact shows as overdue on the dossier and in "Mượn trả hồ sơ"."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.web.conftest import login, screenshot

pytestmark = pytest.mark.slow


def _decode(pdf: bytes) -> list[str]:
    import pypdfium2 as pdfium
    import zxingcpp

    doc = pdfium.PdfDocument(pdf)
    try:
        return [b.text for page in doc for b in zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil())]
    finally:
        doc.close()


def test_a_printed_label_scanned_into_the_scan_box_opens_the_dossier(new_page, site):
    page = new_page()
    login(page, "luutru.q1")
    page.goto("/ho-so/NV001")
    with page.expect_download() as download:
        page.get_by_role("link", name="In nhãn QR").click()
    [text] = _decode(Path(download.value.path()).read_bytes())
    assert text == "CBCCVC:HS:NV001"

    page.goto("/kho-ho-so")
    box = page.get_by_label("Quét nhãn")
    expect(box).to_be_focused()  # a scanner types into whatever has focus
    box.type(text)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/ho-so/NV001$"))
    expect(page.get_by_role("heading", name="Hồ sơ giấy", exact=True)).to_be_visible()

    page.goto("/kho-ho-so")
    page.get_by_label("Quét nhãn").fill("CBCCVC:HS:NV201")  # another district's dossier: not revealed
    page.get_by_label("Quét nhãn").press("Enter")
    expect(page.get_by_text("Không tìm thấy hồ sơ hoặc hộp nào")).to_be_visible()


def test_the_dossier_names_its_missing_components(new_page, site):
    page = new_page()
    login(page, "hr.q1")
    page.goto("/ho-so/NV001")
    missing = page.locator("#missing-components")
    expect(missing).to_contain_text("Sơ yếu lý lịch")
    # retired, and the retirement decision was uploaded: not missing
    assert "Quyết định nghỉ hưu" not in missing.inner_text()
    expect(page.locator('#components li[data-component="quyet_dinh_nghi_huu"]')).to_have_attribute("data-present", "yes")
    expect(page.locator('#components li[data-component="so_yeu_ly_lich"]')).to_have_attribute("data-present", "no")
    page.goto("/thanh-phan-ho-so?thieu=1")
    expect(page.locator('#completeness-list tr[data-staff="NV001"]')).to_contain_text("Sơ yếu lý lịch")


def test_a_loan_recorded_after_the_fact_shows_overdue(new_page, site):
    page = new_page()
    login(page, "luutru.q1")
    page.goto("/ho-so/NV001")
    lent_on, due = date.today() - timedelta(days=10), date.today() - timedelta(days=3)
    form = page.locator("#loan-form")
    form.get_by_label("Người mượn", exact=True).fill("Phạm Thu Hà")
    form.get_by_label("Đơn vị người mượn").fill("Phòng Nội vụ Quận 1")
    form.get_by_label("Mục đích mượn").fill("Xét nâng lương")
    form.get_by_label("Ngày mượn").fill(lent_on.strftime("%d/%m/%Y"))
    form.get_by_label("Hạn trả").fill(due.strftime("%d/%m/%Y"))
    form.get_by_role("button", name="Ghi cho mượn").click()
    expect(page.get_by_role("status").filter(has_text="Đã ghi phiếu mượn số")).to_be_visible()
    expect(page.locator("#current-loan")).to_contain_text("Quá hạn")
    screenshot(page, "ho-so-giay-muon-qua-han")

    page.goto("/muon-tra?qua_han=1")
    row = page.locator('#loans tr[data-staff="NV001"]')
    expect(row).to_contain_text("Phạm Thu Hà")
    expect(row).to_contain_text("Quá hạn")

    page.goto("/ho-so/NV001")  # give it back, so the shared site is left as found
    page.get_by_role("button", name="Ghi trả hồ sơ").click()
    expect(page.locator("#current-loan")).to_contain_text("Hồ sơ giấy đang ở kho")
