"""Tuổi nghỉ hưu (NĐ 135/2020 Điều 4, Phụ lục I): hand-computed for men and women born 1961–1975.

Each row: birth date, gender → (age, the month it is reached, the last working day). Worked by
hand from khoản 2 (60y3m / 55y4m in 2021, +3 / +4 months a year, to 62 in 2028 / 60 in 2035;
the age of the year in which it is reached) and khoản 4 (retire at the end of that month).
"""

from __future__ import annotations

from datetime import date

import pytest

from archive.services.retirement_age import age_in_year, retirement

CASES = [
    # men: 2021 60y3m (born 01–09/1961), 2022 60y6m (10/1961–06/1962), 2023 60y9m (07/1962–03/1963),
    # 2024 61y (04/1963–12/1963), 2025 61y3m (01–09/1964), 2026 61y6m (10/1964–06/1965),
    # 2027 61y9m (07/1965–03/1966), 62y from 04/1966
    (date(1960, 12, 20), "nam", "60 tuổi", (2020, 12), date(2020, 12, 31)),
    (date(1961, 1, 15), "nam", "60 tuổi 3 tháng", (2021, 4), date(2021, 4, 30)),
    (date(1961, 9, 30), "nam", "60 tuổi 3 tháng", (2021, 12), date(2021, 12, 31)),
    (date(1961, 10, 1), "nam", "60 tuổi 6 tháng", (2022, 4), date(2022, 4, 30)),
    (date(1962, 6, 10), "nam", "60 tuổi 6 tháng", (2022, 12), date(2022, 12, 31)),
    (date(1962, 7, 1), "nam", "60 tuổi 9 tháng", (2023, 4), date(2023, 4, 30)),
    (date(1963, 4, 2), "nam", "61 tuổi", (2024, 4), date(2024, 4, 30)),
    (date(1964, 5, 31), "nam", "61 tuổi 3 tháng", (2025, 8), date(2025, 8, 31)),
    (date(1965, 2, 14), "nam", "61 tuổi 6 tháng", (2026, 8), date(2026, 8, 31)),
    (date(1965, 6, 5), "nam", "61 tuổi 6 tháng", (2026, 12), date(2026, 12, 31)),
    (date(1965, 7, 5), "nam", "61 tuổi 9 tháng", (2027, 4), date(2027, 4, 30)),
    (date(1966, 3, 31), "nam", "61 tuổi 9 tháng", (2027, 12), date(2027, 12, 31)),
    (date(1966, 4, 1), "nam", "62 tuổi", (2028, 4), date(2028, 4, 30)),
    (date(1975, 11, 11), "nam", "62 tuổi", (2037, 11), date(2037, 11, 30)),
    # women: 2021 55y4m (01–08/1966), 2022 55y8m (09/1966–04/1967), 2023 56y (05–12/1967),
    # 2026 57y (05–12/1969), 2027 57y4m (01–08/1970), 2034 59y8m (09/1974–04/1975), 60y from 05/1975
    (date(1965, 12, 1), "nu", "55 tuổi", (2020, 12), date(2020, 12, 31)),
    (date(1966, 1, 20), "nu", "55 tuổi 4 tháng", (2021, 5), date(2021, 5, 31)),
    (date(1966, 8, 31), "nu", "55 tuổi 4 tháng", (2021, 12), date(2021, 12, 31)),
    (date(1966, 9, 1), "nu", "55 tuổi 8 tháng", (2022, 5), date(2022, 5, 31)),
    (date(1967, 4, 30), "nu", "55 tuổi 8 tháng", (2022, 12), date(2022, 12, 31)),
    (date(1967, 5, 1), "nu", "56 tuổi", (2023, 5), date(2023, 5, 31)),
    (date(1969, 6, 15), "nu", "57 tuổi", (2026, 6), date(2026, 6, 30)),
    (date(1970, 2, 28), "nu", "57 tuổi 4 tháng", (2027, 6), date(2027, 6, 30)),
    (date(1972, 3, 3), "nu", "58 tuổi 4 tháng", (2030, 7), date(2030, 7, 31)),
    (date(1975, 4, 30), "nu", "59 tuổi 8 tháng", (2034, 12), date(2034, 12, 31)),
    (date(1975, 5, 1), "nu", "60 tuổi", (2035, 5), date(2035, 5, 31)),
]


@pytest.mark.parametrize("birth, gender, age, reached, last_day", CASES)
def test_the_age_month_and_last_working_day_follow_the_schedule(birth, gender, age, reached, last_day) -> None:
    r = retirement(birth, gender)
    assert (r.age_text, r.reached, r.last_day) == (age, reached, last_day)


def test_the_pension_starts_the_first_day_after_the_month_the_age_is_reached() -> None:
    r = retirement(date(1964, 2, 29), "nam")  # 61y3m in 2025 → 05/2025, whatever the day of birth
    assert (r.last_day, r.pension_from) == (date(2025, 5, 31), date(2025, 6, 1))
    assert retirement(date(1966, 12, 31), "nam").pension_from == date(2029, 1, 1)


def test_the_schedule_stops_at_62_and_60() -> None:
    assert [age_in_year("nam", y) for y in (2020, 2021, 2024, 2028, 2040)] == [720, 723, 732, 744, 744]
    assert [age_in_year("nu", y) for y in (2020, 2021, 2026, 2035, 2040)] == [660, 664, 684, 720, 720]


def test_an_unknown_gender_is_refused() -> None:
    with pytest.raises(ValueError):
        retirement(date(1970, 1, 1), "")
