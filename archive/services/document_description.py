"""Document description (thông tin mô tả tài liệu) of TT 05/2025/TT-BNV, kept in `documents.description`.

Fields (keys as stored, Vietnamese labels as shown): mã hồ sơ, mã định danh, tên loại, số và ký
hiệu, ngày tháng năm, cơ quan ban hành, trích yếu nội dung, ngôn ngữ, số trang, ký hiệu thông
tin, từ khóa, chế độ sử dụng, mức độ tin cậy, bút tích, tình trạng vật lý. Values are NFC text
within a length; the date is ISO (YYYY-MM-DD, also accepted as DD/MM/YYYY); chế độ sử dụng and
mức độ tin cậy are codes from fixed lists. An empty value clears a field. The extract job
prefills số/ký hiệu and date when the OCR text holds exactly one of each (a quyết định's
"Số: 123/QĐ-UBND" and "…, ngày 12 tháng 3 năm 2015"); a person's value is never overwritten.
A change is audited and queues a new archival copy (the copy's XMP carries these fields).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Mapping

from archive.context import Context
from archive.errors import InvalidInput
from archive.services import audit, jobs
from archive.services.access import Action, Actor
from archive.services.archival import ARCHIVAL_KIND
from archive.services.documents import visible_document
from search import nfc

LABELS: dict[str, str] = {
    "ma_ho_so": "Mã hồ sơ",
    "ma_dinh_danh": "Mã định danh tài liệu",
    "ten_loai": "Tên loại văn bản",
    "so_ky_hieu": "Số và ký hiệu",
    "ngay_van_ban": "Ngày, tháng, năm văn bản",
    "co_quan_ban_hanh": "Tên cơ quan, tổ chức ban hành",
    "trich_yeu": "Trích yếu nội dung",
    "ngon_ngu": "Ngôn ngữ",
    "so_trang": "Số trang",
    "ky_hieu_thong_tin": "Ký hiệu thông tin",
    "tu_khoa": "Từ khóa",
    "che_do_su_dung": "Chế độ sử dụng",
    "muc_do_tin_cay": "Mức độ tin cậy",
    "but_tich": "Bút tích",
    "tinh_trang_vat_ly": "Tình trạng vật lý",
}
MAX_LENGTH: dict[str, int] = {"ma_ho_so": 50, "ma_dinh_danh": 50, "ten_loai": 100, "so_ky_hieu": 50,
                              "co_quan_ban_hanh": 200, "trich_yeu": 1000, "ngon_ngu": 100, "ky_hieu_thong_tin": 50,
                              "tu_khoa": 300, "but_tich": 300, "tinh_trang_vat_ly": 300}
CHOICES: dict[str, dict[str, str]] = {
    "che_do_su_dung": {"cong_khai": "Công khai", "su_dung_co_dieu_kien": "Sử dụng có điều kiện", "mat": "Mật"},
    "muc_do_tin_cay": {"goc_dien_tu": "Gốc điện tử", "so_hoa": "Số hóa", "hon_hop": "Hỗn hợp"},
}
RESERVED = ("archival", "prefilled")  # keys of description the system writes


def validate(values: Mapping[str, object]) -> dict[str, str]:
    """Checked, NFC values by key ("" clears); InvalidInput names the first bad field in Vietnamese."""
    out: dict[str, str] = {}
    for key, raw in values.items():
        if key not in LABELS:
            raise InvalidInput(f"Trường mô tả “{nfc(str(key))[:40]}” không có trong Thông tư 05/2025/TT-BNV.")
        if raw is None:
            raw = ""
        if not isinstance(raw, (str, int)) or isinstance(raw, bool):
            raise InvalidInput(f"{LABELS[key]} phải là văn bản.")
        value = " ".join(nfc(str(raw)).split())
        label = LABELS[key]
        if any(ord(ch) < 32 for ch in value):
            raise InvalidInput(f"{label} có ký tự điều khiển không hợp lệ.")
        if value and key == "ngay_van_ban":
            value = _iso_date(value, label)
        elif value and key == "so_trang":
            if not value.isdigit() or not 0 < int(value) <= 100_000:
                raise InvalidInput(f"{label} phải là số nguyên dương.")
            value = str(int(value))
        elif value and key in CHOICES:
            if value not in CHOICES[key]:
                by_label = {v.casefold(): k for k, v in CHOICES[key].items()}
                if value.casefold() not in by_label:
                    allowed = ", ".join(CHOICES[key].values())
                    raise InvalidInput(f"{label} phải là một trong: {allowed}.")
                value = by_label[value.casefold()]
        elif len(value) > MAX_LENGTH.get(key, 300):
            raise InvalidInput(f"{label} dài quá {MAX_LENGTH.get(key, 300)} ký tự.")
        out[key] = value
    return out


def _iso_date(value: str, label: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value) or None
    parts = (m.group(1), m.group(2), m.group(3)) if m else None
    if parts is None:
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        parts = (m.group(3), m.group(2), m.group(1)) if m else None
    try:
        if parts is None:
            raise ValueError
        return date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
    except ValueError:
        raise InvalidInput(f"{label} phải là ngày hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY).") from None


def fields_of(description: Mapping[str, object] | None) -> dict[str, str]:
    """The TT 05 fields of a stored description (without what the system keeps beside them)."""
    return {k: str(v) for k, v in (description or {}).items() if k in LABELS and v not in (None, "")}


def shown(fields: Mapping[str, str]) -> dict[str, str]:
    """Values as a person reads them (codes replaced by their Vietnamese labels)."""
    return {k: CHOICES.get(k, {}).get(v, v) for k, v in fields.items()}


def get_description(c: Context, actor: Actor, document_id: int) -> dict[str, str]:
    with c.uow() as uow:
        return fields_of(visible_document(uow.session, actor, document_id, Action.READ).description)


def update_description(c: Context, actor: Actor, document_id: int, values: Mapping[str, object], *,
                       replace: bool = False) -> dict[str, str]:
    """Set fields (PATCH; `replace=True`: PUT, unnamed fields cleared); audited; re-makes the archival copy."""
    checked = validate(values)
    with c.uow() as uow:
        s = uow.session
        doc = visible_document(s, actor, document_id, Action.UPDATE)
        before = fields_of(doc.description)
        after = {} if replace else dict(before)
        after.update(checked)
        after = {k: v for k, v in after.items() if v}
        if after == before:
            return before
        kept = {k: v for k, v in (doc.description or {}).items() if k in RESERVED}
        doc.description = {**kept, **after}
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        audit.append(s, actor=actor.name, ip=actor.ip, action="document.describe", target_type="document",
                     target_id=document_id, details={"staff": doc.staff.code, "fields": changed})
        job = jobs.enqueue(s, ARCHIVAL_KIND, target_type="document", target_id=document_id) \
            if c.settings.archival_copies and doc.state == "indexed" else None
        uow.commit()
        job_id = job.id if job is not None else None
    if job_id is not None:
        jobs.send_after_commit(c, [(job_id, ARCHIVAL_KIND)])
    return after


# "Số: 123/QĐ-UBND", "Số 45/2015/QĐ-UBND": number, optional year, then the type and issuer codes
_NUMBER = re.compile(r"\bSố\s*:?\s*(\d{1,6}(?:/\d{4})?/[A-ZĐ]{1,10}(?:-[A-ZĐ0-9]{1,12}){0,3})(?![\w/-])")
_DATE = re.compile(r"\bngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})\b", re.IGNORECASE)


def prefill_from_text(text: str) -> dict[str, str]:
    """Số/ký hiệu and date read from OCR text, each only when exactly one distinct value is found."""
    text = nfc(text)
    out: dict[str, str] = {}
    numbers = set(_NUMBER.findall(text))
    if len(numbers) == 1:
        out["so_ky_hieu"] = numbers.pop()
    dates = set()
    for d, m, y in _DATE.findall(text):
        try:
            dates.add(date(int(y), int(m), int(d)).isoformat())
        except ValueError:
            continue
    if len(dates) == 1:
        out["ngay_van_ban"] = dates.pop()
    if "so_ky_hieu" in out and "/QĐ-" in out["so_ky_hieu"]:
        out.setdefault("ten_loai", "Quyết định")
    return out


def merge_prefill(description: Mapping[str, object], prefill: Mapping[str, str]) -> dict:
    """The description with prefilled values for empty fields only, noting which were prefilled."""
    out = dict(description)
    added = [k for k, v in prefill.items() if k in LABELS and not out.get(k)]
    for k in added:
        out[k] = prefill[k]
    if added:
        out["prefilled"] = sorted(set(out.get("prefilled") or []) | set(added))
    return out
