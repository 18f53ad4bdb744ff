"""Xoay trang (issue 11, document corrections) in a real Chromium against `archive serve`: an
archivist turns a page scanned sideways in the page viewer; the page is read again from the
original turned, its phrase is then found by search, the viewer shows it upright, and the
stored original is byte-identical.

(Automatic orientation detection, OCR review's, may already have read the sideways page; the
archivist's turn is what makes the page itself upright, and it must read right after it.)"""

from __future__ import annotations

import hashlib

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.support.documents import png_bytes, rendered_page
from tests.support.processes import cli_json
from tests.web.conftest import login, screenshot
from tests.web.conftest import wait_indexed as _wait_indexed

pytestmark = pytest.mark.slow

LINES = [
    "BIÊN BẢN BÀN GIAO HỒ SƠ",
    "Hôm nay Phòng Nội vụ Quận 1 bàn giao hồ sơ lưu trữ số bốn mươi bảy",
    "gồm các quyết định nâng bậc lương của công chức Trần Thị Bích.",
]


def _natural_size(page) -> tuple[int, int]:
    img = page.locator("figure.page-scan img")
    expect(img).to_be_visible()
    page.wait_for_function("() => { const i = document.querySelector('figure.page-scan img'); "
                           "return i && i.complete && i.naturalWidth > 0; }")
    return tuple(img.evaluate("i => [i.naturalWidth, i.naturalHeight]"))


def test_a_sideways_page_rotated_is_read_again_and_its_phrase_found(new_page, site, tmp_path, tesseract):
    img, _ = rendered_page(LINES)
    scan = tmp_path / "bien-ban-xoay.png"
    scan.write_bytes(png_bytes(img.rotate(90, expand=True)))  # scanned a quarter turn to the left
    [doc] = cli_json(site.env, "ingest", str(scan), "--staff", "NV002", "--type", "khac", "--wait",
                     "--timeout", "180", timeout=240)
    assert doc["state"] == "indexed", doc
    original = hashlib.sha256(scan.read_bytes()).hexdigest()
    assert doc["sha256"] == original

    page = new_page()
    login(page, "luutru.q1")
    page.goto(f"/ho-so/NV002/tai-lieu/{doc['id']}")
    width, height = _natural_size(page)
    assert width > height  # the scan as it came: lying on its side
    page.get_by_role("button", name="Xoay 90° phải").click()
    expect(page.locator(".flash")).to_contain_text("Đã xoay trang 1 (90°)")

    after = _wait_indexed(site.env, doc["id"])
    assert after["state"] == "indexed" and after["sha256"] == original, after
    page.goto(f"/ho-so/NV002/tai-lieu/{doc['id']}")
    width, height = _natural_size(page)
    assert height > width  # upright now
    expect(page.locator(".page-text")).to_contain_text("bàn giao hồ sơ lưu trữ")
    screenshot(page, "xoay-trang-sau-nhan-dang-lai")

    page.goto("/tra-cuu?q=" + '"bàn giao hồ sơ lưu trữ số bốn mươi bảy"')
    hit = page.locator(f'[data-document="{doc["id"]}"]')
    expect(hit.first).to_be_visible()
    expect(page.locator("main")).to_contain_text("Trần Thị Bích")

    # the stored original is untouched: the auditor's download is byte-identical to what was scanned
    auditor = new_page()
    login(auditor, "kiemtra")
    auditor.goto(f"/ho-so/NV002/tai-lieu/{doc['id']}")
    with auditor.expect_download() as dl:
        auditor.get_by_role("link", name="Tải bản gốc").first.click()
    assert hashlib.sha256(dl.value.path().read_bytes()).hexdigest() == original
