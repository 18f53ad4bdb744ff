"""Search finds people (issue 21), through the API, the web export and the CLI, on both engines.

World: TINH → QA → PA; TINH → QB. Trần Văn Đức (QA) died and has no document; Nguyễn Thị Hương
(PA) retired and has one decision of seven pages; Phan Văn Bình (QB) is out of QA's scope.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from archive.app import create_app
from archive.bootstrap import build
from archive.cli import app as cli_app
from archive.domain import INDEX_KIND
from archive.models import AuditEntry
from archive.services.access import SYSTEM
from search import PAGES_PER_PERSON
from archive.services.accounts import grant_role, restrict_role
from archive.services.catalogs import seed_catalogs
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import logged_in, make_user, web_logged_in
from tests.support.documents import born_digital_pdf
from tests.support.inline_queue import InlineQueue

SEVEN_PAGES = ["QUYẾT ĐỊNH về việc nâng bậc lương thường xuyên", "đối với bà Nguyễn Thị Hương, chuyên viên"]


@pytest.fixture(params=["tantivy", "elasticsearch"])
def archive(request, settings):
    """An embedded archive on tantivy, or the same with a real Elasticsearch as its index."""
    if request.param == "tantivy":
        c = build(settings, queue=InlineQueue())
    else:
        url = request.getfixturevalue("elasticsearch_url")
        c = build(settings.model_copy(update={"search_url": f"{url}?prefix=people-{uuid.uuid4().hex[:10]}"}),
                  queue=InlineQueue())
    c.queue.bind(c)
    try:
        seed_catalogs(c)
        add_unit(c, SYSTEM, code="TINH", name="Ủy ban nhân dân tỉnh")
        for code, name, parent in (("QA", "UBND quận A", "TINH"), ("PA", "UBND phường A1", "QA"),
                                   ("QB", "UBND quận B", "TINH")):
            add_unit(c, SYSTEM, code=code, name=name, parent_code=parent)
        add_staff(c, SYSTEM, code="NV001", full_name="Trần Văn Đức", unit_code="QA", status="tu_tran",
                  birth_date=date(1950, 2, 3), grade_code="01.003")
        add_staff(c, SYSTEM, code="NV002", full_name="Nguyễn Thị Hương", unit_code="PA", status="nghi_huu",
                  birth_date=date(1962, 10, 10), grade_code="01.002")
        add_staff(c, SYSTEM, code="NV003", full_name="Phan Văn Bình", unit_code="QB", status="tu_tran")
        ingest_upload(c, SYSTEM, staff_code="NV002", file_name="nang-luong.pdf", document_type="quyet_dinh_nang_luong",
                      stream=io.BytesIO(born_digital_pdf(SEVEN_PAGES, pages=7)))
        ingest_upload(c, SYSTEM, staff_code="NV003", file_name="qd.pdf",
                      stream=io.BytesIO(born_digital_pdf(["Quyết định nâng bậc lương ông Phan Văn Bình"])))
        c.queue.wake(INDEX_KIND)
        c.queue.drain()
        make_user(c, "hr_qa", "hr_officer", "QA")
        yield c
    finally:
        if request.param == "elasticsearch":
            c.index.drop()
        c.close()


@pytest.fixture
def api(archive):
    return logged_in(create_app(container=archive), "hr_qa")


def _codes(body: dict) -> list[str]:
    return [h["staff_code"] for h in body["hits"]]


def test_a_deceased_person_without_documents_is_found_by_name_code_and_status_alone(api):
    by_name = api.get("/api/v1/search", params={"q": "tran van duc"}).json()
    assert by_name["group"] == "staff" and _codes(by_name) == ["NV001"]
    hit = by_name["hits"][0]
    assert (hit["full_name"], hit["birth_date"], hit["unit"], hit["status"]) == ("Trần Văn Đức", "1950-02-03", "QA",
                                                                                   "tu_tran")
    assert (hit["match_count"], hit["matched"], hit["record_matched"]) == (0, [], True)
    assert _codes(api.get("/api/v1/search", params={"q": "nv001"}).json()) == ["NV001"]
    deceased = api.get("/api/v1/search", params={"status": "tu_tran"}).json()
    assert _codes(deceased) == ["NV001"] and deceased["total"] == 1  # NV003 is out of QA's scope
    assert deceased["facets"]["status"] == {"tu_tran": 1}


def test_a_person_with_seven_matching_pages_is_one_hit_and_facets_count_people(api):
    body = api.get("/api/v1/search", params={"q": "nang bac luong"}).json()
    assert body["total"] == 1 and _codes(body) == ["NV002"]
    [hit] = body["hits"]
    assert hit["match_count"] == 7 and len(hit["matched"]) == PAGES_PER_PERSON == 2
    assert all("<mark>nâng</mark>" in m["snippet"] for m in hit["matched"])
    assert body["facets"]["status"] == {"nghi_huu": 1} and body["facets"]["document_type"] == {
        "quyet_dinh_nang_luong": 1}
    pages = api.get("/api/v1/search", params={"q": "nang bac luong", "group": "page"}).json()
    assert pages["group"] == "page" and pages["total"] == 7 and pages["facets"]["status"] == {"nghi_huu": 7}


def test_a_typo_finds_the_person_and_nothing_gives_close_names(api):
    assert _codes(api.get("/api/v1/search", params={"q": "huongg"}).json()) == ["NV002"]
    assert _codes(api.get("/api/v1/search", params={"q": "nguyen thi hu0ng"}).json()) == ["NV002"]
    nobody = api.get("/api/v1/search", params={"q": "Trần Văn Đứcc Huyy"}).json()
    assert nobody["total"] == 0 and nobody["suggestions"][:1] == ["Trần Văn Đức"]
    assert "Phan Văn Bình" not in api.get("/api/v1/search/suggestions", params={"q": "Phan Van Binhh"}).json()


def test_a_reversed_birth_year_range_is_an_error_not_zero_results(api):
    r = api.get("/api/v1/search", params={"q": "nguyen", "birth_year_from": 1990, "birth_year_to": 1960})
    assert r.status_code == 422 and "ngược" in r.json()["detail"]


def test_the_export_has_one_row_per_person_and_is_audited_once(archive):
    web = web_logged_in(create_app(container=archive), "hr_qa")

    def entries(action: str) -> int:
        with archive.uow() as uow:
            return uow.session.scalar(select(func.count()).where(AuditEntry.action == action,
                                                                 AuditEntry.actor == "hr_qa"))

    searches = entries("search")
    r = web.get("/tra-cuu/xuat.csv", params={"trang_thai": ["tu_tran", "nghi_huu"]})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["STT", "Mã cán bộ", "Họ và tên", "Ngày sinh"]
    by_code = {row[1]: row for row in rows[1:]}
    assert set(by_code) == {"NV001", "NV002"}  # people in QA's scope, one row each
    assert by_code["NV002"][3] == "10/10/1962" and by_code["NV002"][5] == "Chuyên viên chính (01.002)"
    assert by_code["NV002"][6] == "Nghỉ hưu" and by_code["NV002"][8] == "1" and by_code["NV001"][8] == "0"
    assert entries("export") == 1 and entries("search") == searches  # one entry per export, no search entries
    with archive.uow() as uow:
        details = uow.session.scalars(select(AuditEntry.details).where(AuditEntry.action == "export")).one()
    assert details["rows"] == 2 and details["filters"] == {"status": ["tu_tran", "nghi_huu"]}


def test_a_saved_search_reruns_with_the_owners_scope_of_today(archive, api):
    saved = api.post("/api/v1/saved-searches", json={"name": "Đã nghỉ", "status": ["tu_tran", "nghi_huu"]})
    assert saved.status_code == 201, saved.text
    run = api.get(f"/api/v1/saved-searches/{saved.json()['id']}/run").json()
    assert sorted(_codes(run)) == ["NV001", "NV002"]
    # the owner moves down to the ward: the same saved search now sees the ward only
    grant_role(archive, SYSTEM, "hr_qa", role="hr_officer", scope_code="PA")
    restrict_role(archive, SYSTEM, "hr_qa", role="hr_officer", scope_code="QA")
    assert _codes(api.get(f"/api/v1/saved-searches/{saved.json()['id']}/run").json()) == ["NV002"]
    make_user(archive, "hr_qb", "hr_officer", "QB")
    other = logged_in(create_app(container=archive), "hr_qb")
    assert other.get(f"/api/v1/saved-searches/{saved.json()['id']}/run").status_code == 404  # private
    assert other.get("/api/v1/saved-searches").json() == []


def test_the_staff_list_browses_records_in_vietnamese_name_order(api):
    body = api.get("/api/v1/staff", params={"sort": "name"}).json()
    assert _codes(body) == ["NV001", "NV002"] and body["total"] == 2  # Đức before Hương; Bình out of scope
    assert api.get("/api/v1/staff", params={"status": "nghi_huu"}).json()["total"] == 1
    assert _codes(api.get("/api/v1/staff", params={"unit": "PA"}).json()) == ["NV002"]
    assert _codes(api.get("/api/v1/staff", params={"birth_year_from": 1960, "birth_year_to": 1970}).json()) == ["NV002"]
    assert _codes(api.get("/api/v1/staff", params={"sort": "birth_date"}).json()) == ["NV001", "NV002"]
    assert [h["staff_code"] for h in api.get("/api/v1/search/autocomplete", params={"q": "ngu"}).json()] == ["NV002"]


def test_the_cli_groups_by_person_and_lists_staff(archive, monkeypatch):
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(archive.settings.data_dir))
    monkeypatch.setenv("ARCHIVE_SEARCH_URL", archive.settings.search_url)
    runner = CliRunner()
    grouped = runner.invoke(cli_app, ["search", "nang bac luong", "--json"])
    assert grouped.exit_code == 0, grouped.output
    body = json.loads(grouped.output)
    assert body["group"] == "staff" and {h["staff_code"]: h["match_count"] for h in body["hits"]} == {"NV002": 7,
                                                                                                       "NV003": 1}
    pages = json.loads(runner.invoke(cli_app, ["search", "nang bac luong", "--group", "page", "--json"]).output)
    assert pages["total"] == 8
    text = runner.invoke(cli_app, ["search", "tran van duc"]).output
    assert "1 cán bộ khớp" in text and "NV001 Trần Văn Đức" in text
    listed = runner.invoke(cli_app, ["staff", "list", "--status", "tu_tran", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [h["staff_code"] for h in json.loads(listed.output)["hits"]] == ["NV003", "NV001"]  # Bình, Đức
