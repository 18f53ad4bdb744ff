"""Warning rules (tiện ích cảnh báo) on plain records: retirement within N months, the salary step due
by the grade's loại (36 / 24 months), a contract ending; only people still working; stable keys."""

from __future__ import annotations

from datetime import date

from archive.models import Staff, StaffHistory, Unit
from archive.services.salary_step import next_step
from archive.services.warnings import warnings_for
from archive.settings import Settings

TODAY = date(2026, 12, 1)
UNIT = Unit(id=1, code="A", name="Phòng Alpha", path="/1/")


def _settings(tmp_path, **kw) -> Settings:
    return Settings(data_dir=tmp_path, **kw)


def _staff(code="A1", *, birth=None, gender="", grade="", profile=None, status="dang_cong_tac") -> Staff:
    return Staff(id=7, code=code, full_name="Nguyễn Văn An", birth_date=birth, gender=gender, unit_id=1,
                 status=status, grade_code=grade, profile=profile or {}, restriction_level=0)


def _kinds(ws) -> dict[str, date]:
    return {w.kind: w.due for w in ws}


def test_retirement_is_warned_within_the_months_set_and_not_before(tmp_path) -> None:
    s = _settings(tmp_path)  # 6 months
    # born 06/1965, man: 61y6m in 12/2026 → last day 31/12/2026, inside six months
    soon = warnings_for(_staff(birth=date(1965, 6, 5), gender="nam"), UNIT, [], today=TODAY, settings=s)
    assert _kinds(soon) == {"retirement": date(2026, 12, 31)}
    assert soon[0].key == "retirement:A1:2026-12-31" and "61 tuổi 6 tháng" in soon[0].detail
    assert "01/01/2027" in soon[0].detail and "Điều 4" in soon[0].article
    # woman born 02/1970: 57y4m → 30/06/2027, seven months off: not yet, but with 7 months it is
    later = _staff(birth=date(1970, 2, 28), gender="nu")
    assert warnings_for(later, UNIT, [], today=TODAY, settings=s) == []
    assert _kinds(warnings_for(later, UNIT, [], today=TODAY, settings=_settings(tmp_path, warn_retirement_months=7))
                  ) == {"retirement": date(2027, 6, 30)}


def test_someone_who_left_is_not_warned(tmp_path) -> None:
    gone = _staff(birth=date(1965, 6, 5), gender="nam", status="nghi_huu")
    assert warnings_for(gone, UNIT, [], today=TODAY, settings=_settings(tmp_path)) == []


def test_the_salary_step_is_due_after_36_months_for_chuyen_vien_and_24_for_can_su(tmp_path) -> None:
    s = _settings(tmp_path)  # 60 days
    cv = _staff(grade="01.003", profile={"salary_step": 3, "salary_effective_date": "2024-03-15"})
    assert warnings_for(cv, UNIT, [], today=TODAY, settings=s) == []  # due 15/03/2027: 104 days off
    ws = warnings_for(cv, UNIT, [], today=date(2027, 1, 20), settings=s)
    assert _kinds(ws) == {"salary_step": date(2027, 3, 15)}
    assert "loại A1" in ws[0].detail and "36 tháng" in ws[0].detail and "08/2013" in ws[0].article
    cs = _staff(grade="01.004", profile={"salary_step": 5, "salary_effective_date": "2024-12-20"})
    assert _kinds(warnings_for(cs, UNIT, [], today=TODAY, settings=s)) == {"salary_step": date(2026, 12, 20)}


def test_a_newer_salary_history_row_moves_the_step_and_the_last_step_gets_none(tmp_path) -> None:
    s = _settings(tmp_path)
    profile = {"salary_step": 2, "salary_effective_date": "2020-01-01"}
    rows = [StaffHistory(kind="dien_bien_luong", from_date=date(2023, 12, 1), details={"bac": "3"})]
    ws = warnings_for(_staff(grade="01.003", profile=profile), UNIT, rows, today=TODAY, settings=s)
    assert _kinds(ws) == {"salary_step": date(2026, 12, 1)} and "bậc 3" in ws[0].detail
    # without the row the 2020 step is long overdue — still warned, as overdue
    old = warnings_for(_staff(grade="01.003", profile=profile), UNIT, [], today=TODAY, settings=s)
    assert _kinds(old) == {"salary_step": date(2023, 1, 1)} and old[0].overdue
    top = _staff(grade="01.001", profile={"salary_step": 6, "salary_effective_date": "2020-01-01"})  # A3: 6 steps
    assert warnings_for(top, UNIT, [], today=TODAY, settings=s) == []
    unknown = _staff(grade="99.999", profile={"salary_step": 1, "salary_effective_date": "2020-01-01"})
    assert warnings_for(unknown, UNIT, [], today=TODAY, settings=s) == []


def test_a_contract_ending_within_the_days_set_is_warned(tmp_path) -> None:
    s = _settings(tmp_path)
    ends = _staff(profile={"contract_end_date": "2027-01-20"})
    assert _kinds(warnings_for(ends, UNIT, [], today=TODAY, settings=s)) == {"contract_end": date(2027, 1, 20)}
    far = _staff(profile={"contract_end_date": "2027-06-01"})
    assert warnings_for(far, UNIT, [], today=TODAY, settings=s) == []


def test_step_terms_by_category() -> None:
    assert next_step("01.002", date(2024, 2, 29)).due == date(2027, 2, 28)
    assert next_step("02.008", date(2025, 3, 31)).months == 24
    assert next_step("01.005", date(2025, 3, 31), 12) is None
