"""Phiếu bổ sung lý lịch hằng năm under Hà Nội QĐ 6033/2015 Đ7.2.b (embedded): the scheduled job opens it on
the profile's day for every record đang công tác, reminds the person once per reminder, and each phiếu
goes through the same declare → verify → approve (with a send-back) before the record changes."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from archive.errors import Conflict, InvalidInput
from archive.models import AnnualUpdateCampaign, Declaration, Notification
from archive.services import annual_update, declarations
from archive.services.access import SYSTEM, Actor, Grant, Role
from archive.services.staff import add_staff, get_staff
from archive.services.staff_lifecycle import change_status
from archive.work import run_job, start_kind
from tests.support.declarations import tp_hcm_office
from tests.support.test_pki import PASSWORD


@pytest.fixture
def office(container):
    o = tp_hcm_office(container, profile="ha-noi")
    add_staff(container, SYSTEM, code="NV002", full_name="Trần Văn Hai", unit_code="A")
    add_staff(container, SYSTEM, code="NV003", full_name="Lê Thị Ba", unit_code="A")
    return o


def _at(day: date):
    return lambda: datetime(day.year, day.month, day.day, 3, 0)  # 10:00 in Hà Nội (UTC+7)


def _run(c) -> dict:
    job_id = start_kind(c, c.registry, "annual_update")
    assert run_job(c, c.registry, job_id, "w") == "done"
    with c.uow() as uow:
        from archive.models import Job

        return uow.session.get(Job, job_id).result


def _notes(c, key_part: str) -> int:
    with c.uow() as uow:
        return uow.session.scalar(select(func.count(Notification.id)).where(Notification.key.like(f"%{key_part}")))


def test_the_job_opens_the_phieu_on_the_profiles_day_for_every_active_record(office) -> None:
    c = office.c
    c.clock = _at(date(2026, 9, 30))
    assert _run(c)["opened"] is None  # the day before: nothing
    c.clock = _at(date(2026, 10, 1))
    result = _run(c)
    assert result["opened"] is not None
    with c.uow() as uow:
        s = uow.session
        camp = s.scalar(select(AnnualUpdateCampaign))
        assert (camp.year, camp.unit_code, camp.due_on, camp.article) == (2026, "TINH", date(2026, 10, 31),
                                                                          "Điều 7 khoản 2 điểm b")
        kinds = s.execute(select(Declaration.kind, func.count()).group_by(Declaration.kind)).all()
    assert dict(kinds) == {"annual": 4}  # NV001, CB001, NV002, NV003
    assert _run(c)["opened"] is None  # a second run the same day opens nothing more
    assert _notes(c, ":open") == 2  # the two people with an account (nvan, canbo), once each
    c.clock = _at(date(2026, 10, 25))
    _run(c)
    _run(c)
    assert _notes(c, ":soon") == 2
    c.clock = _at(date(2026, 11, 2))
    _run(c)
    assert _notes(c, ":overdue") == 2


def test_a_retired_record_gets_no_phieu_and_a_second_campaign_is_refused(office) -> None:
    c = office.c
    change_status(c, SYSTEM, "NV003", status="nghi_huu", effective_date=date(2026, 6, 1), decision_ref="QĐ 1/2026")
    view = annual_update.open_campaign(c, SYSTEM, year=2026, unit_code="A")
    assert view.total == 3 and view.due_on == date(2026, 10, 31)
    with pytest.raises(Conflict):
        annual_update.open_campaign(c, SYSTEM, year=2026, unit_code="A")
    with pytest.raises(InvalidInput):
        annual_update.open_campaign(c, SYSTEM, year=1800, unit_code="A")
    outsider = Actor(name="khac", grants=(Grant(Role.HR_OFFICER, "TINH"),), clearance=0)
    assert annual_update.campaign_status(c, outsider, view.id).total == 3


def test_each_phieu_is_declared_verified_and_approved_before_the_record_changes(office) -> None:
    o, c = office, office.c
    view = annual_update.open_campaign(c, SYSTEM, year=2026, unit_code="A")
    with c.uow() as uow:
        decl_id = uow.session.scalar(select(Declaration.id).where(Declaration.campaign_id == view.id,
                                                                  Declaration.staff_id == o.an.staff_id))
    with pytest.raises(Conflict):  # the open phiếu is the person's declaration for now
        declarations.open_declaration(c, o.an)
    d = declarations.save_draft(c, o.an, decl_id, {"current_address": "5 Tràng Tiền, Hoàn Kiếm"})
    assert d.kind == "annual" and d.campaign_year == 2026 and d.deadlines[0].due == date(2026, 10, 31)
    d = declarations.sign(c, o.an, decl_id, p12=o.pki.person.p12, password=PASSWORD)
    d = declarations.send_back(c, o.binh, decl_id, "Thiếu xác nhận nơi cư trú")
    d = declarations.sign(c, o.an, decl_id, p12=o.pki.person.p12, password=PASSWORD)
    d = declarations.sign(c, o.binh, decl_id, p12=o.pki.hr_head.p12, password=PASSWORD)
    assert get_staff(c, SYSTEM, "NV001").profile["current_address"] == "12 Lê Lợi, Quận 1"
    d = declarations.sign(c, o.cuong, decl_id, p12=o.pki.unit_head.p12, password=PASSWORD)
    assert d.state == "applied"
    assert get_staff(c, SYSTEM, "NV001").profile["current_address"] == "5 Tràng Tiền, Hoàn Kiếm"
    status = annual_update.campaign_status(c, SYSTEM, view.id)
    assert (status.total, status.declared, status.applied) == (4, 1, 1)


def test_a_profile_without_the_phieu_refuses_to_open_one(container) -> None:
    container.settings.profile = "tp-hcm"
    with pytest.raises(InvalidInput, match="phiếu bổ sung"):
        annual_update.open_campaign(container, SYSTEM, year=2026, unit_code="TINH")
