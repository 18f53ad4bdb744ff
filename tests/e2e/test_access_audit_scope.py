"""Auditors read only the part of the audit log their scope covers, through the API and the web page.

World: TINH → Q1 → Q1.NV; TINH → Q2. Q1NV01 works in Q1.NV, Q2NV01 in Q2, Q1MAT (secret,
restriction 2) in Q1; each has one document. HR officers of Q1, Q2, the province (homed in Q1)
and a cleared Q1 officer read and search; auditors of Q1 (clearance 0) and of the province
(clearance 2) browse. Nothing about Q2's records, the province officer's or the cleared
officer's searches, or the secret record may reach the Q1 auditor, whatever the filters or pages.
The filter is SQL (casts, JSON details, subqueries): it runs on SQLite and on a real PostgreSQL.
"""

import io
import json

import pytest

from archive.app import create_app
from archive.bootstrap import build
from archive.db import migrate
from archive.services import audit
from archive.services.access import SYSTEM
from archive.services.catalogs import seed_catalogs
from archive.settings import Settings
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import logged_in, make_user, web_logged_in
from tests.support.databases import fresh_postgres_database
from tests.support.documents import born_digital_pdf
from tests.support.inline_queue import InlineQueue

Q2_TERM = "bi mat quan hai"
PROVINCE_TERM = "tuyen dung toan tinh"
CLEARED_TERM = "ho so mat quan mot"
Q1_TERM = "tuyen dung quan mot"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.engines)])
def archive(request, tmp_path):
    """An archive with the root unit TINH, on the embedded database or on a real PostgreSQL."""
    if request.param == "sqlite":
        yield request.getfixturevalue("container")
        return
    settings = Settings(data_dir=tmp_path / "pg-data",
                        database_url=fresh_postgres_database(request.getfixturevalue("postgres_url")))
    settings.data_dir.mkdir(parents=True)
    migrate(settings.database_url)
    c = build(settings, queue=InlineQueue())
    c.queue.bind(c)
    seed_catalogs(c)
    add_unit(c, SYSTEM, code="TINH", name="Ủy ban nhân dân tỉnh")
    yield c
    c.close()


@pytest.fixture
def world(archive):
    container = archive
    for code, parent in (("Q1", "TINH"), ("Q1.NV", "Q1"), ("Q2", "TINH")):
        add_unit(container, SYSTEM, code=code, name=f"Đơn vị {code}", parent_code=parent)
    docs = {}
    for code, name, unit, level in (("Q1NV01", "Phan Văn Anh", "Q1.NV", 0), ("Q2NV01", "Lê Văn Cường", "Q2", 0),
                                    ("Q1MAT", "Trịnh Văn Mật", "Q1", 2)):
        add_staff(container, SYSTEM, code=code, full_name=name, unit_code=unit, restriction_level=level)
        pdf = born_digital_pdf([f"Sơ yếu lý lịch của {name}", "Quyết định tuyển dụng công chức"])
        docs[code] = ingest_upload(container, SYSTEM, staff_code=code, stream=io.BytesIO(pdf),
                                   file_name="a.pdf").document.id
    container.queue.drain()
    make_user(container, "hr.q1", "hr_officer", "Q1")
    make_user(container, "hr.q2", "hr_officer", "Q2")
    make_user(container, "hr.tinh", "hr_officer", "Q1", scope="TINH")  # province-wide, homed in Q1
    make_user(container, "hr.q1.mat", "hr_officer", "Q1", clearance=2)
    make_user(container, "kt.q1", "auditor", "Q1")
    make_user(container, "kt.tinh", "auditor", "TINH", clearance=2)
    make_user(container, "kt.tinh.0", "auditor", "TINH")  # the whole province, clearance 0
    app = create_app(container=container)
    for user, staff, term in (("hr.q1", "Q1NV01", Q1_TERM), ("hr.q2", "Q2NV01", Q2_TERM),
                              ("hr.tinh", "Q2NV01", PROVINCE_TERM), ("hr.q1.mat", "Q1MAT", CLEARED_TERM)):
        client = logged_in(app, user)
        assert client.get(f"/api/v1/staff/{staff}").status_code == 200
        assert client.get(f"/api/v1/documents/{docs[staff]}/text").status_code == 200
        assert client.get("/api/v1/search", params={"q": term}).status_code == 200
    return app, docs


def _entries(client, **params) -> list[dict]:
    r = client.get("/api/v1/audit", params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_scoped_auditor_sees_entries_about_records_and_users_in_scope_only(world):
    app, docs = world
    entries = _entries(logged_in(app, "kt.q1"))
    text = json.dumps(entries, ensure_ascii=False)
    for hidden in ("Q2NV01", "Q1MAT", Q2_TERM, PROVINCE_TERM, CLEARED_TERM, "hr.q2", "hr.tinh", "hr.q1.mat"):
        assert hidden not in text, hidden
    about = {(e["action"], e["target_type"], e["target_id"]) for e in entries}
    assert ("staff.view", "staff", "Q1NV01") in about
    assert ("document.view", "document", str(docs["Q1NV01"])) in about
    assert ("login.success", "user", "hr.q1") in about
    assert not {("document.view", "document", str(docs[c])) for c in ("Q2NV01", "Q1MAT")} & about
    searches = [e for e in entries if e["action"] == "search"]
    assert [(e["actor"], e["details"]["q"]) for e in searches] == [("hr.q1", Q1_TERM)]


def test_filters_for_out_of_scope_targets_find_nothing(world):
    app, docs = world
    kt = logged_in(app, "kt.q1")
    assert _entries(kt, target_type="staff", target_id="Q2NV01") == []
    assert _entries(kt, target_type="document", target_id=str(docs["Q2NV01"])) == []
    assert _entries(kt, target_type="staff", target_id="Q1MAT") == [], "above the auditor's clearance"
    assert _entries(kt, target_type="user", target_id="hr.tinh") == []
    assert _entries(kt, user="hr.q2") == [], "hr.q2 only touched Q2"
    assert _entries(kt, user="hr.tinh") == [], "the province officer only read Q2 and searched"
    assert {e["target_id"] for e in _entries(kt, target_type="staff", target_id="Q1NV01")} == {"Q1NV01"}


def test_pages_of_the_log_are_cut_after_filtering(world):
    app, _docs = world
    kt = logged_in(app, "kt.q1")
    views = _entries(kt, action="document.view")
    assert len(views) == 1
    assert _entries(kt, action="document.view", limit=1, offset=0) == views
    assert _entries(kt, action="document.view", limit=1, offset=1) == [], "no page holds hidden entries"


def test_province_auditor_with_full_clearance_sees_everything(world):
    app, docs = world
    entries = _entries(logged_in(app, "kt.tinh"))
    text = json.dumps(entries, ensure_ascii=False)
    for term in (Q1_TERM, Q2_TERM, PROVINCE_TERM, CLEARED_TERM, "Q2NV01", "Q1MAT"):
        assert term in text, term
    assert str(docs["Q2NV01"]) in {e["target_id"] for e in entries if e["target_type"] == "document"}


def test_web_audit_page_is_filtered_like_the_api(world):
    app, _docs = world
    kt = web_logged_in(app, "kt.q1")
    page = kt.get("/kiem-tra").text
    assert "Q1NV01" in page and Q1_TERM in page
    for hidden in ("Q2NV01", "Q1MAT", Q2_TERM, PROVINCE_TERM, CLEARED_TERM):
        assert hidden not in page, hidden
    targeted = kt.get("/kiem-tra", params={"loai": "staff", "ma": "Q2NV01"}).text
    assert "Không có mục nào phù hợp." in targeted


def test_entries_about_a_document_no_longer_stored_follow_the_staff_code_they_recorded(world, archive):
    app, _docs = world
    with archive.uow() as uow:
        for doc_id, staff in (("9001", "Q1NV01"), ("9002", "Q2NV01"), ("9003", None)):
            audit.append(uow.session, actor="system", action="document.view", target_type="document",
                         target_id=doc_id, details={"staff": staff} if staff else {})
        uow.commit()
    kt = logged_in(app, "kt.q1")
    assert [e["details"] for e in _entries(kt, target_type="document", target_id="9001")] == [{"staff": "Q1NV01"}]
    assert _entries(kt, target_type="document", target_id="9002") == []
    assert _entries(kt, target_type="document", target_id="9003") == [], "unattributable: the province's only"
    for auditor in ("kt.tinh", "kt.tinh.0"):
        province = logged_in(app, auditor)
        found = [len(_entries(province, target_type="document", target_id=i)) for i in ("9001", "9002", "9003")]
        assert found == [1, 1, 1], auditor


def test_province_auditor_without_clearance_sees_all_units_but_not_secret_records(world):
    app, docs = world
    entries = _entries(logged_in(app, "kt.tinh.0"))
    text = json.dumps(entries, ensure_ascii=False)
    for seen in ("Q1NV01", "Q2NV01", Q1_TERM, Q2_TERM, PROVINCE_TERM):
        assert seen in text, seen
    for hidden in ("Q1MAT", CLEARED_TERM, "hr.q1.mat"):
        assert hidden not in text, hidden
    assert str(docs["Q1MAT"]) not in {e["target_id"] for e in entries if e["target_type"] == "document"}
