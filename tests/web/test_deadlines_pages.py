"""Cảnh báo (in-process, tp-hcm profile): each officer sees the deadlines of their own unit only; done-late rows
show how many working days late; the API answers the same; bad filters are a 422 in Vietnamese."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from archive.bootstrap import build
from archive.db import migrate
from archive.models import AuditEntry, Staff, StatusChange
from archive.services.access import SYSTEM, Actor, Grant, Role
from archive.services.deadlines import deadline_report
from archive.services.staff import add_staff
from archive.services.staff_lifecycle import change_status
from archive.services.units import add_unit
from archive.settings import Settings
from tests.support.accounts import logged_in, make_user, web_logged_in


@pytest.fixture
def office(tmp_path):
    s = Settings(data_dir=tmp_path / "data", profile="tp-hcm")
    s.data_dir.mkdir(parents=True)
    migrate(s.database_url)
    c = build(s)
    c.clock = lambda: datetime(2026, 12, 1, 3, 0)  # Tuesday 1/12/2026, 10:00 in Hồ Chí Minh City
    add_unit(c, SYSTEM, code="TINH", name="Sở Nội vụ")
    add_unit(c, SYSTEM, code="A", name="Phòng Alpha", parent_code="TINH")
    add_unit(c, SYSTEM, code="B", name="Phòng Beta", parent_code="TINH")
    # Đ7.1: an account within 05 working days of recruitment; nobody has issued one → overdue
    add_staff(c, SYSTEM, code="A2", full_name="Lê Văn Cường", unit_code="A", profile={"recruitment_date": "2026-10-01"})
    add_staff(c, SYSTEM, code="B1", full_name="Phạm Thị Dung", unit_code="B", profile={"recruitment_date": "2026-10-01"})
    # Đ8.4: leaving recorded within 10 working days; from Thursday 1/10 the due day is Thursday 15/10
    add_staff(c, SYSTEM, code="A1", full_name="Nguyễn Văn An", unit_code="A")
    change_status(c, SYSTEM, "A1", status="nghi_huu", effective_date=date(2026, 10, 1), decision_ref="12/QĐ-UBND")
    with c.uow() as uow:  # recorded on Tuesday 20/10 (local): 16, 19, 20/10 → 3 working days late
        s = uow.session
        a1 = s.scalar(select(Staff.id).where(Staff.code == "A1"))
        s.scalars(select(StatusChange).where(StatusChange.staff_id == a1, StatusChange.status == "nghi_huu")
                  ).one().recorded_at = datetime(2026, 10, 20, 2, 0)
        uow.commit()
    make_user(c, "tccb.a", "hr_officer", "A")
    make_user(c, "truong.b", "unit_head", "B")
    yield c
    c.close()


def _rows(report) -> set[tuple[str, str, str]]:
    return {(r.event.staff_code, r.rule.id, r.state) for r in report.rows}


def test_each_officer_sees_their_units_deadlines_only(office) -> None:
    hr_a = Actor(name="tccb.a", grants=(Grant(Role.HR_OFFICER, "A"),))
    head_b = Actor(name="truong.b", grants=(Grant(Role.UNIT_HEAD, "B"),))
    assert _rows(deadline_report(office, hr_a)) == {("A2", "account", "overdue"), ("A1", "leaving", "done_late")}
    assert _rows(deadline_report(office, head_b)) == {("B1", "account", "overdue")}
    everything = deadline_report(office, SYSTEM)
    assert {(u.unit_code, u.overdue, u.done_late, u.on_time_percent) for u in everything.units} == {
        ("A", 1, 1, 0), ("B", 1, 0, 0)}
    late = next(r for r in everything.rows if r.state == "done_late")
    assert (late.due, late.done_on, late.days_late) == (date(2026, 10, 15), date(2026, 10, 20), 3)
    assert _rows(deadline_report(office, SYSTEM, unit="B", state="overdue")) == {("B1", "account", "overdue")}


def test_the_pages_for_an_hr_officer_and_a_unit_head(office) -> None:
    from archive.app import create_app

    app = create_app(container=office)
    hr = web_logged_in(app, "tccb.a")
    home = hr.get("/").text
    assert 'href="/canh-bao"' in home and "Cảnh báo" in home
    page = hr.get("/canh-bao")
    assert page.status_code == 200
    assert "Lê Văn Cường" in page.text and "Nguyễn Văn An" in page.text and "Phạm Thị Dung" not in page.text
    assert "Quá hạn" in page.text and "trễ 3 ngày làm việc" in page.text and "15/10/2026" in page.text
    assert "Điều 8 khoản 4" in page.text and "Điều 7 khoản 1" in page.text
    overdue = hr.get("/canh-bao", params={"trang_thai": "overdue"}).text
    assert "Lê Văn Cường" in overdue and "Nguyễn Văn An" not in overdue
    head = web_logged_in(app, "truong.b").get("/canh-bao").text
    assert "Phạm Thị Dung" in head and "Lê Văn Cường" not in head and "Nguyễn Văn An" not in head
    bad = hr.get("/canh-bao", params={"trang_thai": "muon"})
    assert bad.status_code == 422 and "Trạng thái hạn không hợp lệ" in bad.text
    other = hr.get("/canh-bao", params={"don_vi": "B"})
    assert other.status_code == 404 and "Phạm Thị Dung" not in other.text
    with office.uow() as uow:  # one entry per view, not one per row
        actions = uow.session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "tccb.a")).all()
        assert actions.count("deadlines.list") == 2


def test_the_api_gives_the_same_scoped_rows_and_refuses_bad_filters(office) -> None:
    from archive.app import create_app

    api = logged_in(create_app(container=office), "tccb.a")
    r = api.get("/api/v1/deadlines", params={"state": "done_late"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(row["staff_code"], row["days_late"], row["due"]) for row in body["rows"]] == [("A1", 3, "2026-10-15")]
    assert body["today"] == "2026-12-01" and {u["unit"] for u in body["units"]} == {"A"}
    bad = api.get("/api/v1/deadlines", params={"state": "nope"})
    assert bad.status_code == 422 and "Trạng thái hạn không hợp lệ" in bad.text
    assert api.get("/api/v1/deadlines", params={"unit": "B"}).status_code == 404


def test_issuing_the_persons_account_meets_the_account_deadline(office) -> None:
    make_user(office, "dung", "staff", "B", staff_code="B1")  # issued after the due day (8/10/2026)
    row = next(r for r in deadline_report(office, SYSTEM, unit="B").rows if r.rule.id == "account")
    assert row.state == "done_late" and row.due == date(2026, 10, 8) and row.days_late > 0
