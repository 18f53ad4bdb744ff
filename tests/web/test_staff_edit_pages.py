"""Staff records in the web, in-process: add, edit with catalog pickers, history rows, status, transfer,
print; refused values re-render the form in Vietnamese with nothing stored; roles decide the buttons."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from archive.app import create_app
from archive.errors import NotFound
from archive.models import AuditEntry
from archive.services.access import SYSTEM
from archive.services.staff import add_staff, get_staff
from archive.services.units import add_unit
from tests.support.accounts import csrf_of, make_user, web_logged_in


@pytest.fixture
def web(container):
    add_unit(container, SYSTEM, code="SNV", name="Sở Nội vụ", parent_code="TINH")
    add_unit(container, SYSTEM, code="STC", name="Sở Tài chính", parent_code="TINH")
    make_user(container, "tccb", "hr_officer", "TINH", clearance=2)
    make_user(container, "vanthu", "archivist", "TINH")
    app = create_app(container=container)
    return app


def _post(client, page_url: str, url: str, data: dict):
    return client.post(url, data={**data, "csrf": csrf_of(client.get(page_url).text)}, follow_redirects=False)


def test_an_hr_officer_adds_a_record_with_catalog_codes(web, container):
    client = web_logged_in(web, "tccb")
    assert "/can-bo/them" in client.get("/can-bo").text
    page = client.get("/can-bo/them").text
    assert '<option value="01">Kinh (01)</option>' in page and '<option value="01.003">Chuyên viên (01.003)' in page
    r = _post(client, "/can-bo/them", "/can-bo/them", {
        "code": "NV100", "unit_code": "SNV", "status": "dang_cong_tac", "full_name": "Nguyễn Thị Hương",
        "birth_date": "05/03/1980", "gender": "nu", "grade_code": "01.003", "restriction_level": "0",
        "salary_step": "3", "salary_coefficient": "3,33", "ethnicity": "01", "religion": "00",
        "position": "Chuyên viên"})
    assert r.status_code == 303 and r.headers["location"] == "/ho-so/NV100"
    view = get_staff(container, SYSTEM, "NV100")
    assert view.unit_code == "SNV" and view.profile["salary_coefficient"] == 3.33
    assert view.sensitive == {"ethnicity": "01", "religion": "00"}
    dossier = client.get("/ho-so/NV100").text
    assert "/ho-so/NV100/sua" in dossier and "/ho-so/NV100/so-yeu-ly-lich.pdf" in dossier


def test_a_refused_value_re_renders_the_form_and_stores_nothing(web, container):
    client = web_logged_in(web, "tccb")
    r = _post(client, "/can-bo/them", "/can-bo/them", {
        "code": "NV101", "unit_code": "SNV", "full_name": "Lò Văn Minh", "birth_date": "31/02/1980"})
    assert r.status_code == 422 and "Ngày sinh: “31/02/1980” không phải ngày" in r.text
    assert 'value="Lò Văn Minh"' in r.text  # what was typed stays
    r = _post(client, "/can-bo/them", "/can-bo/them", {
        "code": "NV101", "unit_code": "SNV", "full_name": "Lò Văn Minh", "ethnicity": "kinh"})
    assert r.status_code == 422 and "Dân tộc “kinh” không phải mã trong danh mục" in r.text
    with pytest.raises(NotFound):
        get_staff(container, SYSTEM, "NV101")


def test_edit_fields_and_history_rows_audited_with_before_and_after(web, container):
    add_staff(container, SYSTEM, code="NV200", full_name="Trần Văn Bình", unit_code="SNV", grade_code="01.003",
              profile={"position": "Chuyên viên"})
    client = web_logged_in(web, "tccb")
    form = client.get("/ho-so/NV200/sua").text
    values = dict(re.findall(r'<input id="f-(\w+)" name="\w+" value="([^"]*)"', form))
    assert values["full_name"] == "Trần Văn Bình" and values["position"] == "Chuyên viên"
    r = _post(client, "/ho-so/NV200/sua", "/ho-so/NV200/sua", {**values, "position": "Phó Trưởng phòng",
                                                              "grade_code": "01.002", "ethnicity": "02"})
    assert r.status_code == 303
    view = get_staff(container, SYSTEM, "NV200")
    assert view.profile["position"] == "Phó Trưởng phòng" and view.grade_code == "01.002"
    assert view.sensitive == {"ethnicity": "02"}
    r = _post(client, "/ho-so/NV200/sua", "/ho-so/NV200/qua-trinh", {
        "kind": "khen_thuong", "from_date": "01/12/2025", "summary": "Giấy khen", "d_authority": "UBND tỉnh"})
    assert r.status_code == 303
    (row,) = get_staff(container, SYSTEM, "NV200").history
    assert row["details"] == {"authority": "UBND tỉnh"} and row["from_date"] == "2025-12-01"
    r = _post(client, "/ho-so/NV200/sua", f"/ho-so/NV200/qua-trinh/{row['id']}", {
        "kind": "khen_thuong", "from_date": "01/12/2025", "summary": "Bằng khen"})
    assert r.status_code == 303 and get_staff(container, SYSTEM, "NV200").history[0]["summary"] == "Bằng khen"
    r = _post(client, "/ho-so/NV200/sua", f"/ho-so/NV200/qua-trinh/{row['id']}", {"kind": "khen_thuong",
                                                                                   "from_date": "hôm qua"})
    assert r.status_code == 422 and "Từ ngày" in r.text
    r = _post(client, "/ho-so/NV200/sua", f"/ho-so/NV200/qua-trinh/{row['id']}/xoa", {})
    assert r.status_code == 303 and get_staff(container, SYSTEM, "NV200").history == []
    with container.uow() as uow:
        actions = {e.action: e.details for e in uow.session.scalars(select(AuditEntry).where(
            AuditEntry.target_id == "NV200"))}
    assert actions["staff.update"]["before"]["grade_code"] == "01.003"
    assert actions["staff.update"]["after"]["grade_code"] == "01.002"
    assert actions["staff.history.update"]["before"]["summary"] == "Giấy khen"


def test_status_and_transfer_need_a_decision(web, container):
    add_staff(container, SYSTEM, code="NV300", full_name="Phạm Thu Trang", unit_code="SNV")
    client = web_logged_in(web, "tccb")
    r = _post(client, "/ho-so/NV300/trang-thai", "/ho-so/NV300/trang-thai", {"status": "nghi_huu"})
    assert r.status_code == 422 and "Số quyết định là bắt buộc" in r.text
    assert get_staff(container, SYSTEM, "NV300").status == "dang_cong_tac"
    r = _post(client, "/ho-so/NV300/trang-thai", "/ho-so/NV300/trang-thai", {
        "status": "nghi_huu", "decision_number": "215/QĐ-UBND", "decision_date": "20/11/2026",
        "effective_date": "01/12/2026"})
    assert r.status_code == 303
    view = get_staff(container, SYSTEM, "NV300")
    assert view.status == "nghi_huu" and view.status_decision == "215/QĐ-UBND ngày 20/11/2026"
    assert view.status_effective_date.isoformat() == "2026-12-01"
    r = _post(client, "/ho-so/NV300/chuyen-cong-tac", "/ho-so/NV300/chuyen-cong-tac", {
        "to_unit_code": "STC", "decision_number": "88/QĐ-SNV", "decision_date": "25/11/2026",
        "effective_date": "01/12/2026"})
    assert r.status_code == 303
    view = get_staff(container, SYSTEM, "NV300")
    assert view.unit_code == "STC" and view.assignments[-1]["effective_date"] == "2026-12-01"
    dossier = client.get("/ho-so/NV300").text
    assert "01/12/2026" in dossier and "Hệ thống (dòng lệnh)" not in dossier


def test_an_archivist_sees_no_edit_buttons_and_may_not_post(web, container):
    add_staff(container, SYSTEM, code="NV400", full_name="Vi Văn Sơn", unit_code="SNV")
    client = web_logged_in(web, "vanthu")
    assert "/can-bo/them" not in client.get("/can-bo").text
    dossier = client.get("/ho-so/NV400").text
    assert "/ho-so/NV400/sua" not in dossier and "/ho-so/NV400/trang-thai" not in dossier
    assert client.get("/ho-so/NV400/sua").status_code == 403
    r = _post(client, "/ho-so/NV400", "/ho-so/NV400/qua-trinh", {"kind": "ky_luat", "summary": "Khiển trách"})
    assert r.status_code == 403 and get_staff(container, SYSTEM, "NV400").history == []


def test_the_print_button_downloads_the_pdf(web, container):
    add_staff(container, SYSTEM, code="NV500", full_name="Đinh Thị Hoa", unit_code="SNV")
    client = web_logged_in(web, "tccb")
    r = client.get("/ho-so/NV500/so-yeu-ly-lich.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-disposition"] == 'attachment; filename="so-yeu-ly-lich-NV500.pdf"'


def test_the_entry_date_is_not_shown_as_the_start_of_an_assignment(web, container):
    add_staff(container, SYSTEM, code="NV600", full_name="Hà Văn Tám", unit_code="SNV", status="nghi_huu")
    client = web_logged_in(web, "tccb")
    page = client.get("/ho-so/NV600").text
    row = re.search(r"<td>Sở Nội vụ</td><td class=\"nowrap\">([^<]*)</td>", page)
    assert row and row.group(1) == "—"  # unknown, not the day the record was typed in


def test_a_staff_member_prints_their_own_from_their_account_page(web, container):
    add_staff(container, SYSTEM, code="NV700", full_name="Lê Thị Thu", unit_code="SNV")
    add_staff(container, SYSTEM, code="NV701", full_name="Ngô Văn Hải", unit_code="SNV")
    make_user(container, "thu", "staff", "SNV", staff_code="NV700")
    client = web_logged_in(web, "thu")
    account = client.get("/tai-khoan").text
    assert 'href="/ho-so-cua-toi?in=1"' in account and "In sơ yếu lý lịch" in account
    r = client.get("/ho-so-cua-toi?in=1")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")  # redirected to /ho-so/NV700/so-yeu-ly-lich.pdf
    dossier = client.get("/ho-so/NV700").text
    assert "/ho-so/NV700/so-yeu-ly-lich.pdf" in dossier and "/ho-so/NV700/sua" not in dossier
    assert client.get("/ho-so/NV701/so-yeu-ly-lich.pdf").status_code == 404
    assert "/ho-so-cua-toi" not in web_logged_in(web, "tccb").get("/tai-khoan").text
