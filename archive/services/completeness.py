"""Completeness of a dossier (thành phần hồ sơ): which required components it holds and which it lacks.

The checklist is the `dossier_components` table (seeded from `completeness_seed`, edited by the
root admin): each component is satisfied by any one of its document types, applies to some
statuses (nghỉ hưu → quyết định nghỉ hưu, từ trần → giấy chứng tử …) and staff categories, and
is required or optional. `evaluate` is pure (rows in, result out), so the rule is unit-tested;
the service functions load the rows, check scope and write the audit entry.

Staff category (cán bộ / công chức / viên chức) is not a field of the staff record: it is read
from the rank code (mã ngạch): a code of a chức danh nghề nghiệp ("V.…") is a viên chức, any
other rank a công chức; no rank means the category is unknown and category-bound rows do not apply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.context import Context
from archive.domain import STATUS_LABELS, DocumentState, StaffStatus
from archive.errors import InvalidInput, shown
from archive.models import Document, DossierComponent, Staff, Unit
from archive.services import audit
from archive.services.access import (
    Action,
    Actor,
    check_staff,
    check_unit,
    require,
    require_root_admin,
    staff_seen_from,
)
from archive.services.catalogs import list_catalog
from archive.services.completeness_seed import SEED_COMPONENTS
from search import nfc

CATEGORIES: dict[str, str] = {"can_bo": "Cán bộ", "cong_chuc": "Công chức", "vien_chuc": "Viên chức"}
STATUSES = frozenset(s.value for s in StaffStatus)
MAX_LIST = 5000


@dataclass(frozen=True)
class Component:
    code: str
    name: str
    document_types: tuple[str, ...]
    required: bool
    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    source: str = ""
    position: int = 0
    active: bool = True

    def applies_to(self, status: str, category: str) -> bool:
        if not self.active:
            return False
        if self.statuses and status not in self.statuses:
            return False
        return not self.categories or category in self.categories

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "document_types": list(self.document_types),
                "required": self.required, "statuses": list(self.statuses), "categories": list(self.categories),
                "source": self.source, "position": self.position, "active": self.active}


@dataclass(frozen=True)
class ComponentState:
    component: Component
    present: bool
    document_ids: tuple[int, ...]

    def to_dict(self) -> dict:
        return {"code": self.component.code, "name": self.component.name, "required": self.component.required,
                "present": self.present, "documents": list(self.document_ids)}


@dataclass(frozen=True)
class Completeness:
    """Thành phần hồ sơ of one dossier: each applicable component ✓/✗; `missing` = required ones lacking."""

    staff_code: str
    full_name: str
    unit_code: str
    unit_name: str
    status: str
    category: str
    components: tuple[ComponentState, ...]

    @property
    def missing(self) -> tuple[Component, ...]:
        return tuple(s.component for s in self.components if s.component.required and not s.present)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def required_count(self) -> int:
        return sum(1 for s in self.components if s.component.required)

    @property
    def percent(self) -> int:
        n = self.required_count
        return 100 if n == 0 else round(100 * (n - len(self.missing)) / n)

    def to_dict(self) -> dict:
        return {"staff": self.staff_code, "full_name": self.full_name, "unit": self.unit_code,
                "unit_name": self.unit_name, "status": self.status, "category": self.category,
                "complete": self.complete, "percent": self.percent,
                "missing": [{"code": m.code, "name": m.name} for m in self.missing],
                "components": [s.to_dict() for s in self.components]}


@dataclass
class UnitRate:
    unit_code: str
    unit_name: str
    dossiers: int = 0
    complete: int = 0

    @property
    def percent(self) -> int | None:
        return None if not self.dossiers else round(100 * self.complete / self.dossiers)

    def to_dict(self) -> dict:
        return {"unit": self.unit_code, "unit_name": self.unit_name, "dossiers": self.dossiers,
                "complete": self.complete, "percent": self.percent}


@dataclass
class CompletenessReport:
    units: list[UnitRate] = field(default_factory=list)
    dossiers: list[Completeness] = field(default_factory=list)

    @property
    def incomplete(self) -> list[Completeness]:
        return [d for d in self.dossiers if not d.complete]

    def to_dict(self, *, incomplete_only: bool = False) -> dict:
        rows = self.incomplete if incomplete_only else self.dossiers
        return {"units": [u.to_dict() for u in self.units], "dossiers": [d.to_dict() for d in rows]}


def staff_category(grade_code: str) -> str:
    """'vien_chuc' for a chức danh nghề nghiệp code (V.07.01.03), 'cong_chuc' for a ngạch, '' unknown."""
    code = (grade_code or "").strip().upper()
    if not code:
        return ""
    return "vien_chuc" if code.startswith("V") else "cong_chuc"


def evaluate(components: Iterable[Component], *, status: str, category: str,
             documents: Iterable[tuple[int, str]]) -> tuple[ComponentState, ...]:
    """Each component that applies to this status and category, present when any document
    (id, type) of the dossier has one of its types."""
    by_type: dict[str, list[int]] = {}
    for doc_id, doc_type in documents:
        by_type.setdefault(doc_type, []).append(doc_id)
    out = []
    for comp in sorted(components, key=lambda c: c.position):
        if not comp.applies_to(status, category):
            continue
        ids = tuple(sorted(i for t in comp.document_types for i in by_type.get(t, ())))
        out.append(ComponentState(comp, bool(ids), ids))
    return tuple(out)


def _component(r: DossierComponent) -> Component:
    return Component(r.code, r.name, tuple(r.document_types or ()), r.required, tuple(r.statuses or ()),
                     tuple(r.categories or ()), r.source, r.position, r.active)


def load_components(s: Session) -> list[Component]:
    return [_component(r) for r in s.scalars(select(DossierComponent).order_by(DossierComponent.position))]


def _documents_of(s: Session, staff_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = {}
    for chunk in range(0, len(staff_ids), 500):
        rows = s.execute(select(Document.staff_id, Document.id, Document.document_type).where(
            Document.staff_id.in_(staff_ids[chunk:chunk + 500]), Document.state != DocumentState.FAILED.value))
        for staff_id, doc_id, doc_type in rows:
            out.setdefault(staff_id, []).append((doc_id, doc_type))
    return out


def _of(staff: Staff, components: list[Component], docs: list[tuple[int, str]]) -> Completeness:
    category = staff_category(staff.grade_code)
    return Completeness(staff.code, staff.full_name, staff.unit.code, staff.unit.name, staff.status, category,
                        evaluate(components, status=staff.status, category=category, documents=docs))


def completeness_in_session(s: Session, staff: Staff) -> Completeness:
    """For other services' pages (the dossier): the caller has already checked scope."""
    return _of(staff, load_components(s), _documents_of(s, [staff.id]).get(staff.id, []))


def dossier_completeness(c: Context, actor: Actor, code: str) -> Completeness:
    """Thành phần hồ sơ of one dossier (read in scope, audited)."""
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, s.scalar(select(Staff).where(Staff.code == code)
                                              .options(selectinload(Staff.unit))), Action.READ)
        result = completeness_in_session(s, staff)
        audit.append(s, actor=actor.name, ip=actor.ip, action="completeness.view", target_type="staff",
                     target_id=staff.code, details={"missing": [m.code for m in result.missing]})
        uow.commit()
    return result


def completeness_report(c: Context, actor: Actor, *, unit: str = "") -> CompletenessReport:
    """Per-unit completeness rates and every dossier in the caller's scope (or a unit's subtree)."""
    require(actor, Action.READ)
    unit = (unit or "").strip()
    with c.uow() as uow:
        s = uow.session
        q = select(Staff).options(selectinload(Staff.unit)).order_by(Staff.code)
        if not actor.is_system:
            seen = list(s.scalars(select(Unit).where(Unit.code.in_(actor.units_for(Action.READ)))))
            q = q.where(staff_seen_from(seen, actor.clearance))
        if unit:
            u = check_unit(s, actor, s.scalar(select(Unit).where(Unit.code == unit)), Action.READ)
            q = q.where(staff_seen_from([u], 2))
        staff = list(s.scalars(q.limit(MAX_LIST)))
        components = load_components(s)
        docs = _documents_of(s, [p.id for p in staff])
        report = CompletenessReport()
        rates: dict[str, UnitRate] = {}
        for person in staff:
            one = _of(person, components, docs.get(person.id, []))
            report.dossiers.append(one)
            rate = rates.setdefault(one.unit_code, UnitRate(one.unit_code, one.unit_name))
            rate.dossiers += 1
            rate.complete += one.complete
        report.units = sorted(rates.values(), key=lambda r: r.unit_code)
        audit.append(s, actor=actor.name, ip=actor.ip, action="completeness.list", target_type="completeness",
                     target_id=unit, details={"dossiers": len(staff), "incomplete": len(report.incomplete)})
        uow.commit()
    return report


def list_components(c: Context, actor: Actor) -> list[Component]:
    require(actor, Action.READ)
    with c.uow() as uow:
        return load_components(uow.session)


def _codes(values: Iterable[str] | None, allowed: set[str] | frozenset[str], what: str) -> list[str]:
    out = []
    for v in values or ():
        v = nfc(str(v)).strip()
        if not v:
            continue
        if v not in allowed:
            raise InvalidInput(f"{what} “{shown(v)}” không có trong danh mục.")
        if v not in out:
            out.append(v)
    return out


def set_component(c: Context, actor: Actor, code: str, *, name: str, document_types: list[str],
                  required: bool = True, statuses: list[str] | None = None, categories: list[str] | None = None,
                  source: str = "", active: bool = True) -> Component:
    """Add or change one checklist row (root admin only; audited with the old and new row)."""
    require(actor, Action.ADMINISTER)
    code = (code or "").strip()
    name = " ".join(nfc(name or "").split())
    if not code or len(code) > 64 or not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in code):
        raise InvalidInput("Mã thành phần chỉ gồm chữ, số và dấu gạch dưới, tối đa 64 ký tự.")
    if not name or len(name) > 200:
        raise InvalidInput("Cần nhập tên thành phần hồ sơ (tối đa 200 ký tự).")
    types = _codes(document_types, {e.code for e in list_catalog(c, "loai_tai_lieu", include_inactive=True)},
                   "Loại tài liệu")
    if not types:
        raise InvalidInput("Cần chọn ít nhất một loại tài liệu đáp ứng thành phần này.")
    sts = _codes(statuses, STATUSES, "Trạng thái")
    cats = _codes(categories, set(CATEGORIES), "Đối tượng")
    source = nfc(source or "").strip()
    if len(source) > 2000:
        raise InvalidInput("Căn cứ tối đa 2000 ký tự.")
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        row = s.scalar(select(DossierComponent).where(DossierComponent.code == code))
        before = _component(row).to_dict() if row is not None else None
        if row is None:
            last = s.scalar(select(DossierComponent.position).order_by(DossierComponent.position.desc()).limit(1))
            row = DossierComponent(code=code, position=(last or 0) + 1)
            s.add(row)
        row.name, row.document_types, row.required = name, types, bool(required)
        row.statuses, row.categories, row.source, row.active = sts, cats, source, bool(active)
        row.updated_by = actor.name
        s.flush()
        after = _component(row)
        audit.append(s, actor=actor.name, ip=actor.ip, action="completeness.component.set",
                     target_type="dossier_component", target_id=code, details={"before": before, "after": after.to_dict()})
        uow.commit()
    return after


def seed_missing_components(c: Context) -> int:
    """Add seed rows whose code is missing (new installs; safe to repeat; edited rows stay)."""
    with c.uow() as uow:
        s = uow.session
        have = set(s.scalars(select(DossierComponent.code)))
        last = s.scalar(select(DossierComponent.position).order_by(DossierComponent.position.desc()).limit(1)) or 0
        added = 0
        for row in SEED_COMPONENTS:
            if row.code in have:
                continue
            added += 1
            s.add(DossierComponent(code=row.code, name=row.name, document_types=list(row.document_types),
                                   statuses=list(row.statuses), categories=list(row.categories), required=row.required,
                                   position=last + added, source=row.source, updated_by="seed"))
        uow.commit()
    return added


def status_label(status: str) -> str:
    try:
        return STATUS_LABELS[StaffStatus(status)]
    except ValueError:
        return status



def complete_counts(s: Session, unit_ids: Iterable[int], *, created_before: datetime | None = None
                    ) -> dict[int, tuple[int, int]]:
    """Per unit id: (complete dossiers, dossiers) — for reports; the caller has already checked scope."""
    ids = list(unit_ids)
    if not ids:
        return {}
    query = select(Staff).where(Staff.unit_id.in_(ids)).options(selectinload(Staff.unit))
    if created_before is not None:
        query = query.where(Staff.created_at < created_before)
    staff = list(s.scalars(query))
    components = load_components(s)
    docs = _documents_of(s, [p.id for p in staff])
    out: dict[int, tuple[int, int]] = {}
    for p in staff:
        done, total = out.get(p.unit_id, (0, 0))
        out[p.unit_id] = (done + _of(p, components, docs.get(p.id, [])).complete, total + 1)
    return out
