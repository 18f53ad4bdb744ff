"""Request dependencies of the web pages: the Actor from the session cookie, and CSRF checks.

`ActorDep` is the signed-in user with a usable password; a user whose password is temporary
meets PasswordChangeRequired (403, with the reason) on every page but their account page,
which takes `AccountActorDep` (the login form sends them there first).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from archive.request_info import client_ip
from archive.bootstrap import Container
from archive.errors import Unauthenticated
from archive.services.access import Actor
from archive.services.access import PASSWORD_CHANGE_REQUIRED, PasswordChangeRequired
from archive.services.accounts import authenticate
from archive.web import security
from archive.web.errors import CsrfRejected, LoginRequired
from archive.web.rendering import container_of, web_state

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def account_actor(request: Request) -> Actor:
    """The signed-in user, even with a temporary password; LoginRequired (→ login page, with the reason) otherwise."""
    token = security.session_token(request)
    if not token:
        raise LoginRequired("")
    try:
        actor = authenticate(container_of(request), token, ip=client_ip(request))
    except Unauthenticated as exc:  # idle timeout, revoked, expired: say so on the login page
        raise LoginRequired(str(exc)) from None
    request.state.actor = actor
    return actor


def current_actor(request: Request) -> Actor:
    """The signed-in user, who may use the pages their roles allow (not before changing a temporary password)."""
    actor = account_actor(request)
    if actor.must_change_password:
        raise PasswordChangeRequired(PASSWORD_CHANGE_REQUIRED)
    return actor


async def csrf_protect(request: Request) -> None:
    """Every state-changing request carries the token of its form (or our scripts' header)."""
    if request.method in SAFE_METHODS:
        return
    submitted = request.headers.get(security.CSRF_HEADER)
    if not submitted:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            submitted = (await request.form()).get(security.CSRF_FIELD)
    if not security.csrf_valid(web_state(request).secret, request, submitted if isinstance(submitted, str) else None):
        raise CsrfRejected()


ContainerDep = Annotated[Container, Depends(container_of)]
ActorDep = Annotated[Actor, Depends(current_actor)]
AccountActorDep = Annotated[Actor, Depends(account_actor)]
