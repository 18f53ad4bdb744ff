"""Request dependencies: the Container and the authenticated Actor (Bearer token); and the guard
that authenticates and sizes a request before its body is read.

FastAPI reads (and spools or buffers) a request's body before it solves the dependencies,
so `get_actor` alone would let anyone without credentials make the server receive a 64 MiB
multipart body or hold a 96 MiB JSON body in memory before answering 401. `RequestGuard`
(an archive.body_guard.BodyGuard, plain ASGI ahead of FastAPI's routing) authenticates every
/api/v1 request that carries a body — except the login itself — from its headers alone,
refuses bodies over their bound (by Content-Length, or by counting when none is sent), and
hands the Actor on to `get_actor`.
"""

from __future__ import annotations

import json
import re
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import Scope, Send

from archive import error_table
from archive.body_guard import FORM_SLACK, BodyGuard, actor_checked
from archive.bootstrap import Container
from archive.errors import NotFound, Unauthenticated
from archive.request_info import client_ip
from archive.services.access import Actor
from archive.services.accounts import authenticate

_bearer = HTTPBearer(auto_error=False, description="session token from /auth/login or an API token")

API_PREFIX = "/api/v1/"
_NO_CREDENTIALS_NEEDED = frozenset({"/api/v1/auth/login"})
# The raw upload streams its body to disk under the upload limit itself (routes_documents.upload_raw).
_RAW_UPLOAD = re.compile(r"/api/v1/staff/[^/]+/documents/[^/]+")


async def get_container(request: Request) -> Container:
    # async: a sync dependency costs a trip through the thread pool on every request
    return request.app.state.container


def get_actor(request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Actor:
    checked = actor_checked(request)
    if checked is not None:  # the guard authenticated this request before reading its body
        return checked
    if creds is None:
        raise Unauthenticated("Cần đăng nhập (Authorization: Bearer …).")
    return authenticate(request.app.state.container, creds.credentials, ip=client_ip(request))


ContainerDep = Annotated[Container, Depends(get_container)]
ActorDep = Annotated[Actor, Depends(get_actor)]


class RequestGuard(BodyGuard):
    """The API's guard: a Bearer token (except for the login), JSON bodies capped, answers in JSON."""

    def guards(self, scope: Scope) -> bool:
        return scope["path"].startswith(API_PREFIX)

    def needs_credentials(self, request: Request) -> bool:
        return request.url.path not in _NO_CREDENTIALS_NEEDED

    def authenticate(self, request: Request, container: Container) -> Actor:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Cần đăng nhập (Authorization: Bearer …).")
        return authenticate(container, token.strip(), ip=client_ip(request))

    def limit(self, request: Request, container: Container) -> int | None:
        if request.method == "PUT" and _RAW_UPLOAD.fullmatch(request.url.path):
            return None
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            return container.settings.max_upload_bytes + FORM_SLACK
        return container.settings.max_json_bytes

    async def refuse(self, scope: Scope, send: Send, status: int, exc: Exception) -> None:
        await _answer(send, status, exc)


async def _answer(send: Send, status: int, exc: Exception) -> None:
    body = json.dumps({"detail": error_table.message(exc)}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


# Row ids are PostgreSQL INTEGERs (and SQLite's 64-bit ones): a number past them names no row.
_ROW_ID_LIMIT = 2**31
_INTEGER = re.compile(r"-?\d+")


def bounded_path_numbers(request: Request) -> None:
    """Every int path parameter (…/{id}, …/pages/{n}) within 1 … 2**31 − 1, or 404.

    Without it a huge number reaches the database driver and answers 500 (SQLite: "Python int
    too large", PostgreSQL: out of range); one rule for every route instead of a check per service.
    """
    route = request.scope.get("route")
    for param in getattr(getattr(route, "dependant", None), "path_params", ()):
        value = request.path_params.get(param.name)
        if param.field_info.annotation is int and isinstance(value, str) and _INTEGER.fullmatch(value) \
                and not 0 < int(value) < _ROW_ID_LIMIT:
            raise NotFound("Không tìm thấy mục có số này.")


BOUNDED_PATHS = [Depends(bounded_path_numbers)]
