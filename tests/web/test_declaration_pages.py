"""Kê khai pages in-process (issue 18): the person edits and signs, the HR head sees the diff and sends it
back with a reason, a stranger's signed upload is refused with a Vietnamese message, the admin's
certificate page lists what is trusted."""

from __future__ import annotations

import re

from archive.services import signing
from archive.services.staff import get_staff
from archive.services.access import SYSTEM
from tests.support.accounts import csrf_of, web_logged_in
from tests.support.declarations import tp_hcm_office
from tests.support.test_pki import PASSWORD


def _app(c):
    from archive.app import create_app

    return create_app(container=c)


def test_the_person_declares_and_signs_and_the_hr_head_sends_it_back(container) -> None:
    o = tp_hcm_office(container)
    app = _app(container)
    an = web_logged_in(app, "nvan")
    page = an.get("/ke-khai")
    assert page.status_code == 200 and "Mở bản kê khai mới" in page.text
    r = an.post("/ke-khai", data={"csrf": csrf_of(page.text), "loai": "initial"}, follow_redirects=False)
    assert r.status_code == 303
    form_url = r.headers["location"]
    did = int(re.search(r"/ke-khai/(\d+)/sua", form_url).group(1))
    form = an.get(form_url)
    assert form.status_code == 200 and 'name="f_hometown"' in form.text and "salary_step" not in form.text
    token = csrf_of(form.text)
    r = an.post(form_url, data={"csrf": token, "f_hometown": "Đà Nẵng"}, follow_redirects=False)
    assert r.status_code == 303
    r = an.post(f"/ke-khai/{did}/tai-lieu", data={"csrf": token},
                files={"tep": ("giay-khai-sinh.pdf", b"%PDF-1.4 ban sao", "application/pdf")}, follow_redirects=False)
    assert r.status_code == 303
    r = an.post(f"/ke-khai/{did}/ky", data={"csrf": token, "mat_khau": "sai"},
                files={"p12": ("an.p12", o.pki.person.p12, "application/x-pkcs12")})
    assert "sai mật khẩu" in r.text  # back on the page with the service's sentence
    r = an.post(f"/ke-khai/{did}/ky", data={"csrf": token, "mat_khau": PASSWORD},
                files={"p12": ("an.p12", o.pki.person.p12, "application/x-pkcs12")})
    assert r.status_code == 200 and 'data-state="declared"' in r.text
    assert get_staff(container, SYSTEM, "NV001").profile["hometown"] == "Hà Nội"

    binh = web_logged_in(app, "binh")
    queue = binh.get("/ke-khai/hang-doi")
    assert queue.status_code == 200 and f'data-declaration="{did}"' in queue.text and "Xác thực:" in queue.text
    page = binh.get(f"/ke-khai/{did}")
    assert "<del>Hà Nội</del>" in page.text and "<ins>Đà Nẵng</ins>" in page.text and "giay-khai-sinh.pdf" in page.text
    token = csrf_of(page.text)
    issued = binh.get(f"/ke-khai/{did}/ban-can-ky.pdf")
    assert issued.status_code == 200 and issued.headers["content-type"] == "application/pdf"
    foreign = signing.sign(issued.content, o.pki.stranger.p12, PASSWORD, field_name="XacThuc", reason="x")
    r = binh.post(f"/ke-khai/{did}/ban-da-ky", data={"csrf": token}, files={"tep": ("k.pdf", foreign, "application/pdf")})
    assert "không do tổ chức chứng thực được tin cậy cấp" in r.text and 'data-state="declared"' in r.text
    r = binh.post(f"/ke-khai/{did}/tra-lai", data={"csrf": token, "ly_do": "Quê quán khác giấy khai sinh"})
    assert 'data-state="sent_back"' in r.text and "Quê quán khác giấy khai sinh" in r.text
    assert "Quê quán khác giấy khai sinh" in an.get(f"/ke-khai/{did}/sua").text


def test_the_admin_registers_certificates_and_others_cannot(container) -> None:
    o = tp_hcm_office(container)
    from tests.support.accounts import make_user

    make_user(container, "quantri", "admin", "TINH")
    app = _app(container)
    admin = web_logged_in(app, "quantri")
    page = admin.get("/quan-tri/chung-thu")
    assert page.status_code == 200 and o.pki.person.fingerprint[:32] in page.text
    r = admin.post("/quan-tri/chung-thu/ca", data={"csrf": csrf_of(page.text)},
                   files={"tep": ("x.pem", b"not a certificate", "application/x-pem-file")})
    assert "không đọc được" in r.text
    r = admin.post("/quan-tri/chung-thu/nguoi-dung", data={"csrf": csrf_of(page.text), "tai_khoan": "snv"},
                   files={"chung_thu": ("s.pem", o.pki.stranger.cert_pem, "application/x-pem-file")})
    assert "Đã đăng ký chứng thư số." in r.text and o.pki.stranger.fingerprint[:32] in r.text
    assert web_logged_in(app, "binh").get("/quan-tri/chung-thu").status_code == 403
