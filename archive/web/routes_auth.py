"""Đăng nhập, đăng xuất, tài khoản của tôi, đổi mật khẩu — through services.accounts.

A user whose password is temporary (after an admin's reset, or an account an admin made) is
sent from the login form to their account page, the only page open to them until they change it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from archive.request_info import client_ip
from archive.errors import InvalidInput, Unauthenticated
from archive.services import accounts
from archive.services.passwords import MIN_LENGTH
from archive.web import security
from archive.web.deps import AccountActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import NAVIGATION, finish, render, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])

Text = Annotated[str, Form()]


def _redirect(request: Request, url: str, message: str = "", kind: str = "info") -> Response:
    response = RedirectResponse(url, status_code=303)
    if message:
        security.set_flash(web_state(request).secret, request, response, message, kind)
    return finish(request, response)


@router.get("/")
def home(request: Request, actor: AccountActorDep) -> Response:
    """The first page the user's roles make useful (search for most; own account otherwise).

    A temporary password holds no scope, so it lands on the account page."""
    target = next((href for href, _key, action in NAVIGATION if actor.may_somewhere(action)), "/tai-khoan")
    return _redirect(request, target)


@router.get("/dang-nhap")
def login_page(request: Request, next: str = "") -> Response:  # noqa: A002
    target = security.safe_next(next, "")
    # sent here from a page: say why (unless a flash message already gives the reason, see login.html)
    notice = translator(request)("login.required") if target else ""
    return render(request, "login.html", {"next": target, "username": "", "error": None, "notice": notice})


@router.post("/dang-nhap")
def login(request: Request, c: ContainerDep, username: Text = "", password: Text = "",
          next: Text = "") -> Response:  # noqa: A002
    try:
        token = accounts.login(c, username.strip(), password, ip=client_ip(request))
    except Unauthenticated as exc:  # wrong password, locked (with the minutes left), revoked
        return render(request, "login.html", {"next": security.safe_next(next, ""), "username": username,
                                              "error": str(exc), "notice": ""}, status=401)
    if accounts.authenticate(c, token, ip=client_ip(request)).must_change_password:
        response = RedirectResponse("/tai-khoan", status_code=303)
        security.set_flash(web_state(request).secret, request, response, translator(request)("password.temporary"),
                           "error")
    else:
        response = RedirectResponse(security.safe_next(next), status_code=303)
    security.set_session(request, response, token)
    return finish(request, response)


@router.post("/dang-xuat")
def logout(request: Request, c: ContainerDep) -> Response:
    token = security.session_token(request)
    if token:
        accounts.revoke_token(c, token)
    response = _redirect(request, "/dang-nhap", translator(request)("login.logged_out"))
    security.clear_session(response)
    return response


def _account_page(request: Request, c: ContainerDep, actor: AccountActorDep, *, error: str | None = None,
                  status: int = 200) -> Response:
    return render(request, "account.html", {"user": accounts.get_user(c, actor, actor.name), "error": error,
                                            "min_password": MIN_LENGTH, "temporary": actor.must_change_password},
                  actor=actor, status=status)


@router.get("/tai-khoan")
def account(request: Request, c: ContainerDep, actor: AccountActorDep) -> Response:
    return _account_page(request, c, actor)


@router.post("/tai-khoan/mat-khau")
def change_password(request: Request, c: ContainerDep, actor: AccountActorDep, old_password: Text = "",
                    new_password: Text = "", confirm_password: Text = "") -> Response:
    """Your other sessions and tokens end; this session goes on (to the first useful page, if the
    password was temporary)."""
    t = translator(request)
    if new_password != confirm_password:
        return _account_page(request, c, actor, error=t("password.mismatch"), status=422)
    try:
        accounts.change_password(c, actor, old_password, new_password)
    except InvalidInput as exc:
        return _account_page(request, c, actor, error=str(exc), status=422)
    return _redirect(request, "/" if actor.must_change_password else "/tai-khoan", t("password.changed"), "success")
