"""Tổ chức lại đơn vị in a real Chromium against `archive serve` (issue 11): the admin merges unit X
into Y on the admin page; an HR officer of Y then finds X's staff member in search and on the staff
list, and the dossier names the former unit with the decision."""

from __future__ import annotations

import re
import time

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.support.processes import cli
from tests.web.conftest import ADMIN_PASSWORD, _user, login, screenshot

pytestmark = pytest.mark.slow


def _until(page, url: str, check, timeout: float = 60) -> None:
    """The index consumer re-scopes the record after the merge's commit: reload until it shows."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        if check(page):
            return
        assert time.monotonic() < deadline, f"{url} never showed the merged record"
        time.sleep(1)


def test_admin_merges_unit_x_into_y_and_an_officer_of_y_finds_x_staff(new_page, site):
    for code, name in (("SAPX", "UBND xã Sáp X"), ("SAPY", "UBND xã Sáp Y")):
        r = cli(site.env, "unit", "add", code, "--name", name, "--parent", "TINH")
        assert r.returncode == 0, r.stderr
    r = cli(site.env, "staff", "add", "--code", "NVSX1", "--name", "Đinh Thị Xoan", "--unit", "SAPX")
    assert r.returncode == 0, r.stderr
    _user(site.env, "hr.sapy", "SAPY", "hr_officer", "--name", "Vũ Văn Yên")

    officer = new_page()
    login(officer, "hr.sapy")
    officer.goto("/can-bo")
    assert "NVSX1" not in officer.content(), "before the merge X's record is beyond Y's officer"

    admin = new_page()
    login(admin, "admin", ADMIN_PASSWORD)
    admin.goto("/quan-tri")
    form = admin.locator("#reorganise")
    form.get_by_label("Đơn vị cần tổ chức lại").select_option("SAPX")
    form.get_by_label("Hình thức tổ chức lại").select_option("merge")
    form.get_by_label("Đơn vị nhận (hoặc đơn vị cha mới khi chuyển)").select_option("SAPY")
    form.get_by_label("Số quyết định").fill("215/QĐ-UBND")
    form.get_by_label("Ngày quyết định").fill("20/11/2026")
    form.get_by_label("Ngày có hiệu lực").fill("01/12/2026")
    form.get_by_role("button", name="Tổ chức lại đơn vị").click()
    expect(admin.get_by_role("status").filter(
        has_text="Đã sáp nhập đơn vị SAPX vào SAPY theo quyết định 215/QĐ-UBND.")).to_be_visible()
    assert "đã sáp nhập vào SAPY" in admin.locator(".tree").inner_text()
    screenshot(admin, "quan-tri-sap-nhap-don-vi")

    _until(officer, "/can-bo", lambda p: "NVSX1" in p.content())
    _until(officer, "/tra-cuu?q=dinh+thi+xoan",
           lambda p: p.locator("li.hit[data-kind='person'][data-staff='NVSX1']").count() == 1)
    officer.locator("li.hit[data-kind='person'][data-staff='NVSX1'] a").first.click()
    officer.wait_for_url(re.compile(r"/ho-so/NVSX1"))
    expect(officer.locator("#former-units")).to_contain_text(
        "Đơn vị cũ: UBND xã Sáp X (SAPX), sáp nhập vào UBND xã Sáp Y (SAPY) theo quyết định 215/QĐ-UBND")
