"""The search page shows people with their pages beneath; the staff list; saved searches (in-process)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from archive.app import create_app
from archive.services.access import SYSTEM
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import csrf_of, make_user, web_logged_in
from tests.support.documents import born_digital_pdf


@pytest.fixture
def app(container):
    add_unit(container, SYSTEM, code="Q1", name="UBND Quận 1", parent_code="TINH")
    add_unit(container, SYSTEM, code="Q2", name="UBND Quận 2", parent_code="TINH")
    for code, name, unit, status, born in (
            ("NV001", "Nguyễn Văn An", "Q1", "nghi_huu", date(1955, 7, 20)),
            ("NV002", "Trần Văn Đức", "Q1", "tu_tran", date(1950, 2, 3)),
            ("NV003", "Lê Thị Ánh", "Q1", "dang_cong_tac", date(1980, 1, 1)),
            ("NV201", "Lê Văn Cường", "Q2", "dang_cong_tac", None)):
        add_staff(container, SYSTEM, code=code, full_name=name, unit_code=unit, status=status, birth_date=born,
                  grade_code="01.003")
    for code, lines, pages in (("NV001", ["Quyết định nghỉ hưu", "Ông Nguyễn Văn An, chuyên viên"], 2),
                               ("NV201", ["Quyết định thôi việc ông Lê Văn Cường"], 1)):
        ingest_upload(container, SYSTEM, staff_code=code, file_name=f"{code}.pdf", document_type="quyet_dinh_nghi_huu",
                      stream=io.BytesIO(born_digital_pdf(lines, pages=pages)))
    container.queue.wake("index")
    container.queue.drain()
    make_user(container, "hr.q1", "hr_officer", "Q1")
    return create_app(container=container)


def test_people_are_listed_with_their_matching_pages_beneath(app):
    page = web_logged_in(app, "hr.q1").get("/tra-cuu", params={"q": "quyet dinh"}).text
    assert "1 cán bộ khớp" in page and "Lê Văn Cường" not in page
    person = page[page.index('data-kind="person"'):]
    assert "Nguyễn Văn An" in person and "2 trang khớp" in person and "Sinh ngày 20/07/1955" in person
    assert person.count('class="page-link"') == 2 and "<mark>Quyết</mark> <mark>định</mark>" in person
    assert re.search(r'<input type="search" id="q"[^>]*autofocus', page)
    by_page = web_logged_in(app, "hr.q1").get("/tra-cuu", params={"q": "quyet dinh", "nhom": "trang"}).text
    assert "2 trang tài liệu khớp" in by_page and re.search(r'value="trang"[^>]*checked', by_page)


def test_a_record_without_documents_is_found_and_a_status_filter_alone_counts_people(app):
    client = web_logged_in(app, "hr.q1")
    page = client.get("/tra-cuu", params={"q": "tran van duc"}).text
    assert "Trần Văn Đức" in page and "khớp thông tin hồ sơ" in page
    deceased = client.get("/tra-cuu", params={"trang_thai": "tu_tran"}).text
    assert "1 cán bộ khớp" in deceased and 'value="tu_tran" checked> Từ trần <span class="count">(1)</span>' in deceased


def test_nothing_found_offers_close_names_and_a_reversed_year_range_is_an_error(app):
    client = web_logged_in(app, "hr.q1")
    page = client.get("/tra-cuu", params={"q": "Trần Văn Đứcc Xyzz"}).text
    assert "Có phải bạn muốn tìm:" in page and ">Trần Văn Đức</a>" in page
    bad = client.get("/tra-cuu", params={"q": "an", "nam_sinh_tu": "1990", "nam_sinh_den": "1950"}).text
    assert "Khoảng năm sinh bị ngược" in bad


def test_sorting_by_name_follows_the_vietnamese_order_of_given_names(app):
    page = web_logged_in(app, "hr.q1").get("/tra-cuu", params={"trang_thai": ["nghi_huu", "tu_tran", "dang_cong_tac"],
                                                               "sap_xep": "ten"}).text
    order = [m for m in re.findall(r'data-staff="(NV\d+)"', page)]
    assert order == ["NV001", "NV003", "NV002"]  # An, Ánh, Đức


def test_the_xlsx_export_has_a_row_per_person_with_the_records_fields(app):
    r = web_logged_in(app, "hr.q1").get("/tra-cuu/xuat.xlsx", params={"q": "nguyen van an"})
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["STT", "Mã cán bộ", "Họ và tên", "Ngày sinh", "Đơn vị"]
    assert rows[1][:5] == [1, "NV001", "Nguyễn Văn An", "20/07/1955", "UBND Quận 1"] and len(rows) == 2
    assert rows[1][6:] == ["Nghỉ hưu", None, 1, 2]  # status, status date (none recorded), documents, pages matching


def test_a_saved_search_is_listed_run_by_its_link_and_deleted(app):
    client = web_logged_in(app, "hr.q1")
    page = client.get("/tra-cuu", params={"q": "quyet dinh", "nhom": "trang"}).text
    r = client.post("/tra-cuu/da-luu", data={"ten": "Quyết định", "truy_van": "q=quyet+dinh&nhom=trang",
                                             "csrf": csrf_of(page[page.index('action="/tra-cuu/da-luu"'):])},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/tra-cuu?q=quyet+dinh&nhom=trang"
    listed = client.get(r.headers["location"]).text
    assert "Đã lưu tìm kiếm “Quyết định”." in listed
    assert '<a href="/tra-cuu?q=quyet+dinh&amp;nhom=trang">Quyết định</a>' in listed
    delete = re.search(r'action="(/tra-cuu/da-luu/\d+/xoa)"', listed).group(1)
    r = client.post(delete, data={"csrf": csrf_of(listed)}, follow_redirects=False)
    assert r.status_code == 303
    assert "Quyết định</a>" not in client.get("/tra-cuu").text


def test_the_staff_list_shows_every_record_in_scope_in_vietnamese_order(app):
    client = web_logged_in(app, "hr.q1")
    home = client.get("/tra-cuu").text
    assert '<a href="/can-bo">Danh sách cán bộ</a>' in home
    page = client.get("/can-bo").text
    assert "3 cán bộ" in page and re.findall(r'data-staff="(NV\d+)"', page) == ["NV001", "NV003", "NV002"]
    assert "Lê Văn Cường" not in page  # Q2 is beyond the HR officer of Q1
    assert re.findall(r'data-staff="(NV\d+)"', client.get("/can-bo", params={"sap_xep": "ngay-sinh"}).text) == [
        "NV002", "NV001", "NV003"]
    retired = client.get("/can-bo", params={"trang_thai": "nghi_huu"}).text
    assert re.findall(r'data-staff="(NV\d+)"', retired) == ["NV001"]
    assert "Khoảng năm sinh bị ngược" in client.get("/can-bo", params={"nam_sinh_tu": "1990",
                                                                        "nam_sinh_den": "1950"}).text
