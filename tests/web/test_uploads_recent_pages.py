"""Đang xử lý (/tai-len/gan-day) in-process: my uploads only, in scope, and no library text shown raw."""

from __future__ import annotations

import io

import pytest

from archive.app import create_app
from archive.models import Document
from archive.services.access import SYSTEM
from archive.services.accounts import grant_role, restrict_role
from archive.services.documents import ingest_upload
from archive.services.recent_uploads import shown_error
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import csrf_of, make_user, web_logged_in
from tests.support.documents import born_digital_pdf


@pytest.fixture
def app(container):
    add_unit(container, SYSTEM, code="Q1", name="UBND Quận 1", parent_code="TINH")
    add_unit(container, SYSTEM, code="Q2", name="UBND Quận 2", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="Q1")
    add_staff(container, SYSTEM, code="NV201", full_name="Lê Văn Cường", unit_code="Q2")
    make_user(container, "luutru.q1", "archivist", "Q1")
    make_user(container, "luutru.tinh", "archivist", "TINH")
    make_user(container, "hr.q1", "hr_officer", "Q1")
    return create_app(container=container)


def _send(client, staff: str, name: str, lines: list[str]):
    token = csrf_of(client.get("/tai-len").text)
    return client.post("/tai-len/tep", data={"staff_code": staff},
                       files={"file": (name, born_digital_pdf(lines), "application/pdf")},
                       headers={"X-CSRF-Token": token, "Accept": "application/json"})


def test_the_list_shows_my_uploads_newest_first_with_their_states(app, container):
    me = web_logged_in(app, "luutru.q1")
    assert "/tai-len/gan-day" in me.get("/tai-len").text, "linked from the upload page"
    assert "Bạn chưa tải lên tài liệu nào." in me.get("/tai-len/gan-day").text
    first = _send(me, "NV001", "mot.pdf", ["Quyết định một"]).json()["id"]
    second = _send(me, "NV001", "hai.pdf", ["Quyết định hai"]).json()["id"]
    # someone else's upload into the same dossier is not in my list
    ingest_upload(container, SYSTEM, staff_code="NV001", stream=io.BytesIO(born_digital_pdf(["Của người khác"])),
                  file_name="khac.pdf")
    page = me.get("/tai-len/gan-day").text
    assert page.index(f'data-doc-id="{second}"') < page.index(f'data-doc-id="{first}"'), "newest first"
    assert "khac.pdf" not in page
    assert "Đang chờ xử lý" in page and 'http-equiv="refresh"' in page, "refreshes while in progress"
    assert "0 tệp lỗi; 2 tệp đang xử lý" in page
    container.queue.drain()
    page = me.get("/tai-len/gan-day").text
    assert page.count("Đã xử lý xong, tìm được") >= 2 and 'http-equiv="refresh"' not in page
    assert "Đã xử lý xong, tìm được: 2 tệp; 0 tệp lỗi; 0 tệp đang xử lý." in page


def test_a_failed_document_shows_a_vietnamese_reason_naming_the_file_never_library_text(app, container):
    me = web_logged_in(app, "luutru.q1")
    doc_id = _send(me, "NV001", "bi-hong.pdf", ["Quyết định"]).json()["id"]
    with container.uow() as uow:  # what the worker records when pypdf gives up mid-file
        doc = uow.session.get(Document, doc_id)
        doc.state, doc.error = "failed", "Stream has ended unexpectedly"
        uow.commit()
    page = me.get("/tai-len/gan-day").text
    assert "Stream has ended" not in page
    assert "Không xử lý được tệp “bi-hong.pdf”" in page
    assert 'class="summary error"' in page and "1 tệp lỗi" in page
    state = me.get("/tai-len/trang-thai", params={"id": doc_id}, headers={"Accept": "application/json"}).json()
    assert state["documents"][0]["error"].startswith("Không xử lý được tệp “bi-hong.pdf”")


def test_the_pipelines_own_vietnamese_reasons_are_kept():
    assert shown_error("PDF bị hỏng, không đọc được.", "a.pdf") == "PDF bị hỏng, không đọc được."
    assert shown_error(None, "a.pdf") == ""
    assert "“a.pdf”" in shown_error("EOF marker not found", "a.pdf")


def test_a_grant_taken_away_hides_what_was_uploaded_under_it_and_others_may_not_look(app, container):
    wide = web_logged_in(app, "luutru.tinh")
    doc_id = _send(wide, "NV201", "q2.pdf", ["Quận 2"]).json()["id"]
    assert f'data-doc-id="{doc_id}"' in wide.get("/tai-len/gan-day").text
    grant_role(container, SYSTEM, "luutru.tinh", role="archivist", scope_code="Q1")
    restrict_role(container, SYSTEM, "luutru.tinh", role="archivist", scope_code="TINH")
    wide = web_logged_in(app, "luutru.tinh")
    assert f'data-doc-id="{doc_id}"' not in wide.get("/tai-len/gan-day").text
    assert web_logged_in(app, "hr.q1").get("/tai-len/gan-day").status_code == 403
