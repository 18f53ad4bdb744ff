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
from archive.errors import Conflict, InvalidInput, NotFound, shown
from archive.catalog_seed import SEED
from archive.models import Assignment, CatalogEntry, Document, Staff, StaffHistory, StatusChange, Unit, utcnow
from archive.services import audit
from archive.services.access import Action, Actor, check_staff, check_unit, refuse_ended_unit
from archive.services.staff_profile import HistoryEntry, StaffFields, StaffProfile, StaffSensitive, describe_errors

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
EDITABLE = tuple(StaffFields.model_fields)


def parse_status(value: str) -> StaffStatus:
    try:
        return StaffStatus(value)
    except ValueError:
        allowed = ", ".join(f"{s.value} ({STATUS_LABELS[s]})" for s in StaffStatus)
        raise InvalidInput(f"Trạng thái không hợp lệ: “{shown(value)}”; chọn một trong: {allowed}.") from None


def _validated(model, data: object, *, where: tuple = ()) -> dict:  # noqa: ANN001
    """`data` checked against `model`, as JSON-ready values; InvalidInput naming the field otherwise."""
    if data is not None and not isinstance(data, dict):
        raise InvalidInput(describe_errors([{"type": "dict_type", "loc": where}]))
    try:
        return model.model_validate(data or {}).model_dump(mode="json", exclude_defaults=True)
    except ValidationError as exc:
        raise InvalidInput(describe_errors(exc.errors(), prefix=where)) from None


def _fields(given: dict) -> StaffFields:
    """The record's own fields, those in `given` validated (StaffFields)."""
    try:
        return StaffFields.model_validate(given)
    except ValidationError as exc:
        raise InvalidInput(describe_errors(exc.errors())) from None


def _history(entries: object) -> list[HistoryEntry]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise InvalidInput(describe_errors([{"type": "list_type", "loc": ("history",)}]))
    out = []
    for i, entry in enumerate(entries):
        try:
            out.append(HistoryEntry.model_validate(entry))
        except ValidationError as exc:
            raise InvalidInput(describe_errors(exc.errors(), prefix=("history", i))) from None
    return out


# Fields whose value is a catalog code (mã danh mục), the catalog, and the field's Vietnamese name.
CATALOG_CODED = {"grade_code": ("ngach", "Mã ngạch"), "ethnicity": ("dan_toc", "Dân tộc"),
                 "religion": ("ton_giao", "Tôn giáo")}


def catalog_codes(s: Session, catalog: str) -> set[str]:
    """Active codes of a catalog; before `archive init` seeds it (an empty table), the seed's codes."""
    rows = s.execute(select(CatalogEntry.code, CatalogEntry.active).where(CatalogEntry.catalog == catalog)).all()
    if not rows:
        return {item.code for item in SEED[catalog]}
    return {code for code, active in rows if active}


def check_catalog_codes(s: Session, given: dict[str, object], *, kept: dict[str, object] | None = None) -> None:
    """Refuse a value that is not a code of its catalog (e.g. "kinh" for dân tộc: the code is "01").

    `kept` are the record's current values: an unchanged value stays accepted even if its entry was
    later retired (ngưng dùng), so editing another field never fails on it."""
    kept = kept or {}
    for key, (catalog, label) in CATALOG_CODED.items():
        value = given.get(key)
        if value in (None, "") or value == kept.get(key):
            continue
        if not isinstance(value, str) or value not in catalog_codes(s, catalog):
            raise InvalidInput(f"{label} “{shown(str(value))}” không phải mã trong danh mục; "
                               "xem các mã tại trang Quản trị › Danh mục.")


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
        history=[{"id": h.id, "kind": h.kind, "from_date": h.from_date.isoformat() if h.from_date else None,
                  "to_date": h.to_date.isoformat() if h.to_date else None, "summary": h.summary,
                  "details": h.details} for h in staff.history],
        status_history=[{"status": ch.status, "effective_date": ch.effective_date.isoformat() if ch.effective_date
                         else None, "decision": ch.decision_ref, "recorded_by": ch.recorded_by} for ch in changes],
        assignments=[{"unit_code": units[m.unit_id].code, "from": m.from_at.isoformat() + "Z",
                      "to": m.to_at.isoformat() + "Z" if m.to_at else None, "decision": m.decision_ref,
                      # the decision's dates (ngày hiệu lực), not when the row was written: None when unknown
                      "effective_date": m.effective_date.isoformat() if m.effective_date else None,
                      "until": (moves[i + 1].effective_date.isoformat() if i + 1 < len(moves)
                                and moves[i + 1].effective_date else None)}
                     for i, m in enumerate(moves)],
    )


def _may_read_sensitive(s: Session, actor: Actor, staff: Staff) -> bool:
    from archive.errors import Forbidden

    try:
        check_staff(s, actor, staff, Action.READ_SENSITIVE)
        return True
    except Forbidden:
        return False


def may(c: Context, actor: Actor, code: str, action: Action) -> bool:
    """Whether `actor` may do `action` on this record (the pages show only the buttons that work)."""
    from archive.errors import Forbidden

    with c.uow() as uow:
        try:
            check_staff(uow.session, actor, load_staff(uow.session, code), action)
            return True
        except (Forbidden, NotFound):
            return False


def own_staff_code(c: Context, actor: Actor) -> str:
    """The code of the caller's own record (a staff account's hồ sơ); NotFound for other accounts."""
    with c.uow() as uow:
        code = uow.session.scalar(select(Staff.code).where(Staff.id == actor.staff_id)) if actor.staff_id else None
    if code is None:
        raise NotFound("Tài khoản này không gắn với hồ sơ cán bộ nào.")
    return code


def load_staff(s: Session, code: str) -> Staff | None:
    return s.scalar(select(Staff).where(Staff.code == code).options(selectinload(Staff.unit),
                                                                  selectinload(Staff.history)))


def add_staff(c: Context, actor: Actor, *, code: str, full_name: str, unit_code: str,
              birth_date: date | None = None, gender: str = "", status: str = StaffStatus.DANG_CONG_TAC.value,
              grade_code: str = "", restriction_level: int = 0, profile: dict | None = None,
              sensitive: dict | None = None, history: list[dict] | None = None) -> StaffView:
    code = code if isinstance(code, str) else ""
    if not _CODE.fullmatch(code):  # as typed: "NV001\n" is a client's bug to be told about, not "NV001"
        raise InvalidInput("Mã cán bộ chỉ gồm chữ, số, '.', '_' hoặc '-', tối đa 32 ký tự.")
    if not isinstance(unit_code, str) or not unit_code:
        raise InvalidInput("Mã đơn vị là bắt buộc.")
    fields = _fields({"full_name": full_name, "birth_date": birth_date, "gender": gender, "grade_code": grade_code,
                      "restriction_level": restriction_level, "profile": profile or {},
                      "sensitive": sensitive or {}})
    full_name, birth_date, gender, grade_code = fields.full_name, fields.birth_date, fields.gender, fields.grade_code
    restriction_level = fields.restriction_level
    status_value = parse_status(status).value
    profile_data = _validated(StaffProfile, fields.profile, where=("profile",))
    sensitive_data = _validated(StaffSensitive, fields.sensitive, where=("sensitive",))
    entries = _history(history)
    with c.uow() as uow:
        s = uow.session
        unit = s.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise NotFound(f"Không tìm thấy đơn vị có mã {shown(unit_code)}.")
        check_unit(s, actor, unit, Action.CREATE)
        refuse_ended_unit(s, unit)
        check_catalog_codes(s, {"grade_code": grade_code, **sensitive_data})
        if s.scalar(select(Staff.id).where(Staff.code == code)) is not None:
            raise Conflict(f"Mã cán bộ {code} đã tồn tại.")
        staff = Staff(code=code, full_name=full_name, birth_date=birth_date, gender=gender, unit_id=unit.id,
                      status=status_value, grade_code=grade_code, restriction_level=restriction_level,
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
        view = staff_view(c, s, load_staff(s, code), show_sensitive=_may_read_sensitive(s, actor, staff))
    if c.queue is not None:  # the new record (queued for the index by record_index) becomes searchable now
        c.queue.wake(INDEX_KIND)
    return view


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
    if not isinstance(changes, dict):
        raise InvalidInput(describe_errors([{"type": "dict_type", "loc": ()}]))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        listed = ", ".join(shown(k) for k in sorted(map(str, unknown)))
        raise InvalidInput(f"Không sửa được trường: {listed} (dùng chuyển công tác / trạng thái).")
    given = _fields(changes)  # every given value has its type and range before anything is read
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, load_staff(s, code), Action.UPDATE)
        if "grade_code" in changes or "sensitive" in changes:
            stored = c.cipher.decrypt(staff.sensitive, aad=code) if "sensitive" in changes else {}
            check_catalog_codes(s, {"grade_code": given.grade_code if "grade_code" in changes else None,
                                    **(given.sensitive if "sensitive" in changes else {})},
                                kept={"grade_code": staff.grade_code, **stored})
        before, after = {}, {}
        for key in changes:
            value = getattr(given, key)
            if key == "profile":
                value = _validated(StaffProfile, {**(staff.profile or {}), **value}, where=("profile",))
            elif key == "sensitive":
                merged = {**c.cipher.decrypt(staff.sensitive, aad=code), **value}
                staff.sensitive = c.cipher.encrypt(_validated(StaffSensitive, merged, where=("sensitive",)),
                                                   aad=code)
                before[key], after[key] = "***", "***"
                continue
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
