"""Nhập hồ sơ từ Excel in the web (in-process): an HR officer uploads a legacy sheet, sees the dry run with
problems in Vietnamese, changes the mapping, applies; others cannot reach the page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from archive.bootstrap import build
from archive.db import migrate
from archive.models import Staff
from archive.services.access import SYSTEM
from archive.services.catalogs import seed_catalogs
from archive.services.units import add_unit
from archive.settings import Settings
from tests.support.accounts import csrf_of, make_user, web_logged_in
from tests.support.staff_sheets import encode_tcvn3, encode_vni, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def office(tmp_path):
    s = Settings(data_dir=tmp_path / "data")
    s.data_dir.mkdir(parents=True)
    migrate(s.database_url)
    c = build(s)
    seed_catalogs(c)
    add_unit(c, SYSTEM, code="TINH", name="Sở Nội vụ")
    add_unit(c, SYSTEM, code="A", name="Phòng A", parent_code="TINH")
    add_unit(c, SYSTEM, code="B", name="Phòng B", parent_code="TINH")
    make_user(c, "tccb.a", "hr_officer", "A")
    make_user(c, "vanthu.a", "archivist", "A")
    yield c
    c.close()


def sheet() -> bytes:
    return xlsx([["Số hiệu", "Họ và tên", "Ngày sinh", "Đơn vị", "Dân tộc"],
                 ["NV1", encode_tcvn3("Nguyễn Thị Hương"), "14/3/1968", "A", "Kinh"],
                 ["NV2", encode_vni("Đặng Văn Ước"), "ngày 2 tháng 9 năm 1975", "A", "Người sao Hoả"],
                 ["NV3", "Trần Quốc Tuấn", "1/1/1980", "B", "Kinh"]],
                {(1, 1): ".VnTime", (2, 1): "VNI-Times"})


def _staff(c) -> int:
    with c.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Staff))


def test_upload_dry_run_remap_and_apply(office) -> None:
    from archive.app import create_app

    app = create_app(container=office)
    hr = web_logged_in(app, "tccb.a")
    assert 'href="/nhap-ho-so-excel"' in hr.get("/can-bo").text
    page = hr.get("/nhap-ho-so-excel")
    assert page.status_code == 200 and "Nhập hồ sơ cán bộ từ Excel" in page.text
    r = hr.post("/nhap-ho-so-excel", data={"csrf": csrf_of(page.text), "template": ""},
                files={"file": ("ds.xlsx", sheet(), XLSX)}, follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    dry = hr.get(url).text
    # "Số hiệu" is guessed as the code column; names are Unicode; problems read in Vietnamese
    assert "Nguyễn Thị Hương" in dry and "Đặng Văn Ước" in dry
    assert "Dân tộc “Người sao Hoả” không có trong danh mục." in dry
    assert "Đơn vị B không thuộc phạm vi quản lý của bạn." in dry
    assert "3 dòng: 1 thêm mới" in dry and _staff(office) == 0
    # leave the Dân tộc column out: NV2 becomes importable; save the mapping as a template
    selects = dict(re.findall(r'<label for="col-(\d+)">([^<]+)</label>', dry))
    form = {"csrf": csrf_of(dry), "template_name": "Mẫu phòng A"}
    for i, header in selects.items():
        form[f"col_{i}"] = {"Số hiệu": "code", "Họ và tên": "full_name", "Ngày sinh": "birth_date",
                            "Đơn vị": "unit_code"}.get(header, "")
    r = hr.post(url + "/anh-xa", data=form, follow_redirects=False)
    assert r.status_code == 303
    again = hr.get(url).text
    assert "Đã lưu mẫu ánh xạ Mẫu phòng A." in again and "3 dòng: 2 thêm mới" in again
    r = hr.post(url + "/ghi", data={"csrf": csrf_of(again)}, follow_redirects=False)
    assert r.status_code == 303
    done = hr.get(url).text
    assert "Đã nhập: 2 thêm mới" in done and "đã nhập" in done and _staff(office) == 2
    assert 'id="import-apply"' not in done
    # applying twice is refused in Vietnamese, nothing changes
    r = hr.post(url + "/ghi", data={"csrf": csrf_of(done)})
    assert r.status_code == 409 and "đã được thực hiện" in r.text and _staff(office) == 2


def test_a_bad_file_is_a_422_page_in_vietnamese(office) -> None:
    from archive.app import create_app

    hr = web_logged_in(create_app(container=office), "tccb.a")
    page = hr.get("/nhap-ho-so-excel").text
    r = hr.post("/nhap-ho-so-excel", data={"csrf": csrf_of(page)}, files={"file": ("ds.xlsx", b"PK junk", XLSX)})
    assert r.status_code == 422 and "Không đọc được tệp bảng tính" in r.text
    r = hr.post("/nhap-ho-so-excel", data={"csrf": csrf_of(page)}, files={"file": ("ds.pdf", b"%PDF", "application/pdf")})
    assert r.status_code == 422 and "Chỉ nhận tệp Excel" in r.text


def test_an_archivist_cannot_import(office) -> None:
    from archive.app import create_app

    clerk = web_logged_in(create_app(container=office), "vanthu.a")
    assert 'href="/nhap-ho-so-excel"' not in clerk.get("/can-bo").text
    assert clerk.get("/nhap-ho-so-excel").status_code == 403
