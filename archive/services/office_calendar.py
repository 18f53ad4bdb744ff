"""The office's rules and calendar (quy định và lịch làm việc): the active profile, and the swap-day table.

The active jurisdiction profile comes from ARCHIVE_PROFILE (archive.jurisdiction); the
calendar is the national one (archive.working_days) with the root admin's table of announced
swap days on top — the `holidays` package stops at the year it was released, and every
December the government announces the next year's days off and make-up Saturdays. Changing
the table is the root admin's, with the announcement's number, and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.errors import InvalidInput, NotFound
from archive.jurisdiction import EVENTS, DeadlineRule, Profile, due, load_profile
from archive.models import CalendarDay
from archive.services import audit
from archive.services.access import Actor, require_root_admin
from archive.working_days import WorkingCalendar
from search import nfc

MAX_REASON = 200
MAX_DECISION = 100
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)  # the package's lunar calendar covers these


@dataclass(frozen=True)
class SwapDay:
    day: date
    working: bool
    reason: str
    decision_ref: str
    updated_by: str

    def to_dict(self) -> dict:
        return {"day": self.day.isoformat(), "working": self.working, "reason": self.reason,
                "decision_ref": self.decision_ref, "updated_by": self.updated_by}


@dataclass(frozen=True)
class Due:
    """One deadline an event starts: the rule and its last day."""

    rule: DeadlineRule
    event_date: date
    due: date

    def to_dict(self) -> dict:
        r = self.rule
        return {"rule": r.id, "action": r.action, "days": r.days, "unit": r.unit.value, "article": r.article,
                "event_date": self.event_date.isoformat(), "due": self.due.isoformat()}


def active_profile(c: Context) -> Profile:
    return load_profile(c.settings.profile)


def calendar_of(session: Session) -> WorkingCalendar:
    """The national calendar with this office's table of swap days."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.working)).all()
    return WorkingCalendar({day: working for day, working in rows})


def office_calendar(c: Context) -> WorkingCalendar:
    with c.uow() as uow:
        return calendar_of(uow.session)


def swap_days(c: Context, *, year: int | None = None) -> list[SwapDay]:
    with c.uow() as uow:
        stmt = select(CalendarDay).order_by(CalendarDay.day)
        if year is not None:
            stmt = stmt.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        return [SwapDay(r.day, r.working, r.reason, r.decision_ref, r.updated_by) for r in uow.session.scalars(stmt)]


def _check_day(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise InvalidInput(f"Ngày phải trong khoảng {EARLIEST:%d/%m/%Y}–{LATEST:%d/%m/%Y}.")
    return day


def set_swap_day(c: Context, actor: Actor, day: date, *, working: bool, reason: str, decision_ref: str) -> SwapDay:
    """Mark `day` a working day (làm bù) or a day off (nghỉ bù, nghỉ thêm) by an announcement."""
    _check_day(day)
    reason = " ".join(nfc(reason or "").split())
    decision_ref = " ".join(nfc(decision_ref or "").split())
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(f"Cần ghi lý do (tối đa {MAX_REASON} ký tự), ví dụ: «Làm bù cho ngày 2/5».")
    if not decision_ref or len(decision_ref) > MAX_DECISION:
        raise InvalidInput(f"Cần số văn bản thông báo (tối đa {MAX_DECISION} ký tự), ví dụ: «Thông báo 6150/TB-BNV».")
    if any(ord(ch) < 32 for ch in reason + decision_ref):
        raise InvalidInput("Lý do và số văn bản không được chứa ký tự điều khiển.")
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        row = s.get(CalendarDay, day)
        before = SwapDay(row.day, row.working, row.reason, row.decision_ref, row.updated_by).to_dict() if row else None
        if row is None:
            row = CalendarDay(day=day)
            s.add(row)
        row.working, row.reason, row.decision_ref, row.updated_by = working, reason, decision_ref, actor.name
        after = SwapDay(day, working, reason, decision_ref, actor.name)
        audit.append(s, actor=actor.name, ip=actor.ip, action="calendar.set", target_type="calendar_day",
                     target_id=day.isoformat(), details={"before": before, "after": after.to_dict()})
        uow.commit()
        return after


def remove_swap_day(c: Context, actor: Actor, day: date) -> None:
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        row = s.get(CalendarDay, day)
        if row is None:
            raise NotFound(f"Ngày {day:%d/%m/%Y} không có trong bảng ngày nghỉ bù, làm bù.")
        before = SwapDay(row.day, row.working, row.reason, row.decision_ref, row.updated_by).to_dict()
        s.delete(row)
        audit.append(s, actor=actor.name, ip=actor.ip, action="calendar.remove", target_type="calendar_day",
                     target_id=day.isoformat(), details={"before": before})
        uow.commit()


def profile_view(p: Profile) -> dict:
    """The profile as the API and `archive profile show --json` give it."""
    return {"code": p.code, "name": p.name, "regulation": p.regulation, "account_model": p.account_model,
            "account_model_article": p.account_model_article, "declare_verify_approve": p.declare_verify_approve,
            "backup": {"cadence": p.backup_cadence, "keep_months_min": p.backup_keep_months_min,
                       "source": p.backup_source},
            "rules": [{"id": r.id, "event": r.event, "event_text": EVENTS[r.event], "action": r.action,
                       "days": r.days, "unit": r.unit.value, "article": r.article,
                       "needs_document": r.needs_document} for r in p.rules],
            "reports": [{"period": r.period, "opens": f"{r.opens[1]:02d}/{r.opens[0]:02d}" if r.opens else None,
                         "due": f"{r.due[1]:02d}/{r.due[0]:02d}", "due_text": r.due_text, "article": r.article}
                        for r in p.reports],
            "notes": dict(p.notes)}


def deadlines_for(c: Context, event: str, event_date: date) -> list[Due]:
    """Every deadline the active profile attaches to an event on `event_date`."""
    if event not in EVENTS:
        raise InvalidInput(f"Sự kiện không hợp lệ; chọn một trong: {', '.join(EVENTS)}.")
    _check_day(event_date)
    calendar = office_calendar(c)
    return [Due(rule, event_date, due(rule, event_date, calendar)) for rule in active_profile(c).rules_for(event)]
