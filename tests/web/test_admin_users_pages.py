"""The admin's account list (issue 11, item 5) in a real Chromium against `archive serve`:
filter by unit, role and state, unlock a locked-out account, edit its grants and expiry."""

from __future__ import annotations

import re

import httpx
import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.web.conftest import ADMIN_PASSWORD, PASSWORD, _user, login, screenshot

pytestmark = pytest.mark.slow


def _usernames(page) -> list[str]:
    return page.locator("#accounts tbody tr[data-username]").evaluate_all("rows => rows.map(r => r.dataset.username)")


def test_admin_filters_the_account_list_unlocks_and_edits_grants(new_page, site):
    _user(site.env, "bi.khoa.q2", "Q2", "unit_head", "--name", "Hoàng Văn Khoá")
    with httpx.Client(base_url=site.base_url + "/api/v1", timeout=30) as api:
        for _ in range(5):  # the lockout threshold: wrong passwords lock the account for a while
            assert api.post("/auth/login", json={"username": "bi.khoa.q2", "password": "sai-mat-khau"}).status_code == 401

    admin = new_page()
    login(admin, "admin", ADMIN_PASSWORD)
    admin.goto("/quan-tri/tai-khoan")
    assert {"admin", "hr.q1", "luutru.q1", "kiemtra", "bi.khoa.q2"} <= set(_usernames(admin))

    admin.get_by_label("Lọc theo vai trò").select_option("archivist")
    admin.get_by_role("button", name="Lọc danh sách").click()
    admin.wait_for_url(re.compile(r"vai_tro=archivist"))
    assert "luutru.q1" in _usernames(admin)
    for row in admin.locator("#accounts tbody tr[data-username]").all():
        assert "Văn thư lưu trữ" in row.inner_text()

    admin.get_by_label("Lọc theo vai trò").select_option("")
    admin.get_by_label("Lọc theo đơn vị").select_option("Q2")
    admin.get_by_label("Lọc theo tình trạng").select_option("tam_khoa")
    admin.get_by_role("button", name="Lọc danh sách").click()
    admin.wait_for_url(re.compile(r"don_vi=Q2.*trang_thai=tam_khoa"))
    assert _usernames(admin) == ["bi.khoa.q2"]
    assert "Đang tạm khoá" in admin.locator("#accounts").inner_text()
    screenshot(admin, "quan-tri-danh-sach-tai-khoan")

    admin.get_by_role("link", name="bi.khoa.q2").click()
    card = admin.locator("#user-card")
    assert "Đang tạm khoá" in card.inner_text()
    admin.get_by_role("button", name="Mở khoá tài khoản").click()
    expect(admin.get_by_role("status").filter(has_text="Đã mở khoá tài khoản bi.khoa.q2.")).to_be_visible()
    assert "Đang hoạt động" in admin.locator("#user-card").inner_text()
    person = new_page()
    login(person, "bi.khoa.q2", PASSWORD)
    assert "/dang-nhap" not in person.url, "unlocked: the right password works again"

    # grant edit: the role picker starts at the least privileged role
    assert admin.get_by_label("Vai trò cấp thêm").input_value() == "staff"
    assert admin.get_by_label("Vai trò", exact=True).input_value() == "staff", "the create form too"
    admin.get_by_label("Vai trò cấp thêm").select_option("auditor")
    admin.get_by_label("Phạm vi của quyền").select_option("Q2")
    admin.get_by_label("Quyền có hiệu lực đến").fill("31/12/2027")
    admin.get_by_role("button", name="Cấp quyền").click()
    expect(admin.get_by_role("status").filter(has_text="Đã cấp quyền Kiểm tra tại Q2")).to_be_visible()
    assert "Kiểm tra tại Q2" in admin.locator("#grants").inner_text()
    admin.get_by_role("button", name="Bỏ quyền Thủ trưởng đơn vị tại Q2").click()
    expect(admin.get_by_role("status").filter(has_text="Đã bỏ quyền Thủ trưởng đơn vị tại Q2")).to_be_visible()
    assert "Thủ trưởng đơn vị" not in admin.locator("#grants").inner_text()
    admin.get_by_label("Tài khoản có hiệu lực đến").fill("30/06/2027")
    admin.get_by_role("button", name="Lưu thời hạn").click()
    expect(admin.get_by_role("status").filter(has_text="Đã đặt thời hạn cho tài khoản bi.khoa.q2.")).to_be_visible()
    assert "30/06/2027 23:59" in admin.locator("#user-card").inner_text()
    admin.get_by_label("Tài khoản có hiệu lực đến").fill("31/02/2027")
    admin.get_by_role("button", name="Lưu thời hạn").click()
    # a bad date is said inline, in Vietnamese (expect waits for the redrawn page; is_visible() does not)
    expect(admin.locator("#user-card [role=alert]")).to_be_visible()
    expect(admin.locator("#user-card [role=alert]")).to_contain_text("31/02/2027")
    screenshot(admin, "quan-tri-sua-quyen")

    # what the admin did is in the log
    auditor = new_page()
    login(auditor, "kiemtra")
    auditor.goto("/kiem-tra?thao_tac=user.unlock")
    assert "bi.khoa.q2" in auditor.locator("table.audit").inner_text()
