"""The web's form POSTs: the session cookie and the body's size are checked before the body is read
(archive.web.deps.WebGuard), as the API's guard does for tokens. An anonymous 64 MiB upload or a
large form is answered — a 303 to the login page for browsers, 401 JSON for our scripts — without
a byte of it being read; a signed-in user's oversized form gets a Vietnamese 413 page, unread.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from archive.app import create_app
from archive.models import Unit
from archive.services.access import SYSTEM
from archive.services.accounts import reset_password, revoke_token
from archive.services.staff import add_staff
from archive.services.units import add_unit
from archive.web.security import SESSION_COOKIE
from tests.support.accounts import csrf_of, make_user, web_logged_in
from tests.support.asgi import asgi_call
from tests.support.documents import born_digital_pdf

BIG_UPLOAD = (b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.pdf\"\r\n\r\n"
              + b"x" * (64 << 20) + b"\r\n--b--\r\n")
MULTIPART = {"content-type": "multipart/form-data; boundary=b", "content-length": str(len(BIG_UPLOAD))}
BIG_FORM = b"code=Q9&name=" + b"x" * (8 << 20)
URLENCODED = {"content-type": "application/x-www-form-urlencoded", "content-length": str(len(BIG_FORM))}


@pytest.fixture
def site(container):
    add_unit(container, SYSTEM, code="Q1", name="UBND Quận 1", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="Q1")
    make_user(container, "luutru.q1", "archivist", "Q1")
    make_user(container, "quantri", "admin", "TINH")
    return create_app(container=container), container


def _nothing_spooled(c) -> None:
    assert not c.settings.tmp_dir.exists() or list(c.settings.tmp_dir.iterdir()) == []


def _cookie(client: TestClient) -> str:
    return f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}"


@pytest.mark.parametrize("cookie", [None, f"{SESSION_COOKIE}=khong-hop-le"], ids=["no-cookie", "forged-cookie"])
def test_an_anonymous_64_mib_upload_is_sent_to_the_login_page_unread(site, cookie):
    app, c = site
    headers = {**MULTIPART, "referer": "http://testserver/tai-len", **({"cookie": cookie} if cookie else {})}
    answer = asgi_call(app, "POST", "/tai-len", headers, BIG_UPLOAD)
    assert (answer.status, answer.read) == (303, 0)
    assert answer.headers["location"].startswith("/dang-nhap?next=/tai-len")
    assert answer.headers["connection"] == "close"
    _nothing_spooled(c)


def test_an_anonymous_upload_from_the_page_script_gets_401_json_unread(site):
    app, c = site
    answer = asgi_call(app, "POST", "/tai-len/tep", {**MULTIPART, "accept": "application/json"}, BIG_UPLOAD)
    assert (answer.status, answer.read) == (401, 0)
    assert b'"login":"/dang-nhap"' in answer.body
    _nothing_spooled(c)


@pytest.mark.parametrize("path", ["/quan-tri/don-vi", "/tra-cuu/da-luu", "/tai-khoan/mat-khau"])
def test_a_large_anonymous_form_is_refused_unread(site, path):
    answer = asgi_call(site[0], "POST", path, URLENCODED, BIG_FORM)
    assert (answer.status, answer.read) == (303, 0)
    assert answer.headers["location"].startswith("/dang-nhap")


def test_an_ended_session_is_refused_unread_and_the_login_page_says_why(site):
    app, c = site
    browser = web_logged_in(app, "quantri")
    revoke_token(c, browser.cookies[SESSION_COOKIE])
    answer = asgi_call(app, "POST", "/quan-tri/don-vi", {**URLENCODED, "cookie": _cookie(browser)}, BIG_FORM)
    assert (answer.status, answer.read) == (303, 0)
    cookies = " ".join(answer.set_cookies)
    assert "hs_flash=" in cookies and f'{SESSION_COOKIE}=""' in cookies  # the reason, and the cookie cleared


def test_a_signed_in_users_oversized_form_is_a_vietnamese_413_page_unread(site):
    app, c = site
    browser = web_logged_in(app, "quantri")
    answer = asgi_call(app, "POST", "/quan-tri/don-vi", {**URLENCODED, "cookie": _cookie(browser)}, BIG_FORM)
    assert (answer.status, answer.read) == (413, 0)
    page = answer.body.decode()
    assert "Nội dung yêu cầu quá lớn: vượt giới hạn 1 MB." in page and "Nội dung gửi lên quá lớn" in page
    # without a Content-Length the body is counted and cut off just past the bound
    chunked = {"content-type": URLENCODED["content-type"], "cookie": _cookie(browser)}
    answer = asgi_call(app, "POST", "/quan-tri/don-vi", chunked, BIG_FORM)
    assert answer.status == 413 and answer.read <= (1 << 20) + (1 << 16)
    with c.uow() as uow:
        assert uow.session.scalar(select(Unit).where(Unit.code == "Q9")) is None


def test_an_upload_over_the_upload_limit_is_413_before_it_is_spooled(site):
    app, c = site
    c.settings.max_upload_bytes = 1 << 20
    browser = web_logged_in(app, "luutru.q1")
    answer = asgi_call(app, "POST", "/tai-len", {**MULTIPART, "cookie": _cookie(browser)}, BIG_UPLOAD)
    assert (answer.status, answer.read) == (413, 0)
    assert "quá lớn" in answer.body.decode()
    _nothing_spooled(c)


def test_the_login_form_needs_no_session_but_its_body_is_bounded(site):
    app = site[0]
    answer = asgi_call(app, "POST", "/dang-nhap", URLENCODED, BIG_FORM)
    assert (answer.status, answer.read) == (413, 0)
    web_logged_in(app, "quantri")  # and a real sign-in still works


def test_a_signed_in_archivist_still_uploads_through_the_page_and_the_script(site):
    app = site[0]
    browser = web_logged_in(app, "luutru.q1")
    csrf = csrf_of(browser.get("/tai-len").text)
    r = browser.post("/tai-len", data={"staff_code": "NV001", "csrf": csrf},
                     files=[("files", ("syll.pdf", born_digital_pdf(["Sơ yếu lý lịch"]), "application/pdf"))])
    assert r.status_code == 200, r.text[:500]
    r = browser.post("/tai-len/tep", data={"staff_code": "NV001"},
                     files={"file": ("qd.pdf", born_digital_pdf(["Quyết định"]), "application/pdf")},
                     headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
    assert r.status_code == 201 and r.json()["staff_code"] == "NV001", r.text
    # CSRF is still the route's: a signed-in POST without the token is refused (after the guard let it in)
    r = browser.post("/quan-tri/don-vi", data={"code": "Q9", "name": "UBND Quận 9"})
    assert r.status_code == 403


def test_a_temporary_password_can_still_be_changed(site):
    """The guard checks the session, not what the user may do: the account page's form still works."""
    app, c = site
    temporary = "tam-thoi-2026-abc"
    reset_password(c, SYSTEM, "luutru.q1", temporary)
    browser = TestClient(app)
    r = browser.post("/dang-nhap", data={"username": "luutru.q1", "password": temporary,
                                         "csrf": csrf_of(browser.get("/dang-nhap").text)}, follow_redirects=False)
    assert r.status_code == 303 and unquote(r.headers["location"]) == "/tai-khoan"
    csrf = csrf_of(browser.get("/tai-khoan").text)
    r = browser.post("/tai-khoan/mat-khau", data={"old_password": temporary, "new_password": "mat-khau-moi-2026-dai",
                                                  "confirm_password": "mat-khau-moi-2026-dai", "csrf": csrf},
                     follow_redirects=False)
    assert r.status_code == 303, r.text[:400]
