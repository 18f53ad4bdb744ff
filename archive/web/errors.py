"""Errors as friendly Vietnamese pages: one function maps every failure of a web route.

Status codes and messages come from the same table as the API's and the CLI's (archive.error_table). A
missing or expired session redirects to the login page with the reason; requests from our
own scripts (Accept: application/json) get JSON instead. Nothing ever shows a stack trace.
"""

from __future__ import annotations

import logging
from typing import Callable
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from archive import error_table
from archive.errors import Unauthenticated
from archive.services.access import PasswordChangeRequired
from archive.web import security
from archive.web.rendering import finish, render, translator, web_state

log = logging.getLogger("archive.web")


class LoginRequired(Unauthenticated):
    """No session cookie, or the session behind it no longer authenticates (message: why)."""


class CsrfRejected(Exception):
    """A POST without the form's CSRF token (or with another session's)."""


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def login_redirect(request: Request, message: str = "") -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":  # come back to the page the form was on, not to the POST address
        ref = urlsplit(request.headers.get("referer", ""))
        target = (ref.path + (f"?{ref.query}" if ref.query else "")) if ref.netloc == request.url.netloc else "/"
    response = RedirectResponse(f"/dang-nhap?next={quote(security.safe_next(target), safe='/')}", status_code=303)
    security.clear_session(response)
    if message:
        security.set_flash(web_state(request).secret, request, response, message, "error")
    return finish(request, response)


def error_response(request: Request, exc: Exception) -> Response:
    t = translator(request)
    if isinstance(exc, Unauthenticated):
        if wants_json(request):
            return JSONResponse({"detail": str(exc) or t("login.required"), "login": "/dang-nhap"}, status_code=401)
        return login_redirect(request, str(exc))
    if isinstance(exc, PasswordChangeRequired) and not wants_json(request):
        # a temporary password opens nothing but its own change: go there, saying why
        response = RedirectResponse("/tai-khoan", status_code=303)
        security.set_flash(web_state(request).secret, request, response, str(exc), "error")
        return finish(request, response)
    if isinstance(exc, CsrfRejected):
        status, message = 403, t("error.csrf")
    elif isinstance(exc, RequestValidationError):
        status, message = 422, t("error.422.text")
    elif isinstance(exc, StarletteHTTPException):
        status, message = exc.status_code, ""
    else:
        status = error_table.http_status(exc)
        message = error_table.message(exc) if status != 500 else ""
        if status == 500:
            log.exception("web request failed: %s %s", request.method, request.url.path, exc_info=exc)
    if wants_json(request):
        return JSONResponse({"detail": message or t(f"error.{status}")}, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


class WebRoute(APIRoute):
    """A route whose failures become pages (or JSON for our scripts), never JSON error bodies."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:  # noqa: BLE001 — every failure becomes a friendly page
                return error_response(request, exc)

        return guarded


# Starlette's own refusals on API addresses, in the API's language (an unknown address keeps "Not Found")
API_HTTP_MESSAGES = {
    400: "Không đọc được nội dung yêu cầu (JSON hoặc multipart bị hỏng).",
    405: "Địa chỉ này không nhận phương thức HTTP đó.",
    413: "Nội dung yêu cầu quá lớn.",
}


async def not_found_or_api(request: Request, exc: StarletteHTTPException) -> Response:
    """Unknown addresses: the API keeps its JSON errors, everything else gets a page."""
    if request.url.path.startswith("/api/") or request.url.path in ("/docs", "/openapi.json", "/redoc"):
        if exc.status_code in API_HTTP_MESSAGES:
            return JSONResponse({"detail": API_HTTP_MESSAGES[exc.status_code]}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return await http_exception_handler(request, exc)
    if getattr(request.app.state, "web", None) is None:
        return await http_exception_handler(request, exc)
    return error_response(request, exc)
