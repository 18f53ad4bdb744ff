"""The numbered fields of a sơ yếu lý lịch read from OCR words: label → value, with boxes.

Two forms: Mẫu 2C-BNV/2008 (QĐ 02/2008/QĐ-BNV) and the sơ yếu lý lịch of TT 06/2023/TT-BNV.
`FIELDS` is the catalogue: each field's numbered label in both forms (with the spellings
people and OCR produce), the record field it maps to and how its value is compared (`kind`).
The numbers are this module's reading of the two printed forms; matching never relies on
them (OCR often mangles "15.1-"), only on the label's words.

`read_fields(pages)` finds the labels in each page's words — tolerant of OCR errors
(an edit distance on folded text, no third-party fuzzy matcher), of a page a few degrees
askew (rows are grouped along the page's own slope) and of two-column rows ("Dân tộc: Kinh
7) Tôn giáo: Không") — and takes the value as the words after the label up to the next label
on the same row, or, when the label's row holds nothing but dots, the next row. Pure: words in,
fields out.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from ingest.ocr import OcrWord

FORM_2008 = "2c_bnv_2008"
FORM_2023 = "tt06_2023"
FORMS = (FORM_2008, FORM_2023)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    record_field: str      # "full_name", "birth_date", "gender", "grade_code" or "profile.<name>"
    kind: str              # name | date | gender | place | text | grade | int | decimal
    labels: tuple[str, ...]  # as printed, most specific first; matched folded
    numbers: tuple[tuple[str, str], ...] = ()  # (form, number on that form)
    title: str = ""        # shown to people

    def number(self, form: str) -> str:
        return dict(self.numbers).get(form, "")


def _f(key: str, record_field: str, kind: str, title: str, labels: tuple[str, ...], n2008: str, n2023: str) -> FieldSpec:
    numbers = tuple((f, n) for f, n in ((FORM_2008, n2008), (FORM_2023, n2023)) if n)
    return FieldSpec(key, record_field, kind, labels, numbers, title)


FIELDS: tuple[FieldSpec, ...] = (
    _f("ho_ten", "full_name", "name", "Họ và tên",
       ("Họ và tên khai sinh", "Họ và tên", "Họ tên khai sinh"), "1", "1"),
    _f("ten_goi_khac", "profile.other_names", "name", "Tên gọi khác", ("Các tên gọi khác", "Tên gọi khác"), "2", "3"),
    _f("ngay_sinh", "birth_date", "date", "Ngày sinh", ("Ngày, tháng, năm sinh", "Sinh ngày", "Ngày sinh"), "3", "4"),
    _f("gioi_tinh", "gender", "gender", "Giới tính", ("Giới tính (nam, nữ)", "Giới tính"), "3", "2"),
    _f("noi_sinh", "profile.birth_place", "place", "Nơi sinh", ("Nơi sinh",), "4", "5"),
    _f("que_quan", "profile.hometown", "place", "Quê quán", ("Quê quán",), "5", "6"),
    _f("ho_khau", "profile.permanent_address", "place", "Hộ khẩu thường trú",
       ("Nơi đăng ký hộ khẩu thường trú", "Hộ khẩu thường trú", "Nơi thường trú"), "8", "12"),
    _f("noi_o", "profile.current_address", "place", "Nơi ở hiện nay", ("Nơi ở hiện nay",), "9", "13"),
    _f("nghe_nghiep", "profile.recruitment_occupation", "text", "Nghề nghiệp khi được tuyển dụng",
       ("Nghề nghiệp khi được tuyển dụng", "Nghề nghiệp trước khi được tuyển dụng"), "10", "14"),
    _f("ngay_tuyen_dung", "profile.recruitment_date", "date", "Ngày tuyển dụng",
       ("Ngày được tuyển dụng lần đầu", "Ngày tuyển dụng"), "11", "15"),
    _f("co_quan_tuyen_dung", "profile.recruiting_agency", "text", "Cơ quan tuyển dụng",
       ("Cơ quan, đơn vị tuyển dụng lần đầu", "Cơ quan tuyển dụng"), "11", "15"),
    _f("chuc_vu", "profile.position", "text", "Chức vụ", ("Chức vụ (chức danh) hiện tại", "Chức vụ hiện tại"), "12", "31"),
    _f("cong_viec", "profile.main_duties", "text", "Công việc chính được giao",
       ("Công việc chính được giao", "Công việc chính đang làm"), "13", "27"),
    _f("ngach", "grade_code", "grade", "Ngạch", ("Ngạch công chức (viên chức)", "Ngạch/chức danh nghề nghiệp",
                                                  "Ngạch công chức"), "14", "28"),
    _f("ma_ngach", "grade_code", "grade", "Mã ngạch", ("Mã ngạch", "Mã số"), "14", "28"),
    _f("bac_luong", "profile.salary_step", "int", "Bậc lương", ("Bậc lương",), "14", "29"),
    _f("he_so", "profile.salary_coefficient", "decimal", "Hệ số lương", ("Hệ số lương", "Hệ số"), "14", "29"),
    _f("ngay_huong", "profile.salary_effective_date", "date", "Ngày hưởng", ("Ngày hưởng",), "14", "29"),
    _f("pho_thong", "profile.education_general", "text", "Trình độ giáo dục phổ thông",
       ("Trình độ giáo dục phổ thông",), "15.1", "20"),
    _f("chuyen_mon", "profile.education_professional", "text", "Trình độ chuyên môn",
       ("Trình độ chuyên môn cao nhất", "Trình độ chuyên môn"), "15.2", "21"),
    _f("ly_luan", "profile.political_theory", "text", "Lý luận chính trị", ("Lý luận chính trị",), "15.3", "23"),
    _f("qlnn", "profile.state_management", "text", "Quản lý nhà nước", ("Quản lý nhà nước",), "15.4", "24"),
    _f("ngoai_ngu", "profile.foreign_language", "text", "Ngoại ngữ", ("Trình độ ngoại ngữ", "Ngoại ngữ"), "15.5", "25"),
    _f("tin_hoc", "profile.informatics", "text", "Tin học", ("Trình độ tin học", "Tin học"), "15.6", "26"),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}

# labels printed on the forms that are not compared, but end the value before them
_OTHER_LABELS = ("Dân tộc", "Tôn giáo", "Phụ cấp chức vụ", "Phụ cấp khác", "Phụ cấp", "Ngày vào Đảng Cộng sản Việt Nam",
                 "Ngày chính thức", "Số CCCD", "Số chứng minh nhân dân", "Ngày cấp", "Số sổ BHXH", "Tình trạng sức khỏe",
                 "Học hàm", "Thành phần gia đình xuất thân", "Ngày vào cơ quan hiện đang công tác", "Số điện thoại")


def fold(text: str) -> str:
    """Lowercase without marks, đ → d (bỏ dấu), for matching only."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


_TOKEN = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance; stops early (returning limit + 1) once it must exceed `limit`."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


@lru_cache(maxsize=65536)
def _distance(a: str, b: str, limit: int) -> int:
    return edit_distance(a, b, limit)


def _allowed_errors(label: str) -> int:
    # one OCR slip per five letters, none in a short label ("Hệ số" misread is "Hệ sổ" → still 0 after folding)
    return 0 if len(label) < 6 else max(1, len(label) // 5)


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int

    @classmethod
    def around(cls, words: Sequence[OcrWord]) -> "Box":
        x0, y0 = min(w.left for w in words), min(w.top for w in words)
        x1, y1 = max(w.left + w.width for w in words), max(w.top + w.height for w in words)
        return cls(x0, y0, x1 - x0, y1 - y0)

    def to_json(self) -> dict:
        return {"left": self.left, "top": self.top, "width": self.width, "height": self.height}

    def overlaps(self, other: "Box") -> bool:
        return (self.left < other.left + other.width and other.left < self.left + self.width
                and self.top < other.top + other.height and other.top < self.top + self.height)


@dataclass(frozen=True)
class PageWordsIn:
    """One page's words as the reader takes them (the `ocr_words` derivative's content)."""

    number: int
    width: int
    height: int
    words: tuple[OcrWord, ...]


@dataclass(frozen=True)
class ReadField:
    """A field read from paper (trường đọc từ bản giấy): the value as written, where, how sure."""

    key: str
    label: str          # the label as OCR read it
    value: str          # NFC words joined by spaces ("" when the label has no value)
    page: int
    box: Box | None     # the value's words; None when the value is empty
    label_box: Box
    confidence: float   # mean word confidence of the value (0–100), 100 when empty


@dataclass(frozen=True)
class FormReading:
    form: str                       # FORM_2008, FORM_2023 or "" (not recognised)
    fields: dict[str, ReadField]    # by FieldSpec.key, first occurrence in page order


@dataclass(frozen=True)
class _Label:
    key: str | None   # None: a label that is not compared
    tokens: tuple[str, ...]
    joined: str


def _label_table() -> list[_Label]:
    out = [_Label(f.key, tuple(_tokens(v)), " ".join(_tokens(v))) for f in FIELDS for v in f.labels]
    out += [_Label(None, tuple(_tokens(v)), " ".join(_tokens(v))) for v in _OTHER_LABELS]
    return sorted(out, key=lambda lab: -len(lab.joined))


_LABELS = _label_table()
# a field's number ("1)", "15.2-", "II."), with OCR's usual confusions of 1 (l, I, |) and 0 (O)
_NUMBER = re.compile(r"^([\dlI|O]{1,2}(\.[\dlI|O]{1,2})?[\)\-.:]?|[IVX]{1,4}[\.\-]?)$")
_NEXT_NUMBER = re.compile(r"^\d{1,2}[.,]\d[\)\-.:]?$")
_LEADER = re.compile(r"^[.…·_:;,\-–]+$")


def _word_tokens(w: OcrWord) -> list[str]:
    return _tokens(w.text)


def _rows(words: Sequence[OcrWord]) -> list[list[OcrWord]]:
    """Words in reading rows: tesseract lines merged along the page's own slope, left to right."""
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for w in words:
        lines.setdefault((w.block, w.par, w.line), []).append(w)
    slopes = []
    for ws in lines.values():
        if len(ws) >= 3:
            ws = sorted(ws, key=lambda w: w.left)
            dx = (ws[-1].left + ws[-1].width / 2) - (ws[0].left + ws[0].width / 2)
            if dx > 200:
                slopes.append(((ws[-1].top + ws[-1].height / 2) - (ws[0].top + ws[0].height / 2)) / dx)
    slope = statistics.median(slopes) if slopes else 0.0
    heights = [w.height for w in words] or [1]
    tolerance = 0.55 * statistics.median(heights)

    def level(ws: list[OcrWord]) -> float:
        return statistics.mean(w.top + w.height / 2 - slope * (w.left + w.width / 2) for w in ws)

    ordered = sorted(lines.values(), key=level)
    rows: list[tuple[float, list[OcrWord]]] = []
    for ws in ordered:
        y = level(ws)
        if rows and abs(rows[-1][0] - y) <= tolerance:
            rows[-1][1].extend(ws)
        else:
            rows.append((y, list(ws)))
    return [sorted(ws, key=lambda w: w.left) for _y, ws in rows]


@dataclass(frozen=True)
class _Hit:
    start: int   # word index of the label's first word in the row
    end: int     # index after the label's last word
    key: str | None


def _match_at(row_tokens: list[list[str]], i: int) -> tuple[int, _Label] | None:
    """The longest label that starts at word i (spanning 1–n+1 words), with the words it spans."""
    best: tuple[int, int, int, _Label] | None = None  # (distance, -label length, -span, label)
    first = row_tokens[i][0]
    for lab in _LABELS:
        budget = _allowed_errors(lab.joined)
        # cheap gate: the label's first word, with at most one slip (none in a short label)
        if first != lab.tokens[0] and (budget == 0 or _distance(first, lab.tokens[0], 1) > 1):
            continue
        for span in (len(lab.tokens) + 1, len(lab.tokens), len(lab.tokens) - 1):
            if span < 1 or i + span > len(row_tokens):
                continue
            text = " ".join(t for ws in row_tokens[i:i + span] for t in ws)
            if not text or abs(len(text) - len(lab.joined)) > budget + 1:
                continue
            d = _distance(text, lab.joined, budget)
            if d <= budget:
                cand = (d, -len(lab.joined), -span, lab)
                if best is None or cand[:3] < best[:3]:
                    best = cand
    return None if best is None else (-best[2], best[3])


def _hits(row: list[OcrWord]) -> list[_Hit]:
    row_tokens = [_word_tokens(w) for w in row]
    hits: list[_Hit] = []
    i = 0
    while i < len(row):
        if not row_tokens[i]:
            i += 1
            continue
        m = _match_at(row_tokens, i)
        if m is not None:
            span, lab = m
            end = i + span
            # a label starts the row (after its number), follows a number or a separator, or ends in ":";
            # otherwise the same words inside a value ("Phó trưởng phòng Tin học") are value
            first = all(_NUMBER.match(w.text) or not row_tokens[k] for k, w in enumerate(row[:i]))
            after_number = i > 0 and bool(_NUMBER.match(row[i - 1].text))
            after_sep = i > 0 and row[i - 1].text.rstrip().endswith((",", ";", "."))
            colon = row[end - 1].text.rstrip().endswith(":") or (end < len(row) and row[end].text.startswith((":", "(")))
            if first or after_number or after_sep or colon:
                hits.append(_Hit(i, end, lab.key))
                i = end
                continue
        i += 1
    return hits


def _value_words(words: Sequence[OcrWord]) -> list[OcrWord]:
    """The words of a value: leader dots, colons and the next label's number trimmed off."""
    out = [w for w in words if not _LEADER.match(w.text) and _word_tokens(w)]  # dots, bars, stray quotes
    # the label's own note in brackets, "(viết chữ in hoa):", is not value
    if out and out[0].text.startswith("("):
        for k, w in enumerate(out):
            if w.text.rstrip(":").endswith(")"):
                out = out[k + 1:]
                break
    while out and _NUMBER.match(out[-1].text) and out[-1].text[-1:] in ")-":
        out.pop()
    # "Tiếng Anh B2 15,6": the next label's number read with a comma; never the whole value ("3,66")
    while len(out) > 1 and _NEXT_NUMBER.match(out[-1].text):
        out.pop()
    while out and out[0].text.startswith(":"):
        rest = out[0].text.lstrip(":").strip()
        if rest:
            break
        out.pop(0)
    return out


def _clean(text: str) -> str:
    text = re.sub(r"[.…·_]{2,}", " ", text)
    text = text.strip(" :;,.-–…·_'\"“”‘’|„")
    return " ".join(text.split())


def detect_form(words: Iterable[OcrWord]) -> str:
    text = " ".join(fold(w.text) for w in words)
    if "2c" in text and "2008" in text:
        return FORM_2008
    if "06/2023" in text or ("2023" in text and "tt-bnv" in text):
        return FORM_2023
    return ""


def read_fields(pages: Iterable[PageWordsIn]) -> FormReading:
    """Every catalogued field found on the pages, first occurrence wins (page order)."""
    fields: dict[str, ReadField] = {}
    form = ""
    for page in sorted(pages, key=lambda p: p.number):
        form = form or detect_form(page.words)
        rows = _rows(page.words)
        row_hits = [_hits(r) for r in rows]
        for r, (row, hits) in enumerate(zip(rows, row_hits)):
            for h, hit in enumerate(hits):
                if hit.key is None or hit.key in fields:
                    continue
                stop = hits[h + 1].start if h + 1 < len(hits) else len(row)
                value = _value_words(row[hit.end:stop])
                if not value and h + 1 == len(hits) and r + 1 < len(rows):
                    # nothing but dots after the label: the value is written on the next row, up to a label
                    nxt, nxt_hits = rows[r + 1], row_hits[r + 1]
                    if not nxt_hits or nxt_hits[0].start > 0:
                        value = _value_words(nxt[:nxt_hits[0].start if nxt_hits else len(nxt)])
                label_words = row[hit.start:hit.end]
                text = _clean(" ".join(w.text for w in value))
                if not text:
                    value = []
                conf = round(statistics.mean(w.conf for w in value), 2) if value else 100.0
                fields[hit.key] = ReadField(
                    key=hit.key, label=" ".join(w.text for w in label_words), value=text, page=page.number,
                    box=Box.around(value) if value else None, label_box=Box.around(label_words), confidence=conf)
    return FormReading(form=form, fields=fields)


__all__ = ["FIELDS", "FIELD_BY_KEY", "FORMS", "FORM_2008", "FORM_2023", "Box", "FieldSpec", "FormReading",
           "PageWordsIn", "ReadField", "detect_form", "edit_distance", "fold", "read_fields"]
