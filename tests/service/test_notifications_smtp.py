"""Notifications from the daily warnings job: the HR officers and unit heads whose scope holds the record are
told once (in the app), and by e-mail through a real local SMTP sink (aiosmtpd) with a Vietnamese UTF-8 subject
and body; a mail server that is down leaves the job to be retried and never sends twice."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from archive.bootstrap import build
from archive.db import migrate
from archive.errors import InvalidInput, NotFound
from archive.models import AuditEntry, Job, Notification, User
from archive.services import notifications
from archive.services.access import SYSTEM
from archive.services.staff import add_staff
from archive.services.units import add_unit
from archive.settings import Settings
from archive.task_queue import NullQueue
from archive.work import run_job, start_kind
from tests.support.accounts import make_user
from tests.support.smtp_sink import free_port, smtp_sink


@pytest.fixture
def office(tmp_path):
    s = Settings(data_dir=tmp_path / "data", smtp_host="127.0.0.1", smtp_port=free_port(), smtp_from="hoso@sonoivu.vn")
    s.data_dir.mkdir(parents=True)
    migrate(s.database_url)
    c = build(s, queue=NullQueue())
    c.clock = lambda: datetime(2026, 12, 1, 3, 0)
    add_unit(c, SYSTEM, code="TINH", name="Sở Nội vụ")
    add_unit(c, SYSTEM, code="A", name="Phòng Alpha", parent_code="TINH")
    add_unit(c, SYSTEM, code="B", name="Phòng Bêta", parent_code="TINH")
    # born 06/1965: 61 years 6 months in 12/2026 → retires at the end of 31/12/2026 (NĐ 135/2020 Đ4)
    add_staff(c, SYSTEM, code="A1", full_name="Nguyễn Văn An", unit_code="A", birth_date=date(1965, 6, 5), gender="nam")
    add_staff(c, SYSTEM, code="B1", full_name="Phạm Thị Dung", unit_code="B", birth_date=date(1970, 2, 28), gender="nu")
    add_staff(c, SYSTEM, code="B2", full_name="Hoàng Văn Em", unit_code="B", profile={"contract_end_date": "2027-01-15"})
    for name, role, unit in (("tccb.a", "hr_officer", "A"), ("truong.a", "unit_head", "A"), ("vt.a", "archivist", "A"),
                             ("tccb.b", "hr_officer", "B"), ("tccb.tinh", "hr_officer", "TINH")):
        make_user(c, name, role, unit)
    yield c
    c.close()


def _run(c, kind: str) -> str:
    job = start_kind(c, c.registry, kind)
    return run_job(c, c.registry, job, "test")


def _queued(c, kind: str) -> list[int]:
    with c.uow() as uow:
        return list(uow.session.scalars(select(Job.id).where(Job.kind == kind, Job.state == "queued")))


def _told(c) -> set[tuple[str, str]]:
    with c.uow() as uow:
        return set(uow.session.execute(select(User.username, Notification.key).join(User, User.id == Notification.user_id)))


def test_the_people_whose_scope_holds_the_record_are_told_once(office) -> None:
    assert _run(office, "warnings") == "done"
    retire, contract = "retirement:A1:2026-12-31", "contract_end:B2:2027-01-15"
    assert _told(office) == {("tccb.a", retire), ("truong.a", retire), ("tccb.tinh", retire),
                             ("tccb.b", contract), ("tccb.tinh", contract)}
    assert _queued(office, "notify_mail")  # the follow-up that e-mails them
    assert _run(office, "warnings") == "done"  # the next day's pass (or a retry) tells nobody twice
    with office.uow() as uow:
        assert uow.session.scalar(select(func.count(Notification.id))) == 5


def test_a_warning_email_reaches_the_smtp_sink_in_vietnamese_utf8(office) -> None:
    hr = notifications.actor_of(office, "tccb.a")
    notifications.set_email(office, hr, "tccb.a@sonoivu.vn")
    notifications.set_email_of(office, "tccb.b", "tccb.b@sonoivu.vn")
    assert _run(office, "warnings") == "done"
    with smtp_sink(office.settings.smtp_port) as (sink, _port):
        [mail_job] = _queued(office, "notify_mail")
        assert run_job(office, office.registry, mail_job, "test") == "done"
        assert _run(office, "notify_mail") == "done"  # again: nothing new to send
    assert sorted(r[0] for r in sink.recipients) == ["tccb.a@sonoivu.vn", "tccb.b@sonoivu.vn"]
    msg = next(m for m in sink.messages if m["To"] == "tccb.a@sonoivu.vn")
    assert msg["Subject"] == "[Hồ sơ CBCCVC] Sắp đến tuổi nghỉ hưu: Nguyễn Văn An (A1)"
    assert msg["From"] == "hoso@sonoivu.vn"
    part = msg.get_body()
    assert part.get_content_charset() == "utf-8"
    body = part.get_content()
    assert "Đủ 61 tuổi 6 tháng vào tháng 12/2026" in body and "nghỉ hưu từ ngày 01/01/2027" in body
    assert "Nghị định 135/2020/NĐ-CP, Điều 4" in body
    raw = next(r for r in sink.raw if b"tccb.a@" in r)
    assert b"=?utf-8?" in raw.lower()  # the subject travels as RFC 2047 words
    mine = notifications.list_notifications(office, hr)
    assert [(n.kind, n.emailed, n.read) for n in mine] == [("retirement", True, False)]


def test_a_mail_server_that_is_down_leaves_the_job_to_be_retried_and_sends_once_it_is_up(office) -> None:
    notifications.set_email_of(office, "tccb.a", "tccb.a@sonoivu.vn")
    assert _run(office, "warnings") == "done"
    [mail_job] = _queued(office, "notify_mail")
    assert run_job(office, office.registry, mail_job, "test") == "requeued"  # nobody listens on the port
    with office.uow() as uow:
        job = uow.session.get(Job, mail_job)
        assert "không nhận thư" in job.last_error
        assert uow.session.scalar(select(func.count(Notification.id)).where(Notification.emailed_at.is_not(None))) == 0
    with smtp_sink(office.settings.smtp_port) as (sink, _port):
        assert run_job(office, office.registry, mail_job, "test") == "done"
    assert len(sink.messages) == 1


def test_no_smtp_host_means_in_app_only(office) -> None:
    office.settings.smtp_host = ""
    notifications.set_email_of(office, "tccb.a", "tccb.a@sonoivu.vn")
    assert _run(office, "warnings") == "done"
    [mail_job] = _queued(office, "notify_mail")
    assert run_job(office, office.registry, mail_job, "test") == "done"
    with office.uow() as uow:
        assert uow.session.get(Job, mail_job).result == {"mail": "off"}


def test_reading_is_ones_own_audited_and_a_bad_address_is_refused(office) -> None:
    _run(office, "warnings")
    hr, head = notifications.actor_of(office, "tccb.a"), notifications.actor_of(office, "truong.a")
    [n] = notifications.list_notifications(office, hr)
    with pytest.raises(NotFound):
        notifications.mark_read(office, head, n.id)
    assert notifications.mark_read(office, hr, n.id).read and notifications.unread_count(office, hr) == 0
    assert notifications.unread_count(office, head) == 1
    with pytest.raises(InvalidInput) as exc:
        notifications.set_email(office, hr, "không phải thư")
    assert "không hợp lệ" in str(exc.value)
    assert notifications.email_of(office, hr) == ("", False)
    with office.uow() as uow:
        assert uow.session.scalar(select(func.count(AuditEntry.seq)).where(AuditEntry.action == "notification.read")) == 1
