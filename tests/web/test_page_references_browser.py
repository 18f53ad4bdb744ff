"""Gộp tài liệu and the viewer's zoom (issue 11) in a real Chromium against `archive serve`: an
archivist merges two single-page uploads into one two-page document from the dossier page; each
page's phrase is then found in that document, the one merged in is gone from the dossier, and the
viewer zooms with its buttons and the + / − keys and fits the width again."""

from __future__ import annotations


import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.support.paged_documents import distinct_pages_pdf
from tests.support.processes import cli_json
from tests.web.conftest import login, screenshot
from tests.web.conftest import wait_indexed as _wait_indexed

pytestmark = pytest.mark.slow

FIRST = "Biên bản họp xét nâng bậc lương trước thời hạn của Phòng Nội vụ Quận Một"
SECOND = "Danh sách kèm theo gồm ba công chức được đề nghị nâng bậc lương đợt này"


def _scan_width(page) -> float:
    return page.locator("figure.page-scan img").evaluate("i => i.getBoundingClientRect().width")


def test_two_uploads_merged_from_the_dossier_are_one_document_and_the_viewer_zooms(new_page, site, tmp_path):
    ids = []
    for name, line in (("bien-ban-trang-1.pdf", FIRST), ("bien-ban-trang-2.pdf", SECOND)):
        (tmp_path / name).write_bytes(distinct_pages_pdf([[line]]))
        [doc] = cli_json(site.env, "ingest", str(tmp_path / name), "--staff", "NV002", "--type", "khac", "--wait",
                         "--timeout", "120", timeout=180)
        assert doc["state"] == "indexed", doc
        ids.append(doc["id"])
    first, second = ids

    page = new_page()
    login(page, "luutru.q1")
    page.goto("/ho-so/NV002")
    box = page.locator(f"#d-corr-{first}")
    box.locator("summary").click()
    box.get_by_label("Gộp thêm tài liệu số (cách nhau bằng dấu phẩy)").fill("abc")
    box.get_by_role("button", name="Gộp vào tài liệu này").click()
    expect(page.locator("main")).to_contain_text("số của các tài liệu")  # a Vietnamese sentence, nothing merged
    page.goto("/ho-so/NV002")
    box = page.locator(f"#d-corr-{first}")
    box.locator("summary").click()
    box.get_by_label("Gộp thêm tài liệu số (cách nhau bằng dấu phẩy)").fill(str(second))
    box.get_by_role("button", name="Gộp vào tài liệu này").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Đã gộp vào tài liệu số {first}; tài liệu này nay có 2 trang.")
    expect(page.locator(f"#d-corr-{second}")).to_have_count(0)
    assert _wait_indexed(site.env, first)["state"] == "indexed"

    for n, phrase in ((1, FIRST), (2, SECOND)):
        page.goto(f'/tra-cuu?q="{phrase}"')
        hits = page.locator(f'[data-document="{first}"]')
        expect(hits.first).to_be_visible()
        expect(page.locator(f'[data-document="{second}"]')).to_have_count(0)
    # a phrase over the page break of the merged document: found on page 1, where it starts (search.page_bridge)
    page.goto('/tra-cuu?q="Quận Một Danh sách kèm theo"')
    expect(page.locator(f'[data-document="{first}"][data-page="1"]').first).to_be_visible()
    expect(page.locator(f'[data-document="{first}"][data-page="2"]')).to_have_count(0)

    page.goto(f"/ho-so/NV002/tai-lieu/{first}?trang=2")
    expect(page.locator(".page-text")).to_contain_text("ba công chức được đề nghị")
    bar = page.get_by_role("toolbar", name="Thu phóng bản quét")
    expect(bar).to_be_visible()
    page.wait_for_function("() => { const i = document.querySelector('figure.page-scan img'); "
                           "return i && i.complete && i.naturalWidth > 0; }")
    fitted = _scan_width(page)
    bar.get_by_role("button", name="Phóng to").click()
    bar.get_by_role("button", name="Phóng to").click()
    expect(page.locator("#zoom-level")).to_have_text("150 %")
    assert _scan_width(page) > fitted * 1.4
    page.locator("body").press("-")
    expect(page.locator("#zoom-level")).to_have_text("125 %")
    screenshot(page, "xem-trang-phong-to")
    bar.get_by_role("button", name="Vừa chiều rộng").click()
    expect(page.locator("#zoom-level")).to_have_text("100 %")
    assert abs(_scan_width(page) - fitted) < 2
    page.locator("#v-page").press("+")  # typing in a field is not a zoom
    expect(page.locator("#zoom-level")).to_have_text("100 %")
