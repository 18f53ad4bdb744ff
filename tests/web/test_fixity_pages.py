"""Web pages of the fixity cycle (in-process, no browser): Quản trị › Kiểm tra toàn vẹn, and "Kiểm tra tệp"."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from archive.services.access import SYSTEM
from archive.services.documents import get_document
from archive.services.fixity import run_pass
from tests.support.accounts import PASSWORD, make_user
from tests.support.fixity import corpus, local_object_path

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def site(container):  # noqa: ANN001, ANN201
    from archive.app import create_app

    ids = corpus(container)
    run_pass(container, by="test")
    make_user(container, "quantri", "admin", "TINH", clearance=2)
    make_user(container, "kiemtra", "auditor", "TINH")
    make_user(container, "hr.q1", "hr_officer", "Q1")
    return create_app(container=container), ids


def login(app, username: str) -> TestClient:  # noqa: ANN001
    client = TestClient(app)
    token = CSRF.search(client.get("/dang-nhap").text).group(1)
    r = client.post("/dang-nhap", data={"username": username, "password": PASSWORD, "csrf": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def test_the_fixity_page_shows_coverage_damage_and_the_csv_to_province_admins_and_auditors(site, container) -> None:
    app, ids = site
    doc = get_document(container, SYSTEM, ids[1])
    path = local_object_path(container, "originals", doc.sha256)
    path.chmod(0o644)
    path.unlink()  # lost, and no backup configured
    admin = login(app, "quantri")
    r = admin.post(f"/ho-so/NV002/tai-lieu/{ids[1]}/kiem-tra-tep", data={"csrf": CSRF.search(admin.get("/ho-so/NV002").text).group(1)},
                   follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"#doc-fixity-{ids[1]}")
    page = admin.get(r.headers["location"].split("#")[0]).text
    assert "lỗi toàn vẹn" in page and doc.sha256 in page and 'data-integrity="error"' in page
    for user in ("quantri", "kiemtra"):
        html = login(app, user).get("/quan-tri/toan-ven").text
        assert "Kiểm tra toàn vẹn" in html and "data-fixity-alert=\"1\"" in html and doc.sha256 in html
        assert ("Kiểm tra ngay" in html) is (user == "quantri")  # auditors read; admins start passes
    csv_r = admin.get("/quan-tri/toan-ven/bao-cao.csv")
    assert csv_r.status_code == 200 and "integrity_error" in csv_r.text and "attachment" in csv_r.headers["content-disposition"]
    run = admin.post("/quan-tri/toan-ven/chay", data={"csrf": CSRF.search(admin.get("/quan-tri/toan-ven").text).group(1)},
                     follow_redirects=False)
    assert run.status_code == 303


def test_a_district_officer_checks_a_file_in_scope_but_not_the_report(site, container) -> None:
    app, ids = site
    hr = login(app, "hr.q1")
    dossier = hr.get("/ho-so/NV001").text
    assert "Kiểm tra tệp" in dossier and get_document(container, SYSTEM, ids[0]).sha256 in dossier
    assert "/quan-tri/toan-ven" not in dossier  # no link to a report they may not read
    token = CSRF.search(dossier).group(1)
    r = hr.post(f"/ho-so/NV001/tai-lieu/{ids[0]}/kiem-tra-tep", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    assert "nguyên vẹn" in hr.get("/ho-so/NV001").text
    assert hr.post(f"/ho-so/NV002/tai-lieu/{ids[1]}/kiem-tra-tep", data={"csrf": token}).status_code == 404
    assert hr.post(f"/ho-so/NV001/tai-lieu/{ids[0]}/kiem-tra-tep", data={}).status_code == 403  # no CSRF token
    assert hr.get("/quan-tri/toan-ven").status_code == 403
