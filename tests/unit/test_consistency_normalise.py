"""Normalisers of the paper-vs-record check: the same meaning written differently compares equal."""

from __future__ import annotations

from datetime import date

import pytest

from archive.services.consistency_normalise import (
    grade_code_of, name_key, parse_date, parse_decimal, parse_gender, parse_int, place_key, same, shown_record_value,
)

GRADES = {"01.001": "Chuyên viên cao cấp", "01.002": "Chuyên viên chính", "01.003": "Chuyên viên", "01.004": "Cán sự"}


@pytest.mark.parametrize("text", ["14/3/1968", "14-03-1968", "14.03.1968", "ngày 14 tháng 3 năm 1968",
                                  "Ngày 14 tháng 03 năm 1968", "14 / 3 / 1968", "1968-03-14", "14 thang 3 nam 1968",
                                  "sinh ngày: 14/3/1968,"])
def test_dates_in_their_usual_spellings_are_one_date(text):
    assert parse_date(text) == date(1968, 3, 14)


def test_impossible_or_absent_dates_are_none_and_ocr_letter_o_reads_as_zero():
    assert parse_date("31/02/1990") is None and parse_date("không rõ") is None and parse_date(None) is None
    assert parse_date("01/10/2O20") == date(2020, 10, 1)
    assert same("date", date(1968, 3, 14), "14 tháng 3 năm 1968") is True
    assert same("date", date(1968, 3, 17), "14/3/1968") is False
    assert same("date", date(1968, 3, 14), "không ghi") is None


def test_names_are_folded_and_case_insensitive():
    assert name_key("NGUYỄN THỊ MINH HẰNG") == name_key("Nguyễn Thị Minh Hằng") == "nguyen thi minh hang"
    assert name_key("Đặng  Văn Đức") == "dang van duc"
    assert same("name", "Trần Văn Đức", "TRẦN VĂN ĐỨC") and not same("name", "Trần Văn Đức", "Trần Văn Đạt")


@pytest.mark.parametrize("a,b", [
    ("Xã Tân Lập, Huyện Đan Phượng, Tỉnh Hà Tây", "xã Tân Lập, H. Đan Phượng, tỉnh Hà Tây"),
    ("Phường Trúc Bạch, Quận Ba Đình, Thành phố Hà Nội", "P. Trúc Bạch, Q. Ba Đình, TP. Hà Nội"),
    ("Thị trấn Phố Mới, Huyện Quế Võ, Tỉnh Bắc Ninh", "TT. Phố Mới, huyện Quế Võ, Bắc Ninh"),
    ("Thị xã Sơn Tây, Hà Nội", "TX. Sơn Tây, Hà Nội"),
    ("Quận 1, Thành phố Hồ Chí Minh", "Q.1, TP.HCM"),
])
def test_places_match_without_administrative_words_and_abbreviations(a, b):
    assert place_key(a) == place_key(b)


def test_different_places_differ():
    assert place_key("Xã Việt Hùng, Huyện Quế Võ") != place_key("Xã Việt Thống, Huyện Quế Võ")


def test_grade_by_code_or_name():
    assert grade_code_of("01.003", GRADES) == "01.003"
    assert grade_code_of("Chuyên viên", GRADES) == "01.003"
    assert grade_code_of("Chuyên viên chính (01.002)", GRADES) == "01.002"
    assert grade_code_of("chuyen vien chinh", GRADES) == "01.002"
    assert grade_code_of("Kỹ sư", GRADES) is None
    assert same("grade", "01.003", "Chuyên viên", GRADES) and not same("grade", "01.003", "Cán sự", GRADES)


def test_decimals_with_a_comma_integers_and_gender():
    assert parse_decimal("2,34") == 2.34 and parse_decimal("4.40") == 4.4 and parse_decimal("—") is None
    assert same("decimal", 3.66, "3,66") and not same("decimal", 3.33, "3,66")
    assert parse_int("Bậc 3/9") == 3 and same("int", 4, "4") and not same("int", 5, "3")
    assert parse_gender("Nữ") == "nu" and parse_gender("NAM") == "nam" and parse_gender("?") is None


def test_free_text_tolerates_one_ocr_slip_in_a_long_value_but_not_in_a_short_one():
    assert same("text", "Sở Giáo dục và Đào tạo Hà Tây", "Sở Giáo dục và Đào tạo Hà Tẩy")
    assert same("text", "Sở Giáo dục và Đào tạo Hà Tây", "So Giao duc va Dao tao Ha Tay")
    assert not same("text", "Sở Nội vụ Hà Tây", "Sở Giáo dục và Đào tạo Hà Tây")
    assert not same("text", "Cao cấp", "Trung cấp")


def test_record_values_read_like_the_paper():
    assert shown_record_value("date", date(1968, 3, 14)) == "14/03/1968"
    assert shown_record_value("decimal", 3.66) == "3,66"
    assert shown_record_value("grade", "01.003", GRADES) == "Chuyên viên (01.003)"
    assert shown_record_value("gender", "nu") == "Nữ"
