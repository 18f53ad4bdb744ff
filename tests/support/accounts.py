"""Real accounts for tests: created through the service, logged in through the API or the web form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from archive.services.access import SYSTEM
from archive.services.accounts import create_user

PASSWORD = "mat-khau-2026"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def make_user(c, username: str, role: str, unit: str, *, scope: str | None = None, clearance: int = 0,
              staff_code: str | None = None) -> str:
    create_user(c, SYSTEM, username=username, password=PASSWORD, unit_code=unit, role=role, scope_code=scope,
                clearance=clearance, staff_code=staff_code)
    return username


def logged_in(app, username: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return client


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    return _CSRF.search(html).group(1)


def web_logged_in(app, username: str, password: str = PASSWORD) -> TestClient:
    """A browser-like client signed in through the login form (session cookie)."""
    client = TestClient(app)
    r = client.post("/dang-nhap", data={"username": username, "password": password,
                                        "csrf": csrf_of(client.get("/dang-nhap").text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client
