"""The import's planner (kế hoạch nhập): per row create / update / unchanged / conflict / problem,
and with write=True the writes themselves, in the caller's transaction (archive.services.staff_import).

Why a field is a conflict: the last import's hash of it (StaffImportFingerprint) differs from
the hash of its current value (edited in the system since), or the record was never imported
and already holds another value (entered by hand). Either way the record keeps its value.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError
from sqlalchemy import select

from archive.context import Context
from archive.domain import StaffStatus
from archive.errors import Forbidden, NotFound, shown
from archive.models import Assignment, CatalogEntry, Staff, StatusChange, Unit
from archive.models.staff_import import StaffImportFingerprint
from archive.services import audit
from archive.services.access import Action, Actor, check_staff, check_unit
from archive.services.staff import _CODE, mark_for_reindex
from archive.services.staff_import_fields import (
    BY_KEY,
    CellProblem,
    Lookup,
    as_text,
    parse_date,
    parse_digits,
    parse_gender,
    parse_number,
)
from archive.services.staff_profile import (
    StaffFields,
    StaffProfile,
    StaffSensitive,
    describe_errors,
)

EDITED_SINCE = "Đã được sửa trong hệ thống sau lần nhập trước; giữ giá trị hiện tại."
HELD_BEFORE = "Hồ sơ đã có giá trị khác (nhập tay); giữ giá trị hiện tại."
UNIT_MOVE = "Đơn vị khác với hồ sơ; đổi đơn vị bằng chức năng chuyển công tác."


@dataclass
class RowPlan:
    row: int
    code: str
    name: str = ""
    action: str = "problem"
    changes: list[dict] = field(default_factory=list)    # {field, label, before, after}
    conflicts: list[dict] = field(default_factory=list)  # {field, label, message}
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _fingerprint(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:24]


class _Planner:
    """Plans (and with write=True, applies) rows in the caller's transaction."""

    def __init__(self, c: Context, s, actor: Actor, *, run_id: int | None = None) -> None:
        self.c, self.s, self.actor, self.run_id = c, s, actor, run_id
        units = list(s.scalars(select(Unit)))
        self.units = {u.id: u for u in units}
        from search import fold

        self.unit_lookup = Lookup({u.code: u.code for u in units},
                                  {" ".join(fold(u.name).split()): u.code for u in units})
        self.unit_by_code = {u.code: u for u in units}
        self.catalogs: dict[str, Lookup] = {}
        for e in s.scalars(select(CatalogEntry).where(CatalogEntry.active.is_(True))):
            lk = self.catalogs.setdefault(e.catalog, Lookup({}, {}))
            lk.by_code[e.code] = e.code
            lk.by_name.setdefault(" ".join(fold(e.name).split()), e.code)
        self.scope: dict[tuple, str | None] = {}
        self.created: list[tuple[Staff, Unit]] = []
        self.may_update: dict[tuple[int, int], bool] = {}

    # values ------------------------------------------------------------------------------
    def _value(self, key: str, raw: object) -> object:
        spec = BY_KEY[key]
        if spec.kind == "date":
            return parse_date(raw, spec.label).isoformat()
        if spec.kind == "gender":
            return parse_gender(raw)
        if spec.kind in ("int", "float"):
            return parse_number(raw, spec.label, integer=spec.kind == "int")
        if spec.kind == "digits":
            return parse_digits(raw, spec.label)
        if spec.kind == "unit":
            code = self.unit_lookup.find(raw)
            if code is None:
                raise CellProblem(f"Không có đơn vị “{shown(as_text(raw))}”.")
            return code
        if spec.kind == "catalog":
            code = self.catalogs.get(spec.catalog, Lookup({}, {})).find(raw)
            if code is None:
                raise CellProblem(f"{spec.label} “{shown(as_text(raw))}” không có trong danh mục.")
            return code
        return as_text(raw)

    def _validated(self, values: dict) -> list[str]:
        """Each value checked as the record's own validators check it (lengths, patterns, dates)."""
        problems = []
        top = {k: v for k, v in values.items() if "." not in k and k not in ("code", "unit_code")}
        groups = ((StaffFields, top, ()),
                  (StaffProfile, {k[8:]: v for k, v in values.items() if k.startswith("profile.")}, ("profile",)),
                  (StaffSensitive, {k[10:]: v for k, v in values.items() if k.startswith("sensitive.")},
                   ("sensitive",)))
        for model, data, where in groups:
            try:
                model.model_validate(data)
            except ValidationError as exc:
                problems.append(describe_errors(exc.errors(), prefix=where))
        return problems

    def _allowed(self, unit: Unit, action: Action, level: int = 0) -> str | None:
        key = (unit.id, action, level)
        if key not in self.scope:
            try:
                check_unit(self.s, self.actor, unit, action)
                self.scope[key] = None if level <= self.actor.clearance else "clearance"
            except (NotFound, Forbidden):
                self.scope[key] = "scope"
        why = self.scope[key]
        if why == "scope":
            return f"Đơn vị {unit.code} không thuộc phạm vi quản lý của bạn."
        if why == "clearance":
            return "Hồ sơ có độ hạn chế tiếp cận cao hơn quyền của bạn."
        return None

    def _may_update(self, st: Staff, unit: Unit) -> str | None:
        """check_staff's answer (scope with delegations, clearance), once per unit and level."""
        key = (unit.id, st.restriction_level)
        if key not in self.may_update:
            try:
                check_staff(self.s, self.actor, st, Action.UPDATE)
                self.may_update[key] = True
            except (NotFound, Forbidden):
                self.may_update[key] = False
        return None if self.may_update[key] else f"Hồ sơ {st.code} không thuộc phạm vi quản lý của bạn."

    # rows --------------------------------------------------------------------------------
    def plan(self, rows: list[tuple[int, dict]], *, write: bool) -> list[RowPlan]:
        codes = [as_text(raw.get("code")) for _, raw in rows]
        staff = {st.code: st for st in self.s.scalars(select(Staff).where(Staff.code.in_(set(codes))))}
        prints = {f.staff_code: f for f in self.s.scalars(
            select(StaffImportFingerprint).where(StaffImportFingerprint.staff_code.in_(set(codes))))}
        seen: dict[str, int] = {}
        out = []
        for (n, raw), code in zip(rows, codes):
            p = RowPlan(row=n, code=code)
            if not code:
                p.problems.append("Thiếu mã cán bộ.")
            elif not _CODE.fullmatch(code):
                p.problems.append("Mã cán bộ chỉ gồm chữ, số, '.', '_' hoặc '-', tối đa 32 ký tự.")
            elif code in seen:
                p.problems.append(f"Mã cán bộ {code} lặp lại dòng {seen[code]}.")
            else:
                seen[code] = n
            values: dict[str, object] = {}
            for key, v in raw.items():
                if key == "code":
                    continue
                try:
                    values[key] = self._value(key, v)
                except CellProblem as exc:
                    p.problems.append(str(exc))
            p.problems += self._validated(values)
            p.name = str(values.get("full_name", ""))
            if not p.problems:
                existing = staff.get(code)
                if existing is None:
                    self._create(p, values, write)
                else:
                    self._update(p, existing, values, prints.get(code), write)
            if p.problems:
                p.action, p.changes, p.conflicts = "problem", [], []
            out.append(p)
        self._finish_creates()
        return out

    def _create(self, p: RowPlan, values: dict, write: bool) -> None:
        for key, label in (("full_name", "Thiếu họ và tên."), ("unit_code", "Thiếu đơn vị.")):
            if key not in values:
                p.problems.append(label)
        if p.problems:
            return
        unit = self.unit_by_code[str(values["unit_code"])]
        why = self._allowed(unit, Action.CREATE)
        if why:
            p.problems.append(why)
            return
        p.action = "create"
        # a new record: the row itself says what is created (per-field lists would bloat a 20k-row plan)
        if not write:
            return
        profile = {k[8:]: v for k, v in values.items() if k.startswith("profile.")}
        sensitive = {k[10:]: v for k, v in values.items() if k.startswith("sensitive.")}
        born = values.get("birth_date")
        st = Staff(code=p.code, full_name=values["full_name"], birth_date=date.fromisoformat(born) if born else None,
                   gender=values.get("gender", ""), unit_id=unit.id, status=StaffStatus.DANG_CONG_TAC.value,
                   grade_code=values.get("grade_code", ""), restriction_level=0, profile=profile,
                   sensitive=self.c.cipher.encrypt(sensitive, aad=p.code))
        self.s.add(st)
        self.created.append((st, unit))  # flushed together at the chunk's end: one flush, not one per row
        self._remember(p.code, None, values)

    def _finish_creates(self) -> None:
        if not self.created:
            return
        self.s.flush()
        for st, unit in self.created:
            self.s.add(Assignment(staff_id=st.id, unit_id=unit.id))
            self.s.add(StatusChange(staff_id=st.id, status=st.status, recorded_by=self.actor.name))
        for st, unit in self.created:
            audit.append(self.s, actor=self.actor.name, ip=self.actor.ip, action="staff.create", target_type="staff",
                         target_id=st.code, details={"unit": unit.code, "status": st.status,
                                                     "import_run": self.run_id})
        self.created = []

    def _update(self, p: RowPlan, st: Staff, values: dict, fp: StaffImportFingerprint | None, write: bool) -> None:
        unit = self.units[st.unit_id]
        why = self._may_update(st, unit)
        if why:
            p.problems.append(why)
            return
        current = _current(self.c, st, unit, values)
        last = dict(fp.fields) if fp else {}
        writes: dict[str, object] = {}
        for key, new in values.items():
            cur = current.get(key)
            if _same(cur, new):
                continue
            if key == "unit_code":
                p.conflicts.append({"field": key, "label": BY_KEY[key].label, "message": UNIT_MOVE})
            elif key in last and last[key] != _fingerprint(cur):
                p.conflicts.append({"field": key, "label": BY_KEY[key].label, "message": EDITED_SINCE})
            elif key not in last and cur not in (None, ""):
                p.conflicts.append({"field": key, "label": BY_KEY[key].label, "message": HELD_BEFORE})
            else:
                writes[key] = new
                p.changes.append(_change(key, cur, new))
        p.action = "conflict" if p.conflicts else "update" if writes else "unchanged"
        if not write:
            return
        if writes:
            before, after = {}, {}
            profile, sensitive = dict(st.profile or {}), None
            for key, new in writes.items():
                spec = BY_KEY[key]
                before[key] = "***" if spec.sensitive else current.get(key)
                after[key] = "***" if spec.sensitive else new
                if key.startswith("profile."):
                    profile[key[8:]] = new
                elif key.startswith("sensitive."):
                    sensitive = sensitive if sensitive is not None else self.c.cipher.decrypt(st.sensitive, aad=st.code)
                    sensitive[key[10:]] = new
                elif key == "birth_date":
                    st.birth_date = date.fromisoformat(str(new))
                else:
                    setattr(st, key, new)
            st.profile = profile
            if sensitive is not None:
                st.sensitive = self.c.cipher.encrypt(sensitive, aad=st.code)
            mark_for_reindex(self.s, st.id)
            audit.append(self.s, actor=self.actor.name, ip=self.actor.ip, action="staff.update", target_type="staff",
                         target_id=st.code, details={"before": before, "after": after, "import_run": self.run_id})
        # fields the file holds and the record agrees with are now "as imported"; conflicts keep their old print
        kept = {k: v for k, v in last.items()}
        for key, new in values.items():
            if key not in {c["field"] for c in p.conflicts}:
                kept[key] = _fingerprint(new)
        self._remember(p.code, fp, None, fields=kept)

    def _remember(self, code: str, fp: StaffImportFingerprint | None, values: dict | None, *,
                  fields: dict | None = None) -> None:
        data = fields if fields is not None else {k: _fingerprint(v) for k, v in (values or {}).items()}
        if fp is None:
            self.s.add(StaffImportFingerprint(staff_code=code, run_id=self.run_id, fields=data))
        elif dict(fp.fields) != data:  # a re-import that changes nothing writes nothing
            fp.fields, fp.run_id = data, self.run_id


def _same(cur: object, new: object) -> bool:
    if isinstance(cur, (int, float)) and isinstance(new, (int, float)):
        return abs(float(cur) - float(new)) < 1e-9
    return (cur if cur is not None else "") == new


def _change(key: str, before: object, after: object) -> dict:
    spec = BY_KEY[key]
    mask = spec.sensitive
    return {"field": key, "label": spec.label, "before": "***" if mask and before not in (None, "") else before,
            "after": "***" if mask else after}


def _current(c: Context, st: Staff, unit: Unit, values: dict) -> dict:
    """The record's current values under the import's field keys (sensitive decrypted if asked)."""
    cur: dict[str, object] = {"full_name": st.full_name, "gender": st.gender, "grade_code": st.grade_code,
                              "unit_code": unit.code,
                              "birth_date": st.birth_date.isoformat() if st.birth_date else None}
    for k, v in (st.profile or {}).items():
        cur[f"profile.{k}"] = v
    if any(k.startswith("sensitive.") for k in values):
        for k, v in c.cipher.decrypt(st.sensitive, aad=st.code).items():
            cur[f"sensitive.{k}"] = v
    return cur
