"""TP.HCM QĐ 51/2024 Đ7.2 end to end in Chromium against `archive serve` (profile tp-hcm), three users and
three signatures: the person declares and signs with their PKCS#12; the HR head sends it back with a
reason, then verifies by "download, sign elsewhere, upload" (a stranger's signature refused first);
the unit head approves; the record is unchanged until then; the deadlines show on the way; the signed
export validates with pyHanko's validator against the test root."""

from __future__ import annotations

import re
import signal

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail in CI) with the reason
    expect = None

from archive.services import signing
from tests.support.declarations import tp_hcm_office
from tests.support.processes import ARCHIVE, cli, free_port, service_env, start, stop_group, wait_http
from tests.support.test_pki import PASSWORD
from tests.web.conftest import VIEWPORT, login, screenshot

pytestmark = pytest.mark.slow
P12 = "application/x-pkcs12"


@pytest.fixture(scope="module")
def tp_hcm_site(tmp_path_factory, playwright_api):
    tmp = tmp_path_factory.mktemp("declarations")
    data = tmp / "data"
    env = service_env(data, profile="tp-hcm", sweep_interval_seconds=2, ocr_workers=1)
    assert cli(env, "init").returncode == 0
    from archive.bootstrap import build
    from archive.settings import Settings

    c = build(Settings(data_dir=data, profile="tp-hcm"))
    try:
        office = tp_hcm_office(c)
    finally:
        c.close()
    port = free_port()
    server = start([ARCHIVE, "serve", "--port", str(port)], env, tmp / "serve.log")
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_http(base_url + "/api/v1/health", timeout=90)
        yield base_url, office
    finally:
        stop_group(server, signal.SIGINT, timeout=60)


@pytest.fixture
def page_for(browser, tp_hcm_site):
    base_url, _office = tp_hcm_site
    contexts = []

    def make(username: str):
        ctx = browser.new_context(viewport=VIEWPORT, locale="vi-VN", accept_downloads=True, base_url=base_url)
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        page = ctx.new_page()
        login(page, username)
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def _hometown(page) -> str:
    page.goto("/ho-so/NV001")
    return page.locator("main").inner_text()


def _sign_with_p12(page, p12: bytes) -> None:
    page.set_input_files("#decl-p12", files=[{"name": "khoa.p12", "mimeType": P12, "buffer": p12}])
    page.fill("#decl-password", PASSWORD)
    page.click("#decl-sign")
    page.wait_for_load_state()


def test_three_users_three_signatures_a_send_back_and_a_signed_export(page_for, tp_hcm_site) -> None:
    _base, o = tp_hcm_site
    person = page_for("nvan")
    person.goto("/ke-khai")
    person.click("#decl-open")
    person.wait_for_url(re.compile(r"/ke-khai/\d+/sua"))
    did = int(re.search(r"/ke-khai/(\d+)/sua", person.url).group(1))
    person.fill("#f-hometown", "Đà Nẵng")
    person.click("#decl-save")
    expect(person.get_by_role("status").filter(has_text="Đã lưu nội dung kê khai.")).to_be_visible()
    person.set_input_files("#decl-evidence", files=[{"name": "giay-khai-sinh.pdf", "mimeType": "application/pdf",
                                                     "buffer": b"%PDF-1.4 ban sao giay khai sinh"}])
    person.click("#decl-evidence-add")
    expect(person.get_by_role("link", name="giay-khai-sinh.pdf")).to_be_visible()
    person.click("#decl-to-sign")
    _sign_with_p12(person, o.pki.person.p12)
    expect(person.locator("#decl-state")).to_have_attribute("data-state", "declared")
    expect(person.locator("tr[data-step='verify']")).to_contain_text("Xác thực")  # its deadline from the profile

    hr = page_for("binh")
    hr.goto("/ke-khai/hang-doi")
    row = hr.locator(f"tr[data-declaration='{did}']")
    expect(row).to_contain_text("Xác thực:")  # the deadline in the queue
    screenshot(hr, "ke-khai-hang-doi")
    assert "Hà Nội" in _hometown(hr)  # the record is unchanged while pending
    hr.goto(f"/ke-khai/{did}")
    expect(hr.locator("tr[data-field='hometown'] del")).to_have_text("Hà Nội")
    expect(hr.locator("tr[data-field='hometown'] ins")).to_have_text("Đà Nẵng")
    hr.fill("#decl-reason", "Quê quán khác với bản sao giấy khai sinh")
    hr.click("#decl-send-back")
    expect(hr.locator("#decl-state")).to_have_attribute("data-state", "sent_back")

    person.goto(f"/ke-khai/{did}/sua")
    expect(person.locator("#decl-sent-back")).to_contain_text("Quê quán khác với bản sao giấy khai sinh")
    person.fill("#f-hometown", "Quảng Nam")
    person.click("#decl-save")
    person.click("#decl-to-sign")
    _sign_with_p12(person, o.pki.person.p12)
    expect(person.locator("#decl-state")).to_have_attribute("data-state", "declared")

    hr.goto(f"/ke-khai/{did}")
    with hr.expect_download() as got:
        hr.click("#decl-download-to-sign")
    issued = open(got.value.path(), "rb").read()
    foreign = signing.sign(issued, o.pki.stranger.p12, PASSWORD, field_name="XacThuc", reason="Xác thực")
    hr.set_input_files("#decl-signed", files=[{"name": "da-ky.pdf", "mimeType": "application/pdf", "buffer": foreign}])
    hr.click("#decl-upload")
    expect(hr.get_by_role("alert").filter(has_text="không do tổ chức chứng thực được tin cậy cấp")).to_be_visible()
    expect(hr.locator("#decl-state")).to_have_attribute("data-state", "declared")
    # the HR head's USB token, simulated: the same key outside the browser
    signed = signing.sign(issued, o.pki.hr_head.p12, PASSWORD, field_name="XacThuc", reason="Xác thực")
    hr.set_input_files("#decl-signed", files=[{"name": "da-ky.pdf", "mimeType": "application/pdf", "buffer": signed}])
    hr.click("#decl-upload")
    expect(hr.locator("#decl-state")).to_have_attribute("data-state", "verified")
    assert "Quảng Nam" not in _hometown(hr)

    head = page_for("cuong")
    head.goto(f"/ke-khai/{did}")
    expect(head.locator("tr[data-step='approve']")).to_contain_text("Phê duyệt")
    _sign_with_p12(head, o.pki.unit_head.p12)
    expect(head.locator("#decl-state")).to_have_attribute("data-state", "applied")
    expect(head.locator("ol.signatures li")).to_have_count(3)
    screenshot(head, "ke-khai-da-phe-duyet", full_page=True)
    assert "Quảng Nam" in _hometown(hr)

    person.goto(f"/ke-khai/{did}")
    with person.expect_download() as got:
        person.click("#decl-export")
    exported = open(got.value.path(), "rb").read()
    checks = signing.validate(exported, signing.load_certificates(o.pki.root_pem))
    assert [c.signer_subject for c in checks] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    assert all(c.ok for c in checks)
    tampered = bytearray(exported)
    tampered[len(exported) // 4] ^= 0x01
    assert not any(c.ok for c in signing.validate(bytes(tampered), signing.load_certificates(o.pki.root_pem)))
