"""Credentials first, then a bound on the body: both before a request's first body byte is read.

FastAPI reads (spools or buffers) a request's body before it solves a route's dependencies,
so a route that checks the caller in a dependency has already let anyone make the server
receive a 64 MiB multipart body or parse a large form. `BodyGuard` is plain ASGI, ahead of
routing: from the headers alone it authenticates the caller, refuses a body over its bound
(by Content-Length, or by counting when none is sent) and hands the Actor on in the scope.

Each HTTP door subclasses it with its own credential (the API's Bearer token, the web's
session cookie), its own bounds and its own way of answering (JSON, or a Vietnamese page /
a redirect to the login page); the counting is here, once. The API and the web never import
each other, so this lives beside them.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from archive import error_table
from archive.bootstrap import Container
from archive.errors import Unauthenticated
from archive.services.access import Actor
from ingest.errors import TooLarge
from ingest.receive import size_text

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ACTOR_KEY = "archive.actor"  # the scope key under which the guard leaves the authenticated Actor
FORM_SLACK = 1 << 20  # a multipart body's fields and boundaries beside the file


def actor_checked(request: Request) -> Actor | None:
    """The Actor a guard authenticated for this request before its body was read, if any."""
    return request.scope.get(ACTOR_KEY)


def too_large(limit: int) -> TooLarge:
    return TooLarge(f"Nội dung yêu cầu quá lớn: vượt giới hạn {size_text(limit)}.")


class BodyGuard:
    """The shared steps; a door overrides `guards`, `needs_credentials`, `authenticate`, `limit`, `refuse`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def guards(self, scope: Scope) -> bool:
        """Whether this request is the door's to guard (its addresses, a method with a body)."""
        raise NotImplementedError

    def needs_credentials(self, request: Request) -> bool:
        return True

    def authenticate(self, request: Request, container: Container) -> Actor:
        """The caller from the request's headers; Unauthenticated otherwise (runs in a worker thread)."""
        raise NotImplementedError

    def limit(self, request: Request, container: Container) -> int | None:
        """The most body bytes this request may send; None: the route bounds its own body."""
        raise NotImplementedError

    async def refuse(self, scope: Scope, send: Send, status: int, exc: Exception) -> None:
        """Answer without reading the body (and close the connection)."""
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS or not self.guards(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)  # headers only: nothing here touches `receive`
        container: Container = scope["app"].state.container
        limit = self.limit(request, container)
        try:
            declared = int(request.headers.get("content-length", "0") or 0)
        except ValueError:
            declared = 0
        if self.needs_credentials(request):
            try:
                scope[ACTOR_KEY] = await run_in_threadpool(self.authenticate, request, container)
            except Unauthenticated as exc:
                await self.refuse(scope, send, error_table.http_status(exc), exc)
                return
        if limit is not None and declared > limit:
            await self.refuse(scope, send, 413, too_large(limit))
            return
        if limit is None:
            await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send, limit)

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
                    await self.refuse(scope, send, 413, too_large(limit))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # after our 413, whatever the app says about the "disconnect" is dropped
                await send(message)

        await self.app(scope, counting_receive, guarded_send)
