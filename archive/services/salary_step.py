"""Nâng bậc lương thường xuyên (the regular salary step) — when the next step is due, from the grade.

Pure. The term a step is held (thời gian giữ bậc) comes from Nghị định 204/2004/NĐ-CP and
Thông tư 08/2013/TT-BNV Điều 2 khoản 1 (as amended by Thông tư 03/2021/TT-BNV):

- ngạch whose rank requires a university degree or higher — loại A3, A2, A1 (chuyên viên cao cấp,
  chuyên viên chính, chuyên viên and their equivalents): **36 months** (3 năm);
- ngạch requiring cao đẳng or below — loại A0, B, C (cán sự, trung cấp, nhân viên): **24 months**.

The grade's category (loại công chức) is read from the mã ngạch: the seeded codes of
archive/catalog_seed.py are listed below with their loại (bảng 2, NĐ 204/2004; TT 02/2021/TT-BNV
for hành chính, văn thư; TT 29/2022/TT-BTC for kế toán, thuế, hải quan). A grade not listed gives
no warning rather than a guessed one: an admin who adds a grade to the catalog adds it here too.
Someone on the last step of their scale gets no regular step (phụ cấp thâm niên vượt khung
instead), so no warning either. Periods of discipline or unpaid leave that lengthen the term
(TT 08/2013 Điều 2 khoản 2, khoản 3) are not recorded in the CV and are not counted.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

ARTICLE = "Thông tư 08/2013/TT-BNV Điều 2 khoản 1 (sửa đổi bởi Thông tư 03/2021/TT-BNV)"
MONTHS_BY_CATEGORY = {"A3": 36, "A2": 36, "A1": 36, "A0": 24, "B": 24, "C": 24}
STEPS_BY_CATEGORY = {"A3": 6, "A2": 8, "A1": 9, "A0": 10, "B": 12, "C": 12}  # số bậc of each scale

_A3 = ("01.001", "04.023", "06.029", "06.036", "08.049", "06.041", "07.044", "23.261", "21.187")
_A2 = ("01.002", "02.006", "04.024", "06.030", "06.037", "08.050", "06.042", "07.045", "23.262", "21.188")
_A1 = ("01.003", "02.007", "04.025", "06.031", "06.038", "08.051", "06.043", "07.046", "23.263", "21.189")
_B = ("01.004", "01.005", "02.008", "06.032", "06.039", "06.040", "08.052", "08.053", "23.265", "21.190")
GRADE_CATEGORY: dict[str, str] = {
    **dict.fromkeys(_A3, "A3"), **dict.fromkeys(_A2, "A2"), **dict.fromkeys(_A1, "A1"), **dict.fromkeys(_B, "B"),
}


@dataclass(frozen=True)
class StepDue:
    category: str
    months: int
    since: date      # ngày hưởng of the current step
    due: date        # the day the next step is due
    step: int | None


def add_months(day: date, months: int) -> date:
    total = day.year * 12 + (day.month - 1) + months
    y, m = divmod(total, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def next_step(grade_code: str, since: date, step: int | None = None) -> StepDue | None:
    """When the step held since `since` is followed by the next; None for an unknown grade or the last step."""
    category = GRADE_CATEGORY.get(grade_code)
    if category is None:
        return None
    if step is not None and step >= STEPS_BY_CATEGORY[category]:
        return None
    months = MONTHS_BY_CATEGORY[category]
    return StepDue(category, months, since, add_months(since, months), step)
