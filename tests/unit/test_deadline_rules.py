"""States of a deadline (Cảnh báo hạn), counted by hand on the 2026 calendar: Tết Bính Ngọ 16–20/2 off.

Lạng Sơn Đ8.2: a leaving decision is recorded within 05 ngày làm việc. From Thursday 12/2/2026:
Friday 13/2 is day 1, Tết takes 16–20/2, then 23, 24, 25, 26/2 → due Thursday 26/2.
"""

from dataclasses import replace
from datetime import date

from archive.jurisdiction import load_profile
from archive.services.deadline_rules import RecordEvent, deadline_state, unit_rates
from archive.working_days import WorkingCalendar

CAL = WorkingCalendar()
LEAVING = load_profile("lang-son").rule("leaving")
WITH_DOCUMENT = replace(LEAVING, id="leaving_doc", needs_document=True)


def _event(done: date | None, unit: str = "A", code: str = "NV1") -> RecordEvent:
    return RecordEvent(code, "Nguyễn Văn An", unit, f"Đơn vị {unit}", "leaving", date(2026, 2, 12), done, "12/QĐ")


def test_recorded_on_the_due_day_across_tet_is_on_time():
    s = deadline_state(_event(date(2026, 2, 26)), LEAVING, today=date(2026, 12, 1), calendar=CAL)
    assert (s.due, s.state, s.done_on, s.days_late) == (date(2026, 2, 26), "done_on_time", date(2026, 2, 26), 0)


def test_recorded_after_the_due_day_is_late_by_working_days():
    # Tuesday 3/3: 27/2, 2/3, 3/3 are three working days after the due day (the weekend is not counted)
    s = deadline_state(_event(date(2026, 3, 3)), LEAVING, today=date(2026, 12, 1), calendar=CAL)
    assert (s.state, s.days_late) == ("done_late", 3)
    assert s.to_dict()["days_late"] == 3 and s.to_dict()["article"] == "Điều 8 khoản 2"


def test_a_rule_that_needs_the_document_is_open_until_it_is_uploaded():
    recorded = _event(date(2026, 2, 13))
    overdue = deadline_state(recorded, WITH_DOCUMENT, today=date(2026, 2, 27), calendar=CAL)
    assert (overdue.state, overdue.done_on, overdue.days_late) == ("overdue", None, 1)
    soon = deadline_state(recorded, WITH_DOCUMENT, today=date(2026, 2, 24), calendar=CAL)
    assert (soon.state, soon.days_left) == ("due_soon", 2)  # 25 and 26/2 left
    later = deadline_state(recorded, WITH_DOCUMENT, today=date(2026, 2, 13), calendar=CAL, warn_days=2)
    assert (later.state, later.days_left) == ("pending", 4)  # 23–26/2 after Tết
    on_time = deadline_state(recorded, WITH_DOCUMENT, today=date(2026, 12, 1), calendar=CAL,
                             document_on=date(2026, 2, 25))
    assert (on_time.state, on_time.done_on) == ("done_on_time", date(2026, 2, 25))
    late = deadline_state(recorded, WITH_DOCUMENT, today=date(2026, 12, 1), calendar=CAL,
                          document_on=date(2026, 3, 2))
    assert (late.state, late.days_late) == ("done_late", 2)


def test_a_step_not_recorded_yet_is_overdue_even_without_a_document_rule():
    s = deadline_state(_event(None), LEAVING, today=date(2026, 3, 2), calendar=CAL)
    assert (s.state, s.days_late) == ("overdue", 2)  # 27/2 and 2/3


def test_unit_rates_count_on_time_among_what_is_done_or_past_due():
    today = date(2026, 12, 1)
    states = [deadline_state(_event(date(2026, 2, 20), "A", "a1"), LEAVING, today=today, calendar=CAL),
              deadline_state(_event(date(2026, 3, 3), "A", "a2"), LEAVING, today=today, calendar=CAL),
              deadline_state(_event(None, "A", "a3"), LEAVING, today=today, calendar=CAL),
              deadline_state(_event(date(2026, 2, 13), "B", "b1"), LEAVING, today=today, calendar=CAL)]
    a, b = unit_rates(states)
    assert (a.unit_code, a.done_on_time, a.done_late, a.overdue, a.on_time_percent) == ("A", 1, 1, 1, 33)
    assert (b.unit_code, b.on_time_percent) == ("B", 100)
    assert unit_rates([]) == []
