"""Hạn cập nhật hồ sơ (deadlines) as states: from an event, a profile rule and what was recorded when.

Pure functions of plain values (no database, no clock): the deadline service
(archive.services.deadlines) gathers the events from the record's history and hands them here.

A rule is **done** on the later of the day its step was recorded and, when the profile asks
for the document too (`needs_document`), the day a document was uploaded on or after the
event. Done on or before the due day is `done_on_time`; after it `done_late`, with the
working days (ngày làm việc) it was late. Not done: `overdue` once today is past the due day,
`due_soon` when the due day is at most `warn_days` working days away, `pending` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from archive.jurisdiction import DeadlineRule, due
from archive.working_days import WorkingCalendar

STATES = ("overdue", "due_soon", "pending", "done_late", "done_on_time")
OPEN_STATES = frozenset({"overdue", "due_soon", "pending"})


@dataclass(frozen=True)
class RecordEvent:
    """One thing that starts a term, as the record shows it: who, which event, on which day."""

    staff_code: str
    staff_name: str
    unit_code: str
    unit_name: str
    event: str               # archive.jurisdiction.EVENTS code
    event_date: date         # the decision's effective date (ngày có hiệu lực)
    step_done_on: date | None  # the day the step the rule asks for was recorded (None: not yet)
    decision_ref: str = ""


@dataclass(frozen=True)
class DeadlineState:
    """One rule of one event: its due day and where it stands today."""

    event: RecordEvent
    rule: DeadlineRule
    due: date
    state: str
    done_on: date | None = None
    days_late: int = 0        # working days after the due day it was done (done_late)
    days_left: int = 0        # working days until the due day (due_soon, pending)

    def to_dict(self) -> dict:
        e, r = self.event, self.rule
        return {"staff_code": e.staff_code, "staff_name": e.staff_name, "unit": e.unit_code,
                "unit_name": e.unit_name, "event": e.event, "event_date": e.event_date.isoformat(),
                "decision_ref": e.decision_ref, "rule": r.id, "action": r.action, "days": r.days,
                "unit_of_days": r.unit.value, "article": r.article, "needs_document": r.needs_document,
                "due": self.due.isoformat(), "state": self.state,
                "done_on": self.done_on.isoformat() if self.done_on else None,
                "days_late": self.days_late, "days_left": self.days_left}


def deadline_state(event: RecordEvent, rule: DeadlineRule, *, today: date, calendar: WorkingCalendar,
                   document_on: date | None = None, warn_days: int = 5) -> DeadlineState:
    """Where `rule` stands for `event` on `today`; `document_on`: the first upload on or after the event."""
    last_day = due(rule, event.event_date, calendar)
    done_on = event.step_done_on
    if rule.needs_document:
        done_on = None if done_on is None or document_on is None else max(done_on, document_on)
    if done_on is not None:
        if done_on <= last_day:
            return DeadlineState(event, rule, last_day, "done_on_time", done_on)
        return DeadlineState(event, rule, last_day, "done_late", done_on,
                             days_late=max(1, calendar.working_days_between(last_day, done_on)))
    if today > last_day:
        return DeadlineState(event, rule, last_day, "overdue",
                             days_late=calendar.working_days_between(last_day, today))
    left = calendar.working_days_between(today, last_day)
    return DeadlineState(event, rule, last_day, "due_soon" if left <= warn_days else "pending", days_left=left)


@dataclass(frozen=True)
class UnitRate:
    """Tỷ lệ đúng hạn of one unit: counts by state, and the share done on time of what is due."""

    unit_code: str
    unit_name: str
    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    due_soon: int = 0
    pending: int = 0

    @property
    def on_time_percent(self) -> int | None:
        """Done on time among those done or past due; None when nothing is yet."""
        counted = self.done_on_time + self.done_late + self.overdue
        return round(100 * self.done_on_time / counted) if counted else None

    def to_dict(self) -> dict:
        return {"unit": self.unit_code, "unit_name": self.unit_name, "done_on_time": self.done_on_time,
                "done_late": self.done_late, "overdue": self.overdue, "due_soon": self.due_soon,
                "pending": self.pending, "on_time_percent": self.on_time_percent}


def unit_rates(states: list[DeadlineState]) -> list[UnitRate]:
    """One UnitRate per unit that has a deadline, in unit code order."""
    counts: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    for s in states:
        code = s.event.unit_code
        names[code] = s.event.unit_name
        counts.setdefault(code, dict.fromkeys(STATES, 0))[s.state] += 1
    return [UnitRate(code, names[code], **counts[code]) for code in sorted(counts)]
