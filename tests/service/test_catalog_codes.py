"""Catalog codes (mã danh mục) are enforced in the API and the CLI; history rows after creation are
added, edited and removed through both, each change audited with before and after."""

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from archive.app import create_app
from archive.cli import app as cli_app
from archive.errors import InvalidInput
from archive.models import AuditEntry, Staff, StaffHistory
from archive.services.access import SYSTEM
from archive.services.catalogs import upsert_entry
from archive.services.staff import add_staff, get_staff, update_staff
from tests.support.accounts import logged_in, make_user


@pytest.fixture
def api(container):
    make_user(container, "hr_codes", "hr_officer", "TINH", clearance=2)
    return logged_in(create_app(container=container), "hr_codes")


@pytest.fixture
def cli(container, monkeypatch):
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(container.settings.data_dir))
    monkeypatch.setenv("ARCHIVE_SEARCH_URL", container.settings.search_url)
    return CliRunner()


def _body(**kw):
    return {"code": "NV500", "full_name": "Lò Văn Minh", "unit_code": "TINH", "birth_date": "1975-01-02", **kw}


def _staff_rows(container) -> int:
    with container.uow() as uow:
        return len(uow.session.scalars(select(Staff)).all())


def _audit(container, action: str) -> list:
    """(actor, details) of the audit entries of `action`, oldest first."""
    with container.uow() as uow:
        return [SimpleNamespace(actor=e.actor, details=e.details) for e in uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq))]


@pytest.mark.parametrize("sensitive, field", [({"ethnicity": "kinh"}, "Dân tộc"), ({"religion": "khong"}, "Tôn giáo")])
def test_the_api_refuses_names_where_catalog_codes_belong(api, container, sensitive, field):
    r = api.post("/api/v1/staff", json=_body(sensitive=sensitive))
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert field in detail and next(iter(sensitive.values())) in detail and "Danh mục" in detail
    assert _staff_rows(container) == 0  # nothing stored


def test_the_api_refuses_a_grade_that_is_not_in_the_ngach_catalog(api, container):
    r = api.post("/api/v1/staff", json=_body(grade_code="chuyenvien"))
    assert r.status_code == 422 and "Mã ngạch “chuyenvien”" in r.json()["detail"]
    assert _staff_rows(container) == 0


def test_valid_codes_pass_and_edits_are_checked_too(api, container):
    r = api.post("/api/v1/staff", json=_body(grade_code="01.003", sensitive={"ethnicity": "01", "religion": "00"}))
    assert r.status_code == 201, r.text
    assert r.json()["sensitive"] == {"ethnicity": "01", "religion": "00"}
    bad = api.patch("/api/v1/staff/NV500", json={"sensitive": {"ethnicity": "kinh"}})
    assert bad.status_code == 422 and "Dân tộc “kinh”" in bad.json()["detail"]
    assert api.patch("/api/v1/staff/NV500", json={"sensitive": {"ethnicity": "02"}}).status_code == 200
    assert get_staff(container, SYSTEM, "NV500").sensitive["ethnicity"] == "02"


def test_a_retired_code_stays_on_the_record_but_cannot_be_chosen_anew(container):
    add_staff(container, SYSTEM, code="NV501", full_name="Hà Thị Lan", unit_code="TINH", grade_code="01.004")
    upsert_entry(container, SYSTEM, "ngach", "01.004", name="Cán sự", active=False)
    update_staff(container, SYSTEM, "NV501", {"grade_code": "01.004", "full_name": "Hà Thị Lan Anh"})  # unchanged
    with pytest.raises(InvalidInput, match="Mã ngạch “01.004”"):
        add_staff(container, SYSTEM, code="NV502", full_name="Vi Văn Sơn", unit_code="TINH", grade_code="01.004")


def test_the_cli_refuses_names_with_a_vietnamese_message_and_a_non_zero_exit(cli, container):
    r = cli.invoke(cli_app, ["staff", "add", "--code", "NV600", "--name", "Đinh Thị Hoa", "--unit", "TINH",
                             "--grade", "chuyenvien"])
    assert r.exit_code == 1 and "Mã ngạch “chuyenvien” không phải mã trong danh mục" in r.output
    assert _staff_rows(container) == 0
    ok = cli.invoke(cli_app, ["staff", "add", "--code", "NV600", "--name", "Đinh Thị Hoa", "--unit", "TINH",
                              "--grade", "01.003"])
    assert ok.exit_code == 0, ok.output
    for pair, field in (("ethnicity=kinh", "Dân tộc “kinh”"), ("religion=khong", "Tôn giáo “khong”")):
        r = cli.invoke(cli_app, ["staff", "edit", "NV600", "--set", pair])
        assert r.exit_code == 1 and field in r.output and "Traceback" not in r.output
    r = cli.invoke(cli_app, ["staff", "edit", "NV600", "--set", "ethnicity=01", "--set", "religion=00", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["sensitive"] == {"ethnicity": "01", "religion": "00"}


def test_history_rows_are_added_edited_and_removed_through_the_api_with_audit(api, container):
    assert api.post("/api/v1/staff", json=_body()).status_code == 201
    r = api.post("/api/v1/staff/NV500/history", json={"kind": "khen_thuong", "from_date": "2020-12-01",
                                                      "summary": "Bằng khen của UBND tỉnh"})
    assert r.status_code == 201, r.text
    row_id = r.json()["history_id"]
    assert [h["summary"] for h in r.json()["history"]] == ["Bằng khen của UBND tỉnh"]
    r = api.put(f"/api/v1/staff/NV500/history/{row_id}", json={"kind": "khen_thuong", "from_date": "2020-12-01",
                                                               "summary": "Bằng khen của Chủ tịch UBND tỉnh"})
    assert r.status_code == 200 and r.json()["history"][0]["summary"] == "Bằng khen của Chủ tịch UBND tỉnh"
    bad = api.put(f"/api/v1/staff/NV500/history/{row_id}", json={"kind": "so_thich", "summary": "x"})
    assert bad.status_code == 422 and "kind" in bad.json()["detail"]
    assert api.delete(f"/api/v1/staff/NV500/history/{row_id}").json()["history"] == []
    assert api.delete(f"/api/v1/staff/NV500/history/{row_id}").status_code == 404

    (added,), (edited,), (removed,) = (_audit(container, f"staff.history.{a}") for a in ("add", "update", "remove"))
    assert added.actor == "hr_codes" and added.details["before"] is None
    assert added.details["after"]["summary"] == "Bằng khen của UBND tỉnh"
    assert edited.details["before"]["summary"] == "Bằng khen của UBND tỉnh"
    assert edited.details["after"]["summary"] == "Bằng khen của Chủ tịch UBND tỉnh"
    assert removed.details["before"]["summary"] == "Bằng khen của Chủ tịch UBND tỉnh" and removed.details["after"] is None


def test_a_history_row_of_another_record_is_not_found(api, container):
    api.post("/api/v1/staff", json=_body())
    api.post("/api/v1/staff", json=_body(code="NV501", full_name="Hà Thị Lan"))
    row_id = api.post("/api/v1/staff/NV501/history", json={"kind": "ky_luat", "summary": "Khiển trách"}).json()[
        "history_id"]
    assert api.delete(f"/api/v1/staff/NV500/history/{row_id}").status_code == 404
    assert api.put(f"/api/v1/staff/NV500/history/{row_id}", json={"kind": "ky_luat"}).status_code == 404
    assert api.delete("/api/v1/staff/NV501/history/99999999999999999999").status_code == 404  # no overflow
    with container.uow() as uow:
        assert uow.session.get(StaffHistory, row_id).summary == "Khiển trách"


def test_an_archivist_may_not_change_history(container):
    add_staff(container, SYSTEM, code="NV700", full_name="Trần Văn Bình", unit_code="TINH")
    make_user(container, "vt_codes", "archivist", "TINH")
    client = logged_in(create_app(container=container), "vt_codes")
    r = client.post("/api/v1/staff/NV700/history", json={"kind": "khen_thuong", "summary": "Giấy khen"})
    assert r.status_code == 403
    assert get_staff(container, SYSTEM, "NV700").history == []


def test_the_cli_adds_edits_and_removes_history_rows(cli, container):
    add_staff(container, SYSTEM, code="NV800", full_name="Phạm Thu Trang", unit_code="TINH")
    r = cli.invoke(cli_app, ["staff", "history", "add", "NV800", "--kind", "dao_tao_boi_duong", "--from",
                             "01/09/2000", "--to", "30/06/2004", "--summary", "Luật", "--detail",
                             "school=Đại học Luật TP.HCM"])
    assert r.exit_code == 0, r.output
    (row,) = get_staff(container, SYSTEM, "NV800").history
    assert row["details"] == {"school": "Đại học Luật TP.HCM"} and row["from_date"] == "2000-09-01"
    r = cli.invoke(cli_app, ["staff", "history", "edit", "NV800", str(row["id"]), "--kind", "dao_tao_boi_duong",
                             "--from", "31/02/2000"])
    assert r.exit_code == 1 and "Từ ngày" in r.output and "Traceback" not in r.output
    r = cli.invoke(cli_app, ["staff", "history", "edit", "NV800", str(row["id"]), "--kind", "dao_tao_boi_duong",
                             "--summary", "Luật hành chính"])
    assert r.exit_code == 0, r.output
    assert get_staff(container, SYSTEM, "NV800").history[0]["summary"] == "Luật hành chính"
    assert cli.invoke(cli_app, ["staff", "history", "remove", "NV800", str(row["id"])]).exit_code == 0
    assert get_staff(container, SYSTEM, "NV800").history == []
    assert [e.details["after"] for e in _audit(container, "staff.history.remove")] == [None]


def test_the_api_keeps_the_decision_number_with_its_date(api, container):
    api.post("/api/v1/staff", json=_body())
    r = api.post("/api/v1/staff/NV500/status", json={"status": "nghi_huu", "decision": "215/QĐ-UBND",
                                                     "decision_date": "2026-11-20", "effective_date": "2026-12-01"})
    assert r.status_code == 200 and r.json()["status_decision"] == "215/QĐ-UBND ngày 20/11/2026"
