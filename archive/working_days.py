"""Working days (ngày làm việc) and deadlines counted the way Vietnamese law counts them.

A working day is Monday–Friday, minus the public holidays of Việt Nam (the `holidays`
package's VN calendar: Tết by the lunar calendar, Giỗ Tổ, 30/4, 1/5, 2/9 and the government's
announced days off in lieu), plus the make-up Saturdays the government announces (ngày làm
bù), which count as working days. The package knows the announced swaps only up to the year
it was released, so an admin keeps a table of each later year's decisions (`overrides`): a
date marked as a day off or as a working day wins over everything else.

Counting (Bộ luật Dân sự 2015, Điều 147 khoản 1 and Điều 148 khoản 5): the day of the event
is not counted, the term starts the next day; a term in calendar days ("ngày") whose last day
is a weekend or a holiday ends at the end of the next working day. A term in working days
("ngày làm việc") counts only working days. Pure functions of dates: no clock, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from functools import lru_cache

import holidays

_DAY = timedelta(days=1)


class DayUnit(str, Enum):
    """How a regulation counts a term: "ngày làm việc" or plain "ngày"."""

    WORKING = "working"
    CALENDAR = "calendar"


@lru_cache(maxsize=64)
def _public(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, weekend days that are working days) of one year, from the package."""
    vn = holidays.country_holidays("VN", years=year)
    return frozenset(vn), frozenset(d for d in getattr(vn, "weekend_workdays", ()) if d.year == year)


@dataclass(frozen=True)
class WorkingCalendar:
    """The calendar of one office: the national one, with the admin's overrides on top.

    `overrides` maps a date to True (a working day, e.g. a make-up Saturday) or False (a day
    off, e.g. an extra Tết day announced for a year the package does not know yet).
    """

    overrides: Mapping[date, bool] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        off, weekend_work = _public(day.year)
        if day in weekend_work:
            return True
        return day.weekday() < 5 and day not in off

    def holiday_name(self, day: date) -> str | None:
        """The package's name of a public holiday on that day (English), or None."""
        return holidays.country_holidays("VN", years=day.year).get(day)

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += _DAY
        return day

    def add(self, start: date, days: int, unit: DayUnit) -> date:
        """The last day of a term of `days` counted from the event on `start` (not counted)."""
        if days < 0:
            raise ValueError("a term cannot be negative")
        if unit is DayUnit.CALENDAR:
            return self.next_working_day(start + timedelta(days=days)) if days else start
        day, left = start, days
        while left:
            day += _DAY
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end ≤ start): how many
        working days of a term have passed, or how late something was."""
        count, day = 0, start
        while day < end:
            day += _DAY
            if self.is_working_day(day):
                count += 1
        return count
