"""What a staff spreadsheet's columns may fill (trường đích) and how each cell's text becomes a value.

Pure: dates in the usual Vietnamese spellings ("14/3/1968", "14-03-1968", "ngày 14 tháng 3
năm 1968", Excel serial numbers), genders, numbers with a decimal comma, catalog values
(dân tộc, tôn giáo, ngạch) by code or by folded name. Each parser returns the value or raises
`CellProblem` with one Vietnamese sentence for the dry run's table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from search import nfc


class CellProblem(ValueError):
    """One cell's value cannot be used: the message says why, in Vietnamese."""


@dataclass(frozen=True)
class FieldSpec:
    key: str        # "full_name", "profile.hometown", "sensitive.ethnicity"
    label: str      # Vietnamese, as on Mẫu 2C
    kind: str       # text | date | gender | unit | catalog | int | float | digits
    catalog: str = ""
    sensitive: bool = False
    headers: tuple[str, ...] = ()  # folded header spellings that pick this field by default


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("code", "Mã cán bộ", "text", headers=("ma can bo", "ma cb", "ma so", "ma nhan vien", "ma", "so hieu")),
    FieldSpec("full_name", "Họ và tên", "text", headers=("ho va ten", "ho ten", "ho va ten khai sinh", "ten")),
    FieldSpec("birth_date", "Ngày sinh", "date", headers=("ngay sinh", "ngay thang nam sinh", "sinh ngay")),
    FieldSpec("gender", "Giới tính", "gender", headers=("gioi tinh", "nam/nu", "nam nu")),
    FieldSpec("unit_code", "Đơn vị", "unit", headers=("don vi", "ma don vi", "don vi cong tac", "co quan")),
    FieldSpec("grade_code", "Ngạch", "catalog", catalog="ngach", headers=("ngach", "ma ngach", "ngach cong chuc")),
    FieldSpec("profile.other_names", "Tên gọi khác", "text", headers=("ten goi khac", "ten khac")),
    FieldSpec("profile.birth_place", "Nơi sinh", "text", headers=("noi sinh",)),
    FieldSpec("profile.hometown", "Quê quán", "text", headers=("que quan", "que")),
    FieldSpec("profile.permanent_address", "Hộ khẩu thường trú", "text",
              headers=("ho khau thuong tru", "thuong tru", "ho khau")),
    FieldSpec("profile.current_address", "Nơi ở hiện nay", "text", headers=("noi o hien nay", "cho o hien nay")),
    FieldSpec("profile.position", "Chức vụ", "text", headers=("chuc vu", "chuc danh")),
    FieldSpec("profile.recruitment_date", "Ngày tuyển dụng", "date", headers=("ngay tuyen dung",)),
    FieldSpec("profile.salary_step", "Bậc lương", "int", headers=("bac luong", "bac")),
    FieldSpec("profile.salary_coefficient", "Hệ số lương", "float", headers=("he so luong", "he so")),
    FieldSpec("profile.education_professional", "Trình độ chuyên môn", "text",
              headers=("trinh do chuyen mon", "chuyen mon")),
    FieldSpec("sensitive.ethnicity", "Dân tộc", "catalog", catalog="dan_toc", sensitive=True, headers=("dan toc",)),
    FieldSpec("sensitive.religion", "Tôn giáo", "catalog", catalog="ton_giao", sensitive=True,
              headers=("ton giao",)),
    FieldSpec("sensitive.id_number", "Số CCCD/CMND", "digits", sensitive=True,
              headers=("so cccd", "cccd", "so cmnd", "cmnd", "so cccd/cmnd", "cccd/cmnd")),
    FieldSpec("sensitive.social_insurance_number", "Số sổ BHXH", "digits", sensitive=True,
              headers=("so so bhxh", "so bhxh", "bhxh")),
)
BY_KEY = {f.key: f for f in FIELDS}
IGNORE = ""  # a header mapped to "" is left out


def fold_header(text: str) -> str:
    from search import fold

    return " ".join(fold(text).replace("_", " ").split()).strip(" :*")


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Header → field for the headers we recognise (first come, first served)."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for h in headers:
        if not h:
            continue
        folded = fold_header(h)
        hit = next((f.key for f in FIELDS if folded in f.headers and f.key not in taken), "")
        if not hit:
            hit = next((f.key for f in FIELDS if folded == fold_header(f.label) and f.key not in taken), "")
        out[h] = hit
        if hit:
            taken.add(hit)
    return out


# -- dates ------------------------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_WORDS = re.compile(r"(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (the 1900 leap-year bug included)


def parse_date(value: object, label: str = "Ngày") -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellProblem(f"{label} “{value}” không phải là ngày.")
    text = " ".join(str(value).split())
    from search import fold

    folded = fold(text)
    for pattern, order in ((_ISO, "ymd"), (_DMY, "dmy"), (_WORDS, "dmy")):
        m = pattern.fullmatch(folded)
        if m:
            a, b, c = (int(x) for x in m.groups())
            y, mo, d = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                return date(y, mo, d)
            except ValueError:
                break
    raise CellProblem(f"{label} “{_shown(text)}” không đọc được (dùng dạng 14/3/1968 hoặc ngày 14 tháng 3 năm 1968).")


def _shown(text: str) -> str:
    from archive.errors import shown

    return shown(text)


# -- other kinds ------------------------------------------------------------------------------

def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        return value.strftime("%d/%m/%Y")
    return " ".join(nfc(str(value)).split())


def parse_gender(value: object) -> str:
    from search import fold

    folded = fold(as_text(value))
    if folded in ("nam", "m", "male"):
        return "nam"
    if folded in ("nu", "f", "female"):
        return "nu"
    raise CellProblem(f"Giới tính “{_shown(as_text(value))}” phải là Nam hoặc Nữ.")


def parse_number(value: object, label: str, *, integer: bool) -> int | float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = as_text(value).replace(" ", "").replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise CellProblem(f"{label} “{_shown(as_text(value))}” phải là số.") from None
    if integer:
        if not number.is_integer():
            raise CellProblem(f"{label} “{_shown(as_text(value))}” phải là số nguyên.")
        return int(number)
    return round(number, 4)


def parse_digits(value: object, label: str) -> str:
    text = as_text(value).replace(" ", "").replace(".", "")
    if not text.isdigit():
        raise CellProblem(f"{label} chỉ gồm chữ số.")  # not echoed: a CCCD is sensitive
    return text


@dataclass
class Lookup:
    """Codes by code and by folded name, for one catalog or for the units."""

    by_code: dict[str, str]
    by_name: dict[str, str]

    def find(self, value: object) -> str | None:
        from search import fold

        text = as_text(value)
        if text in self.by_code:
            return self.by_code[text]
        if text.isdigit() and text.zfill(2) in self.by_code:  # 1.0 in a cell for dân tộc "01"
            return self.by_code[text.zfill(2)]
        return self.by_name.get(" ".join(fold(text).split()))
