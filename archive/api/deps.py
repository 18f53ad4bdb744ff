"""Request dependencies: the Container and the authenticated Actor (Bearer token); and the guard
that authenticates and sizes a request before its body is read.

FastAPI reads (and spools or buffers) a request's body before it solves the dependencies,
so `get_actor` alone would let anyone without credentials make the server receive a 64 MiB
multipart body or hold a 96 MiB JSON body in memory before answering 401. `RequestGuard`
(plain ASGI, ahead of FastAPI's routing) authenticates every /api/v1 request that carries a
body — except the login itself — from its headers alone, refuses bodies over their bound
(by Content-Length, or by counting when none is sent), and hands the Actor on to `get_actor`.
"""

from __future__ import annotations

import json
import re
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from archive import error_table
from archive.bootstrap import Container
from archive.errors import Unauthenticated
from archive.request_info import client_ip
from archive.services.access import Actor
from archive.services.accounts import authenticate
from ingest.errors import TooLarge
from ingest.receive import size_text

_bearer = HTTPBearer(auto_error=False, description="session token from /auth/login or an API token")

API_PREFIX = "/api/v1/"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NO_CREDENTIALS_NEEDED = frozenset({"/api/v1/auth/login"})
# The raw upload streams its body to disk under the upload limit itself (routes_documents.upload_raw).
_RAW_UPLOAD = re.compile(r"/api/v1/staff/[^/]+/documents/[^/]+")
_FORM_SLACK = 1 << 20  # a multipart body's fields and boundaries beside the file
_ACTOR_KEY = "archive.actor"


def get_container(request: Request) -> Container:
    return request.app.state.container


def get_actor(request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Actor:
    checked = request.scope.get(_ACTOR_KEY)
    if checked is not None:  # the guard authenticated this request before reading its body
        return checked
    if creds is None:
        raise Unauthenticated("Cần đăng nhập (Authorization: Bearer …).")
    return authenticate(get_container(request), creds.credentials, ip=client_ip(request))


ContainerDep = Annotated[Container, Depends(get_container)]
ActorDep = Annotated[Actor, Depends(get_actor)]


class RequestGuard:
    """Credentials first, then a bound on the body: both before the body's first byte is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        request = Request(scope)  # headers only: nothing here touches `receive`
        container: Container = scope["app"].state.container
        limit = self._limit(request, container)
        try:
            declared = int(request.headers.get("content-length", "0") or 0)
        except ValueError:
            declared = 0
        if scope["path"] not in _NO_CREDENTIALS_NEEDED:
            try:
                scope[_ACTOR_KEY] = await run_in_threadpool(self._authenticate, request, container)
            except Unauthenticated as exc:
                await _answer(send, error_table.http_status(exc), exc)
                return
        if limit is not None and declared > limit:
            await _answer(send, 413, self._too_large(limit))
            return
        if limit is None:
            await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send, limit)

    @staticmethod
    def _authenticate(request: Request, container: Container) -> Actor:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Cần đăng nhập (Authorization: Bearer …).")
        return authenticate(container, token.strip(), ip=client_ip(request))

    @staticmethod
    def _limit(request: Request, container: Container) -> int | None:
        if request.method == "PUT" and _RAW_UPLOAD.fullmatch(request.url.path):
            return None
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            return container.settings.max_upload_bytes + _FORM_SLACK
        return container.settings.max_json_bytes

    @staticmethod
    def _too_large(limit: int) -> TooLarge:
        return TooLarge(f"Nội dung yêu cầu quá lớn: vượt giới hạn {size_text(limit)}.")

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Pass the body through, counting; past the limit, answer 413 and tell the app the client left."""
        seen = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    await _answer(send, 413, self._too_large(limit))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # after our 413, whatever the app says about the "disconnect" is dropped
                await send(message)

        await self.app(scope, counting_receive, guarded_send)


async def _answer(send: Send, status: int, exc: Exception) -> None:
    body = json.dumps({"detail": error_table.message(exc)}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
