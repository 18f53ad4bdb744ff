"""Danh sách tài khoản: the accounts an admin administers, filtered by unit, role, locked, expired.

Only accounts whose home unit lies inside the caller's ADMINISTER scope are listed (the same
line `access.check_account(whole=False)` draws for looking one up): an admin of Quận 1 never
sees, or learns the count of, Quận 2's accounts. Reading the list is logged (`user.list`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from archive.context import Context
from archive.errors import NotFound, shown
from archive.models import Unit, User, utcnow
from archive.services import audit
from archive.services.access import Action, Actor, require
from archive.services.accounts import UserView, parse_role

MAX_ROWS = 500


@dataclass(frozen=True)
class AccountFilter:
    unit_code: str = ""        # home unit in this unit's subtree
    role: str = ""             # holds this role (an active grant)
    locked: bool | None = None  # locked out now (tạm khoá) / not
    expired: bool | None = None  # past its expiry date / not
    revoked: bool | None = None


@dataclass(frozen=True)
class AccountList:
    accounts: list[UserView]
    truncated: bool  # more than MAX_ROWS matched: narrow the filter


def list_accounts(c: Context, actor: Actor, f: AccountFilter = AccountFilter()) -> AccountList:
    require(actor, Action.ADMINISTER)
    role = parse_role(f.role) if f.role else None
    now = utcnow()
    with c.uow() as uow:
        s = uow.session
        units = {u.id: u for u in s.scalars(select(Unit))}
        ids_of = {u.id: [int(i) for i in u.path.strip("/").split("/") if i] for u in units.values()}
        codes = {u.code: u.id for u in units.values()}
        mine = None if actor.is_system else {codes[x] for x in actor.units_for(Action.ADMINISTER) if x in codes}
        under = None
        if f.unit_code:
            under = codes.get(f.unit_code)
            # a unit outside the caller's scope is not found, as everywhere (its existence is not revealed)
            if under is None or (mine is not None and not mine & set(ids_of[under])):
                raise NotFound(f"Không tìm thấy đơn vị có mã {shown(f.unit_code)}.")
        rows: list[UserView] = []
        truncated = False
        for user in s.scalars(select(User).options(selectinload(User.grants)).order_by(User.username)):
            chain = set(ids_of.get(user.unit_id, []))
            if mine is not None and not mine & chain:
                continue
            if under is not None and under not in chain:
                continue
            active = [g for g in user.grants if g.revoked_at is None and (g.expires_at is None or g.expires_at > now)]
            if role is not None and not any(g.role == role.value for g in active):
                continue
            locked = bool(user.locked_until and user.locked_until > now)
            expired = bool(user.expires_at and user.expires_at <= now)
            revoked = user.revoked_at is not None
            if (f.locked is not None and locked != f.locked) or (f.expired is not None and expired != f.expired) \
                    or (f.revoked is not None and revoked != f.revoked):
                continue
            if len(rows) == MAX_ROWS:
                truncated = True
                break
            rows.append(UserView(username=user.username, full_name=user.full_name, unit_code=units[user.unit_id].code,
                                 roles=tuple((g.role, units[g.scope_unit_id].code) for g in active),
                                 clearance=user.clearance, expires_at=user.expires_at, revoked=revoked, locked=locked,
                                 must_change_password=user.must_change_password))
        audit.append(s, actor=actor.name, ip=actor.ip, action="user.list", target_type="user",
                     details={"unit": f.unit_code, "role": f.role, "locked": f.locked, "expired": f.expired,
                              "revoked": f.revoked, "count": len(rows)})
        uow.commit()
        return AccountList(accounts=rows, truncated=truncated)


__all__ = ["AccountFilter", "AccountList", "list_accounts"]
