"""Catalogs (danh mục): dân tộc, tôn giáo, ngạch, loại tài liệu — seeded once, edited by admins."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from archive.context import Context
from archive.catalog_seed import SEED
from archive.errors import InvalidInput, NotFound
from archive.models import CatalogEntry
from archive.services import audit
from archive.services.access import Action, Actor, require
from search import nfc

_CODE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


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
        raise NotFound(f"Không có danh mục {catalog}.")
    with c.uow() as uow:
        stmt = select(CatalogEntry).where(CatalogEntry.catalog == catalog).order_by(CatalogEntry.sort_order,
                                                                                   CatalogEntry.code)
        if not include_inactive:
            stmt = stmt.where(CatalogEntry.active.is_(True))
        return [Entry(e.code, e.name, e.active) for e in uow.session.scalars(stmt)]


def upsert_entry(c: Context, actor: Actor, catalog: str, code: str, *, name: str, active: bool = True) -> Entry:
    require(actor, Action.ADMINISTER)
    if catalog not in SEED:
        raise NotFound(f"Không có danh mục {catalog}.")
    name = " ".join(nfc(name or "").split())
    if not _CODE.match(code or "") or not name:
        raise InvalidInput("Mã danh mục: 1–64 ký tự chữ, số, '.', '_' hoặc '-'; tên không được trống.")
    with c.uow() as uow:
        s = uow.session
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
