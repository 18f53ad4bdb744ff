"""Hostile search parameters answer a clear 422 in Vietnamese, and the service stays up."""

from __future__ import annotations

import pytest

from archive.app import create_app
from tests.support.accounts import logged_in, make_user


@pytest.fixture
def client(container):
    make_user(container, "hr1", "hr_officer", "TINH")
    return logged_in(create_app(container=container), "hr1")


@pytest.mark.parametrize("params", [
    {"offset": 2_000_000_000}, {"offset": 10_001}, {"offset": -1}, {"offset": 2**63}, {"offset": 10**30},
    {"limit": 0}, {"limit": 201}, {"limit": 2**64},
    {"birth_year_from": 10**30}, {"birth_year_to": -5}, {"birth_year_from": 1800},
    {"unit": [f"U{i}" for i in range(101)]},
])
def test_out_of_range_search_parameters_are_refused_in_vietnamese(client, params):
    r = client.get("/api/v1/search", params={"q": "nguyen", **params})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and any(ch in detail for ch in "ảăâđêôơư"), detail
    assert client.get("/api/v1/search", params={"q": "nguyen"}).status_code == 200  # still serving


def test_the_deepest_allowed_page_answers(client):
    r = client.get("/api/v1/search", params={"q": "nguyen", "offset": 10_000, "limit": 200})
    assert r.status_code == 200 and r.json()["total"] == 0
