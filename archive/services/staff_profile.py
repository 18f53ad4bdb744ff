"""The CV form's fields (Mẫu 2C-BNV/2008; HS02-VC/BNV) as validated models, and how their
validation errors read in Vietnamese (the API's request errors read the same way).

`StaffFields` are a record's own columns, as both adding and editing accept them;
`StaffProfile` is stored as JSON; `StaffSensitive` (CCCD, BHXH, health, ethnicity, religion,
party dates) is encrypted at rest and shown only to roles allowed to read it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from search import nfc

# controls, and the format characters that reorder or hide text (bidi overrides, zero widths)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_GRADE = re.compile(r"[A-Za-z0-9._-]{0,16}")
OLDEST_BIRTH_DATE = date(1900, 1, 1)


class FieldMessage(ValueError):
    """A validator's own Vietnamese sentence, shown as it is."""


def _one_line(v: object) -> object:
    """NFC, runs of white space as one space; a string with control or bidi characters is refused."""
    if not isinstance(v, str):
        return v
    v = " ".join(nfc(v).split())
    if _UNPRINTABLE.search(v):
        raise FieldMessage("Không được chứa ký tự điều khiển hoặc ký tự đảo chiều văn bản.")
    return v


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, v):  # noqa: ANN001, ANN206
        return _one_line(v)


class StaffProfile(_Text):
    other_names: str = Field("", max_length=200, description="tên gọi khác")
    birth_place: str = Field("", max_length=300, description="nơi sinh")
    hometown: str = Field("", max_length=300, description="quê quán")
    permanent_address: str = Field("", max_length=300, description="hộ khẩu thường trú")
    current_address: str = Field("", max_length=300, description="nơi ở hiện nay")
    recruitment_occupation: str = Field("", max_length=200, description="nghề nghiệp khi được tuyển dụng")
    recruitment_date: date | None = Field(None, description="ngày tuyển dụng")
    recruiting_agency: str = Field("", max_length=300, description="cơ quan tuyển dụng")
    position: str = Field("", max_length=200, description="chức vụ")
    main_duties: str = Field("", max_length=500, description="công việc chính được giao")
    salary_step: int | None = Field(None, ge=1, le=20, description="bậc lương")
    salary_coefficient: float | None = Field(None, ge=0, le=20, description="hệ số lương")
    salary_effective_date: date | None = Field(None, description="ngày hưởng")
    allowances: str = Field("", max_length=300, description="phụ cấp")
    # hợp đồng làm việc / lao động: its end day, for the contract-end warning (archive/services/warnings.py)
    contract_end_date: date | None = Field(None, description="ngày hết hạn hợp đồng")
    education_general: str = Field("", max_length=50, description="trình độ giáo dục phổ thông")
    education_professional: str = Field("", max_length=300, description="trình độ chuyên môn")
    political_theory: str = Field("", max_length=100, description="lý luận chính trị")
    state_management: str = Field("", max_length=100, description="quản lý nhà nước")
    foreign_language: str = Field("", max_length=100, description="ngoại ngữ")
    informatics: str = Field("", max_length=100, description="tin học")
    # diện quản lý (issue 18): "btv_thanh_uy" = Ban Thường vụ Thành ủy quản lý → declarations go to Sở Nội vụ
    # (TP.HCM QĐ 51/2024 Đ7.2.a); "" or "don_vi" = the unit's HR head (Đ7.2.b)
    management_category: str = Field("", pattern=r"^(|don_vi|btv_thanh_uy)$", description="diện quản lý")


class StaffSensitive(_Text):
    ethnicity: str = Field("", max_length=64, description="dân tộc (mã danh mục)")
    religion: str = Field("", max_length=64, description="tôn giáo (mã danh mục)")
    id_number: str = Field("", pattern=r"^(\d{9}|\d{12})?$", description="số CCCD/CMND")
    id_issued_date: date | None = Field(None, description="ngày cấp")
    social_insurance_number: str = Field("", pattern=r"^(\d{10})?$", description="số sổ BHXH")
    health: str = Field("", max_length=100, description="tình trạng sức khỏe")
    blood_group: str = Field("", max_length=8, description="nhóm máu")
    party_join_date: date | None = Field(None, description="ngày vào Đảng")
    party_official_date: date | None = Field(None, description="ngày chính thức")


class HistoryKind(str, enum.Enum):
    WORK = "qua_trinh_cong_tac"
    SALARY = "dien_bien_luong"
    TRAINING = "dao_tao_boi_duong"
    AWARD = "khen_thuong"
    DISCIPLINE = "ky_luat"
    FAMILY = "quan_he_gia_dinh"


class HistoryEntry(_Text):
    kind: HistoryKind
    from_date: date | None = None
    to_date: date | None = None
    summary: str = Field("", max_length=2000)
    details: dict[str, str] = Field(default_factory=dict)


class StaffFields(BaseModel):
    """A staff record's own fields (thông tin cán bộ) as adding and editing accept them.

    Only the fields given are validated (`model_fields_set`); a wrong type, a date outside
    1900-01-01 … today, a gender other than nam/nu or a grade code longer than its column is
    refused with the field's name, not stored (PostgreSQL would refuse an over-long value
    with a 500; SQLite would keep it).
    """

    model_config = ConfigDict(extra="forbid")

    full_name: str = Field("", max_length=200, description="họ và tên")
    birth_date: date | None = Field(None, description="ngày sinh, YYYY-MM-DD")
    gender: str = Field("", description="giới tính: nam, nu hoặc để trống")
    grade_code: str = Field("", description="mã ngạch, ví dụ 01.003")
    restriction_level: StrictInt = Field(0, description="độ hạn chế tiếp cận 0, 1, 2")
    profile: dict[str, Any] = Field(default_factory=dict, description="các trường Mẫu 2C (StaffProfile)")
    sensitive: dict[str, Any] = Field(default_factory=dict, description="trường nhạy cảm (StaffSensitive)")

    @field_validator("full_name", mode="before")
    @classmethod
    def _name(cls, v):  # noqa: ANN001, ANN206
        v = _one_line(v)
        if v == "":
            raise FieldMessage("Họ và tên không được để trống.")
        return v

    @field_validator("birth_date", mode="before")
    @classmethod
    def _date_text(cls, v):  # noqa: ANN001, ANN206
        if v is not None and not isinstance(v, (str, date)):  # not a number of seconds since 1970
            raise FieldMessage("Ngày sinh phải có dạng YYYY-MM-DD.")
        return v

    @field_validator("birth_date")
    @classmethod
    def _born(cls, v: date | None) -> date | None:
        if v is not None and not OLDEST_BIRTH_DATE <= v <= date.today():
            raise FieldMessage(f"Ngày sinh phải từ {OLDEST_BIRTH_DATE:%d/%m/%Y} đến hôm nay.")
        return v

    @field_validator("gender", mode="before")
    @classmethod
    def _gender(cls, v):  # noqa: ANN001, ANN206
        if v not in ("", "nam", "nu"):
            raise FieldMessage("Giới tính phải là nam, nu hoặc để trống.")
        return v

    @field_validator("grade_code", mode="before")
    @classmethod
    def _grade(cls, v):  # noqa: ANN001, ANN206
        if not isinstance(v, str) or not _GRADE.fullmatch(v.strip()):
            raise FieldMessage("Mã ngạch gồm tối đa 16 chữ, số, '.', '_' hoặc '-' (ví dụ 01.003).")
        return v.strip()

    @field_validator("restriction_level")
    @classmethod
    def _level(cls, v: int) -> int:
        if v not in (0, 1, 2):
            raise FieldMessage("Độ hạn chế tiếp cận phải là 0, 1 hoặc 2.")
        return v


# -- errors in Vietnamese --------------------------------------------------------------------

_WHERE = {"body": "Trường", "query": "Tham số", "path": "Tham số", "header": "Tiêu đề", "cookie": "Cookie"}
_DATE = "phải là ngày dạng YYYY-MM-DD"
_PHRASES = {
    "missing": "là bắt buộc",
    "extra_forbidden": "không được chấp nhận ở đây",
    "string_type": "phải là chuỗi ký tự",
    "string_pattern_mismatch": "không đúng định dạng",
    "string_unicode": "phải là chuỗi UTF-8 hợp lệ",
    "int_type": "phải là số nguyên", "int_parsing": "phải là số nguyên", "int_from_float": "phải là số nguyên",
    "int_parsing_size": "là số nguyên quá lớn",
    "float_type": "phải là số", "float_parsing": "phải là số", "finite_number": "phải là số hữu hạn",
    "bool_type": "phải là true hoặc false", "bool_parsing": "phải là true hoặc false",
    "date_type": _DATE, "date_parsing": _DATE, "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_type": "phải là thời điểm dạng YYYY-MM-DDTHH:MM:SS",
    "datetime_parsing": "phải là thời điểm dạng YYYY-MM-DDTHH:MM:SS",
    "datetime_from_date_parsing": "phải là thời điểm dạng YYYY-MM-DDTHH:MM:SS",
    "dict_type": "phải là một đối tượng JSON", "model_type": "phải là một đối tượng JSON",
    "model_attributes_type": "phải là một đối tượng JSON",
    "list_type": "phải là một danh sách",
}


def _label(loc: Sequence[object]) -> str:
    if loc and loc[0] in _WHERE:
        kind, path = _WHERE[str(loc[0])], [str(p) for p in loc[1:]]
    else:
        kind, path = "Trường", [str(p) for p in loc]
    return f"{kind} {'.'.join(path)}" if path else "Nội dung yêu cầu"


def _phrase(error: Mapping[str, Any]) -> str | None:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in _PHRASES:
        return _PHRASES[kind]
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return "không được để trống" if n == 1 else f"phải có ít nhất {n} ký tự"
    if kind == "string_too_long":
        return f"dài tối đa {ctx.get('max_length')} ký tự"
    if kind in ("too_long", "too_short"):
        return "có số phần tử không hợp lệ"
    if kind in ("enum", "literal_error"):
        return "phải là một trong: " + str(ctx.get("expected", "")).replace(" or ", " hoặc ")
    comparisons = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}
    if kind in comparisons:
        bound = next(iter(ctx.values()), "")
        return f"phải {comparisons[kind]} {bound}"
    return None


def describe_errors(errors: Sequence[Mapping[str, Any]], *, prefix: Sequence[object] = ()) -> str:
    """One Vietnamese sentence for pydantic's (or FastAPI's) validation errors: the first, naming
    its field, and how many more there are. Never the input itself, nor pydantic's English."""
    if not errors:
        return "Dữ liệu gửi lên không hợp lệ."
    first = errors[0]
    more = f" (và {len(errors) - 1} lỗi khác)" if len(errors) > 1 else ""
    if first.get("type") == "json_invalid":
        return f"Nội dung JSON không hợp lệ{more}."
    reason = (first.get("ctx") or {}).get("error")
    label = _label([*prefix, *first.get("loc", ())])
    if isinstance(reason, FieldMessage):
        text = str(reason).rstrip(".")
        return f"{label}: {text[0].lower() + text[1:]}{more}." if label != "Nội dung yêu cầu" else f"{text}{more}."
    phrase = _phrase(first)
    return f"{label} {phrase}{more}." if phrase else f"{label} không hợp lệ{more}."
