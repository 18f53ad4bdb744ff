"""Deadlines in Vietnamese working days, checked against dates counted by hand on the 2026 calendar
(Tết Bính Ngọ 16–20/2, Giỗ Tổ observed 27/4, the make-up Saturday 22/8 for the day off 31/8, 1–2/9)."""

from datetime import date

import pytest

from archive.jurisdiction import ProfileError, available_profiles, due, load_profile, parse_profile
from archive.working_days import DayUnit, WorkingCalendar

CAL = WorkingCalendar()


def test_tet_2026_and_weekends_are_not_working_days_and_the_make_up_saturday_is():
    assert [CAL.is_working_day(date(2026, 2, d)) for d in range(13, 24)] == [
        True, False, False, False, False, False, False, False, False, False, True]
    assert CAL.is_working_day(date(2026, 8, 22))       # Saturday, ngày làm bù
    assert not CAL.is_working_day(date(2026, 8, 29))   # an ordinary Saturday
    assert not CAL.is_working_day(date(2026, 8, 31))   # the day off it pays for
    assert not CAL.is_working_day(date(2026, 4, 27))   # Giỗ Tổ fell on a Sunday: observed Monday


def test_da_nang_ten_working_days_across_tet():
    rule = load_profile("da-nang").rule("state_change")  # Đ10.2.b: 10 ngày làm việc
    assert (rule.days, rule.unit) == (10, DayUnit.WORKING)
    # from Friday 13/2: 23–27/2 are 1–5, 2–6/3 are 6–10
    assert due(rule, date(2026, 2, 13), CAL) == date(2026, 3, 6)


def test_ha_noi_calendar_days_ending_in_tet_move_to_the_next_working_day():
    rule = load_profile("ha-noi").rule("state_change")  # Đ7.2.a: 15 ngày
    assert rule.unit is DayUnit.CALENDAR
    # 1/2 + 15 days = Monday 16/2, the eve of Tết: the term ends on the next working day, 23/2
    assert due(rule, date(2026, 2, 1), CAL) == date(2026, 2, 23)
    # 60 days for a new record from 2/3: 1/5 (a holiday, Friday) → Monday 4/5
    assert due(load_profile("ha-noi").rule("new_record"), date(2026, 3, 2), CAL) == date(2026, 5, 4)
    # an ordinary one: from 6/1, 15 days is Wednesday 21/1
    assert due(rule, date(2026, 1, 6), CAL) == date(2026, 1, 21)


def test_lang_son_five_working_days_count_the_make_up_saturday():
    rule = load_profile("lang-son").rule("transfer")  # Đ8.1: 05 ngày làm việc
    # from Wednesday 19/8: 20, 21, Saturday 22 (làm bù), 24, 25
    assert due(rule, date(2026, 8, 19), CAL) == date(2026, 8, 25)


def test_tp_hcm_ten_working_days_across_the_national_day_break():
    rule = load_profile("tp-hcm").rule("leaving")  # Đ8.4: 10 ngày làm việc
    # from Friday 21/8: 22 (làm bù), 24–28, then 31/8, 1/9, 2/9 off, 3, 4, 7, 8
    assert due(rule, date(2026, 8, 21), CAL) == date(2026, 9, 8)


def test_the_admins_table_of_a_later_year_overrides_the_package():
    # a year whose swaps the package does not know: the admin marks a bridge day off and a Saturday on
    cal = WorkingCalendar({date(2027, 5, 4): False, date(2027, 5, 8): True})
    assert not cal.is_working_day(date(2027, 5, 4)) and cal.is_working_day(date(2027, 5, 8))
    assert CAL.is_working_day(date(2027, 5, 4)) and not CAL.is_working_day(date(2027, 5, 8))
    # 4 working days from Thursday 29/4/2027: 30/4 and 1/5 are holidays (3/5 observed for the
    # Saturday); without the table 4, 5, 6, 7; with it 5, 6, 7 and Saturday 8
    assert CAL.add(date(2027, 4, 29), 4, DayUnit.WORKING) == date(2027, 5, 7)
    assert cal.add(date(2027, 4, 29), 4, DayUnit.WORKING) == date(2027, 5, 8)


def test_working_days_between_counts_lateness():
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert CAL.working_days_between(date(2026, 2, 24), date(2026, 2, 13)) == 0
    assert CAL.add(date(2026, 3, 2), 0, DayUnit.WORKING) == date(2026, 3, 2)


def test_every_profile_loads_and_every_rule_names_its_article():
    assert set(available_profiles()) >= {"neutral", "ha-noi", "binh-tan", "da-nang", "tp-hcm", "lang-son"}
    for code in available_profiles():
        profile = load_profile(code)
        assert all(r.article.startswith("Điều ") for r in profile.rules), code
        assert all(r.article.startswith("Điều ") for r in profile.reports), code
    assert load_profile("tp-hcm").declare_verify_approve and load_profile("ha-noi").account_model == "per_unit"
    assert [r.due for r in load_profile("ha-noi").reports] == [(6, 15), (12, 15)]


@pytest.mark.parametrize("rule, message", [
    ({"id": "x", "event": "nope", "action": "a", "days": 5, "unit": "working", "article": "Điều 1"}, "sự kiện"),
    ({"id": "x", "event": "leaving", "action": "a", "days": -1, "unit": "working", "article": "Điều 1"}, "số ngày"),
    ({"id": "x", "event": "leaving", "action": "a", "days": 5, "unit": "weeks", "article": "Điều 1"}, "đơn vị"),
    ({"id": "x", "event": "leaving", "action": "a", "days": 5, "unit": "working"}, "thiếu 'article'"),
    ({"id": "x", "event": "leaving", "action": "a", "days": 5, "unit": "working", "article": "Đ1", "dayz": 1},
     "khoá không biết"),
])
def test_a_bad_rule_is_refused_naming_the_file(rule, message):
    with pytest.raises(ProfileError, match=message) as info:
        parse_profile({"code": "x", "name": "X", "rule": [rule]}, "x.toml")
    assert "x.toml" in str(info.value)


def test_an_unknown_profile_is_refused_with_the_list():
    with pytest.raises(ProfileError, match="không có quy định 'ha-tay'.*ha-noi"):
        load_profile("ha-tay")
