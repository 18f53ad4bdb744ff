"""The rules of a declaration (bản kê khai) as plain data: states, steps, who routes where, which fields.

Pure (no database): archive.services.declarations applies them; tests/unit/test_declaration_states.py
checks them.

States: draft → declared (the person signed) → verified (the HR head — or Sở Nội vụ for cadres
the Ban Thường vụ Thành ủy manages — checked against the originals and signed) → approved (the
head of unit — or the Giám đốc Sở Nội vụ — signed) → applied (the change is in the record).
At verify or approve the declaration may be sent back (sent_back) with a reason; the person
edits it (back to draft) and signs again. TP.HCM QĐ 51/2024 Điều 7 khoản 2.

A profile may name the fields a person declares (`declarable_fields`) and the annual phiếu bổ
sung lý lịch (`annual_update_opens` MM-DD, `annual_update_days`, `annual_update_article`) —
keys beside the profile's own, read here from its TOML.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from archive.errors import Conflict
from archive.jurisdiction import PROFILE_DIR
from archive.services.staff_profile import StaffProfile

STATES = ("draft", "declared", "verified", "approved", "applied", "sent_back")
STATE_LABELS = {"draft": "Đang soạn", "declared": "Đã kê khai, chờ xác thực", "verified": "Đã xác thực, chờ phê duyệt",
                "approved": "Đã phê duyệt", "applied": "Đã cập nhật vào hồ sơ", "sent_back": "Bị trả lại"}
KINDS = {"initial": "Kê khai hồ sơ lần đầu", "change": "Cập nhật thông tin thay đổi",
         "annual": "Phiếu bổ sung lý lịch hằng năm"}
# step → (state it starts from, state it leads to)
STEPS: dict[str, tuple[frozenset[str], str]] = {
    "declare": (frozenset({"draft", "sent_back"}), "declared"),
    "verify": (frozenset({"declared"}), "verified"),
    "approve": (frozenset({"verified"}), "approved"),
    "apply": (frozenset({"approved"}), "applied"),
    "send_back": (frozenset({"declared", "verified"}), "sent_back"),
    "edit": (frozenset({"draft", "sent_back"}), "draft"),
}
STEP_LABELS = {"declare": "Kê khai và ký số", "verify": "Xác thực", "approve": "Phê duyệt", "send_back": "Trả lại"}
SIGNATURE_FIELDS = {"declare": "KeKhai", "verify": "XacThuc", "approve": "PheDuyet"}
OPEN_STATES = frozenset({"draft", "declared", "verified", "approved", "sent_back"})

# diện quản lý: cadres the Ban Thường vụ Thành ủy manages are verified and approved at Sở Nội vụ (Đ7.2.a)
MANAGEMENT_CATEGORIES = {"": "Đơn vị quản lý", "don_vi": "Đơn vị quản lý",
                         "btv_thanh_uy": "Ban Thường vụ Thành ủy quản lý"}
ROUTES = {"unit": "Bộ phận tổ chức cán bộ và thủ trưởng đơn vị", "so_noi_vu": "Sở Nội vụ"}

DEFAULT_DECLARABLE = ("other_names", "birth_place", "hometown", "permanent_address", "current_address",
                      "education_general", "education_professional", "political_theory", "state_management",
                      "foreign_language", "informatics")


def next_state(state: str, step: str) -> str:
    """The state after `step` from `state`; Conflict (409) when the step does not apply now."""
    starts, leads = STEPS[step]
    if state not in starts:
        raise Conflict(f"Bản kê khai đang ở trạng thái “{STATE_LABELS.get(state, state)}”, "
                       f"không thể {STEP_LABELS.get(step, step).lower()}.")
    return leads


def route_of(management_category: str) -> str:
    return "so_noi_vu" if management_category == "btv_thanh_uy" else "unit"


def field_label(key: str) -> str:
    info = StaffProfile.model_fields.get(key)
    desc = (info.description if info else "") or key
    return desc[:1].upper() + desc[1:]


@lru_cache(maxsize=16)
def profile_extras(code: str) -> dict:
    """The declaration keys of profile `code`'s TOML (those archive.jurisdiction does not model)."""
    path = PROFILE_DIR / f"{code}.toml"
    if not path.is_file():
        return {}
    data = tomllib.loads(path.read_text("utf-8"))
    return {k: v for k, v in data.items() if k.startswith(("declarable_", "annual_update"))}


def declarable_fields(code: str) -> tuple[str, ...]:
    fields = tuple(profile_extras(code).get("declarable_fields") or DEFAULT_DECLARABLE)
    return tuple(f for f in fields if f in StaffProfile.model_fields)


@dataclass(frozen=True)
class AnnualRule:
    """Phiếu bổ sung lý lịch hằng năm: opens on MM-DD, to be declared within `days` calendar days."""

    opens: tuple[int, int]
    days: int
    article: str


def annual_rule(code: str) -> AnnualRule | None:
    extras = profile_extras(code)
    if not extras.get("annual_update_opens"):
        return None
    month, day = (int(p) for p in str(extras["annual_update_opens"]).split("-"))
    return AnnualRule((month, day), int(extras.get("annual_update_days", 30)),
                      str(extras.get("annual_update_article", "")))
