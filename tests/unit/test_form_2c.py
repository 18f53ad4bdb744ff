"""Reading the numbered fields of a sơ yếu lý lịch from OCR words with positions (no OCR here)."""

from __future__ import annotations

import math

from ingest.form_2c import FIELDS, FORM_2008, FORM_2023, PageWordsIn, edit_distance, fold, read_fields
from ingest.ocr import OcrWord

CHAR_W, LINE_H = 22, 46


def _line(text: str, *, x: int, y: int, block: int, line: int, conf: float = 95.0) -> list[OcrWord]:
    words, cx = [], x
    for w in text.split():
        width = CHAR_W * len(w)
        words.append(OcrWord(w, conf, cx, y, width, LINE_H, block, 1, line))
        cx += width + CHAR_W
    return words


def _page(rows: list[list[tuple[int, str]]], *, skew_deg: float = 0.0, conf: dict[str, float] | None = None) -> PageWordsIn:
    words: list[OcrWord] = []
    for r, row in enumerate(rows):
        for b, (x, text) in enumerate(row):
            y = 200 + r * 80
            for w in _line(text, x=x, y=y, block=b + 1, line=r + 1, conf=(conf or {}).get(text, 95.0)):
                dy = round(math.tan(math.radians(skew_deg)) * w.left)  # the page is askew: rows drift
                words.append(OcrWord(w.text, w.conf, w.left, w.top + dy, w.width, w.height, w.block, w.par, w.line))
    return PageWordsIn(1, 2480, 3508, tuple(words))


ROWS_2008 = [
    [(800, "Mẫu 2C-BNV/2008")],
    [(190, "1) Họ và tên khai sinh (viết chữ in hoa): NGUYỄN VĂN AN")],
    [(190, "3) Sinh ngày: 14 tháng 3 năm 1968, Giới tính (nam, nữ): Nam")],
    [(190, "6) Dân tộc: Kinh"), (1280, "7) Tôn giáo: Không")],
    [(190, "8) Nơi đăng ký hộ khẩu thường trú: ............")],
    [(250, "Số 12 Phố Huế, Hà Nội")],
    [(190, "12) Chức vụ (chức danh) hiện tại: Phó trưởng phòng Tin học")],
    [(190, "14) Ngạch công chức (viên chức): Chuyên viên"), (1280, "Mã ngạch: 01.003")],
    [(190, "Bậc lương: 4, Hệ số: 3,66, Ngày hưởng: 01/01/2021")],
    [(190, "15.5- Ngoại ngữ: Tiếng Anh B1"), (1280, "15.6- Tin học: Cơ bản")],
]


def test_fold_and_edit_distance():
    assert fold("Đặng Thị Ánh") == "dang thi anh"
    assert edit_distance("ngay sinh", "ngay sinh") == 0 and edit_distance("ngav sinh", "ngay sinh") == 1
    assert edit_distance("abcdef", "uvwxyz", 2) == 3  # stops early past the limit


def test_labels_values_two_columns_and_the_next_line():
    reading = read_fields([_page(ROWS_2008)])
    f = reading.fields
    assert reading.form == FORM_2008
    assert f["ho_ten"].value == "NGUYỄN VĂN AN"  # the label's "(viết chữ in hoa):" is not value
    assert f["ngay_sinh"].value == "14 tháng 3 năm 1968" and f["gioi_tinh"].value == "Nam"
    assert f["ho_khau"].value == "Số 12 Phố Huế, Hà Nội" and f["ho_khau"].box.left == 250  # on the next line
    assert f["chuc_vu"].value == "Phó trưởng phòng Tin học"  # "Tin học" inside a value is no label
    assert f["ngach"].value == "Chuyên viên" and f["ma_ngach"].value == "01.003"
    assert (f["bac_luong"].value, f["he_so"].value, f["ngay_huong"].value) == ("4", "3,66", "01/01/2021")
    assert f["ngoai_ngu"].value == "Tiếng Anh B1" and f["tin_hoc"].value == "Cơ bản"
    assert all(r.page == 1 for r in f.values())
    box = f["ngay_sinh"].box
    assert box.top == 200 + 2 * 80 and box.left > f["ngay_sinh"].label_box.left


def test_ocr_errors_in_labels_are_tolerated_and_short_labels_must_be_exact():
    rows = [[(190, "4) Noi sinh: Hà Nội")], [(190, "5) Quê quản: Bắc Ninh")],
            [(190, "13) Công viêc chính đươc giao: Thẩm định")], [(190, "Hệ sô: 2,34")]]
    f = read_fields([_page(rows)]).fields
    assert f["noi_sinh"].value == "Hà Nội" and f["que_quan"].value == "Bắc Ninh"
    assert f["cong_viec"].value == "Thẩm định"
    assert f["he_so"].value == "2,34"  # "Hệ sô" folds to "he so": OCR's lost mark costs nothing


def test_a_page_two_degrees_askew_keeps_two_column_rows_together():
    f = read_fields([_page(ROWS_2008, skew_deg=2.0)]).fields
    assert f["ngach"].value == "Chuyên viên" and f["ma_ngach"].value == "01.003"
    assert f["ngoai_ngu"].value == "Tiếng Anh B1" and f["tin_hoc"].value == "Cơ bản"


def test_the_2023_form_and_confidence_of_the_value_words():
    rows = [[(500, "Mẫu số 01 ban hành kèm theo Thông tư số 06/2023/TT-BNV")],
            [(190, "1) Họ và tên: Trần Văn Đức"), (1280, "2) Giới tính: Nam")],
            [(190, "4) Ngày, tháng, năm sinh: 02/11/1975")],
            [(190, "15) Ngày được tuyển dụng lần đầu: 15/04/1998")]]
    reading = read_fields([_page(rows, conf={"4) Ngày, tháng, năm sinh: 02/11/1975": 41.0})])
    assert reading.form == FORM_2023
    f = reading.fields
    assert f["ho_ten"].value == "Trần Văn Đức" and f["gioi_tinh"].value == "Nam"
    assert f["ngay_sinh"].value == "02/11/1975" and f["ngay_sinh"].confidence == 41.0
    assert f["ngay_tuyen_dung"].value == "15/04/1998" and "ngay_huong" not in f


def test_an_empty_value_is_empty_and_every_field_maps_to_a_record_field():
    f = read_fields([_page([[(190, "2) Tên gọi khác: ........")], [(190, "4) Nơi sinh: Huế")]])]).fields
    assert f["ten_goi_khac"].value == "" and f["ten_goi_khac"].box is None
    assert all(spec.record_field for spec in FIELDS) and len({s.key for s in FIELDS}) == len(FIELDS)
