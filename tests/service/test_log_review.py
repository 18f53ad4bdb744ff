"""Log review (Hà Nội QĐ 6033/2015 Đ8.2.c) and the log export (embedded): repeated failed logins and an
access outside working hours raise alerts; the daily pass records them once; an auditor's export and alerts
hold their scope's entries only; the CSV is UTF-8 with BOM and audited."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from sqlalchemy import func, select

from archive.errors import Unauthenticated
from archive.models import AuditEntry, LogAlert
from archive.services import audit, audit_views, log_review
from archive.services.access import SYSTEM, Actor, Grant, Role
from archive.services.accounts import login
from archive.services.staff import add_staff, get_staff
from archive.services.units import add_unit
from archive.work import start_kind
from tests.support.accounts import make_user

# Monday 30/11/2026: 22:30 in Hà Nội is 15:30 UTC; 10:00 local is 03:00 UTC
NIGHT = datetime(2026, 11, 30, 15, 30)
MORNING = datetime(2026, 11, 30, 3, 0)
DAY = (datetime(2026, 11, 29, 17, 0), datetime(2026, 11, 30, 17, 0))  # the local day 30/11, in UTC
AUDITOR_A = Actor(name="kiemtra.a", grants=(Grant(Role.AUDITOR, "A"),))
HR_A = Actor(name="nv.a", grants=(Grant(Role.HR_OFFICER, "A"),))
HR_B = Actor(name="nv.b", grants=(Grant(Role.HR_OFFICER, "B"),))


@pytest.fixture
def office(container, monkeypatch):
    c = container
    add_unit(c, SYSTEM, code="A", name="Sở Giáo dục", parent_code="TINH")
    add_unit(c, SYSTEM, code="B", name="Sở Y tế", parent_code="TINH")
    add_staff(c, SYSTEM, code="A001", full_name="Nguyễn Văn An", unit_code="A")
    add_staff(c, SYSTEM, code="B001", full_name="Phạm Thị Bình", unit_code="B")
    make_user(c, "nv.a", "hr_officer", "A")
    make_user(c, "nv.b", "hr_officer", "B")
    make_user(c, "kiemtra.a", "auditor", "A")

    def at(moment: datetime) -> None:  # the log's clock: entries are written as at this moment
        monkeypatch.setattr(audit, "utcnow", lambda: moment)
    c.at = at
    return c


def _failed_logins(c, username: str, n: int, *, ip: str) -> None:
    for _ in range(n):
        with pytest.raises(Unauthenticated):
            login(c, username, "sai-mat-khau", ip=ip)


def test_failed_logins_and_an_off_hours_view_raise_alerts(office) -> None:
    office.at(MORNING)
    _failed_logins(office, "nv.a", 5, ip="10.0.0.9")
    get_staff(office, HR_B, "B001")  # in working hours: nothing
    office.at(NIGHT)
    get_staff(office, HR_A, "A001")  # 22:30 on a working day
    alerts = log_review.review(office, SYSTEM, since=DAY[0], until=DAY[1])
    kinds = {(a.kind, a.subject) for a in alerts}
    assert ("failed_logins", "nv.a") in kinds and ("failed_logins", "IP 10.0.0.9") in kinds
    assert ("off_hours", "nv.a") in kinds and ("off_hours", "nv.b") not in kinds
    night = next(a for a in alerts if a.kind == "off_hours")
    assert "ngoài giờ làm việc (07:30–17:00)" in night.text and "22:30 30/11/2026" in night.text
    failed = next(a for a in alerts if a.subject == "nv.a" and a.kind == "failed_logins")
    assert failed.count >= 5 and "đăng nhập sai" in failed.text

    # a Sunday is a day off at any hour; the auditor of A sees A's alerts (nv.a), never B's
    office.at(datetime(2026, 11, 29, 3, 0))  # Sunday 29/11, 10:00 local
    get_staff(office, HR_B, "B001")
    sunday = [a for a in log_review.review(office, SYSTEM, since=datetime(2026, 11, 28, 17, 0), until=DAY[0])
              if a.kind == "off_hours"]
    assert [(a.subject, "vào ngày nghỉ" in a.text) for a in sunday] == [("nv.b", True)]
    office.at(MORNING)
    mine = log_review.review(office, AUDITOR_A, since=datetime(2026, 11, 28, 17, 0), until=DAY[1])
    assert {a.subject for a in mine} <= {"nv.a", "IP 10.0.0.9"} and ("off_hours", "nv.a") in {
        (a.kind, a.subject) for a in mine}


def test_the_daily_pass_records_each_alert_once(office) -> None:
    office.at(NIGHT)
    get_staff(office, HR_A, "A001")
    office.at(datetime(2026, 12, 1, 2, 0))
    for _ in range(2):  # the same day reviewed twice: recorded once
        start_kind(office, office.registry, "log_review", payload={"day": "2026-11-30"})
        office.queue.drain()
    with office.uow() as uow:
        rows = [(r.kind, r.subject) for r in uow.session.scalars(select(LogAlert))]
    assert rows == [("off_hours", "nv.a")]
    shown = log_review.review(office, AUDITOR_A, since=DAY[0], until=DAY[1])
    assert [(a.kind, a.recorded) for a in shown] == [("off_hours", True)]


def test_an_auditors_export_holds_their_scopes_entries_only(office) -> None:
    office.at(MORNING)
    get_staff(office, HR_A, "A001")
    get_staff(office, HR_B, "B001")
    body, rows = audit_views.export_csv(office, AUDITOR_A, since=DAY[0], until=DAY[1])
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0][0] == "Số thứ tự" and len(table) == rows + 1
    targets = {r[6] for r in table[1:]}
    assert "A001" in targets and "B001" not in targets and "nv.b" not in {r[2] for r in table[1:]}
    viewed = next(r for r in table[1:] if r[4] == "staff.view")
    assert viewed[7] == "nv.a đã xem hồ sơ A001." and viewed[1] == "30/11/2026 10:00:00"
    everything, _ = audit_views.export_csv(office, SYSTEM, action="staff.view")
    assert b"B001" in everything
    with office.uow() as uow:
        exports = [(e.actor, e.details["rows"]) for e in uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "audit.export").order_by(AuditEntry.seq))]
    assert exports[0] == ("kiemtra.a", rows)


def test_bad_periods_are_refused_in_vietnamese(office) -> None:
    from archive.errors import InvalidInput

    with pytest.raises(InvalidInput, match="tối đa 93 ngày"):
        log_review.review(office, AUDITOR_A, since=datetime(2026, 1, 1), until=datetime(2026, 12, 1))
    with pytest.raises(InvalidInput, match="trước ngày kết thúc"):
        log_review.review(office, AUDITOR_A, since=DAY[1], until=DAY[0])
    with pytest.raises(InvalidInput, match="Loại cảnh báo"):
        log_review.review(office, AUDITOR_A, kind="khac")
    with office.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "audit.alerts")) == 0
