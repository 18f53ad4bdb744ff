"""The organisation tree: add units, list a subtree, delegate (ủy quyền) dossier management."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, update

from archive.context import Context
from archive.errors import Conflict, Forbidden, InvalidInput, NotFound
from archive.models import Delegation, Document, Staff, Unit, utcnow
from archive.domain import INDEX_KIND, DocumentState
from archive.services import audit
from archive.services.access import Action, Actor, check_unit, unit_ancestry
from search import nfc

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


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
        raise NotFound(f"Không tìm thấy đơn vị có mã {code}.")
    return unit


def add_unit(c: Context, actor: Actor, *, code: str, name: str, parent_code: str | None = None) -> UnitView:
    if not _CODE.match(code or ""):
        raise InvalidInput("Mã đơn vị chỉ gồm chữ, số, '.', '_' hoặc '-', tối đa 32 ký tự.")
    name = " ".join(nfc(name or "").split())
    if not name:
        raise InvalidInput("Tên đơn vị không được để trống.")
    with c.uow() as uow:
        s = uow.session
        if parent_code:
            parent = check_unit(s, actor, get_unit_by_code(s, parent_code), Action.ADMINISTER)
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


def delegate(c: Context, actor: Actor, *, unit_code: str, to_code: str) -> None:
    """Let `to_code` manage the dossiers of `unit_code`'s subtree; the tree above keeps oversight."""
    with c.uow() as uow:
        s = uow.session
        unit = check_unit(s, actor, get_unit_by_code(s, unit_code), Action.ADMINISTER)
        target = get_unit_by_code(s, to_code)
        s.add(Delegation(unit_id=unit.id, delegate_unit_id=target.id))
        audit.append(s, actor=actor.name, ip=actor.ip, action="unit.delegate", target_type="unit", target_id=unit_code,
                     details={"to": to_code})
        _reindex_subtree(s, unit)
        uow.commit()
    if c.queue is not None:
        c.queue.wake(INDEX_KIND)


def _reindex_subtree(session, unit: Unit) -> None:
    """Search documents carry their scope: rebuild those of every staff member under `unit`."""
    staff_ids = select(Staff.id).join(Unit, Staff.unit_id == Unit.id).where(Unit.path.like(f"{unit.path}%"))
    session.execute(
        update(Document).where(Document.staff_id.in_(staff_ids), Document.state == DocumentState.INDEXED.value)
        .values(state=DocumentState.INDEXING.value, updated_at=utcnow())
    )
