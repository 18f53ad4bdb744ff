"""Request dependencies of the web pages: the Actor from the session cookie, and CSRF checks.

`ActorDep` is the signed-in user with a usable password; a user whose password is temporary
meets PasswordChangeRequired (403, with the reason) on every page but their account page,
which takes `AccountActorDep` (the login form sends them there first).

`WebGuard` checks the session cookie of every form POST (but the login's) and bounds its
body before the body is read, as the API's guard does for tokens (archive.body_guard): an
anonymous client cannot make the server spool a 64 MiB upload or parse a large form. CSRF
stays with the routes (`csrf_protect`), which read the form.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.types import Message, Scope, Send

from archive.body_guard import FORM_SLACK, BodyGuard, actor_checked
from archive.request_info import client_ip
from archive.bootstrap import Container
from archive.errors import Unauthenticated
from archive.services.access import Actor
from archive.services.access import PASSWORD_CHANGE_REQUIRED, PasswordChangeRequired
from archive.services.accounts import authenticate
from archive.web import security
from archive.web.errors import CsrfRejected, LoginRequired, error_response
from archive.web.rendering import container_of, web_state

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Forms anyone may send: signing in, and signing out of a session that already ended (it
# still lands on the login page saying so). Their bodies are bounded all the same.
NO_SESSION_NEEDED = frozenset({"/dang-nhap", "/dang-xuat"})


def session_actor(request: Request, c: Container) -> Actor:
    """The Actor behind the session cookie; LoginRequired (with the reason) if there is none or it ended."""
    token = security.session_token(request)
    if not token:
        raise LoginRequired("")
    try:
        return authenticate(c, token, ip=client_ip(request))
    except Unauthenticated as exc:  # idle timeout, revoked, expired: say so on the login page
        raise LoginRequired(str(exc)) from None


def account_actor(request: Request) -> Actor:
    """The signed-in user, even with a temporary password; LoginRequired (→ login page, with the reason) otherwise."""
    actor = actor_checked(request) or session_actor(request, container_of(request))  # the guard's, for a POST
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


class WebGuard(BodyGuard):
    """The web's guard: the session cookie, form bodies capped (uploads at the upload limit), answers as pages."""

    def guards(self, scope: Scope) -> bool:
        path = scope["path"]
        return not path.startswith(("/api/", "/static/")) and getattr(scope["app"].state, "web", None) is not None

    def needs_credentials(self, request: Request) -> bool:
        return request.url.path not in NO_SESSION_NEEDED

    def authenticate(self, request: Request, container: Container) -> Actor:
        return session_actor(request, container)

    def limit(self, request: Request, container: Container) -> int | None:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            return container.settings.max_upload_bytes + FORM_SLACK
        return container.settings.max_form_bytes

    async def refuse(self, scope: Scope, send: Send, status: int, exc: Exception) -> None:
        """The page (or JSON, for our scripts) the route would have answered: a 303 to the login page, a 413 page."""
        response = error_response(Request(scope), exc)
        response.headers["connection"] = "close"  # the unread body is not waited for

        async def no_body() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, no_body, send)
