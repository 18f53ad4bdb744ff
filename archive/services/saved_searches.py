"""Tìm kiếm đã lưu: a user names a search (words, filters, grouping, order) to run again in one click.

Private to the user who saved it: another user asking for it is told it does not exist. A
saved search keeps what was asked, never results and never a scope: it is always run by its
owner's Actor of the day (archive.services.search), so a narrowed grant — a transfer to a
smaller unit — narrows what it finds. Saving under a name already used replaces that search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from archive.context import Context
from archive.errors import Conflict, Forbidden, InvalidInput, NotFound
from archive.models.search_state import SavedSearch
from archive.services import audit
from archive.services.access import Action, Actor, require
from archive.services.search import SearchParams
from search import nfc

MAX_PER_USER = 100
MAX_NAME = 100


@dataclass(frozen=True)
class SavedSearchView:
    id: int
    name: str
    params: SearchParams
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "params": self.params.to_dict(),
                "created_at": self.created_at.isoformat() + "Z", "updated_at": self.updated_at.isoformat() + "Z"}


def _view(row: SavedSearch) -> SavedSearchView:
    return SavedSearchView(id=row.id, name=row.name, params=SearchParams.from_dict(row.params),
                           created_at=row.created_at, updated_at=row.updated_at)


def _owner(actor: Actor) -> int:
    require(actor, Action.SEARCH)
    if actor.user_id is None:  # the operator's CLI has no account to keep them under
        raise Forbidden("Chỉ tài khoản người dùng mới lưu được tìm kiếm.")
    return actor.user_id


def save_search(c: Context, actor: Actor, name: str, params: SearchParams) -> SavedSearchView:
    user_id = _owner(actor)
    name = " ".join(nfc(name or "").split())
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"Tên tìm kiếm đã lưu không được để trống và tối đa {MAX_NAME} ký tự.")
    params.check()
    with c.uow() as uow:
        s = uow.session
        row = s.scalar(select(SavedSearch).where(SavedSearch.user_id == user_id, SavedSearch.name == name))
        if row is None:
            if s.scalar(select(func.count()).where(SavedSearch.user_id == user_id)) >= MAX_PER_USER:
                raise Conflict(f"Mỗi người lưu được tối đa {MAX_PER_USER} tìm kiếm; hãy xoá bớt.")
            row = SavedSearch(user_id=user_id, name=name, params=params.to_dict())
            s.add(row)
        else:
            row.params = params.to_dict()
        s.flush()
        audit.append(s, actor=actor.name, ip=actor.ip, action="search.save", target_type="saved_search",
                     target_id=row.id, details={"name": name, **params.to_dict()})
        try:
            uow.commit()
        except IntegrityError:  # saved twice at once under the same name
            raise Conflict(f"Đã có tìm kiếm đã lưu tên {name!r}.") from None
        return _view(row)


def list_saved(c: Context, actor: Actor) -> list[SavedSearchView]:
    user_id = _owner(actor)
    with c.uow() as uow:
        rows = uow.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user_id)
                                   .order_by(SavedSearch.name, SavedSearch.id))
        return [_view(r) for r in rows]


def _known_id(saved_id: int) -> int:
    if not 0 < saved_id < 2**31:  # beyond any row (and PostgreSQL's integer)
        raise NotFound("Không tìm thấy tìm kiếm đã lưu.")
    return saved_id


def get_saved(c: Context, actor: Actor, saved_id: int) -> SavedSearchView:
    """The user's own saved search; NotFound for anyone else's (it is not revealed)."""
    user_id = _owner(actor)
    _known_id(saved_id)
    with c.uow() as uow:
        row = uow.session.get(SavedSearch, saved_id)
        if row is None or row.user_id != user_id:
            raise NotFound("Không tìm thấy tìm kiếm đã lưu.")
        return _view(row)


def delete_saved(c: Context, actor: Actor, saved_id: int) -> None:
    user_id = _owner(actor)
    _known_id(saved_id)
    with c.uow() as uow:
        s = uow.session
        row = s.get(SavedSearch, saved_id)
        if row is None or row.user_id != user_id:
            raise NotFound("Không tìm thấy tìm kiếm đã lưu.")
        s.delete(row)
        audit.append(s, actor=actor.name, ip=actor.ip, action="search.saved_delete", target_type="saved_search",
                     target_id=saved_id, details={"name": row.name})
        uow.commit()
