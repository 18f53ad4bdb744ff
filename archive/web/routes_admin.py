"""Quản trị: the unit tree and delegations, accounts (create, revoke, reset password) and catalogs.

Each POST calls one service (units.add_unit/delegate/revoke_delegation,
accounts.create_user/revoke_user/reset_password, catalogs.upsert_entry), which checks the
admin's scope and clearance and writes the audit entry; the page then redirects (POST →
redirect → GET) with a one-time message. An invalid form is shown again with the service's
message and what was typed (never the password); a refusal (beyond the admin's scope or
clearance) is an error page. Catalogs are read-only for an admin below the province.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from archive.bootstrap import Container
from archive.catalog_seed import SEED
from archive.errors import Conflict, InvalidInput, NotFound
from archive.models import utcnow
from archive.services import account_list, accounts, catalogs, units
from archive.services import unit_reorganisation  # units renamed, moved, merged, dissolved (issue 11)
from archive.services.access import Action, Actor, Role, require
from archive.services.passwords import MIN_LENGTH
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.forms import expiry_utc, parse_date, parse_int
from archive.web.rendering import finish, render, translator, web_state

router = APIRouter(prefix="/quan-tri", route_class=WebRoute, dependencies=[Depends(csrf_protect)])

Text = Annotated[str, Form()]
# What a person can fix by editing the form; Forbidden and the rest become error pages.
FORM_ERRORS = (InvalidInput, Conflict, NotFound)


def _done(request: Request, url: str, message: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    security.set_flash(web_state(request).secret, request, response, message, "success")
    return finish(request, response)


def _tree(views: list) -> dict:
    """Units as a forest: roots are units whose parent the caller cannot see."""
    codes = {v.code for v in views}
    children: dict[str, list] = {}
    for v in views:
        if v.parent_code in codes:
            children.setdefault(v.parent_code, []).append(v)
    return {"roots": [v for v in views if v.parent_code not in codes], "children": children}


# -- units ---------------------------------------------------------------------
def _units_page(request: Request, c: Container, actor: Actor, *, form: dict | None = None,
                error: str | None = None, delegation_form: dict | None = None, delegation_error: str | None = None,
                status: int = 200, reorganise_form: dict | None = None, reorganise_error: str | None = None) -> Response:
    require(actor, Action.ADMINISTER)
    views = units.list_units(c, actor)
    return render(request, "admin_units.html", {
        "tab": "units", "units": views, "tree": _tree(views), "form": form or {}, "error": error,
        "delegations": units.list_delegations(c, actor), "delegation_form": delegation_form or {},
        "delegation_error": delegation_error, "administered": {v.code for v in views},
        # tổ chức lại đơn vị (routes_units.py, _unit_reorganise.html): ended units, the form again on error
        "ended_units": unit_reorganisation.ended_units(c), "reorganise_form": reorganise_form or {},
        "reorganise_error": reorganise_error,
    }, actor=actor, status=status)


@router.get("")
def admin_home(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _units_page(request, c, actor)


@router.post("/don-vi")
def add_unit(request: Request, c: ContainerDep, actor: ActorDep, code: Text = "", name: Text = "",
             parent_code: Text = "") -> Response:
    try:
        view = units.add_unit(c, actor, code=code.strip(), name=name, parent_code=parent_code or None)
    except FORM_ERRORS as exc:
        form = {"code": code, "name": name, "parent_code": parent_code}
        return _units_page(request, c, actor, form=form, error=str(exc), status=422)
    return _done(request, "/quan-tri", translator(request)("units.added", code=view.code))


@router.post("/uy-quyen")
def delegate(request: Request, c: ContainerDep, actor: ActorDep, unit_code: Text = "",
             to_unit_code: Text = "") -> Response:
    try:
        units.delegate(c, actor, unit_code=unit_code, to_code=to_unit_code)
    except FORM_ERRORS as exc:
        form = {"unit_code": unit_code, "to_unit_code": to_unit_code}
        return _units_page(request, c, actor, delegation_form=form, delegation_error=str(exc), status=422)
    return _done(request, "/quan-tri", translator(request)("units.delegated", unit=unit_code, to=to_unit_code))


@router.post("/uy-quyen/{unit_code}/{to_unit_code}/thu-hoi")
def revoke_delegation(unit_code: str, to_unit_code: str, request: Request, c: ContainerDep,
                      actor: ActorDep) -> Response:
    try:
        units.revoke_delegation(c, actor, unit_code=unit_code, to_code=to_unit_code)
    except FORM_ERRORS as exc:
        return _units_page(request, c, actor, delegation_error=str(exc), status=422)
    return _done(request, "/quan-tri", translator(request)("units.delegation_revoked", unit=unit_code, to=to_unit_code))


# -- accounts ------------------------------------------------------------------
def _users_page(request: Request, c: Container, actor: Actor, *, form: dict | None = None,
                error: str | None = None, status: int = 200, username: str | None = None,
                card_error: str | None = None) -> Response:
    require(actor, Action.ADMINISTER)
    username = (request.query_params.get("u", "") if username is None else username).strip()
    found, find_error = None, None
    if username:
        try:
            found = accounts.get_user(c, actor, username)
        except FORM_ERRORS as exc:
            find_error = str(exc)
    listing, list_filter, list_error = _account_list(request, c, actor)
    return render(request, "admin_users.html", {
        "tab": "users", "units": units.list_units(c, actor), "roles": [r.value for r in ROLES_LEAST_FIRST],
        "default_role": ROLES_LEAST_FIRST[0].value,
        "form": form or {}, "error": error, "username": username, "found": found, "find_error": find_error,
        "min_password": MIN_LENGTH, "listing": listing, "list_filter": list_filter, "list_error": list_error,
        "account_states": ACCOUNT_STATES, "now": utcnow(), "card_error": card_error,
    }, actor=actor, status=status)


# The role picker lists the least privileged role first and selects it: a slip of the mouse
# must not make an administrator. `staff` opens nothing but the holder's own record (no action
# in ROLE_ACTIONS); the rest by how much they open: unit_head and archivist read and search
# (plus approve / upload), auditor also downloads and reads the log, hr_officer also reads the
# protected fields and edits, admin everything.
ROLES_LEAST_FIRST = (Role.STAFF, Role.UNIT_HEAD, Role.ARCHIVIST, Role.AUDITOR, Role.HR_OFFICER, Role.ADMIN)
# ?trang_thai= of the account list → the filter it stands for
ACCOUNT_STATES = {"hoat_dong": {"locked": False, "expired": False, "revoked": False},
                  "tam_khoa": {"locked": True}, "het_han": {"expired": True}, "thu_hoi": {"revoked": True}}


def _account_list(request: Request, c: Container, actor: Actor) -> tuple:
    q = request.query_params
    chosen = {"don_vi": q.get("don_vi", "").strip(), "vai_tro": q.get("vai_tro", "").strip(),
              "trang_thai": q.get("trang_thai", "").strip()}
    state = ACCOUNT_STATES.get(chosen["trang_thai"], {})
    try:
        listing = account_list.list_accounts(c, actor, account_list.AccountFilter(
            unit_code=chosen["don_vi"], role=chosen["vai_tro"], **state))
    except FORM_ERRORS as exc:
        return None, chosen, str(exc)
    return listing, chosen, None


@router.get("/tai-khoan")
def users_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _users_page(request, c, actor)


@router.post("/tai-khoan")
def create_user(request: Request, c: ContainerDep, actor: ActorDep, username: Text = "", full_name: Text = "",
                password: Text = "", unit_code: Text = "", role: Text = "", scope_code: Text = "",
                clearance: Text = "0", expires: Text = "", staff_code: Text = "") -> Response:
    t = translator(request)
    form = {"username": username, "full_name": full_name, "unit_code": unit_code, "role": role,
            "scope_code": scope_code, "clearance": clearance, "expires": expires, "staff_code": staff_code}
    try:
        view = accounts.create_user(
            c, actor, username=username.strip(), password=password, unit_code=unit_code, role=role,
            scope_code=scope_code or None, full_name=full_name, clearance=parse_int(t, clearance) or 0,
            staff_code=staff_code.strip() or None, expires_at=expiry_utc(t, parse_date(t, expires)))
    except FORM_ERRORS as exc:
        return _users_page(request, c, actor, form=form, error=str(exc), status=422)
    return _done(request, f"/quan-tri/tai-khoan?u={quote(view.username)}", t("users.created", username=view.username))


@router.post("/tai-khoan/{username}/thu-hoi")
def revoke_user(username: str, request: Request, c: ContainerDep, actor: ActorDep, reason: Text = "") -> Response:
    accounts.revoke_user(c, actor, username, reason=reason.strip())
    return _done(request, f"/quan-tri/tai-khoan?u={quote(username)}",
                 translator(request)("users.revoked", username=username))


@router.post("/tai-khoan/{username}/mat-khau")
def reset_password(username: str, request: Request, c: ContainerDep, actor: ActorDep,
                   new_password: Text = "") -> Response:
    try:
        accounts.reset_password(c, actor, username, new_password)
    except FORM_ERRORS as exc:
        return _users_page(request, c, actor, error=str(exc), status=422, username=username)
    return _done(request, f"/quan-tri/tai-khoan?u={quote(username)}",
                 translator(request)("users.reset_done", username=username))


@router.post("/tai-khoan/{username}/mo-khoa")
def unlock_user(username: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    accounts.unlock_user(c, actor, username)
    return _done(request, f"/quan-tri/tai-khoan?u={quote(username)}",
                 translator(request)("users.unlocked", username=username))


@router.post("/tai-khoan/{username}/quyen")
def grant_role(username: str, request: Request, c: ContainerDep, actor: ActorDep, role: Text = "",
               scope_code: Text = "", expires: Text = "") -> Response:
    t = translator(request)
    try:
        accounts.grant_role(c, actor, username, role=role, scope_code=scope_code,
                            expires_at=expiry_utc(t, parse_date(t, expires)))
    except FORM_ERRORS as exc:
        return _users_page(request, c, actor, card_error=str(exc), status=422, username=username)
    return _done(request, f"/quan-tri/tai-khoan?u={quote(username)}",
                 t("users.granted", username=username, role=t.label("role", role), unit=scope_code))


@router.post("/tai-khoan/{username}/quyen/{role}/{scope_code}/thu-hep")
def restrict_role(username: str, role: str, scope_code: str, request: Request, c: ContainerDep,
                  actor: ActorDep) -> Response:
    t = translator(request)
    try:
        accounts.restrict_role(c, actor, username, role=role, scope_code=scope_code)
    except FORM_ERRORS as exc:
        return _users_page(request, c, actor, card_error=str(exc), status=422, username=username)
    return _done(request, f"/quan-tri/tai-khoan?u={quote(username)}",
                 t("users.restricted", username=username, role=t.label("role", role), unit=scope_code))


@router.post("/tai-khoan/{username}/han")
def set_expiry(username: str, request: Request, c: ContainerDep, actor: ActorDep, expires: Text = "") -> Response:
    t = translator(request)
    try:
        accounts.set_expiry(c, actor, username, expiry_utc(t, parse_date(t, expires)))
    except FORM_ERRORS as exc:
        return _users_page(request, c, actor, card_error=str(exc), status=422, username=username)
    return _done(request, f"/quan-tri/tai-khoan?u={quote(username)}",
                 t("users.expiry_set", username=username) if expires.strip() else t("users.expiry_cleared",
                                                                                    username=username))


# -- catalogs ------------------------------------------------------------------
def _catalog_page(request: Request, c: Container, actor: Actor, name: str, *, form: dict | None = None,
                  error: str | None = None, status: int = 200) -> Response:
    require(actor, Action.ADMINISTER)
    return render(request, "admin_catalogs.html", {
        "tab": "catalogs", "catalog_names": list(SEED), "catalog": name,
        "entries": catalogs.list_catalog(c, name, include_inactive=True), "form": form or {}, "error": error,
        "can_edit": catalogs.may_edit(c, actor),
    }, actor=actor, status=status)


@router.get("/danh-muc")
def catalogs_page(request: Request, c: ContainerDep, actor: ActorDep, ten: str = "loai_tai_lieu") -> Response:
    return _catalog_page(request, c, actor, ten)


@router.post("/danh-muc/{catalog}")
def save_entry(catalog: str, request: Request, c: ContainerDep, actor: ActorDep, code: Text = "", name: Text = "",
               active: Annotated[str | None, Form()] = None) -> Response:
    try:
        entry = catalogs.upsert_entry(c, actor, catalog, code.strip(), name=name, active=active is not None)
    except FORM_ERRORS as exc:
        return _catalog_page(request, c, actor, catalog, form={"code": code, "name": name}, error=str(exc),
                             status=422)
    return _done(request, f"/quan-tri/danh-muc?ten={quote(catalog)}",
                 translator(request)("catalogs.saved", code=entry.code))
