"""Staff records in a real Chromium against `archive serve` (issue 11, items 1 and 6): an HR officer
adds a record with catalog pickers, edits fields and a history row, changes the status with a
decision, transfers it, and prints the sơ yếu lý lịch; at 375 px the dossier does not overflow."""

from __future__ import annotations

import io
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.web.conftest import login, screenshot

pytestmark = pytest.mark.slow


def _flash(page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def test_hr_officer_adds_edits_changes_status_transfers_and_prints(new_page, site, tmp_path):
    import pypdf

    page = new_page()
    login(page, "hr.q1")
    page.goto("/can-bo")
    page.get_by_role("link", name="Thêm cán bộ").click()
    page.wait_for_url(re.compile(r"/can-bo/them$"))
    page.get_by_label("Mã cán bộ").fill("NV777")
    page.get_by_label("Đơn vị quản lý hồ sơ").select_option("Q1")
    page.get_by_label("Họ và tên khai sinh").fill("Hoàng Thị Mỹ Duyên")
    page.get_by_label("Ngày sinh").fill("14/02/1988")
    page.get_by_label("Giới tính").select_option("nu")
    page.get_by_label("Ngạch", exact=True).select_option("01.003")
    page.get_by_label("Bậc lương").select_option("2")
    page.get_by_label("Hệ số lương").fill("2,67")
    page.get_by_label("Nơi sinh").fill("phường Bến Thành, Quận 1, TP. Hồ Chí Minh")
    screenshot(page, "can-bo-them", full_page=True)
    page.get_by_role("button", name="Lưu hồ sơ mới").click()
    page.wait_for_url(re.compile(r"/ho-so/NV777$"))
    _flash(page, "Đã thêm cán bộ NV777.")
    assert "Chuyên viên (01.003)" in page.locator("#s-general").inner_text()

    page.get_by_role("link", name="Sửa hồ sơ").click()
    page.get_by_label("Chức vụ", exact=True).fill("Chuyên viên Phòng Nội vụ")
    page.get_by_label("Ngạch", exact=True).select_option("01.002")
    page.locator("#staff-form").get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_url(re.compile(r"/ho-so/NV777$"))
    _flash(page, "Đã lưu các thay đổi của hồ sơ.")
    assert "Chuyên viên chính (01.002)" in page.locator("#s-general").inner_text()

    page.get_by_role("link", name="Sửa hồ sơ").click()
    page.locator("#hn-qua_trinh_cong_tac-from").fill("01/03/2012")
    page.locator("#hn-qua_trinh_cong_tac-summary").fill("Cán sự Phòng Nội vụ Quận 1")
    page.locator("#h-qua_trinh_cong_tac tr.add-row").get_by_role("button", name="Thêm dòng").click()
    _flash(page, "Đã thêm một dòng quá trình.")
    row = page.locator("#h-qua_trinh_cong_tac tr[data-history]")
    expect(row).to_have_count(1)
    row.locator("input[name=summary]").fill("Chuyên viên Phòng Nội vụ Quận 1")
    row.get_by_role("button", name="Lưu").click()
    _flash(page, "Đã lưu dòng quá trình.")
    expect(page.locator("#h-qua_trinh_cong_tac tr[data-history] input[name=summary]")).to_have_value(
        "Chuyên viên Phòng Nội vụ Quận 1")
    screenshot(page, "ho-so-sua", full_page=True)

    page.goto("/ho-so/NV777")
    page.get_by_role("link", name="Đổi trạng thái").click()
    page.get_by_label("Trạng thái mới").select_option("thoi_viec")
    page.get_by_label("Số quyết định").fill("301/QĐ-UBND")
    page.get_by_label("Ngày quyết định").fill("20/11/2026")
    page.get_by_label("Ngày hiệu lực").fill("01/12/2026")
    page.get_by_role("button", name="Lưu trạng thái").click()
    page.wait_for_url(re.compile(r"/ho-so/NV777"))
    _flash(page, "Đã cập nhật trạng thái theo quyết định.")
    status = page.locator("#s-status").inner_text()
    assert "301/QĐ-UBND ngày 20/11/2026" in status and "01/12/2026" in status

    page.get_by_role("link", name="Chuyển công tác").click()
    page.get_by_label("Đơn vị nhận hồ sơ").select_option("Q1.NV")
    page.get_by_label("Số quyết định").fill("45/QĐ-UBND")
    page.get_by_label("Ngày quyết định").fill("25/11/2026")
    page.get_by_label("Ngày hiệu lực").fill("01/12/2026")
    page.get_by_role("button", name="Chuyển hồ sơ").click()
    _flash(page, "Đã chuyển hồ sơ sang đơn vị Q1.NV.")
    page.goto("/ho-so/NV777")
    assert "Phòng Nội vụ Quận 1" in page.locator("#s-status").inner_text()
    assert "45/QĐ-UBND ngày 25/11/2026" in page.locator("#s-status").inner_text()

    with page.expect_download() as info:
        page.get_by_role("link", name="In sơ yếu lý lịch").click()
    path = tmp_path / "syll.pdf"
    info.value.save_as(path)
    text = " ".join("\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages).split())
    for expected in ("HOÀNG THỊ MỸ DUYÊN", "14/02/1988", "Chuyên viên chính", "01.002", "Phòng Nội vụ Quận 1",
                     "Chuyên viên Phòng Nội vụ Quận 1", "phường Bến Thành", "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC"):
        assert expected in text, expected


def test_the_dossier_fits_a_375_px_phone(new_page, site):
    page = new_page()
    page.set_viewport_size({"width": 375, "height": 740})
    login(page, "hr.q1")
    for url in ("/ho-so/NV001", "/can-bo", "/tra-cuu?q=nguyen+van+an"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 380).slice(0, 8)
            .map(e => e.tagName + '.' + e.className + '#' + e.id + ':' + Math.round(e.getBoundingClientRect().right))""")
        assert width <= 380, (url, width, wide)
    screenshot(page, "ho-so-375px")
