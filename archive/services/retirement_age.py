"""Tuổi nghỉ hưu (retirement age) in normal working conditions, Nghị định 135/2020/NĐ-CP Điều 4.

Pure: a birth date and a gender in, the age and the day out. What is implemented, and why:

- **The schedule (Điều 4 khoản 2, Phụ lục I).** From 01/01/2021 the age is 60 years 3 months for
  men and 55 years 4 months for women, then +3 months a year for men until 62 in 2028 and +4
  months a year for women until 60 in 2035. The age that applies is the one of the *calendar
  year in which the person reaches it*: a man born 10/1961 is 60y3m in 01/2022, but in 2022 the
  age is 60y6m, so he retires in 04/2022 (Phụ lục I lists him under 2022). Anyone who reached
  60 (men) / 55 (women) before 2021 retired at that age (Bộ luật Lao động 2012, Điều 187).
- **The day (Điều 4 khoản 4).** "Thời điểm nghỉ hưu là kết thúc ngày cuối cùng của tháng đủ tuổi
  nghỉ hưu": the age is reached in the birth month plus the age in months, whatever the birth
  day; the person works until the last day of that month, and the pension (hưởng chế độ hưu trí)
  starts on the first day of the next month. So only the birth *month* matters.
- A birth date with only a year known is stored as 01/01 of that year (how records of unknown
  day and month are written), which is also what khoản 5 of the same article asks.

The decree's text is not in the shared regulations folder; the article numbers above are those
of the decree as published (Công báo 2020), checked against Phụ lục I's table in the tests.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

ARTICLE = "Nghị định 135/2020/NĐ-CP, Điều 4"
MALE, FEMALE = "nam", "nu"
# (age in months in 2021, months added a year, final age in months)
_SCHEDULE = {MALE: (60 * 12 + 3, 3, 62 * 12), FEMALE: (55 * 12 + 4, 4, 60 * 12)}
_BEFORE_2021 = {MALE: 60 * 12, FEMALE: 55 * 12}
FIRST_YEAR = 2021


def age_in_year(gender: str, year: int) -> int:
    """The retirement age, in months, of someone who reaches it in `year` (Điều 4 khoản 2)."""
    start, step, final = _SCHEDULE[_gender(gender)]
    if year < FIRST_YEAR:
        return _BEFORE_2021[_gender(gender)]
    return min(final, start + step * (year - FIRST_YEAR))


def _gender(gender: str) -> str:
    if gender not in _SCHEDULE:
        raise ValueError(f"giới tính '{gender}' phải là 'nam' hoặc 'nu'")
    return gender


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + months
    return total // 12, total % 12 + 1


@dataclass(frozen=True)
class Retirement:
    """When a person reaches retirement age: the month, the last working day, the pension's first day."""

    age_months: int
    reached: tuple[int, int]   # (year, month) the age is reached (tháng đủ tuổi nghỉ hưu)
    last_day: date             # thời điểm nghỉ hưu: the end of that month
    pension_from: date         # hưởng lương hưu từ: the first day of the next month

    @property
    def age_text(self) -> str:
        years, months = divmod(self.age_months, 12)
        return f"{years} tuổi" + (f" {months} tháng" if months else "")


def retirement(birth: date, gender: str) -> Retirement:
    """The retirement of someone born on `birth` (gender 'nam' or 'nu'), per NĐ 135/2020 Điều 4."""
    g = _gender(gender)
    before = _add_months(birth.year, birth.month, _BEFORE_2021[g])
    if before[0] < FIRST_YEAR:
        age, reached = _BEFORE_2021[g], before
    else:
        # the age grows each year, so the first year whose age is reached within that year is the one
        year = FIRST_YEAR
        while True:
            age = age_in_year(g, year)
            reached = _add_months(birth.year, birth.month, age)
            if reached[0] <= year:
                break
            year += 1
    y, m = reached
    last = date(y, m, calendar.monthrange(y, m)[1])
    ny, nm = _add_months(y, m, 1)
    return Retirement(age_months=age, reached=reached, last_day=last, pension_from=date(ny, nm, 1))
