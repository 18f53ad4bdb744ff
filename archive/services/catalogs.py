"""Catalogs (danh mục): dân tộc, tôn giáo, ngạch, loại tài liệu — seeded once, edited by the root admin.

The catalogs are one for the whole province, so a unit's admin may read them but only an
admin whose grant covers the root unit (or the operator's CLI) may change them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from archive.context import Context
from archive.catalog_seed import SEED
from archive.errors import InvalidInput, NotFound, shown
from archive.models import CatalogEntry
from archive.services import audit
from archive.services.access import Actor, is_root_admin, require_root_admin
from search import nfc

MAX_NAME = 300  # a catalog entry's name (tên), e.g. the longest ngạch titles are ~120 characters
_CODE = re.compile(r"[A-Za-z0-9._-]{1,64}")  # fullmatch: `$` would let "x\n" through


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    active: bool

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "active": self.active}


def seed_catalogs(c: Context) -> int:
    """Fill catalogs that are still empty (init, safe to repeat); edited catalogs are left alone."""
    added = 0
    with c.uow() as uow:
        s = uow.session
        for catalog, items in SEED.items():
            if s.scalar(select(func.count()).where(CatalogEntry.catalog == catalog)):
                continue
            for i, item in enumerate(items):
                s.add(CatalogEntry(catalog=catalog, code=item.code, name=item.name, sort_order=i))
                added += 1
        uow.commit()
    return added


def list_catalog(c: Context, catalog: str, *, include_inactive: bool = False) -> list[Entry]:
    if catalog not in SEED:
        raise NotFound(f"Không có danh mục {shown(catalog)}.")
    with c.uow() as uow:
        stmt = select(CatalogEntry).where(CatalogEntry.catalog == catalog).order_by(CatalogEntry.sort_order,
                                                                                   CatalogEntry.code)
        if not include_inactive:
            stmt = stmt.where(CatalogEntry.active.is_(True))
        return [Entry(e.code, e.name, e.active) for e in uow.session.scalars(stmt)]


def may_edit(c: Context, actor: Actor) -> bool:
    """Whether the actor may change the province-wide catalogs (the pages hide the forms otherwise)."""
    with c.uow() as uow:
        return is_root_admin(uow.session, actor)


def upsert_entry(c: Context, actor: Actor, catalog: str, code: str, *, name: str, active: bool = True) -> Entry:
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        if catalog not in SEED:
            raise NotFound(f"Không có danh mục {shown(catalog)}.")
        name = " ".join(nfc(name or "").split())
        if not _CODE.fullmatch(code or "") or not name or len(name) > MAX_NAME:
            raise InvalidInput("Mã danh mục: 1–64 ký tự chữ, số, '.', '_' hoặc '-'; "
                               f"tên không được trống, tối đa {MAX_NAME} ký tự.")
        entry = s.scalar(select(CatalogEntry).where(CatalogEntry.catalog == catalog, CatalogEntry.code == code))
        before = Entry(entry.code, entry.name, entry.active).to_dict() if entry else None
        if entry is None:
            order = s.scalar(select(func.max(CatalogEntry.sort_order)).where(CatalogEntry.catalog == catalog)) or 0
            entry = CatalogEntry(catalog=catalog, code=code, name=name, active=active, sort_order=order + 1)
            s.add(entry)
        entry.name, entry.active = name, active
        audit.append(s, actor=actor.name, ip=actor.ip, action="catalog.upsert", target_type="catalog",
                     target_id=f"{catalog}/{code}", details={"before": before, "after": {"name": name, "active": active}})
        uow.commit()
        return Entry(code, name, active)
