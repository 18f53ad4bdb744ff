"""What both HTTP doors (API and web) read from a request, in one place."""

from __future__ import annotations

from starlette.requests import Request


def client_ip(request: Request) -> str:
    """The peer's address as the server saw it (audit entries record it)."""
    return request.client.host if request.client else ""
