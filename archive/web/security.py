"""Cookies of the web interface: the session, CSRF tokens and signed flash messages.

The session cookie holds the session token from `accounts.login` (HttpOnly, SameSite=Lax,
Secure over HTTPS); `accounts.authenticate` turns it into the Actor on every request, so the
idle timeout, revocation and expiry apply exactly as for the API. A form's CSRF token is an
HMAC of that token (or, before login, of a random pre-session cookie) under a server secret:
a page of another site can neither read nor compute it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response

from archive.settings import Settings

SESSION_COOKIE = "hs_session"
PRE_SESSION_COOKIE = "hs_pre"  # before login, CSRF tokens hang on this random value
FLASH_COOKIE = "hs_flash"
LANG_COOKIE = "lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


def load_secret(settings: Settings) -> bytes:
    """ARCHIVE_WEB_SECRET, or a key file in the data dir created once (mode 0600)."""
    if settings.web_secret:
        return settings.web_secret.encode()
    path: Path = settings.data_dir / "keys" / "web.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker process wrote it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
    return path.read_text().strip().encode()


def _mac(secret: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(secret, f"{purpose}\0{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def _csrf_basis(request: Request) -> str:
    token = session_token(request)
    if token:
        return "s:" + token
    pre = request.cookies.get(PRE_SESSION_COOKIE) or getattr(request.state, "new_pre_session", None)
    if not pre:
        pre = secrets.token_urlsafe(24)
        request.state.new_pre_session = pre  # the response sets the cookie (see remember_pre_session)
    return "p:" + pre


def csrf_token(secret: bytes, request: Request) -> str:
    return _mac(secret, "csrf", _csrf_basis(request))


def csrf_valid(secret: bytes, request: Request, submitted: str | None) -> bool:
    if not submitted:
        return False
    if not session_token(request) and not request.cookies.get(PRE_SESSION_COOKIE):
        return False
    return hmac.compare_digest(submitted, csrf_token(secret, request))


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/")
    response.delete_cookie(PRE_SESSION_COOKIE, path="/")


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def remember_pre_session(request: Request, response: Response) -> None:
    pre = getattr(request.state, "new_pre_session", None)
    if pre:
        response.set_cookie(PRE_SESSION_COOKIE, pre, httponly=True, samesite="lax", secure=_secure(request),
                            path="/")


def set_flash(secret: bytes, request: Request, response: Response, message: str, kind: str = "info") -> None:
    """A one-time message for the next page (after a redirect), signed so no one else can plant text."""
    raw = base64.urlsafe_b64encode(f"{kind}\0{message}".encode()).decode().rstrip("=")
    response.set_cookie(FLASH_COOKIE, f"{raw}.{_mac(secret, 'flash', raw)}", httponly=True, samesite="lax",
                        secure=_secure(request), path="/", max_age=300)


def read_flash(secret: bytes, request: Request) -> tuple[str, str] | None:
    """(kind, message) of a pending flash message, if its signature holds."""
    value = request.cookies.get(FLASH_COOKIE)
    if not value or "." not in value:
        return None
    raw, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(secret, "flash", raw)):
        return None
    try:
        kind, _, message = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode().partition("\0")
    except (ValueError, UnicodeDecodeError):
        return None
    return kind, message


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site (never //host or a scheme) after login: no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
