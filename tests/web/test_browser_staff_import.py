"""Nhập hồ sơ từ Excel in a real Chromium against `archive serve`: an HR officer uploads a sheet typed in
.VnTime and VNI fonts, reads the dry run (Unicode names, a problem row in Vietnamese), applies it."""

from __future__ import annotations

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.support.staff_sheets import encode_tcvn3, encode_vni, xlsx
from tests.web.conftest import login, screenshot

pytestmark = pytest.mark.slow
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_hr_officer_uploads_dry_runs_and_applies(new_page, site):
    data = xlsx([["Mã cán bộ", "Họ và tên", "Ngày sinh", "Đơn vị"],
                 ["XL001", encode_tcvn3("Đặng Văn Ước"), "ngày 2 tháng 9 năm 1975", "Q1.NV"],
                 ["XL002", encode_vni("Tạ Thị Hương"), "14/3/1968", "Q1.NV"],
                 ["XL003", "Hà Văn Bảy", "1/1/1970", "Q2"]],
                {(1, 1): ".VnTime", (2, 1): "VNI-Times"})
    page = new_page()
    login(page, "hr.q1")
    page.goto("/can-bo")
    page.get_by_role("link", name="Nhập từ Excel").click()
    page.set_input_files("#import-file", files=[{"name": "ho-so-cu.xlsx", "mimeType": XLSX, "buffer": data}])
    page.get_by_role("button", name="Nhập thử").click()
    page.wait_for_load_state()
    table = page.locator("#import-table")
    expect(table).to_contain_text("Đặng Văn Ước")
    expect(table).to_contain_text("Tạ Thị Hương")
    expect(table).to_contain_text("Đơn vị Q2 không thuộc phạm vi quản lý của bạn.")
    expect(page.locator("#import-counts")).to_contain_text("3 dòng: 2 thêm mới")
    screenshot(page, "nhap-ho-so-excel-nhap-thu", full_page=True)
    page.get_by_role("button", name="Ghi vào hồ sơ").click()
    expect(page.get_by_role("status").filter(has_text="Đã nhập: 2 thêm mới")).to_be_visible()
    page.goto("/ho-so/XL001")
    expect(page.locator("body")).to_contain_text("Đặng Văn Ước")
