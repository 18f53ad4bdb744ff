"""Cảnh báo, Thông báo and Báo cáo định kỳ in Chromium (issue 17), on `archive serve` under TP.HCM's profile:
an HR officer and a unit head each see their own unit's overdue row on /canh-bao (Đ7.1: an account within 05
working days of recruitment, nobody issued one); the HR officer's bell counts the retirement warning the daily
pass told them; the reports page shows the submission days the profile sets and makes and downloads a report.

Its own server: the shared `site` runs the neutral profile, which sets no deadlines.
"""

from __future__ import annotations

import signal

import httpx
import pytest

from tests.support.processes import (
    ARCHIVE,
    cli,
    cli_json,
    free_port,
    service_env,
    start,
    stop_group,
    wait_http,
)
from tests.web.conftest import ADMIN_PASSWORD, _user, login, screenshot


@pytest.fixture(scope="module")
def hcm(tmp_path_factory, playwright_api):
    tmp = tmp_path_factory.mktemp("hcm")
    env = service_env(tmp / "data", admin_password=ADMIN_PASSWORD, profile="tp-hcm", sweep_interval_seconds=2,
                      ocr_workers=1)
    port = free_port()
    server = start([ARCHIVE, "serve", "--port", str(port)], env, tmp / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/api/v1/health", timeout=90)
        for code, name in (("A", "Phòng Alpha"), ("B", "Phòng Bêta")):
            assert cli(env, "unit", "add", code, "--name", name, "--parent", "TINH").returncode == 0
        token = cli_json(env, "token", "create", "admin", "--expires", "1")["token"]
        with httpx.Client(base_url=base + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60) as api:
            for record in ({"code": "A2", "full_name": "Lê Văn Cường", "unit_code": "A",
                            "profile": {"recruitment_date": "2026-10-01"}},
                           {"code": "B1", "full_name": "Phạm Thị Dung", "unit_code": "B",
                            "profile": {"recruitment_date": "2026-10-01"}},
                           {"code": "A3", "full_name": "Nguyễn Văn An", "unit_code": "A", "birth_date": "1965-06-05",
                            "gender": "nam"}):
                r = api.post("/staff", json={"status": "dang_cong_tac", **record})
                assert r.status_code == 201, r.text
        _user(env, "hr.a", "A", "hr_officer", "--name", "Phạm Thu Hà")
        _user(env, "truong.b", "B", "unit_head", "--name", "Đỗ Minh Tâm")
        assert cli_json(env, "warnings", "run")["warnings"]["state"] == "done"
        yield base
    finally:
        stop_group(server, signal.SIGINT, timeout=60)


def _page(browser, base):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN", accept_downloads=True,
                              base_url=base)
    ctx.set_default_timeout(15_000)
    return ctx, ctx.new_page()


def test_an_hr_officer_sees_their_units_overdue_row_the_bell_and_makes_a_report(browser, hcm) -> None:
    ctx, page = _page(browser, hcm)
    try:
        login(page, "hr.a")
        page.goto("/canh-bao")
        row = page.locator("tr[data-staff='A2'][data-rule='account']")
        assert row.get_attribute("class") == "deadline-overdue"
        assert "Quá hạn" in row.inner_text() and "Điều 7 khoản 1" in row.inner_text()
        assert page.locator("tr[data-staff='B1']").count() == 0
        assert page.locator("#notification-count").inner_text() == "1"
        screenshot(page, "deadlines-hr-officer")
        page.locator("#notification-bell").click()
        page.wait_for_url("**/thong-bao")
        assert "Sắp đến tuổi nghỉ hưu: Nguyễn Văn An (A3)" in page.locator("table.notifications").inner_text()
        page.get_by_role("button", name="Đánh dấu đã đọc").click()
        page.wait_for_load_state()
        assert page.locator("#notification-count").count() == 0
        page.locator("#reports-link").click()
        page.wait_for_url("**/bao-cao")
        assert "không đặt ngày nộp báo cáo định kỳ" in page.locator("#next-report").inner_text()
        page.get_by_label("Kỳ báo cáo").fill("2026-H2")
        page.get_by_label("Định dạng").select_option("xlsx")
        page.get_by_role("button", name="Lập báo cáo").click()
        page.wait_for_load_state()
        assert "Đã lập báo cáo số" in page.locator(".flash").inner_text()
        with page.expect_download() as info:
            page.get_by_role("link", name="Tải về").first.click()
        assert info.value.suggested_filename.endswith(".xlsx")
    finally:
        ctx.close()


def test_a_unit_head_sees_their_own_units_overdue_row_only(browser, hcm) -> None:
    ctx, page = _page(browser, hcm)
    try:
        login(page, "truong.b")
        page.goto("/canh-bao")
        row = page.locator("tr[data-staff='B1'][data-rule='account']")
        assert row.get_attribute("class") == "deadline-overdue"
        assert page.locator("tr[data-staff='A2']").count() == 0
        assert page.locator("#rate-B").count() == 1 and page.locator("#rate-A").count() == 0
        assert page.locator("#notification-count").count() == 0
        screenshot(page, "deadlines-unit-head")
    finally:
        ctx.close()
