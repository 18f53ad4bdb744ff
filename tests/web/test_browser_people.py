"""People in a real Chromium (issue 21): the search shows people with their pages beneath, and staff
autocomplete works with the keyboard in the search box and on the upload form (see conftest.py)."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.web.conftest import login, screenshot

pytestmark = pytest.mark.slow


def test_people_with_their_pages_beneath_and_the_short_url(new_page):
    page = new_page()
    login(page, "hr.q1")
    page.goto("/tra-cuu")
    box = page.get_by_role("searchbox", name="Tra cứu hồ sơ")
    assert box.evaluate("el => el === document.activeElement"), "the query box has the focus"
    box.fill("nguyen van an")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/tra-cuu\?q=nguyen\+van\+an$"))  # defaults are left out of the URL
    people = page.locator("li.hit[data-kind='person']")
    assert people.count() == 1 and people.first.get_attribute("data-staff") == "NV001"
    expect(page.get_by_text("1 cán bộ khớp")).to_be_visible()
    assert people.first.locator("ul.matched li").count() == 2  # the best two of three pages (the recruitment decision's 2, the retirement's)
    assert people.first.locator(".snippet mark").first.inner_text().lower() in ("nguyễn", "văn", "an")
    screenshot(page, "tra-cuu-can-bo")
    page.get_by_label("Theo trang tài liệu").check()
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url(re.compile(r"q=nguyen\+van\+an&nhom=trang$"))
    assert page.locator("tr.hit").count() == 3


def test_autocomplete_opens_a_dossier_from_the_search_box_with_the_keyboard(new_page):
    page = new_page()
    login(page, "hr.q1")
    page.goto("/tra-cuu")
    page.get_by_role("searchbox", name="Tra cứu hồ sơ").type("nguyen va", delay=20)
    options = page.locator("#q-suggest li[role='option']")
    options.first.wait_for()
    assert "Nguyễn Văn An" in options.first.inner_text() and "NV001" in options.first.inner_text()
    assert "Lê Văn Cường" not in page.locator("#q-suggest").inner_text()  # Quận 2 is beyond hr.q1
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/ho-so/NV001$"))


def test_autocomplete_fills_the_staff_code_on_the_upload_form(new_page):
    page = new_page()
    login(page, "luutru.q1")
    page.goto("/tai-len")
    page.locator("#staff_code").type("nguy", delay=20)
    option = page.locator("#staff_code-suggest li[role='option']").first
    option.wait_for()
    option.click()
    assert page.locator("#staff_code").input_value() == "NV001"
    page.locator("#staff-found").filter(has_text="Nguyễn Văn An").wait_for()
