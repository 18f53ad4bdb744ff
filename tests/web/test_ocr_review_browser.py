"""OCR that needs a person says so (issue 11, item 3), in a real Chromium against `archive serve`:
an archivist uploads a blank page and a page scanned sideways; both end amber "Cần xem lại" with
their reasons (not green), the sideways page is read after orientation detection and found by
search, and the review list shows both until the archivist marks them reviewed."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.support.documents import png_bytes
from tests.support.review_pages import blank_page, small_page, turned
from tests.web.conftest import login, screenshot

pytestmark = pytest.mark.slow


def test_a_blank_page_and_a_sideways_page_show_needs_review_and_reach_the_review_list(new_page, site, tmp_path,
                                                                                         tesseract):
    blank, sideways = tmp_path / "trang-trang.png", tmp_path / "quyet-dinh-xoay.png"
    blank.write_bytes(png_bytes(blank_page()))
    sideways.write_bytes(png_bytes(turned(small_page(), 90)))
    page = new_page()
    login(page, "luutru.q1")
    page.goto("/tai-len")
    page.get_by_label("Mã cán bộ").fill("NV002")
    page.locator("#files").set_input_files([str(blank), str(sideways)])
    page.get_by_role("button", name="Tải lên", exact=True).click()
    rows = page.locator("#upload-rows tr[data-doc-id]")
    expect(rows).to_have_count(2, timeout=60_000)
    expect(page.locator('#upload-rows tr[data-state="needs_review"]')).to_have_count(2, timeout=120_000)
    text = page.locator("#upload-rows").inner_text()
    assert "Cần xem lại" in text and "Trang 1: gần như trắng" in text
    assert "Trang 1: đã xoay 90° theo nhận dạng hướng" in text
    expect(page.locator("#upload-summary")).to_contain_text("2 tệp cần kiểm tra lại")
    badge = page.locator('#upload-rows tr[data-state="needs_review"] .state').first
    assert badge.evaluate("e => getComputedStyle(e).color") == "rgb(138, 90, 0)"  # --warn (amber), not --ok
    screenshot(page, "tai-len-can-xem-lai")

    page.goto("/ho-so/NV002")
    documents = page.locator("#documents")
    expect(documents.locator(".state-needs_review")).to_have_count(2)
    expect(documents).to_contain_text("Trang 1: gần như trắng")
    expect(documents).to_contain_text("Trang 1: đã xoay 90° theo nhận dạng hướng")

    page.goto("/tra-cuu?q=Quỳnh Hoa chuyên viên Phòng Nội vụ huyện Châu Thành")
    expect(page.locator("main")).to_contain_text("Trần Thị Bích")  # NV002: the sideways page, read after OSD

    page.goto("/tai-len")
    page.get_by_role("link", name="Trang cần xem lại").click()
    page.wait_for_url(re.compile(r"/trang-can-xem-lai"))
    listing = page.locator("#ocr-review")
    expect(listing.locator("tr.review-page")).to_have_count(2)
    expect(listing).to_contain_text("trang-trang.png")
    expect(listing).to_contain_text("quyet-dinh-xoay.png")
    screenshot(page, "trang-can-xem-lai", full_page=True)
    page.get_by_role("button", name="Đánh dấu đã xem trang 1 của tệp trang-trang.png").click()
    expect(page.locator(".flash")).to_contain_text("Đã đánh dấu đã xem trang 1")
    expect(listing.locator("tr.review-page")).to_have_count(1)
