"""Hostile values on the administration side answer a Vietnamese 422/404 (found by the fuzz run)."""

from __future__ import annotations

import pytest

from archive.app import create_app
from archive.services.access import SYSTEM
from archive.services.staff import add_staff
from tests.support.accounts import logged_in, make_user


@pytest.fixture
def admin(container):
    add_staff(container, SYSTEM, code="NV1", full_name="Đỗ Văn Hùng", unit_code="TINH")
    make_user(container, "qt1", "admin", "TINH", clearance=2)
    return logged_in(create_app(container=container), "qt1")


def _vietnamese(r) -> str:  # noqa: ANN001
    detail = r.json()["detail"]
    assert isinstance(detail, str) and any(ch in detail for ch in "ảăâđêôơưệ"), detail
    return detail


@pytest.mark.parametrize("params", [{"offset": 9223372036854775808}, {"offset": -1}, {"limit": 0}, {"limit": 10**6}])
def test_audit_paging_out_of_range_is_refused(admin, params):
    r = admin.get("/api/v1/audit", params=params)
    assert r.status_code == 422, r.text
    _vietnamese(r)


def test_an_account_expiry_with_no_utc_time_is_refused(admin):
    r = admin.post("/api/v1/users", json={"username": "moi.nguoi", "password": "mat-khau-rat-dai-2026",
                                          "unit_code": "TINH", "role": "auditor",
                                          "expires_at": "0001-01-01T00:00:00+01:00"})
    assert r.status_code == 422, r.text
    _vietnamese(r)


@pytest.mark.parametrize("decision", ["Q" * 101, "215/QĐ\x00-UBND"])
def test_overlong_or_control_decision_numbers_are_refused(admin, decision):
    r = admin.post("/api/v1/staff/NV1/status", json={"status": "nghi_huu", "decision": decision})
    assert r.status_code == 422, r.text
    assert "Số quyết định" in _vietnamese(r)


@pytest.mark.parametrize("path", ["/api/v1/users/%00", "/api/v1/catalogs/%00"])
def test_not_found_messages_never_echo_control_characters(admin, path):
    r = admin.get(path)
    assert r.status_code in (404, 422), r.text
    assert "\x00" not in r.text and "\\u0000" not in r.text
