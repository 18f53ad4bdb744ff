"""Uploads a person can follow (issue 11, item 4) in a real Chromium against `archive serve`."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from tests.support.documents import born_digital_pdf
from tests.support.processes import cli_json
from tests.web.conftest import login, screenshot

pytestmark = pytest.mark.slow

FINAL = "['indexed', 'failed', 'upload_failed']"
STAFF = "NV050"  # this module's own dossier: the other browser tests count the documents of theirs


@pytest.fixture(scope="module", autouse=True)
def own_dossier(site):
    cli_json(site.env, "staff", "add", "--code", STAFF, "--name", "Phan Thị Dung", "--unit", "Q1",
             "--status", "dang_cong_tac", "--birth-date", "1975-04-02")


def _all_final(page) -> None:
    page.wait_for_function(
        f"() => [...document.querySelectorAll('#upload-rows tr')].every(r => {FINAL}.includes(r.dataset.state))",
        timeout=180_000)


def test_a_batch_with_failures_says_how_many_failed_in_the_error_colour(new_page):
    page = new_page()
    login(page, "luutru.q1")
    page.goto("/tai-len")
    page.get_by_label("Mã cán bộ").fill(STAFF)
    good = born_digital_pdf(["Phiếu nâng bậc lương", "Bà Phan Thị Dung, bậc 5"])
    page.locator("#files").set_input_files([
        {"name": "nang-luong.pdf", "mimeType": "application/pdf", "buffer": good},
        {"name": "ghi-chu.txt", "mimeType": "text/plain", "buffer": "không phải bản quét".encode()},
        {"name": "hong.pdf", "mimeType": "application/pdf", "buffer": good[:300]},
        {"name": "rong.pdf", "mimeType": "application/pdf", "buffer": b""},
    ])
    page.get_by_role("button", name="Tải lên").click()
    _all_final(page)

    states = dict(page.locator("#upload-rows tr").evaluate_all(
        "rows => rows.map(r => [r.cells[0].innerText, r.dataset.state])"))
    assert states == {"nang-luong.pdf": "indexed", "ghi-chu.txt": "upload_failed", "hong.pdf": "upload_failed",
                      "rong.pdf": "upload_failed"}
    summary = page.locator("#upload-summary")
    expect(summary).to_have_text("Đã xử lý xong 1 tệp; 3 tệp lỗi — xem lý do ở từng dòng.")
    expect(summary).to_have_class(re.compile(r"\berror\b"))
    colour = ("(name) => { const p = document.createElement('p'); document.body.appendChild(p);"
              " p.style.color = getComputedStyle(document.documentElement).getPropertyValue(name);"
              " const v = getComputedStyle(p).color; p.remove(); return v; }")
    shown = summary.evaluate("el => getComputedStyle(el).color")
    assert shown == page.evaluate(colour, "--accent") != page.evaluate(colour, "--ok"), "the error colour"
    for name in ("ghi-chu.txt", "hong.pdf", "rong.pdf"):  # each failure says why, in Vietnamese
        note = page.locator("#upload-rows tr", has_text=name).locator(".note").inner_text()
        assert note and re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", note, re.IGNORECASE), note
    screenshot(page, "tai-len-co-loi")


def test_no_file_is_sent_when_the_staff_lookup_fails(new_page):
    page = new_page()
    login(page, "luutru.q1")
    page.goto("/tai-len")
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" and "/tai-len/tep" in r.url else None)
    page.get_by_label("Mã cán bộ").fill("NV999")
    page.locator("#files").set_input_files([{"name": "khong-gui.pdf", "mimeType": "application/pdf",
                                             "buffer": born_digital_pdf(["Không được gửi"])}])
    page.get_by_role("button", name="Tải lên").click()
    expect(page.locator("#upload-summary")).to_contain_text("Chưa gửi tệp nào: Không tìm thấy hồ sơ.")
    expect(page.locator("#upload-summary")).to_have_class(re.compile(r"\berror\b"))
    assert page.locator("#upload-rows tr").evaluate_all("rows => rows.map(r => r.dataset.state)") == ["waiting"]
    # out of scope looks the same as unknown: NV201 is in Quận 2
    page.get_by_label("Mã cán bộ").fill("NV201")
    page.get_by_role("button", name="Tải lên").click()
    expect(page.locator("#upload-summary")).to_contain_text("Chưa gửi tệp nào")
    assert sent == [], "no file left the browser"

    # fixing the code sends the files still chosen
    page.get_by_label("Mã cán bộ").fill(STAFF)
    page.get_by_role("button", name="Tải lên").click()
    _all_final(page)
    assert len(sent) == 1
    expect(page.locator("#upload-summary")).to_have_text("Tất cả tài liệu đã xử lý xong.")


def test_the_processing_page_lists_my_uploads_and_survives_a_reload(new_page):
    page = new_page()
    login(page, "luutru.q1")
    page.goto("/tai-len")
    page.get_by_label("Mã cán bộ").fill(STAFF)
    page.locator("#files").set_input_files([{"name": "theo-doi.pdf", "mimeType": "application/pdf",
                                             "buffer": born_digital_pdf(["Phiếu theo dõi", "Bà Phan Thị Dung"])}])
    page.get_by_role("button", name="Tải lên").click()
    expect(page.locator("#upload-rows tr[data-doc-id]")).to_have_count(1)
    doc_id = page.locator("#upload-rows tr[data-doc-id]").get_attribute("data-doc-id")

    page.get_by_role("link", name=re.compile("tài liệu tôi đã tải lên")).click()
    page.wait_for_url(re.compile(r"/tai-len/gan-day$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Đang xử lý"
    row = page.locator(f"#recent-uploads tr[data-doc-id='{doc_id}']")
    expect(row).to_contain_text("theo-doi.pdf")
    expect(row).to_contain_text(STAFF)
    page.reload()
    row = page.locator(f"#recent-uploads tr[data-doc-id='{doc_id}']")
    expect(row).to_be_visible()
    # the page refreshes itself while something is in progress, until the document is indexed
    expect(row).to_have_attribute("data-state", "indexed", timeout=120_000)
    expect(row.locator(".state")).to_have_text("Đã xử lý xong, tìm được")
    assert "Đã xử lý xong, tìm được" in page.locator("#recent-summary").inner_text()
    screenshot(page, "dang-xu-ly")

    # someone else's list does not show it
    other = new_page()
    login(other, "hr.q1")
    assert other.goto("/tai-len/gan-day").status == 403
