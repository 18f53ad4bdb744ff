"""The staff form (Mẫu 2C fields) as people type it ↔ the fields add_staff / update_staff take. Pure.

One table says, for every field of the web form and of `archive staff edit --set`, where it lives
(the record's own columns, `profile`, or the encrypted `sensitive`), how it is typed (text, date
dd/mm/yyyy, whole number, decimal with a comma, a catalog code) and its Vietnamese label. The
services still validate every value; this module only turns text into values, and names the
field in Vietnamese when the text cannot be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from archive.errors import InvalidInput
from archive.services.staff_profile import HistoryKind

OWN, PROFILE, SENSITIVE = "own", "profile", "sensitive"


@dataclass(frozen=True)
class FormField:
    name: str
    where: str       # OWN, PROFILE or SENSITIVE
    label: str       # the form's Vietnamese label
    kind: str = "text"  # text | long | date | int | decimal | catalog | choice | gender | restriction
    catalog: str = ""   # for kind "catalog": the catalog (danh mục) whose codes are offered
    max_length: int = 300


# In the order of Mẫu 2C-BNV/2008, grouped as the form's sections.
SECTIONS: tuple[tuple[str, tuple[FormField, ...]], ...] = (
    ("Thông tin chung", (
        FormField("full_name", OWN, "Họ và tên khai sinh", max_length=200),
        FormField("other_names", PROFILE, "Tên gọi khác", max_length=200),
        FormField("birth_date", OWN, "Ngày sinh", "date"),
        FormField("gender", OWN, "Giới tính", "gender"),
        FormField("birth_place", PROFILE, "Nơi sinh"),
        FormField("hometown", PROFILE, "Quê quán"),
        FormField("permanent_address", PROFILE, "Nơi đăng ký hộ khẩu thường trú"),
        FormField("current_address", PROFILE, "Nơi ở hiện nay"),
        FormField("restriction_level", OWN, "Độ hạn chế tiếp cận", "restriction"),
    )),
    ("Tuyển dụng và công tác", (
        FormField("recruitment_occupation", PROFILE, "Nghề nghiệp khi được tuyển dụng", max_length=200),
        FormField("recruitment_date", PROFILE, "Ngày tuyển dụng", "date"),
        FormField("recruiting_agency", PROFILE, "Cơ quan tuyển dụng"),
        FormField("position", PROFILE, "Chức vụ (chức danh) hiện tại", max_length=200),
        FormField("main_duties", PROFILE, "Công việc chính được giao", "long", max_length=500),
        FormField("contract_end_date", PROFILE, "Ngày hết hạn hợp đồng", "date"),
        FormField("management_category", PROFILE, "Diện quản lý", "choice"),
    )),
    ("Ngạch, bậc, lương", (
        FormField("grade_code", OWN, "Ngạch công chức (viên chức)", "catalog", "ngach"),
        FormField("salary_step", PROFILE, "Bậc lương", "int"),
        FormField("salary_coefficient", PROFILE, "Hệ số lương", "decimal"),
        FormField("salary_effective_date", PROFILE, "Ngày hưởng", "date"),
        FormField("allowances", PROFILE, "Phụ cấp"),
    )),
    ("Trình độ", (
        FormField("education_general", PROFILE, "Trình độ giáo dục phổ thông", max_length=50),
        FormField("education_professional", PROFILE, "Trình độ chuyên môn cao nhất"),
        FormField("political_theory", PROFILE, "Lý luận chính trị", max_length=100),
        FormField("state_management", PROFILE, "Quản lý nhà nước", max_length=100),
        FormField("foreign_language", PROFILE, "Ngoại ngữ", max_length=100),
        FormField("informatics", PROFILE, "Tin học", max_length=100),
    )),
    ("Thông tin được bảo vệ", (
        FormField("ethnicity", SENSITIVE, "Dân tộc", "catalog", "dan_toc"),
        FormField("religion", SENSITIVE, "Tôn giáo", "catalog", "ton_giao"),
        FormField("id_number", SENSITIVE, "Số CCCD/CMND", max_length=12),
        FormField("id_issued_date", SENSITIVE, "Ngày cấp", "date"),
        FormField("social_insurance_number", SENSITIVE, "Số sổ BHXH", max_length=10),
        FormField("health", SENSITIVE, "Tình trạng sức khỏe", max_length=100),
        FormField("blood_group", SENSITIVE, "Nhóm máu", max_length=8),
        FormField("party_join_date", SENSITIVE, "Ngày vào Đảng", "date"),
        FormField("party_official_date", SENSITIVE, "Ngày chính thức", "date"),
    )),
)
FIELDS: dict[str, FormField] = {f.name: f for _, fields in SECTIONS for f in fields}
BLOOD_GROUPS = ("O", "A", "B", "AB")
SALARY_STEPS = tuple(range(1, 21))
MANAGEMENT_CATEGORIES = (("don_vi", "Đơn vị quản lý"), ("btv_thanh_uy", "Ban Thường vụ Thành ủy quản lý"))

# What each kind of history row keeps besides its dates and summary (details), with labels.
HISTORY_DETAILS: dict[str, tuple[tuple[str, str], ...]] = {
    HistoryKind.WORK.value: (),
    HistoryKind.SALARY.value: (("grade_step", "Mã ngạch/bậc"), ("coefficient", "Hệ số lương")),
    HistoryKind.TRAINING.value: (("school", "Tên trường"), ("mode", "Hình thức đào tạo"),
                                 ("degree", "Văn bằng, chứng chỉ")),
    HistoryKind.AWARD.value: (("authority", "Cấp quyết định"),),
    HistoryKind.DISCIPLINE.value: (("authority", "Cấp quyết định"),),
    HistoryKind.FAMILY.value: (("relation", "Mối quan hệ"), ("birth_year", "Năm sinh")),
}
HISTORY_LABELS = {
    HistoryKind.WORK.value: "Quá trình công tác", HistoryKind.SALARY.value: "Diễn biến lương",
    HistoryKind.TRAINING.value: "Đào tạo, bồi dưỡng", HistoryKind.AWARD.value: "Khen thưởng",
    HistoryKind.DISCIPLINE.value: "Kỷ luật", HistoryKind.FAMILY.value: "Quan hệ gia đình",
}
HISTORY_SUMMARY = {  # what the summary column holds for each kind
    HistoryKind.WORK.value: "Chức danh, chức vụ, đơn vị công tác", HistoryKind.SALARY.value: "Ghi chú",
    HistoryKind.TRAINING.value: "Chuyên ngành", HistoryKind.AWARD.value: "Hình thức khen thưởng, lý do",
    HistoryKind.DISCIPLINE.value: "Hình thức kỷ luật, lý do", HistoryKind.FAMILY.value: "Họ và tên, nghề nghiệp",
}


def parse_day(label: str, text: str) -> date | None:
    """dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) or yyyy-mm-dd; blank → None."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        day, month, year = (int(p) for p in text.replace("-", "/").replace(".", "/").split("/"))
        if year < 1000:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(f"{label}: “{text[:40]}” không phải ngày dạng ngày/tháng/năm (ví dụ 05/03/1980).") from None


def _value(f: FormField, text: str) -> object:
    text = " ".join((text or "").split())
    if f.kind == "date":
        return parse_day(f.label, text)
    if f.kind == "int":
        if not text:
            return None
        if not text.isdigit():
            raise InvalidInput(f"{f.label}: “{text[:40]}” không phải số nguyên.")
        return int(text)
    if f.kind == "decimal":
        if not text:
            return None
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise InvalidInput(f"{f.label}: “{text[:40]}” không phải số (ví dụ 2,34).") from None
    if f.kind == "restriction":
        if text not in ("0", "1", "2", ""):
            raise InvalidInput(f"{f.label} phải là 0, 1 hoặc 2.")
        return int(text or 0)
    return text


def fields_from_form(form: Mapping[str, str], *, sensitive: bool) -> dict:
    """Every field present in `form` as add_staff's keywords: own fields, `profile`, `sensitive`.

    `sensitive`: whether the person may write protected fields (their inputs are ignored otherwise)."""
    own: dict = {}
    profile: dict = {}
    secret: dict = {}
    for name, f in FIELDS.items():
        if name not in form or (f.where == SENSITIVE and not sensitive):
            continue
        value = _value(f, str(form.get(name) or ""))
        if f.where == OWN:
            own[name] = value
        elif f.where == PROFILE:
            if value not in (None, ""):
                profile[name] = value
        else:
            if value not in (None, ""):
                secret[name] = value
    return {**own, "profile": profile, "sensitive": secret}


def changes_from_form(form: Mapping[str, str], current: Mapping[str, object], *, sensitive: bool) -> dict:
    """update_staff's `changes`: only what differs from `current` (form_values of the record).

    A cleared field is sent as its empty value, so it is cleared, not kept."""
    changes: dict = {}
    for name, f in FIELDS.items():
        if name not in form or (f.where == SENSITIVE and not sensitive):
            continue
        raw = " ".join(str(form.get(name) or "").split())
        if raw == str(current.get(name, "")):
            continue
        value = _value(f, raw)
        if f.where == OWN:
            changes[name] = value
        else:
            empty = None if f.kind in ("date", "int", "decimal") else ""
            changes.setdefault(f.where, {})[name] = empty if value in (None, "") else value
    return changes


def _shown(f: FormField, value: object) -> str:
    if value in (None, ""):
        return ""
    if f.kind == "date":
        d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if f.kind == "decimal":
        return f"{float(value):g}".replace(".", ",")  # type: ignore[arg-type]
    return str(value)


def form_values(own: Mapping[str, object], profile: Mapping[str, object],
                sensitive: Mapping[str, object] | None) -> dict[str, str]:
    """A record's values as the form shows them (dates dd/mm/yyyy, decimals with a comma)."""
    out: dict[str, str] = {}
    for name, f in FIELDS.items():
        source = own if f.where == OWN else profile if f.where == PROFILE else (sensitive or {})
        if f.where == SENSITIVE and sensitive is None:
            continue
        out[name] = _shown(f, source.get(name))
    return out


def history_from_form(form: Mapping[str, str]) -> dict:
    """One history row from its form (kind, từ ngày, đến ngày, tóm tắt, the kind's details)."""
    kind = str(form.get("kind") or "")
    if kind not in HISTORY_DETAILS:
        raise InvalidInput("Loại quá trình không hợp lệ; chọn một loại trong danh sách.")
    details = {key: " ".join(str(form.get(f"d_{key}") or "").split()) for key, _ in HISTORY_DETAILS[kind]}
    return {"kind": kind, "from_date": parse_day("Từ ngày", str(form.get("from_date") or "")),
            "to_date": parse_day("Đến ngày", str(form.get("to_date") or "")),
            "summary": " ".join(str(form.get("summary") or "").split()),
            "details": {k: v for k, v in details.items() if v}}


def changes_from_pairs(pairs: list[str]) -> dict:
    """`archive staff edit --set ethnicity=01 --set position="Trưởng phòng"` → update_staff's changes."""
    changes: dict = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        f = FIELDS.get(name.strip())
        if not sep or f is None:
            known = ", ".join(FIELDS)
            raise InvalidInput(f"“{pair[:40]}” phải có dạng TRƯỜNG=GIÁ_TRỊ, với TRƯỜNG là một trong: {known}.")
        value = _value(f, text)
        if f.where == OWN:
            changes[f.name] = value
        else:
            changes.setdefault(f.where, {})[f.name] = value if value not in (None, "") else (
                None if f.kind in ("date", "int", "decimal") else "")
    return changes
