"""Staff records (hồ sơ cán bộ): create, read, update. Lifecycle and transfers: staff_lifecycle."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from archive.context import Context
from archive.domain import INDEX_KIND, STATUS_LABELS, DocumentState, StaffStatus
from archive.errors import Conflict, InvalidInput, NotFound
from archive.models import Assignment, Document, Staff, StaffHistory, StatusChange, Unit, utcnow
from archive.services import audit
from archive.services.access import Action, Actor, check_staff, check_unit
from archive.services.staff_profile import HistoryEntry, StaffProfile, StaffSensitive
from search import nfc

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
EDITABLE = ("full_name", "birth_date", "gender", "grade_code", "restriction_level", "profile", "sensitive")


def parse_status(value: str) -> StaffStatus:
    try:
        return StaffStatus(value)
    except ValueError:
        allowed = ", ".join(f"{s.value} ({STATUS_LABELS[s]})" for s in StaffStatus)
        raise InvalidInput(f"Trạng thái không hợp lệ: {value!r}. Chọn một trong: {allowed}.") from None


def _validated(model, data: dict | None) -> dict:  # noqa: ANN001
    try:
        return model.model_validate(data or {}).model_dump(mode="json", exclude_defaults=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"Trường {where} không hợp lệ: {first['msg']}") from None


@dataclass(frozen=True)
class StaffView:
    code: str
    full_name: str
    birth_date: date | None
    gender: str
    unit_code: str
    unit_name: str
    status: str
    status_effective_date: date | None
    status_decision: str
    grade_code: str
    restriction_level: int
    profile: dict
    sensitive: dict | None  # None: the caller may not read sensitive fields
    history: list[dict] = field(default_factory=list)
    status_history: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        for k in ("birth_date", "status_effective_date"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


def staff_view(c: Context, s: Session, staff: Staff, *, show_sensitive: bool) -> StaffView:
    units = {u.id: u for u in s.scalars(select(Unit))}
    changes = s.scalars(select(StatusChange).where(StatusChange.staff_id == staff.id).order_by(StatusChange.id)).all()
    moves = s.scalars(select(Assignment).where(Assignment.staff_id == staff.id).order_by(Assignment.id)).all()
    return StaffView(
        code=staff.code, full_name=staff.full_name, birth_date=staff.birth_date, gender=staff.gender,
        unit_code=units[staff.unit_id].code, unit_name=units[staff.unit_id].name, status=staff.status,
        status_effective_date=staff.status_effective_date, status_decision=staff.status_decision,
        grade_code=staff.grade_code, restriction_level=staff.restriction_level, profile=dict(staff.profile or {}),
        sensitive=c.cipher.decrypt(staff.sensitive, aad=staff.code) if show_sensitive else None,
        history=[{"kind": h.kind, "from_date": h.from_date.isoformat() if h.from_date else None,
                  "to_date": h.to_date.isoformat() if h.to_date else None, "summary": h.summary,
                  "details": h.details} for h in staff.history],
        status_history=[{"status": ch.status, "effective_date": ch.effective_date.isoformat() if ch.effective_date
                         else None, "decision": ch.decision_ref, "recorded_by": ch.recorded_by} for ch in changes],
        assignments=[{"unit_code": units[m.unit_id].code, "from": m.from_at.isoformat() + "Z",
                      "to": m.to_at.isoformat() + "Z" if m.to_at else None, "decision": m.decision_ref}
                     for m in moves],
    )


def _may_read_sensitive(s: Session, actor: Actor, staff: Staff) -> bool:
    from archive.errors import Forbidden

    try:
        check_staff(s, actor, staff, Action.READ_SENSITIVE)
        return True
    except Forbidden:
        return False


def load_staff(s: Session, code: str) -> Staff | None:
    return s.scalar(select(Staff).where(Staff.code == code).options(selectinload(Staff.unit),
                                                                  selectinload(Staff.history)))


def add_staff(c: Context, actor: Actor, *, code: str, full_name: str, unit_code: str,
              birth_date: date | None = None, gender: str = "", status: str = StaffStatus.DANG_CONG_TAC.value,
              grade_code: str = "", restriction_level: int = 0, profile: dict | None = None,
              sensitive: dict | None = None, history: list[dict] | None = None) -> StaffView:
    code = (code or "").strip()
    if not _CODE.match(code):
        raise InvalidInput("Mã cán bộ chỉ gồm chữ, số, '.', '_' hoặc '-', tối đa 32 ký tự.")
    full_name = " ".join(nfc(full_name or "").split())
    if not full_name or len(full_name) > 200:
        raise InvalidInput("Họ và tên không được để trống và tối đa 200 ký tự.")
    if birth_date is not None and not (date(1900, 1, 1) <= birth_date <= date.today()):
        raise InvalidInput("Ngày sinh không hợp lệ.")
    if gender not in ("", "nam", "nu"):
        raise InvalidInput("Giới tính: nam hoặc nu.")
    if restriction_level not in (0, 1, 2):
        raise InvalidInput("Độ hạn chế tiếp cận phải là 0, 1 hoặc 2.")
    status_value = parse_status(status).value
    profile_data = _validated(StaffProfile, profile)
    sensitive_data = _validated(StaffSensitive, sensitive)
    entries = [HistoryEntry.model_validate(h) for h in (history or [])] if history else []
    with c.uow() as uow:
        s = uow.session
        unit = s.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise NotFound(f"Không tìm thấy đơn vị có mã {unit_code}.")
        check_unit(s, actor, unit, Action.CREATE)
        if s.scalar(select(Staff.id).where(Staff.code == code)) is not None:
            raise Conflict(f"Mã cán bộ {code} đã tồn tại.")
        staff = Staff(code=code, full_name=full_name, birth_date=birth_date, gender=gender, unit_id=unit.id,
                      status=status_value, grade_code=grade_code.strip(), restriction_level=restriction_level,
                      profile=profile_data, sensitive=c.cipher.encrypt(sensitive_data, aad=code))
        staff.history = [StaffHistory(kind=e.kind.value, from_date=e.from_date, to_date=e.to_date,
                                      summary=e.summary, details=e.details) for e in entries]
        s.add(staff)
        s.flush()
        s.add(Assignment(staff_id=staff.id, unit_id=unit.id))
        s.add(StatusChange(staff_id=staff.id, status=status_value, recorded_by=actor.name))
        audit.append(s, actor=actor.name, ip=actor.ip, action="staff.create", target_type="staff", target_id=code,
                     details={"unit": unit_code, "status": status_value})
        try:
            uow.commit()
        except IntegrityError:
            raise Conflict(f"Mã cán bộ {code} đã tồn tại.") from None
        return staff_view(c, s, load_staff(s, code), show_sensitive=_may_read_sensitive(s, actor, staff))


def get_staff(c: Context, actor: Actor, code: str) -> StaffView:
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, load_staff(s, code), Action.READ)
        view = staff_view(c, s, staff, show_sensitive=_may_read_sensitive(s, actor, staff))
        audit.append(s, actor=actor.name, ip=actor.ip, action="staff.view", target_type="staff", target_id=code)
        uow.commit()
        return view


def update_staff(c: Context, actor: Actor, code: str, changes: dict) -> StaffView:
    """Change CV fields; the audit entry keeps before and after (sensitive values masked)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"Không sửa được trường: {', '.join(sorted(unknown))} (dùng chuyển công tác / trạng thái).")
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, load_staff(s, code), Action.UPDATE)
        before, after = {}, {}
        for key, value in changes.items():
            if key == "full_name":
                value = " ".join(nfc(value or "").split())
                if not value:
                    raise InvalidInput("Họ và tên không được để trống.")
            elif key == "profile":
                value = _validated(StaffProfile, {**(staff.profile or {}), **(value or {})})
            elif key == "sensitive":
                merged = {**c.cipher.decrypt(staff.sensitive, aad=code), **(value or {})}
                staff.sensitive = c.cipher.encrypt(_validated(StaffSensitive, merged), aad=code)
                before[key], after[key] = "***", "***"
                continue
            elif key == "restriction_level" and value not in (0, 1, 2):
                raise InvalidInput("Độ hạn chế tiếp cận phải là 0, 1 hoặc 2.")
            elif key == "birth_date" and isinstance(value, str):
                value = date.fromisoformat(value)
            before[key], after[key] = getattr(staff, key), value
            setattr(staff, key, value)
        mark_for_reindex(s, staff.id)
        audit.append(s, actor=actor.name, ip=actor.ip, action="staff.update", target_type="staff", target_id=code,
                     details={"before": before, "after": after})
        uow.commit()
        view = staff_view(c, s, load_staff(s, code), show_sensitive=_may_read_sensitive(s, actor, staff))
    if c.queue is not None:
        c.queue.wake(INDEX_KIND)
    return view


def mark_for_reindex(s: Session, staff_id: int) -> None:
    """Search documents carry staff fields and scope: indexed documents go back to `indexing`."""
    s.execute(update(Document).where(Document.staff_id == staff_id, Document.state == DocumentState.INDEXED.value)
              .values(state=DocumentState.INDEXING.value, updated_at=utcnow()))


def get_staff_by_code(s: Session, code: str) -> Staff:
    staff = load_staff(s, code)
    if staff is None:
        raise NotFound(f"Không tìm thấy cán bộ có mã {code}.")
    return staff
