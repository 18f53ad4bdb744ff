"""The staff form's text ↔ the fields add_staff / update_staff take (services.staff_form)."""

from datetime import date

import pytest

from archive.errors import InvalidInput
from archive.services.staff_form import (
    FIELDS,
    changes_from_form,
    changes_from_pairs,
    fields_from_form,
    form_values,
    history_from_form,
    parse_day,
)


def test_dates_are_read_as_people_type_them():
    assert parse_day("Ngày sinh", "05/03/1980") == date(1980, 3, 5)
    assert parse_day("Ngày sinh", "5-3-1980") == date(1980, 3, 5)
    assert parse_day("Ngày sinh", "1980-03-05") == date(1980, 3, 5)
    assert parse_day("Ngày sinh", "  ") is None
    with pytest.raises(InvalidInput, match="Ngày sinh: “31/02/1980” không phải ngày"):
        parse_day("Ngày sinh", "31/02/1980")


def test_a_new_record_splits_into_own_fields_profile_and_sensitive():
    data = fields_from_form({"full_name": "  Nguyễn   Thị Hương ", "birth_date": "05/03/1980", "gender": "nu",
                             "grade_code": "01.003", "restriction_level": "1", "position": "Chuyên viên",
                             "salary_step": "3", "salary_coefficient": "3,33", "recruitment_date": "",
                             "ethnicity": "01", "religion": "00", "id_number": ""}, sensitive=True)
    assert data == {"full_name": "Nguyễn Thị Hương", "birth_date": date(1980, 3, 5), "gender": "nu",
                    "grade_code": "01.003", "restriction_level": 1,
                    "profile": {"position": "Chuyên viên", "salary_step": 3, "salary_coefficient": 3.33},
                    "sensitive": {"ethnicity": "01", "religion": "00"}}


def test_protected_inputs_are_ignored_for_someone_not_cleared():
    data = fields_from_form({"full_name": "A", "ethnicity": "01", "id_number": "079180001234"}, sensitive=False)
    assert data["sensitive"] == {}


def test_an_edit_sends_only_what_changed_and_clears_what_was_emptied():
    current = form_values({"full_name": "Lò Văn Minh", "birth_date": date(1975, 1, 2), "gender": "nam",
                           "grade_code": "01.003", "restriction_level": 0},
                          {"position": "Chuyên viên", "salary_coefficient": 2.67, "recruitment_date": "2001-09-01"},
                          {"ethnicity": "02"})
    assert current["birth_date"] == "02/01/1975" and current["salary_coefficient"] == "2,67"
    assert current["recruitment_date"] == "01/09/2001" and current["ethnicity"] == "02"
    form = {**current, "position": "Phó Trưởng phòng", "recruitment_date": "", "ethnicity": "01"}
    assert changes_from_form(form, current, sensitive=True) == {
        "profile": {"position": "Phó Trưởng phòng", "recruitment_date": None}, "sensitive": {"ethnicity": "01"}}
    assert changes_from_form(current, current, sensitive=True) == {}


def test_unreadable_numbers_name_the_field_in_vietnamese():
    with pytest.raises(InvalidInput, match="Bậc lương: “ba” không phải số nguyên"):
        fields_from_form({"full_name": "A", "salary_step": "ba"}, sensitive=False)
    with pytest.raises(InvalidInput, match="Hệ số lương"):
        fields_from_form({"full_name": "A", "salary_coefficient": "2,3,4"}, sensitive=False)


def test_history_rows_keep_their_kind_details():
    row = history_from_form({"kind": "dao_tao_boi_duong", "from_date": "01/09/2000", "to_date": "30/06/2004",
                             "summary": "Luật hành chính", "d_school": "Đại học Luật", "d_mode": "",
                             "d_degree": "Cử nhân", "d_other": "bỏ qua"})
    assert row == {"kind": "dao_tao_boi_duong", "from_date": date(2000, 9, 1), "to_date": date(2004, 6, 30),
                   "summary": "Luật hành chính", "details": {"school": "Đại học Luật", "degree": "Cử nhân"}}
    with pytest.raises(InvalidInput, match="Loại quá trình"):
        history_from_form({"kind": "hobby"})


def test_cli_pairs_map_to_update_changes():
    assert changes_from_pairs(["ethnicity=01", "position=Trưởng phòng", "birth_date=1980-03-05",
                               "salary_step="]) == {
        "sensitive": {"ethnicity": "01"}, "profile": {"position": "Trưởng phòng", "salary_step": None},
        "birth_date": date(1980, 3, 5)}
    with pytest.raises(InvalidInput, match="TRƯỜNG=GIÁ_TRỊ"):
        changes_from_pairs(["mau_toc=den"])


def test_every_form_field_is_a_field_the_services_know():
    from archive.services.staff_profile import StaffFields, StaffProfile, StaffSensitive

    known = {"own": set(StaffFields.model_fields), "profile": set(StaffProfile.model_fields),
             "sensitive": set(StaffSensitive.model_fields)}
    assert all(f.name in known[f.where] for f in FIELDS.values())
    assert set(StaffProfile.model_fields) | set(StaffSensitive.model_fields) <= set(FIELDS)
