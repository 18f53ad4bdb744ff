"""Tổ chức lại đơn vị: rename (đổi tên), move (chuyển trực thuộc), merge (sáp nhập), dissolve (giải thể).

Every change names the decision (quyết định) that made it, is kept in `unit_events` with what it
was before, and is audited with before/after. Units are never deleted: assignments
(staff_assignments: who managed a record when) and past audit entries keep naming the unit as
it was, and the unit's code never changes.

Rules (chosen to be the least surprising safe ones):
- **Rename** changes the name only; the code stays, the old name is kept in the history.
- **Move** gives a unit a new parent; a unit cannot go under itself or its own subtree.
- **Merge A into B**: the records managed directly in A get an assignment to B (decision,
  effective date) and are managed by B; A's child units are re-parented under B with their own
  records (the sub-structure survives, the records stay in their units); A is marked merged with
  successor B. B may not lie inside A's subtree.
- **Dissolve A**: refused while A still manages records or has child units, unless a successor
  is named — then it is a merge recorded as a dissolution.
- **Grants** (role_grants) scoped to A are revoked, each with an audit entry, unless the admin
  asks for them to be moved (`move_grants`): then each is revoked at A and granted again at the
  successor (a grant over B may open more than A did, so it is never automatic). Delegations
  from or to A are revoked. Accounts homed in A get the successor as home unit.
- **Permission**: ADMINISTER over every unit involved (the unit, the new parent or successor):
  the root admin, or an admin whose scope covers both.
- **Search**: records and pages whose scope changes are queued for the index consumer in the
  change's transaction (record_index listeners, documents back to `indexing`); the consumer is
  woken after commit — never indexed inline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import INDEX_KIND, DocumentState
from archive.errors import Conflict, Forbidden, InvalidInput, NotFound, shown
from archive.models import (
    Assignment,
    Delegation,
    Document,
    RoleGrant,
    Staff,
    Unit,
    User,
    utcnow,
)
from archive.models.unit_events import UnitEvent
from archive.services import audit
from archive.services.access import Action, Actor, check_unit
from search import nfc

KINDS = ("rename", "move", "merge", "dissolve")
MAX_DECISION = 100
MAX_NAME = 300


@dataclass(frozen=True)
class Decision:
    """The decision (quyết định) behind a change: its number, date and the date it takes effect."""

    ref: str
    on: date | None = None
    effective: date | None = None


@dataclass(frozen=True)
class UnitEventView:
    kind: str
    unit_code: str
    old_name: str
    new_name: str
    old_parent_code: str | None
    new_parent_code: str | None
    successor_code: str | None
    successor_name: str | None
    decision_ref: str
    decision_date: date | None
    effective_date: date | None
    recorded_by: str
    recorded_at: datetime
    details: dict

    def to_dict(self) -> dict:
        return {"kind": self.kind, "unit_code": self.unit_code, "old_name": self.old_name, "new_name": self.new_name,
                "old_parent_code": self.old_parent_code, "new_parent_code": self.new_parent_code,
                "successor_code": self.successor_code, "successor_name": self.successor_name,
                "decision_ref": self.decision_ref,
                "decision_date": self.decision_date.isoformat() if self.decision_date else None,
                "effective_date": self.effective_date.isoformat() if self.effective_date else None,
                "recorded_by": self.recorded_by, "recorded_at": self.recorded_at.isoformat() + "Z",
                "details": self.details}


# -- checks --------------------------------------------------------------------------------------
def _decision(decision: Decision) -> Decision:
    ref = " ".join(nfc(decision.ref or "").split())
    if not ref:
        raise InvalidInput("Cần ghi số quyết định tổ chức lại đơn vị.")
    if len(ref) > MAX_DECISION or not ref.isprintable():
        raise InvalidInput(f"Số quyết định tối đa {MAX_DECISION} ký tự, không chứa ký tự điều khiển.")
    return Decision(ref=ref, on=decision.on, effective=decision.effective)


def _unit(s: Session, actor: Actor, code: str) -> Unit:
    unit = s.scalar(select(Unit).where(Unit.code == (code or "").strip()))
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị có mã {shown(code)}.")
    check_unit(s, actor, unit, Action.ADMINISTER)
    if unit.ended_at is not None:
        raise Conflict(f"Đơn vị {unit.code} đã {_ended_word(unit)}, không thể tổ chức lại nữa.")
    return unit


def _ended_word(unit: Unit) -> str:
    return "sáp nhập" if unit.end_kind == "merge" else "giải thể"


def _in_subtree(unit: Unit, other: Unit) -> bool:
    return other.path.startswith(unit.path)


# -- effects -------------------------------------------------------------------------------------
def _repath(s: Session, unit: Unit, new_parent: Unit) -> list[str]:
    """Give `unit` a new parent and rewrite the materialised path of its whole subtree (ORM rows,
    so the record index listener queues every record below)."""
    old_prefix, new_prefix = unit.path, f"{new_parent.path}{unit.id}/"
    moved = list(s.scalars(select(Unit).where(Unit.path.like(f"{old_prefix}%")).order_by(Unit.path)))
    unit.parent_id = new_parent.id
    for u in moved:
        u.path = new_prefix + u.path[len(old_prefix):]
    return [u.code for u in moved]


def _reindex_pages(s: Session, unit_paths: list[str], staff_ids: list[int]) -> None:
    """Search pages carry their scope: send those of the affected records back to `indexing`."""
    conds = [Unit.path.like(f"{p}%") for p in unit_paths]
    under = select(Staff.id).join(Unit, Staff.unit_id == Unit.id).where(or_(*conds)) if conds else None
    where = [Document.staff_id.in_(staff_ids)] if staff_ids else []
    if under is not None:
        where.append(Document.staff_id.in_(under))
    if where:
        s.execute(update(Document).where(or_(*where), Document.state == DocumentState.INDEXED.value)
                  .values(state=DocumentState.INDEXING.value, updated_at=utcnow()))


def _hand_over(s: Session, actor: Actor, unit: Unit, successor: Unit | None, decision: Decision, *,
               kind: str, move_grants: bool) -> dict:
    """Everything a merge or dissolution moves: records, child units, grants, delegations, accounts."""
    now = utcnow()
    label = "sáp nhập" if kind == "merge" else "giải thể"
    staff_codes: list[str] = []
    children: list[str] = []
    if successor is not None:
        for st in s.scalars(select(Staff).where(Staff.unit_id == unit.id).order_by(Staff.code)):
            open_rows = list(s.scalars(select(Assignment).where(Assignment.staff_id == st.id,
                                                                Assignment.to_at.is_(None))))
            if not open_rows and s.scalar(select(Assignment.id).where(Assignment.staff_id == st.id).limit(1)) is None:
                # a record from before assignments were kept: say A managed it until now
                s.add(Assignment(staff_id=st.id, unit_id=unit.id, from_at=st.created_at, to_at=now))
            for a in open_rows:
                a.to_at = now
            s.add(Assignment(staff_id=st.id, unit_id=successor.id, from_at=now, decision_ref=decision.ref,
                             effective_date=decision.effective))
            st.unit_id = successor.id
            staff_codes.append(st.code)
            audit.append(s, actor=actor.name, ip=actor.ip, action="staff.unit_reorganised", target_type="staff",
                         target_id=st.code, details={"from": unit.code, "to": successor.code, "kind": kind,
                                                     "decision": decision.ref, "effective": decision.effective})
        for child in s.scalars(select(Unit).where(Unit.parent_id == unit.id, Unit.ended_at.is_(None))
                               .order_by(Unit.code)):
            children += _repath(s, child, successor)
    grants_revoked: list[dict] = []
    grants_moved: list[dict] = []
    for g in s.scalars(select(RoleGrant).where(RoleGrant.scope_unit_id == unit.id, RoleGrant.revoked_at.is_(None))):
        user = s.get(User, g.user_id)
        g.revoked_at = now
        row = {"username": user.username if user else "", "role": g.role}
        if move_grants and successor is not None:
            s.add(RoleGrant(user_id=g.user_id, role=g.role, scope_unit_id=successor.id, granted_by=actor.name,
                            expires_at=g.expires_at))
            grants_moved.append(row)
            audit.append(s, actor=actor.name, ip=actor.ip, action="user.grant", target_type="user",
                         target_id=row["username"], details={"role": g.role, "scope": successor.code,
                                                             "from_scope": unit.code, "reason": f"{label} {unit.code}"})
        else:
            grants_revoked.append(row)
            audit.append(s, actor=actor.name, ip=actor.ip, action="user.restrict", target_type="user",
                         target_id=row["username"], details={"role": g.role, "scope": unit.code,
                                                             "reason": f"{label} đơn vị {unit.code}"})
    delegations: list[str] = []
    for d in s.scalars(select(Delegation).where(or_(Delegation.unit_id == unit.id,
                                                    Delegation.delegate_unit_id == unit.id),
                                                Delegation.revoked_at.is_(None))):
        d.revoked_at = now
        delegations.append(f"{s.get(Unit, d.unit_id).code}→{s.get(Unit, d.delegate_unit_id).code}")
    if successor is not None:
        s.execute(update(User).where(User.unit_id == unit.id).values(unit_id=successor.id))
    unit.ended_at, unit.end_kind = now, kind
    unit.successor_id = successor.id if successor is not None else None
    return {"staff": staff_codes, "children": children, "grants_revoked": grants_revoked,
            "grants_moved": grants_moved, "delegations_revoked": delegations}


def _record(s: Session, actor: Actor, unit: Unit, kind: str, decision: Decision, *, before: dict, after: dict,
            details: dict | None = None, old_name: str = "", new_name: str = "", old_parent: int | None = None,
            new_parent: int | None = None, successor: Unit | None = None) -> None:
    s.add(UnitEvent(unit_id=unit.id, kind=kind, old_name=old_name or unit.name, new_name=new_name or unit.name,
                    old_parent_id=old_parent, new_parent_id=new_parent,
                    successor_id=successor.id if successor is not None else None, decision_ref=decision.ref,
                    decision_date=decision.on, effective_date=decision.effective, details=details or {},
                    recorded_by=actor.name))
    audit.append(s, actor=actor.name, ip=actor.ip, action=f"unit.{kind}", target_type="unit", target_id=unit.code,
                 details={"before": before, "after": after, "decision": decision.ref, "decision_date": decision.on,
                          "effective": decision.effective, **(details or {})})


def _code_of(s: Session, unit_id: int | None) -> str | None:
    return s.get(Unit, unit_id).code if unit_id is not None else None


def _finish(c: Context) -> None:
    if c.queue is not None:
        c.queue.wake(INDEX_KIND)


# -- the four changes ----------------------------------------------------------------------------
def rename_unit(c: Context, actor: Actor, code: str, *, name: str, decision: Decision) -> UnitEventView:
    """Đổi tên: the code stays, the old name is kept in the unit's history."""
    decision = _decision(decision)
    name = " ".join(nfc(name or "").split())
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"Tên đơn vị mới không được để trống và tối đa {MAX_NAME} ký tự.")
    with c.uow() as uow:
        s = uow.session
        unit = _unit(s, actor, code)
        old = unit.name
        if old == name:
            raise InvalidInput("Tên mới trùng tên hiện tại của đơn vị.")
        unit.name = name
        _record(s, actor, unit, "rename", decision, before={"name": old}, after={"name": name},
                old_name=old, new_name=name)
        # pages carry unit codes only (unchanged); the records below are queued by record_index's listener
        uow.commit()
        view = _history(s, unit)[-1]
    _finish(c)
    return view


def move_unit(c: Context, actor: Actor, code: str, *, parent_code: str, decision: Decision) -> UnitEventView:
    """Chuyển trực thuộc: a new parent for the unit and its whole subtree; cycles are refused."""
    decision = _decision(decision)
    with c.uow() as uow:
        s = uow.session
        unit = _unit(s, actor, code)
        parent = _unit(s, actor, parent_code)
        if unit.parent_id is None:
            raise InvalidInput("Không thể chuyển đơn vị gốc vào đơn vị khác.")
        if _in_subtree(unit, parent):
            raise InvalidInput(f"Không thể chuyển {unit.code} vào chính nó hoặc đơn vị cấp dưới của nó.")
        if unit.parent_id == parent.id:
            raise InvalidInput(f"Đơn vị {unit.code} đã trực thuộc {parent.code}.")
        old_parent = unit.parent_id
        before = {"parent": _code_of(s, old_parent)}
        moved = _repath(s, unit, parent)
        _record(s, actor, unit, "move", decision, before=before, after={"parent": parent.code},
                details={"units": moved}, old_parent=old_parent, new_parent=parent.id)
        s.flush()
        _reindex_pages(s, [unit.path], [])
        uow.commit()
        view = _history(s, unit)[-1]
    _finish(c)
    return view


def merge_unit(c: Context, actor: Actor, code: str, *, into: str, decision: Decision,
               move_grants: bool = False) -> UnitEventView:
    """Sáp nhập `code` into `into`: its records move to the successor with an assignment each, its
    child units are re-parented under the successor, the unit is kept as merged."""
    return _end(c, actor, code, successor_code=into, decision=decision, kind="merge", move_grants=move_grants)


def dissolve_unit(c: Context, actor: Actor, code: str, *, decision: Decision, successor: str | None = None,
                  move_grants: bool = False) -> UnitEventView:
    """Giải thể: only an empty unit, or one whose records and child units go to `successor`."""
    return _end(c, actor, code, successor_code=(successor or "").strip() or None, decision=decision,
                kind="dissolve", move_grants=move_grants)


def _end(c: Context, actor: Actor, code: str, *, successor_code: str | None, decision: Decision, kind: str,
         move_grants: bool) -> UnitEventView:
    decision = _decision(decision)
    if kind == "merge" and not successor_code:
        raise InvalidInput("Cần chọn đơn vị nhận sáp nhập.")
    with c.uow() as uow:
        s = uow.session
        unit = _unit(s, actor, code)
        if unit.parent_id is None:
            raise Forbidden("Không thể sáp nhập hoặc giải thể đơn vị gốc.")
        successor = _unit(s, actor, successor_code) if successor_code else None
        if successor is not None and _in_subtree(unit, successor):
            raise InvalidInput(f"Đơn vị nhận ({successor.code}) không được là {unit.code} hoặc đơn vị cấp dưới của nó.")
        if successor is None:
            people = s.scalar(select(Staff.id).where(Staff.unit_id == unit.id).limit(1))
            child = s.scalar(select(Unit.id).where(Unit.parent_id == unit.id, Unit.ended_at.is_(None)).limit(1))
            if people is not None or child is not None:
                raise Conflict(f"Đơn vị {unit.code} còn hồ sơ hoặc đơn vị trực thuộc; cần chỉ định đơn vị kế thừa "
                               "trước khi giải thể.")
        before = {"name": unit.name, "parent": _code_of(s, unit.parent_id)}
        moved = _hand_over(s, actor, unit, successor, decision, kind=kind, move_grants=move_grants)
        s.flush()
        if successor is not None:
            child_paths = list(s.scalars(select(Unit.path).where(Unit.code.in_(moved["children"]))))
            staff_ids = list(s.scalars(select(Staff.id).where(Staff.code.in_(moved["staff"])))) if moved["staff"] else []
            _reindex_pages(s, child_paths, staff_ids)
        _record(s, actor, unit, kind, decision, before=before,
                after={"ended": True, "successor": successor.code if successor else None},
                details=moved, successor=successor)
        uow.commit()
        view = _history(s, unit)[-1]
    _finish(c)
    return view


# -- reading -------------------------------------------------------------------------------------
def _history(s: Session, unit: Unit) -> list[UnitEventView]:
    rows = s.scalars(select(UnitEvent).where(or_(UnitEvent.unit_id == unit.id, UnitEvent.successor_id == unit.id))
                     .order_by(UnitEvent.recorded_at, UnitEvent.id)).all()
    out = []
    for e in rows:
        succ = s.get(Unit, e.successor_id) if e.successor_id else None
        out.append(UnitEventView(kind=e.kind, unit_code=s.get(Unit, e.unit_id).code, old_name=e.old_name,
                                 new_name=e.new_name, old_parent_code=_code_of(s, e.old_parent_id),
                                 new_parent_code=_code_of(s, e.new_parent_id),
                                 successor_code=succ.code if succ else None, successor_name=succ.name if succ else None,
                                 decision_ref=e.decision_ref, decision_date=e.decision_date,
                                 effective_date=e.effective_date, recorded_by=e.recorded_by,
                                 recorded_at=e.recorded_at, details=e.details or {}))
    return out


def unit_history(c: Context, actor: Actor, code: str) -> list[UnitEventView]:
    """The unit's reorganisations, and those of units merged into it, oldest first. A merged unit
    is readable by whoever reads it or its successor."""
    with c.uow() as uow:
        s = uow.session
        unit = s.scalar(select(Unit).where(Unit.code == (code or "").strip()))
        if unit is None:
            raise NotFound(f"Không tìm thấy đơn vị có mã {shown(code)}.")
        try:
            check_unit(s, actor, unit, Action.READ)
        except (NotFound, Forbidden):
            succ = s.get(Unit, unit.successor_id) if unit.successor_id else None
            if succ is None:
                raise
            check_unit(s, actor, succ, Action.READ)
        return _history(s, unit)


@dataclass(frozen=True)
class FormerUnit:
    """A unit that managed this record before it was merged or dissolved into another."""

    code: str
    name: str
    kind: str              # merge | dissolve
    successor_code: str
    successor_name: str
    decision_ref: str
    effective_date: date | None


def former_units(c: Context, staff_code: str) -> list[FormerUnit]:
    """For the dossier ("Đơn vị cũ: … (sáp nhập vào … theo QĐ …)"): ended units among the record's
    assignments. The caller has already checked the record may be read."""
    with c.uow() as uow:
        s = uow.session
        ids = set(s.scalars(select(Assignment.unit_id).join(Staff, Assignment.staff_id == Staff.id)
                            .where(Staff.code == staff_code)))
        if not ids:
            return []
        out = []
        for u in s.scalars(select(Unit).where(Unit.id.in_(ids), Unit.ended_at.is_not(None),
                                              Unit.successor_id.is_not(None)).order_by(Unit.ended_at)):
            succ = s.get(Unit, u.successor_id)
            event = s.scalar(select(UnitEvent).where(UnitEvent.unit_id == u.id, UnitEvent.kind.in_(("merge", "dissolve")))
                             .order_by(UnitEvent.id.desc()).limit(1))
            out.append(FormerUnit(code=u.code, name=u.name, kind=u.end_kind or "merge", successor_code=succ.code,
                                  successor_name=succ.name, decision_ref=event.decision_ref if event else "",
                                  effective_date=event.effective_date if event else None))
        return out


def ended_units(c: Context) -> dict[str, str]:
    """Code → successor code ("" when dissolved without one) of every merged or dissolved unit."""
    with c.uow() as uow:
        s = uow.session
        rows = s.execute(select(Unit.code, Unit.successor_id).where(Unit.ended_at.is_not(None))).all()
        return {code: (_code_of(s, succ) or "") for code, succ in rows}
