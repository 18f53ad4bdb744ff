"""Lô tiếp nhận and Tờ bìa pages in-process: upload a zip, see the batch's files and states, the review
list, cover sheets from a dossier and the staff list; Vietnamese refusals that keep nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from archive.app import create_app
from archive.models import IntakeBatch
from archive.services.access import SYSTEM
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import csrf_of, make_user, web_logged_in
from tests.support.documents import born_digital_pdf
from tests.support.stacks import make_zip, scanned_stack


@pytest.fixture
def app(container):
    add_unit(container, SYSTEM, code="PNV", name="Phòng Nội vụ", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="PNV")
    add_staff(container, SYSTEM, code="NV002", full_name="Trần Thị Bình", unit_code="PNV")
    make_user(container, "vanthu", "archivist", "PNV")
    return create_app(container=container)


def _zip() -> bytes:
    return make_zip({
        "manifest.csv": "tệp,mã cán bộ,loại tài liệu\na.pdf,NV001,so_yeu_ly_lich\nb.pdf,NV002,khac\nc.pdf,NV404,khac\n"
        .encode(),
        "a.pdf": born_digital_pdf(["Sơ yếu lý lịch Nguyễn Văn An"]), "b.pdf": born_digital_pdf(["Trần Thị Bình"]),
        "c.pdf": born_digital_pdf(["không ai"]),
        "quet/le.pdf": born_digital_pdf(["lẻ"]),
    })


def test_a_zip_uploaded_on_the_page_becomes_a_batch_whose_page_lists_each_file_and_state(app, container):
    web = web_logged_in(app, "vanthu")
    page = web.get("/lo-tiep-nhan")
    assert page.status_code == 200 and "Tải lên một lô (tệp .zip)" in page.text
    r = web.post("/lo-tiep-nhan", data={"csrf": csrf_of(page.text)},
                 files={"file": ("lo-quan-1.zip", _zip(), "application/zip")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    container.queue.drain()
    batch = web.get(r.headers["location"])
    assert batch.status_code == 200 and "lo-quan-1.zip" in batch.text
    assert "2 đã lưu, 2 lỗi" in batch.text and "không tìm thấy cán bộ có mã NV404" in batch.text
    assert "có trong lô nhưng bảng kê không ghi" in batch.text
    assert batch.text.count('data-state="stored"') == 2
    report = web.get(r.headers["location"] + "/bao-cao.csv")
    assert report.status_code == 200 and "NV404" in report.content.decode("utf-8-sig")
    assert "lo-quan-1.zip" in web.get("/lo-tiep-nhan").text


def test_an_unsafe_or_missing_zip_is_refused_on_the_page_in_vietnamese(app, container):
    web = web_logged_in(app, "vanthu")
    csrf = csrf_of(web.get("/lo-tiep-nhan").text)
    r = web.post("/lo-tiep-nhan", data={"csrf": csrf},
                 files={"file": ("x.zip", make_zip({"../../x.pdf": b"%PDF"}), "application/zip")})
    assert r.status_code == 422 and "tên tệp không an toàn" in r.text
    r = web.post("/lo-tiep-nhan", data={"csrf": csrf})
    assert r.status_code == 422 and "Hãy chọn tệp .zip của lô." in r.text
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(IntakeBatch)) == 0


def test_a_stack_without_a_first_cover_is_on_the_review_list_and_can_be_assigned(app, container):
    web = web_logged_in(app, "vanthu")
    csrf = csrf_of(web.get("/lo-tiep-nhan").text)
    r = web.post("/lo-tiep-nhan", data={"csrf": csrf}, follow_redirects=False,
                 files={"file": ("quet.zip", make_zip({"tap.pdf": scanned_stack([1])}), "application/zip")})
    container.queue.drain()
    review = web.get("/lo-tiep-nhan/can-xem-lai")
    assert "Cần xem lại — tập quét không có tờ bìa đầu" in review.text and "tap.pdf" in review.text
    action = review.text.split('action="', 2)[-1].split('"', 1)[0]
    done = web.post(action, data={"csrf": csrf_of(review.text), "staff_code": "NV002", "document_type": "khac"},
                    follow_redirects=False)
    assert done.status_code == 303
    container.queue.drain()
    assert 'data-state="stored"' in web.get(r.headers["location"]).text
    assert "Không có tập quét nào cần xem lại." in web.get("/lo-tiep-nhan/can-xem-lai").text


def test_cover_sheets_are_printed_from_the_dossier_and_the_staff_list(app, container):
    container.queue.wake("index")  # the staff list reads the people index
    container.queue.drain()
    web = web_logged_in(app, "vanthu")
    assert 'href="/to-bia?ma=NV001"' in web.get("/ho-so/NV001").text
    listing = web.get("/can-bo")
    assert "In tờ bìa cho 2 cán bộ trên trang này" in listing.text
    form = web.get("/to-bia", params={"ma": ["NV001", "NV002"]})
    assert form.status_code == 200 and "Tờ bìa cho 2 cán bộ" in form.text
    pdf = web.get("/to-bia/in", params={"ma": ["NV001", "NV002"], "loai": "so_yeu_ly_lich"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    typed = web.get("/to-bia/in", params={"danh_sach": "NV001, NV999", "loai": "khac"})
    assert typed.status_code == 404 and "Không tìm thấy cán bộ có mã NV999." in typed.text
