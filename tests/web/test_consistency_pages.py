"""Đối chiếu in the web UI (in-process): the dossier links to the side-by-side page, an auditor resolves a
finding there (audited), HR sees the task under "Cần sửa hồ sơ" and closes it; HR cannot resolve."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from archive.app import create_app
from archive.models import AuditEntry
from archive.services import consistency
from archive.services.access import SYSTEM
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import csrf_of, make_user, web_logged_in
from tests.support.form_2c_pages import people, png, render_form


@pytest.fixture
def checked(container, tesseract):
    add_unit(container, SYSTEM, code="PTC", name="Phòng Tổ chức", parent_code="TINH")
    person = people()[1]
    add_staff(container, SYSTEM, unit_code="PTC", **person.record())
    img, _ = render_form(person, "tt06_2023", "dejavu")
    ingest_upload(container, SYSTEM, staff_code=person.code, stream=io.BytesIO(png(img)), file_name="syll.png",
                  document_type="so_yeu_ly_lich")
    container.queue.drain()
    make_user(container, "kiemtra", "auditor", "PTC")
    make_user(container, "tochuc", "hr_officer", "PTC")
    return person


def test_auditor_resolves_side_by_side_and_hr_closes_the_correction(container, checked):
    app = create_app(container=container)
    auditor, hr = web_logged_in(app, "kiemtra"), web_logged_in(app, "tochuc")
    code = checked.code
    dossier = auditor.get(f"/ho-so/{code}")
    assert dossier.status_code == 200 and "Đối chiếu bản giấy với hồ sơ" in dossier.text
    assert f'href="/ho-so/{code}/doi-chieu"' in dossier.text
    page = auditor.get(f"/ho-so/{code}/doi-chieu")
    assert page.status_code == 200
    for text in ("Hồ sơ điện tử", "Bản giấy (OCR)", "lệch", "khớp", "Mẫu sơ yếu lý lịch theo Thông tư 06/2023/TT-BNV",
                 "Phó Giám đốc", "Trưởng phòng"):
        assert text in page.text, text
    finding = next(f for d in consistency.get_report(container, SYSTEM, code).documents for f in d.findings
                   if f.field_key == "chuc_vu")
    assert f'id="f-{finding.id}"' in page.text and f"/doi-chieu/{finding.id}/anh.png" in page.text
    crop = auditor.get(f"/ho-so/{code}/doi-chieu/{finding.id}/anh.png")
    assert crop.status_code == 200 and crop.content.startswith(b"\x89PNG")
    # HR may read the page but not resolve (no form for them; a forged POST is refused)
    hr_page = hr.get(f"/ho-so/{code}/doi-chieu")
    assert hr_page.status_code == 200 and f"/doi-chieu/{finding.id}/xu-ly" not in hr_page.text
    refused = hr.post(f"/ho-so/{code}/doi-chieu/{finding.id}/xu-ly",
                      data={"csrf": csrf_of(hr_page.text), "resolution": "record_wrong"}, follow_redirects=False)
    assert refused.status_code == 403
    r = auditor.post(f"/ho-so/{code}/doi-chieu/{finding.id}/xu-ly", follow_redirects=False,
                     data={"csrf": csrf_of(page.text), "resolution": "record_wrong", "note": "Theo QĐ bổ nhiệm"})
    assert r.status_code == 303
    after = auditor.get(f"/ho-so/{code}/doi-chieu").text
    assert "Đã ghi nhận xử lý trường Chức vụ" in after and "Theo QĐ bổ nhiệm" in after
    tasks = hr.get("/can-sua-ho-so")
    assert tasks.status_code == 200 and "Cần sửa hồ sơ" in tasks.text and "Phó Giám đốc" in tasks.text
    task_id = consistency.list_corrections(container, SYSTEM)[0].id
    done = hr.post(f"/can-sua-ho-so/{task_id}/xong", data={"csrf": csrf_of(tasks.text), "note": "đã sửa"},
                   follow_redirects=False)
    assert done.status_code == 303
    assert "Không có việc cần sửa hồ sơ." in hr.get("/can-sua-ho-so").text
    with container.uow() as uow:
        actions = [a for (a,) in uow.session.execute(select(AuditEntry.action).where(
            AuditEntry.action.like("consistency.%")))]
    assert actions.count("consistency.resolve") == 1 and actions.count("consistency.correction_done") == 1
    assert actions.count("consistency.view") >= 3
