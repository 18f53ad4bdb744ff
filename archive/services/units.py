"""The organisation tree: add units, list a subtree, delegate (ủy quyền) dossier management.

A delegation lets another unit manage the dossiers of a unit's subtree (the tree above keeps
oversight). It is made and revoked by an admin whose scope covers both units — nobody hands
their dossiers to, or takes them back from, a unit beyond their own scope. Making or revoking
one sends the subtree's documents back to `indexing`, so the index consumer re-scopes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import aliased

from archive.context import Context
from archive.errors import Conflict, Forbidden, InvalidInput, NotFound, shown
from archive.models import Delegation, Document, Staff, Unit, utcnow
from archive.domain import INDEX_KIND, DocumentState
from archive.services import audit
from archive.services.access import Action, Actor, check_unit, refuse_ended_unit, unit_ancestry
from search import nfc

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")  # fullmatch: `$` would let "Q1\n" through


@dataclass(frozen=True)
class UnitView:
    code: str
    name: str
    parent_code: str | None
    path: tuple[str, ...]  # codes from the root down to this unit

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "parent_code": self.parent_code, "path": list(self.path)}


def _view(session, unit: Unit) -> UnitView:
    chain = unit_ancestry(session, unit)
    return UnitView(code=unit.code, name=unit.name, parent_code=chain[-2].code if len(chain) > 1 else None,
                    path=tuple(u.code for u in chain))


def get_unit_by_code(session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị có mã {shown(code)}.")
    return unit


def add_unit(c: Context, actor: Actor, *, code: str, name: str, parent_code: str | None = None) -> UnitView:
    if not _CODE.fullmatch(code or ""):
        raise InvalidInput("Mã đơn vị chỉ gồm chữ, số, '.', '_' hoặc '-', tối đa 32 ký tự.")
    name = " ".join(nfc(name or "").split())
    if not name:
        raise InvalidInput("Tên đơn vị không được để trống.")
    with c.uow() as uow:
        s = uow.session
        if parent_code:
            parent = refuse_ended_unit(s, check_unit(s, actor, get_unit_by_code(s, parent_code), Action.ADMINISTER))
        else:
            if not actor.is_system:  # a new root (a province) is the operator's job
                raise Forbidden("Chỉ quản trị hệ thống trên máy chủ mới tạo được đơn vị gốc.")
            parent = None
        if s.scalar(select(Unit.id).where(Unit.code == code)) is not None:
            raise Conflict(f"Mã đơn vị {code} đã tồn tại.")
        unit = Unit(code=code, name=name, parent_id=parent.id if parent else None, path="")
        s.add(unit)
        s.flush()
        unit.path = f"{parent.path if parent else '/'}{unit.id}/"
        audit.append(s, actor=actor.name, ip=actor.ip, action="unit.create", target_type="unit", target_id=code,
                     details={"name": name, "parent": parent_code})
        uow.commit()
        return _view(s, unit)


def list_units(c: Context, actor: Actor) -> list[UnitView]:
    """Units the actor can see: the subtrees of their grants (all for the system)."""
    with c.uow() as uow:
        s = uow.session
        units = s.scalars(select(Unit).order_by(Unit.path)).all()
        by_id = {u.id: u for u in units}  # one query; every path is resolved from this map
        views = []
        for u in units:
            chain = [by_id[int(i)] for i in u.path.strip("/").split("/") if i and int(i) in by_id]
            views.append(UnitView(code=u.code, name=u.name, parent_code=chain[-2].code if len(chain) > 1 else None,
                                  path=tuple(x.code for x in chain)))
    if actor.is_system:
        return views
    visible = actor.units_for(Action.READ) | actor.units_for(Action.ADMINISTER)
    return [v for v in views if set(v.path) & visible]


@dataclass(frozen=True)
class DelegationView:
    unit_code: str      # whose dossiers
    to_unit_code: str   # who manages them
    created_at: datetime

    def to_dict(self) -> dict:
        return {"unit_code": self.unit_code, "to_unit_code": self.to_unit_code,
                "created_at": self.created_at.isoformat() + "Z"}


def _active_delegations(session, unit: Unit, target: Unit) -> list[Delegation]:
    return list(session.scalars(select(Delegation).where(
        Delegation.unit_id == unit.id, Delegation.delegate_unit_id == target.id, Delegation.revoked_at.is_(None))))


def _both_ends(session, actor: Actor, unit_code: str, to_code: str) -> tuple[Unit, Unit]:
    unit = check_unit(session, actor, get_unit_by_code(session, unit_code), Action.ADMINISTER)
    target = check_unit(session, actor, get_unit_by_code(session, to_code), Action.ADMINISTER)
    return unit, target


def delegate(c: Context, actor: Actor, *, unit_code: str, to_code: str) -> None:
    """Let `to_code` manage the dossiers of `unit_code`'s subtree; the tree above keeps oversight."""
    with c.uow() as uow:
        s = uow.session
        unit, target = _both_ends(s, actor, unit_code, to_code)
        if unit.id == target.id:
            raise InvalidInput("Không thể ủy quyền cho chính đơn vị đó.")
        if _active_delegations(s, unit, target):
            raise Conflict(f"{unit_code} đã ủy quyền quản lý hồ sơ cho {to_code}.")
        s.add(Delegation(unit_id=unit.id, delegate_unit_id=target.id))
        audit.append(s, actor=actor.name, ip=actor.ip, action="unit.delegate", target_type="unit", target_id=unit_code,
                     details={"to": to_code})
        _reindex_subtree(s, unit)
        uow.commit()
    if c.queue is not None:
        c.queue.wake(INDEX_KIND)


def revoke_delegation(c: Context, actor: Actor, *, unit_code: str, to_code: str) -> None:
    """Thu hồi ủy quyền: `to_code` stops managing `unit_code`'s dossiers; the index re-scopes them."""
    with c.uow() as uow:
        s = uow.session
        unit, target = _both_ends(s, actor, unit_code, to_code)
        active = _active_delegations(s, unit, target)
        if not active:
            raise NotFound(f"Không có ủy quyền đang hiệu lực từ {shown(unit_code)} cho {shown(to_code)}.")
        now = utcnow()
        for d in active:
            d.revoked_at = now
        audit.append(s, actor=actor.name, ip=actor.ip, action="unit.delegation_revoke", target_type="unit",
                     target_id=unit_code, details={"to": to_code})
        _reindex_subtree(s, unit)
        uow.commit()
    if c.queue is not None:
        c.queue.wake(INDEX_KIND)


def list_delegations(c: Context, actor: Actor, *, unit_code: str | None = None) -> list[DelegationView]:
    """Active delegations the actor administers an end of (all for the system), oldest first."""
    with c.uow() as uow:
        s = uow.session
        delegator, delegate_unit = aliased(Unit), aliased(Unit)
        stmt = (select(Delegation, delegator.code, delegate_unit.code)
                .join(delegator, Delegation.unit_id == delegator.id)
                .join(delegate_unit, Delegation.delegate_unit_id == delegate_unit.id)
                .where(Delegation.revoked_at.is_(None)).order_by(Delegation.created_at, Delegation.id))
        if unit_code:
            check_unit(s, actor, get_unit_by_code(s, unit_code), Action.ADMINISTER)
            stmt = stmt.where(delegator.code == unit_code)
        if not actor.is_system:
            paths = list(s.scalars(select(Unit.path).where(Unit.code.in_(actor.units_for(Action.ADMINISTER)))))
            if not paths:
                return []
            stmt = stmt.where(or_(*[u.path.like(f"{p}%") for p in paths for u in (delegator, delegate_unit)]))
        return [DelegationView(unit_code=a, to_unit_code=b, created_at=d.created_at) for d, a, b in s.execute(stmt)]


def _reindex_subtree(session, unit: Unit) -> None:
    """Search documents carry their scope: rebuild those of every staff member under `unit`."""
    staff_ids = select(Staff.id).join(Unit, Staff.unit_id == Unit.id).where(Unit.path.like(f"{unit.path}%"))
    session.execute(
        update(Document).where(Document.staff_id.in_(staff_ids), Document.state == DocumentState.INDEXED.value)
        .values(state=DocumentState.INDEXING.value, updated_at=utcnow())
    )
