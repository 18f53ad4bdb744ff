"""Normalising what the paper says and what the record holds before they are compared (chuẩn hóa).

Pure functions. Dates in their usual spellings ("14/3/1968", "14-03-1968", "14.03.1968",
"ngày 14 tháng 3 năm 1968", ISO); names folded and case-insensitive; places without the
administrative words and their abbreviations (xã/phường/thị trấn, huyện/quận/TX/TP., tỉnh);
ngạch by code ("01.003") or by name ("Chuyên viên"); decimals with a comma ("2,34").
`same(kind, record, paper)` answers True (khớp), False (lệch) or None (the paper's value
cannot be read as that kind — e.g. no date in it).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Mapping

_MARKS = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """NFD, marks dropped, đ → d, lowercase, runs of anything but letters/digits as one space."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = _MARKS.sub("", text).lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


# -- dates ---------------------------------------------------------------------------------------

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*(?:thang|[/\-.])\s*(\d{1,2})\s*(?:nam|[/\-.])\s*(\d{4})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")


def parse_date(text: object) -> date | None:
    """The first date written in `text`, or None."""
    if isinstance(text, date):
        return text
    if text is None:
        return None
    raw = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    raw = _MARKS.sub("", raw).lower()
    raw = re.sub(r"\bngay\b", " ", raw)
    raw = re.sub(r"(?<=\d)[oO](?=\d)|(?<=\d)[oO]\b", "0", raw)  # "2O20": OCR's letter O for a zero
    m = _ISO.search(raw)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _DMY.search(re.sub(r"\s+", " ", raw))
        if not m:
            return None
        d, mo, y = (int(g) for g in m.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        return None


# -- names and free text ----------------------------------------------------------------------

def name_key(text: object) -> str:
    return fold(str(text or ""))


# -- places -----------------------------------------------------------------------------------

# abbreviations people write with a dot (TP. Huế, TX. Sơn Tây, P.5, Q.1, H. Đông Anh, TT. Phố Mới)
_ABBREV = re.compile(r"\b(tp|tx|tt|p|q|h|x|t)\s*\.\s*", re.IGNORECASE)
_ADMIN = ("thi tran", "thi xa", "thanh pho", "xa", "phuong", "huyen", "quan", "tinh", "tp", "tx", "tt")
_ALIASES = {"tphcm": "ho chi minh", "hcm": "ho chi minh", "sai gon": "ho chi minh", "tp hcm": "ho chi minh",
            "hn": "ha noi"}


def place_key(text: object) -> str:
    """A place (địa danh) without administrative words: "Xã Tân Lập, H. Đan Phượng, TP. Hà Nội" → "tan lap dan phuong ha noi"."""
    s = _ABBREV.sub(" ", str(text or ""))
    s = fold(s)
    s = f" {s} "
    for alias, full in _ALIASES.items():
        s = s.replace(f" {alias} ", f" {full} ")
    for word in _ADMIN:
        s = s.replace(f" {word} ", " ")
    return " ".join(s.split())


# -- numbers ----------------------------------------------------------------------------------

_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")


def parse_decimal(text: object) -> float | None:
    if isinstance(text, (int, float)):
        return float(text)
    m = _DECIMAL.search(str(text or ""))
    return float(m.group().replace(",", ".")) if m else None


def parse_int(text: object) -> int | None:
    if isinstance(text, int):
        return text
    m = re.search(r"\d+", str(text or ""))
    return int(m.group()) if m else None


def parse_gender(text: object) -> str | None:
    f = fold(str(text or ""))
    if f in ("nam", "nu"):
        return f
    words = f.split()
    if "nu" in words:
        return "nu"
    if "nam" in words:
        return "nam"
    return None


# -- ngạch ------------------------------------------------------------------------------------

_GRADE_CODE = re.compile(r"(?<![\d.])(\d{2})\s*[.,]\s*(\d{3}[a-z]?)(?![\d])", re.IGNORECASE)


def grade_code_of(text: object, grades: Mapping[str, str]) -> str | None:
    """The ngạch code written in `text`: a code ("01.003") or a name the catalog knows ("Chuyên viên")."""
    raw = str(text or "")
    m = _GRADE_CODE.search(raw)
    if m:
        return f"{m.group(1)}.{m.group(2).lower()}"
    folded = fold(re.sub(r"\(.*?\)", " ", raw))
    if not folded:
        return None
    by_name = {fold(name): code for code, name in grades.items()}
    if folded in by_name:
        return by_name[folded]
    # the longest catalog name the text starts with ("Chuyên viên chính, bậc 2" → Chuyên viên chính)
    for name in sorted(by_name, key=len, reverse=True):
        if folded.startswith(name + " ") or folded == name:
            return by_name[name]
    return None


# -- comparing --------------------------------------------------------------------------------

def _close(a: str, b: str) -> bool:
    """Free text: equal after folding, or one slip per 15 letters (an OCR misread of a long text)."""
    if a == b:
        return True
    # a lone letter on the paper side that the record does not have is a speck OCR read ("viên ì chính")
    kept = a.split()
    b = " ".join(w for w in b.split() if len(w) > 1 or w.isdigit() or w in kept)
    if a == b:
        return True
    from ingest.form_2c import edit_distance

    budget = max(len(a), len(b)) // 15
    return budget > 0 and edit_distance(a, b, budget) <= budget


def same(kind: str, record: object, paper: str, grades: Mapping[str, str] | None = None) -> bool | None:
    """Does the paper's value say what the record holds? None: the paper's value is not of that kind."""
    if kind == "date":
        got = parse_date(paper)
        return None if got is None else got == parse_date(record)
    if kind == "name":
        return name_key(record) == name_key(paper)
    if kind == "place":
        return place_key(record) == place_key(paper)
    if kind == "gender":
        got = parse_gender(paper)
        return None if got is None else got == parse_gender(record)
    if kind == "int":
        got = parse_int(paper)
        return None if got is None else got == parse_int(record)
    if kind == "decimal":
        got, want = parse_decimal(paper), parse_decimal(record)
        return None if got is None else (want is not None and abs(got - want) < 0.005)
    if kind == "grade":
        got = grade_code_of(paper, grades or {})
        return None if got is None else got == str(record or "").strip().lower()
    return _close(fold(str(record or "")), fold(paper))


def shown_record_value(kind: str, value: object, grades: Mapping[str, str] | None = None) -> str:
    """How a record's value reads beside the paper's (dates as dd/mm/yyyy, ngạch with its name)."""
    if value is None or value == "":
        return ""
    if kind == "date":
        d = parse_date(value)
        return d.strftime("%d/%m/%Y") if d else str(value)
    if kind == "gender":
        return {"nam": "Nam", "nu": "Nữ"}.get(str(value), str(value))
    if kind == "decimal":
        return f"{float(value):.2f}".replace(".", ",")
    if kind == "grade" and grades and str(value) in grades:
        return f"{grades[str(value)]} ({value})"
    return str(value)


__all__ = ["fold", "grade_code_of", "name_key", "parse_date", "parse_decimal", "parse_gender", "parse_int",
           "place_key", "same", "shown_record_value"]
