"""Cần xem lại through every door (in-process): the dossier shows a flagged document amber with its
reasons instead of green, the review list page filters and marks pages reviewed (CSRF, audited), the
API and the CLI answer the same, and bad filters are refused in Vietnamese with nothing changed."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from archive.app import create_app
from archive.cli import app as cli_app
from archive.models import AuditEntry, Page
from archive.services.access import SYSTEM
from archive.services.declarations import acting_as
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import csrf_of, logged_in, make_user, web_logged_in
from tests.support.documents import png_bytes
from tests.support.review_pages import blank_page


@pytest.fixture
def office(container, tesseract):
    add_unit(container, SYSTEM, code="PNV", name="Phòng Nội vụ", parent_code="TINH")
    add_unit(container, SYSTEM, code="PTC", name="Phòng Tài chính", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV001", full_name="Trương Thị Quỳnh Hoa", unit_code="PNV")
    add_staff(container, SYSTEM, code="NV002", full_name="Lê Văn Tài", unit_code="PTC")
    make_user(container, "vtpnv", "archivist", "PNV")
    make_user(container, "vtptc", "archivist", "PTC")
    docs = {}
    for user, code, name in (("vtpnv", "NV001", "trang-trang.png"), ("vtptc", "NV002", "to-trang.png")):
        out = ingest_upload(container, acting_as(container, user, via="test"), staff_code=code,
                            stream=io.BytesIO(png_bytes(blank_page() if code == "NV001" else blank_page().rotate(90, expand=True))),
                            file_name=name)
        docs[code] = out.document.id
    container.queue.drain()  # blank pages: one quick tesseract run each
    container.docs = docs
    return container


def _reviewed(c) -> int:
    with c.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Page).where(Page.reviewed_at.is_not(None)))


def test_the_dossier_shows_amber_needs_review_with_the_reason_until_someone_looked(office):
    app = create_app(container=office)
    web = web_logged_in(app, "vtpnv")
    page = web.get("/ho-so/NV001").text
    assert 'class="state state-needs_review"' in page and "Cần xem lại" in page
    assert "Trang 1: gần như trắng" in page and "state-indexed" not in page
    [watched] = web.get("/tai-len/trang-thai", params={"id": office.docs["NV001"]}).json()["documents"]
    assert (watched["state"], watched["label"], watched["error"], watched["final"]) == (
        "needs_review", "Cần xem lại", "Trang 1: gần như trắng", True)
    recent = web.get("/tai-len/gan-day").text
    assert "state-needs_review" in recent and "Trang 1: gần như trắng" in recent and "to-trang.png" not in recent
    listing = web.get("/trang-can-xem-lai")
    assert listing.status_code == 200 and "trang-trang.png" in listing.text
    assert "to-trang.png" not in listing.text, "another unit's page is out of scope"
    page_id = int(listing.text.split('data-page-id="')[1].split('"')[0])
    no_csrf = web.post(f"/trang-can-xem-lai/{page_id}/da-xem", data={}, follow_redirects=False)
    assert no_csrf.status_code in (400, 403) and _reviewed(office) == 0
    r = web.post(f"/trang-can-xem-lai/{page_id}/da-xem", data={"csrf": csrf_of(listing.text)}, follow_redirects=True)
    assert r.status_code == 200 and "Đã đánh dấu đã xem trang 1" in r.text and "Không có trang nào cần xem lại" in r.text
    assert _reviewed(office) == 1
    after = web.get("/ho-so/NV001").text
    assert "state-needs_review" not in after and "state-indexed" in after
    again = web.post(f"/trang-can-xem-lai/{page_id}/da-xem", data={"csrf": csrf_of(listing.text)})
    assert again.status_code == 409 and "đã được vtpnv đánh dấu đã xem" in again.text


def test_the_review_list_filters_by_unit_uploader_and_batch_and_refuses_bad_ones(office):
    web = web_logged_in(create_app(container=office), "vtpnv")
    make_user(office, "qtv", "admin", "TINH")
    admin = web_logged_in(create_app(container=office), "qtv")
    both = admin.get("/trang-can-xem-lai").text
    assert "trang-trang.png" in both and "to-trang.png" in both
    assert "/trang-can-xem-lai" in admin.get("/tai-len").text and "/trang-can-xem-lai" in admin.get("/tai-len/gan-day").text
    only_ptc = admin.get("/trang-can-xem-lai", params={"don_vi": "PTC"}).text
    assert "to-trang.png" in only_ptc and "trang-trang.png" not in only_ptc
    by_uploader = admin.get("/trang-can-xem-lai", params={"nguoi_tai": "vtpnv"}).text
    assert "trang-trang.png" in by_uploader and "to-trang.png" not in by_uploader
    assert "Không có trang nào" in admin.get("/trang-can-xem-lai", params={"lo": "7"}).text
    bad = web.get("/trang-can-xem-lai", params={"lo": "abc"})
    assert bad.status_code == 422 and "Số lô tiếp nhận phải là một số nguyên dương" in bad.text
    unknown = admin.get("/trang-can-xem-lai", params={"don_vi": "KHONGCO"})
    assert unknown.status_code == 422 and "Không có đơn vị mã" in unknown.text


def test_the_api_lists_and_marks_pages_and_refuses_bad_input_in_vietnamese(office):
    api = logged_in(create_app(container=office), "vtptc")
    r = api.get("/api/v1/review/pages")
    assert r.status_code == 200, r.text
    [row] = r.json()["pages"]
    assert (row["file_name"], row["reason"], row["uploader"], row["unit_code"]) == (
        "to-trang.png", "Trang 1: gần như trắng", "vtptc", "PTC")
    assert api.get("/api/v1/review/pages", params={"unit": "KHONGCO"}).status_code == 422
    other = logged_in(create_app(container=office), "vtpnv").get("/api/v1/review/pages").json()["pages"]
    assert api.post(f"/api/v1/review/pages/{other[0]['page_id']}/done").status_code == 404  # out of scope
    assert _reviewed(office) == 0
    done = api.post(f"/api/v1/review/pages/{row['page_id']}/done")
    assert done.status_code == 200 and done.json()["page_id"] == row["page_id"]
    assert api.get("/api/v1/review/pages").json()["pages"] == []
    again = api.post(f"/api/v1/review/pages/{row['page_id']}/done")
    assert again.status_code == 409 and "đã được vtptc đánh dấu đã xem" in again.json()["detail"]


def test_the_cli_lists_and_marks_pages(office, monkeypatch):
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(office.settings.data_dir))
    monkeypatch.setenv("ARCHIVE_SEARCH_URL", office.settings.search_url)
    cli = CliRunner()
    r = cli.invoke(cli_app, ["review", "list", "--unit", "PNV"])
    assert r.exit_code == 0, r.output
    assert "trang-trang.png" in r.output and "Trang 1: gần như trắng" in r.output and "to-trang.png" not in r.output
    rows = json.loads(cli.invoke(cli_app, ["review", "list", "--json"]).output)["pages"]
    assert {p["file_name"] for p in rows} == {"trang-trang.png", "to-trang.png"}
    bad = cli.invoke(cli_app, ["review", "list", "--unit", "KHONGCO"])
    assert bad.exit_code != 0 and "Không có đơn vị mã" in bad.output and "Traceback" not in bad.output
    ok = cli.invoke(cli_app, ["review", "done", str(rows[0]["page_id"])])
    assert ok.exit_code == 0 and "Đã đánh dấu đã xem trang 1" in ok.output
    twice = cli.invoke(cli_app, ["review", "done", str(rows[0]["page_id"])])
    assert twice.exit_code != 0 and "đánh dấu đã xem" in twice.output
    assert cli.invoke(cli_app, ["review", "done", "999999"]).exit_code != 0
    with office.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.action == "page.review_done")) == 1
