"""Real accounts for tests: created through the service, logged in through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from archive.services.access import SYSTEM
from archive.services.accounts import create_user

PASSWORD = "mat-khau-2026"


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
