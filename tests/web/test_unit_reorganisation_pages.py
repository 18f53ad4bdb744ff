"""Tổ chức lại đơn vị on the admin page (in-process): the form merges a unit, a bad form is a 422 in
Vietnamese with nothing changed, the tree marks the merged unit, the dossier names the former unit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.app import create_app
from archive.models import Unit
from archive.services.access import SYSTEM
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import csrf_of, make_user, web_logged_in


@pytest.fixture
def app(container):
    for code, name in (("HX", "UBND huyện X"), ("HY", "UBND huyện Y")):
        add_unit(container, SYSTEM, code=code, name=name, parent_code="TINH")
    add_staff(container, SYSTEM, code="NVX1", full_name="Đặng Thị Xuân", unit_code="HX")
    make_user(container, "qt.tinh", "admin", "TINH")
    make_user(container, "hr.hy", "hr_officer", "HY")
    container.queue.drain()
    return create_app(container=container)


def _form(client, **fields) -> dict:
    return {"csrf": csrf_of(client.get("/quan-tri").text), **fields}


def test_admin_merges_a_unit_on_the_admin_page(app, container):
    admin = web_logged_in(app, "qt.tinh")
    page = admin.get("/quan-tri")
    assert page.status_code == 200 and "Tổ chức lại đơn vị" in page.text

    bad = admin.post("/quan-tri/to-chuc-lai", data=_form(admin, unit_code="HX", action="merge", target_code="HY",
                                                         decision_ref=""), follow_redirects=False)
    assert bad.status_code == 422 and "Cần ghi số quyết định" in bad.text
    bad_day = admin.post("/quan-tri/to-chuc-lai", data=_form(admin, unit_code="HX", action="merge", target_code="HY",
                                                             decision_ref="15/QĐ-UBND", effective_date="31/02/2026"),
                         follow_redirects=False)
    assert bad_day.status_code == 422
    with container.uow() as uow:
        assert uow.session.scalar(select(Unit.ended_at).where(Unit.code == "HX")) is None

    r = admin.post("/quan-tri/to-chuc-lai", data=_form(admin, unit_code="HX", action="merge", target_code="HY",
                                                       decision_ref="15/QĐ-UBND", decision_date="20/11/2026",
                                                       effective_date="01/12/2026"), follow_redirects=False)
    assert r.status_code == 303, r.text
    page = admin.get("/quan-tri").text
    assert "Đã sáp nhập đơn vị HX vào HY theo quyết định 15/QĐ-UBND." in page
    assert "đã sáp nhập vào HY" in page

    hr = web_logged_in(app, "hr.hy")
    dossier = hr.get("/ho-so/NVX1")
    assert dossier.status_code == 200
    assert "Đơn vị cũ: UBND huyện X (HX), sáp nhập vào UBND huyện Y (HY) theo quyết định 15/QĐ-UBND" in dossier.text
    container.queue.drain()  # the index consumer re-scopes the record (woken after the merge's commit)
    assert "NVX1" in hr.get("/can-bo").text
