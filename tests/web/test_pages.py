"""Web pages in-process (no browser): sessions, CSRF, error pages, the no-script upload, exports.

The same services and embedded back ends as the API tests; the browser tests in
test_browser.py cover the JavaScript and the layout.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from archive.app import create_app
from archive.services.access import SYSTEM
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import PASSWORD, make_user
from tests.support.documents import born_digital_pdf

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def app(container):
    add_unit(container, SYSTEM, code="Q1", name="UBND Quận 1", parent_code="TINH")
    add_unit(container, SYSTEM, code="Q2", name="UBND Quận 2", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="Q1", status="nghi_huu",
              birth_date=date(1955, 7, 20))
    add_staff(container, SYSTEM, code="NV201", full_name="Lê Văn Cường", unit_code="Q2")
    for code, lines in (("NV001", ["Quyết định nghỉ hưu", "Ông Nguyễn Văn An, chuyên viên"]),
                        ("NV201", ["Quyết định thôi việc", "=HYPERLINK(\"http://x\") Lê Văn Cường"])):
        ingest_upload(container, SYSTEM, staff_code=code, stream=io.BytesIO(born_digital_pdf(lines)),
                      file_name=f"{code}.pdf", document_type="quyet_dinh_nghi_huu")
    container.queue.drain()
    make_user(container, "hr.q1", "hr_officer", "Q1")
    make_user(container, "luutru.q1", "archivist", "Q1")
    make_user(container, "quantri", "admin", "TINH", clearance=2)
    make_user(container, "ban.than", "staff", "Q1", staff_code="NV001")
    return create_app(container=container)


def csrf_of(html: str) -> str:
    return CSRF.search(html).group(1)


def login(app, username: str, password: str = PASSWORD, **client_args) -> TestClient:
    client = TestClient(app, **client_args)
    token = csrf_of(client.get("/dang-nhap").text)
    r = client.post("/dang-nhap", data={"username": username, "password": password, "csrf": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def test_pages_need_a_session_and_say_why_after_login(app):
    anonymous = TestClient(app)
    r = anonymous.get("/tra-cuu?q=an", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dang-nhap?next=/tra-cuu%3Fq%3Dan"
    page = anonymous.get(r.headers["location"]).text
    assert "Vui lòng đăng nhập để tiếp tục." in page and 'name="next" value="/tra-cuu?q=an"' in page

    client = login(app, "hr.q1")
    assert client.get("/", follow_redirects=False).headers["location"] == "/tra-cuu"
    own = login(app, "ban.than")
    assert own.get("/", follow_redirects=False).headers["location"] == "/tai-khoan"


def test_session_cookie_is_httponly_samesite_lax_and_secure_over_https(app):
    client = TestClient(app, base_url="https://testserver")
    token = csrf_of(client.get("/dang-nhap").text)
    r = client.post("/dang-nhap", data={"username": "hr.q1", "password": PASSWORD, "csrf": token},
                    follow_redirects=False)
    cookie = next(v for v in r.headers.get_list("set-cookie") if v.startswith("hs_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
    plain = TestClient(app)
    token = csrf_of(plain.get("/dang-nhap").text)
    r = plain.post("/dang-nhap", data={"username": "hr.q1", "password": PASSWORD, "csrf": token},
                   follow_redirects=False)
    assert "Secure" not in next(v for v in r.headers.get_list("set-cookie") if v.startswith("hs_session="))


def test_idle_session_expires_with_a_clear_message_on_the_login_page(app, container):
    client = login(app, "hr.q1")
    container.settings.session_idle_minutes = 0  # any pause is now too long
    r = client.get("/tra-cuu", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/dang-nhap")
    page = client.get(r.headers["location"]).text
    assert "Phiên làm việc đã hết hạn do không hoạt động; hãy đăng nhập lại." in page
    assert "Vui lòng đăng nhập để tiếp tục." not in page, "one reason, not two"


def test_login_failures_and_lockout_show_the_services_message(app):
    client = TestClient(app)
    for _ in range(5):
        token = csrf_of(client.get("/dang-nhap").text)
        r = client.post("/dang-nhap", data={"username": "hr.q1", "password": "sai-mat-khau-1", "csrf": token})
        assert r.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in r.text
    token = csrf_of(client.get("/dang-nhap").text)
    r = client.post("/dang-nhap", data={"username": "hr.q1", "password": PASSWORD, "csrf": token})
    assert r.status_code == 401 and "Tài khoản tạm khoá do nhập sai mật khẩu nhiều lần" in r.text
    assert 'value="hr.q1"' in r.text, "the username stays in the form"


def test_every_post_needs_the_forms_csrf_token(app):
    admin = login(app, "quantri")
    page = admin.get("/quan-tri").text
    data = {"parent_code": "TINH", "code": "Q3", "name": "UBND Quận 3"}
    refused = admin.post("/quan-tri/don-vi", data=data)
    assert refused.status_code == 403 and "Biểu mẫu đã hết hạn" in refused.text
    other = login(app, "hr.q1")
    stolen = csrf_of(other.get("/tai-khoan").text)
    assert admin.post("/quan-tri/don-vi", data={**data, "csrf": stolen}).status_code == 403, "tokens are per session"
    ok = admin.post("/quan-tri/don-vi", data={**data, "csrf": csrf_of(page)}, follow_redirects=False)
    assert ok.status_code == 303
    assert "Đã thêm đơn vị Q3." in admin.get(ok.headers["location"]).text
    no_token = TestClient(app).post("/dang-nhap", data={"username": "hr.q1", "password": PASSWORD})
    assert no_token.status_code == 403, "even the login form"


def test_error_pages_are_vietnamese_html_and_the_api_keeps_json(app, monkeypatch):
    client = login(app, "hr.q1")
    r = client.get("/khong-co")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"] and "Không tìm thấy" in r.text
    assert client.get("/api/v1/khong-co").json() == {"detail": "Not Found"}
    r = client.get("/ho-so/NV201")
    assert r.status_code == 404 and "Không tìm thấy hồ sơ." in r.text and "Lê Văn Cường" not in r.text
    assert client.get("/quan-tri").status_code == 403
    assert "Không có quyền truy cập" in client.get("/kiem-tra").text

    from archive.services import search

    def broken(*_a, **_k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(search, "search_people", broken)
    r = client.get("/tra-cuu?q=an")
    assert r.status_code == 500 and "Đã xảy ra lỗi" in r.text
    assert "secret internals" not in r.text and "Traceback" not in r.text


def test_search_page_keeps_the_query_in_the_url_and_shows_only_what_the_scope_allows(app):
    client = login(app, "hr.q1")
    page = client.get("/tra-cuu", params={"q": "quyet dinh", "trang_thai": "nghi_huu"}).text
    assert "1 cán bộ khớp" in page and "Nguyễn Văn An" in page and "Lê Văn Cường" not in page
    assert 'value="nghi_huu" checked' in page and 'value="quyet dinh"' in page
    assert "<mark>Quyết</mark> <mark>định</mark>" in page
    bad = client.get("/tra-cuu", params={"q": "an", "nam_sinh_tu": "năm"}).text
    assert "không phải là một số hợp lệ" in bad
    english = client.get("/tra-cuu", params={"q": "an", "lang": "en"})
    assert "Search dossiers" in english.text and "Retired" in english.text
    assert "Search dossiers" in client.get("/tra-cuu").text, "the choice is kept in a cookie"


def test_results_are_paged_and_the_export_takes_every_page(app, container):
    container.settings.web_page_size = 1
    admin = login(app, "quantri")
    first = admin.get("/tra-cuu", params={"q": "quyet dinh"}).text
    assert "Hiển thị 1–1 trong 2" in first and first.count('class="hit"') == 1
    assert 'href="/tra-cuu?q=quyet+dinh&amp;trang=2" rel="next"' in first
    second = admin.get("/tra-cuu", params={"q": "quyet dinh", "trang": "2"}).text
    assert "Hiển thị 2–2 trong 2" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert 'href="/tra-cuu/xuat.xlsx?q=quyet+dinh"' in second, "the export ignores the page number"


def test_csv_export_keeps_formulas_as_text(app):
    admin = login(app, "quantri")
    r = admin.get("/tra-cuu/xuat.csv", params={"q": "quyet dinh"})
    assert r.headers["content-disposition"].startswith('attachment; filename="tra-cuu-')
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "STT" and len(rows) == 3
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_upload_without_javascript_then_poll_the_state(app, container):
    client = login(app, "luutru.q1")
    page = client.get("/tai-len?can_bo=NV001").text
    files = [("files", ("a.pdf", born_digital_pdf(["Bằng cử nhân", "Nguyễn Văn An"]), "application/pdf")),
             ("files", ("b.txt", b"khong phai ban quet", "text/plain"))]
    r = client.post("/tai-len", data={"staff_code": "NV001", "document_type": "van_bang_chung_chi",
                                      "csrf": csrf_of(page)}, files=files)
    assert r.status_code == 200
    assert "Đang chờ xử lý" in r.text and "Tải lên thất bại" in r.text and "không được hỗ trợ" in r.text
    doc_id = int(re.search(r'data-doc-id="(\d+)"', r.text).group(1))
    container.queue.drain()
    states = client.get("/tai-len/trang-thai", params={"id": doc_id}, headers={"Accept": "application/json"})
    assert states.json()["documents"][0] | {"state": "indexed", "label": "Đã xử lý xong, tìm được", "final": True} == \
        states.json()["documents"][0]

    one = client.post("/tai-len/tep", data={"staff_code": "NV201"}, files={"file": ("c.pdf", b"%PDF-1.4", "application/pdf")},
                      headers={"X-CSRF-Token": csrf_of(page), "Accept": "application/json"})
    assert one.status_code == 404 and one.json()["detail"] == "Không tìm thấy hồ sơ.", "out of scope: not found"
    expired = TestClient(app).get("/tai-len/trang-thai", headers={"Accept": "application/json"})
    assert expired.status_code == 401 and expired.json()["login"] == "/dang-nhap"


def test_admin_creates_revokes_and_resets_accounts_with_form_errors_inline(app):
    admin = login(app, "quantri")
    token = csrf_of(admin.get("/quan-tri/tai-khoan").text)
    weak = admin.post("/quan-tri/tai-khoan", data={"username": "moi.q2", "password": "123", "unit_code": "Q2",
                                                   "role": "auditor", "full_name": "Người Mới", "csrf": token})
    assert weak.status_code == 422 and "Mật khẩu phải có ít nhất 12 ký tự." in weak.text
    assert 'value="Người Mới"' in weak.text and "123" not in re.findall(r'value="([^"]*)"', weak.text)
    bad_date = admin.post("/quan-tri/tai-khoan", data={"username": "moi.q2", "password": "mat-khau-2026",
                                                       "unit_code": "Q2", "role": "auditor", "expires": "31/02/2030",
                                                       "csrf": token})
    assert bad_date.status_code == 422 and "dd/mm/yyyy" in bad_date.text
    made = admin.post("/quan-tri/tai-khoan", data={"username": "moi.q2", "password": "mat-khau-2026",
                                                   "unit_code": "Q2", "role": "auditor", "csrf": token})
    assert "Đã tạo tài khoản moi.q2." in made.text and "Kiểm tra tại Q2" in made.text
    login(app, "moi.q2", "mat-khau-2026")
    admin.post("/quan-tri/tai-khoan/moi.q2/mat-khau", data={"new_password": "mat-khau-moi-2027", "csrf": token})
    login(app, "moi.q2", "mat-khau-moi-2027")
    revoked = admin.post("/quan-tri/tai-khoan/moi.q2/thu-hoi", data={"reason": "nghỉ việc", "csrf": token})
    assert "Đã thu hồi tài khoản moi.q2." in revoked.text and "Đã thu hồi" in revoked.text
    client = TestClient(app)
    r = client.post("/dang-nhap", data={"username": "moi.q2", "password": "mat-khau-moi-2027",
                                        "csrf": csrf_of(client.get("/dang-nhap").text)})
    assert r.status_code == 401

    saved = admin.post("/quan-tri/danh-muc/loai_tai_lieu", data={"code": "khac", "name": "Tài liệu khác (bổ sung)",
                                                                 "csrf": token})
    assert "Đã lưu mục khac." in saved.text and 'value="Tài liệu khác (bổ sung)"' in saved.text


def test_auditor_page_filters_by_local_dates_and_verifies_the_chain(app, container):
    make_user(container, "kiemtra", "auditor", "TINH")
    client = login(app, "kiemtra")
    page = client.get("/kiem-tra", params={"nguoi_dung": "kiemtra", "thao_tac": "login.success"}).text
    assert page.count("<tr>") == 2 and "Đăng nhập" in page
    assert "Không có mục nào phù hợp." in client.get("/kiem-tra", params={"den_ngay": "01/01/2000"}).text
    assert "Ngày phải có dạng dd/mm/yyyy" in client.get("/kiem-tra", params={"tu_ngay": "2000"}).text
    assert "Toàn vẹn: đã kiểm tra" in client.get("/kiem-tra", params={"xac_minh": "1"}).text


def test_dossier_shows_thumbnails_and_the_viewer_shows_the_scan_beside_the_text(app):
    client = login(app, "hr.q1")
    dossier = client.get("/ho-so/NV001").text
    thumb = re.search(r'src="(/ho-so/NV001/tai-lieu/(\d+)/trang/1\.png\?w=160)(?:&amp;v=[\d-]+)?"', dossier)
    assert thumb, "no thumbnail on the dossier page"
    r = client.get(thumb.group(1))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    viewer = client.get(f"/ho-so/NV001/tai-lieu/{thumb.group(2)}").text
    assert f"/ho-so/NV001/tai-lieu/{thumb.group(2)}/trang/1.png?w=1000" in viewer and "Bản quét trang 1" in viewer
    assert client.get(f"/ho-so/NV001/tai-lieu/{thumb.group(2)}/trang/1.png?w=7").status_code == 422
    other = re.search(r"/tai-lieu/(\d+)", login(app, "quantri").get("/ho-so/NV201").text).group(1)
    assert client.get(f"/ho-so/NV201/tai-lieu/{other}/trang/1.png").status_code == 404  # out of scope
