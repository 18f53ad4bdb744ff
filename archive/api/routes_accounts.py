"""Login, own account, units, users and their grants, API tokens, catalogs, delegations.

An account whose password is temporary (access.PasswordChangeRequired) may only change it and
log out: the services refuse it everywhere else, and the routes here that would answer without
asking a service (own account, units, catalogs) take `UsableActorDep`, which refuses it too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep, client_ip, get_actor
from archive.errors import InvalidInput
from archive.services import account_list, accounts, catalogs, recent_uploads, units
from archive.services.access import Actor, refuse_pending

router = APIRouter()


def usable_actor(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    """The caller, unless their password is temporary (403 with the reason)."""
    refuse_pending(actor)
    return actor


UsableActorDep = Annotated[Actor, Depends(usable_actor)]


class LoginIn(BaseModel):
    username: str
    password: str


class PasswordIn(BaseModel):
    old_password: str
    new_password: str


class UnitIn(BaseModel):
    code: str
    name: str
    parent_code: str | None = None


class DelegationIn(BaseModel):
    to_unit_code: str


class UserIn(BaseModel):
    username: str
    password: str
    unit_code: str
    role: str
    scope_code: str | None = None
    full_name: str = ""
    clearance: int = 0
    staff_code: str | None = None
    expires_at: datetime | None = None


class GrantIn(BaseModel):
    role: str
    scope_code: str
    expires_at: datetime | None = None


class ExpiryIn(BaseModel):
    expires_at: datetime | None


class ResetIn(BaseModel):
    new_password: str


class TokenIn(BaseModel):
    # people get at most ARCHIVE_API_TOKEN_MAX_DAYS (365) and never an endless (null) token
    days: int | None = Field(90, ge=1, le=3650)
    name: str = ""


class CatalogEntryIn(BaseModel):
    name: str
    active: bool = True


def _naive_utc(dt: datetime | None) -> datetime | None:
    if dt is None or dt.tzinfo is None:
        return dt
    try:
        return dt.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # year 1 at +01:00 has no UTC time
        raise InvalidInput("Thời hạn tài khoản không hợp lệ.") from None


@router.post("/auth/login", tags=["auth"])
def login(body: LoginIn, request: Request, c: ContainerDep) -> dict:
    return {"token": accounts.login(c, body.username, body.password, ip=client_ip(request)), "token_type": "bearer"}


@router.post("/auth/logout", status_code=204, tags=["auth"])
def logout(request: Request, c: ContainerDep, actor: ActorDep) -> None:
    accounts.revoke_token(c, request.headers["authorization"].split(" ", 1)[1])


@router.get("/me", tags=["auth"])
def me(c: ContainerDep, actor: UsableActorDep) -> dict:
    return accounts.get_user(c, actor, actor.name).to_dict()


@router.post("/me/password", status_code=204, tags=["auth"])
def change_password(body: PasswordIn, c: ContainerDep, actor: ActorDep) -> None:
    """Change your own password; your other sessions and API tokens end, this one goes on."""
    accounts.change_password(c, actor, body.old_password, body.new_password)


@router.get("/units", tags=["units"])
def list_units(c: ContainerDep, actor: UsableActorDep) -> list[dict]:
    return [u.to_dict() for u in units.list_units(c, actor)]


@router.post("/units", status_code=201, tags=["units"])
def add_unit(body: UnitIn, c: ContainerDep, actor: ActorDep) -> dict:
    return units.add_unit(c, actor, code=body.code, name=body.name, parent_code=body.parent_code).to_dict()


@router.get("/units/{code}/delegations", tags=["units"])
def list_delegations(code: str, c: ContainerDep, actor: ActorDep) -> list[dict]:
    """Active delegations (ủy quyền) of the dossiers of unit `code`."""
    return [d.to_dict() for d in units.list_delegations(c, actor, unit_code=code)]


@router.post("/units/{code}/delegations", status_code=204, tags=["units"])
def delegate(code: str, body: DelegationIn, c: ContainerDep, actor: ActorDep) -> None:
    units.delegate(c, actor, unit_code=code, to_code=body.to_unit_code)


@router.delete("/units/{code}/delegations/{to_code}", status_code=204, tags=["units"])
def revoke_delegation(code: str, to_code: str, c: ContainerDep, actor: ActorDep) -> None:
    """Revoke (thu hồi) the delegation of `code`'s dossiers to `to_code`."""
    units.revoke_delegation(c, actor, unit_code=code, to_code=to_code)


@router.post("/users", status_code=201, tags=["users"])
def create_user(body: UserIn, c: ContainerDep, actor: ActorDep) -> dict:
    data = body.model_dump()
    data["expires_at"] = _naive_utc(data["expires_at"])
    return accounts.create_user(c, actor, **data).to_dict()


@router.get("/users/{username}", tags=["users"])
def get_user(username: str, c: ContainerDep, actor: UsableActorDep) -> dict:
    return accounts.get_user(c, actor, username).to_dict()


@router.post("/users/{username}/grants", tags=["users"])
def grant(username: str, body: GrantIn, c: ContainerDep, actor: ActorDep) -> dict:
    return accounts.grant_role(c, actor, username, role=body.role, scope_code=body.scope_code,
                               expires_at=_naive_utc(body.expires_at)).to_dict()


@router.delete("/users/{username}/grants/{role}/{scope_code}", tags=["users"])
def restrict(username: str, role: str, scope_code: str, c: ContainerDep, actor: ActorDep) -> dict:
    return accounts.restrict_role(c, actor, username, role=role, scope_code=scope_code).to_dict()


@router.put("/users/{username}/expiry", tags=["users"])
def set_expiry(username: str, body: ExpiryIn, c: ContainerDep, actor: ActorDep) -> dict:
    return accounts.set_expiry(c, actor, username, _naive_utc(body.expires_at)).to_dict()


@router.post("/users/{username}/revoke", status_code=204, tags=["users"])
def revoke(username: str, c: ContainerDep, actor: ActorDep) -> None:
    accounts.revoke_user(c, actor, username)


@router.post("/users/{username}/password-reset", status_code=204, tags=["users"])
def reset_password(username: str, body: ResetIn, c: ContainerDep, actor: ActorDep) -> None:
    accounts.reset_password(c, actor, username, body.new_password)


@router.post("/users/{username}/tokens", status_code=201, tags=["users"])
def create_token(username: str, body: TokenIn, c: ContainerDep, actor: ActorDep) -> dict:
    return {"token": accounts.create_api_token(c, actor, username, days=body.days, name=body.name)}


# -- account list, unlock, my uploads (issue 11, items 4 and 5) -------------------------------
@router.get("/users", tags=["users"])
def list_users(c: ContainerDep, actor: UsableActorDep, unit: str = "", role: str = "", locked: bool | None = None,
               expired: bool | None = None, revoked: bool | None = None) -> dict:
    """Accounts whose home unit is inside the caller's ADMINISTER scope, filtered (at most 500)."""
    found = account_list.list_accounts(c, actor, account_list.AccountFilter(
        unit_code=unit.strip(), role=role.strip(), locked=locked, expired=expired, revoked=revoked))
    return {"users": [u.to_dict() for u in found.accounts], "truncated": found.truncated}


@router.post("/users/{username}/unlock", tags=["users"])
def unlock(username: str, c: ContainerDep, actor: ActorDep) -> dict:
    return accounts.unlock_user(c, actor, username).to_dict()


@router.get("/me/uploads", tags=["documents"])
def my_uploads(c: ContainerDep, actor: UsableActorDep, limit: int = recent_uploads.DEFAULT_LIMIT) -> list[dict]:
    """The caller's recent uploads, newest first, with their pipeline state (Đang xử lý)."""
    return [r.document.to_dict() | {"error": r.error, "uploaded_at": r.uploaded_at.isoformat() + "Z"}
            for r in recent_uploads.recent_uploads(c, actor, limit=limit)]


@router.get("/catalogs/{catalog}", tags=["catalogs"])
def read_catalog(catalog: str, c: ContainerDep, actor: UsableActorDep) -> list[dict]:
    return [e.to_dict() for e in catalogs.list_catalog(c, catalog)]


@router.put("/catalogs/{catalog}/{code}", tags=["catalogs"])
def put_catalog_entry(catalog: str, code: str, body: CatalogEntryIn, c: ContainerDep, actor: ActorDep) -> dict:
    return catalogs.upsert_entry(c, actor, catalog, code, name=body.name, active=body.active).to_dict()
