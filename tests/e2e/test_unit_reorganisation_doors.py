"""Tổ chức lại đơn vị through the doors: `archive unit rename|move|merge|dissolve|history` and the API."""

from __future__ import annotations

import pytest

from archive.app import create_app
from archive.services.access import SYSTEM
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import logged_in, make_user
from tests.support.processes import cli, cli_json, service_env

QD = {"decision_ref": "15/QĐ-UBND", "decision_date": "2026-11-20", "effective_date": "2026-12-01"}


def test_operator_reorganises_units_from_the_command_line(tmp_path):
    env = service_env(tmp_path / "data", admin_password="khoi-tao-2026")
    assert cli(env, "init").returncode == 0
    for code, parent in (("HA", "TINH"), ("HB", "TINH"), ("XA", "HA"), ("XE", "HB")):
        assert cli(env, "unit", "add", code, "--name", f"UBND {code}", "--parent", parent).returncode == 0
    assert cli(env, "staff", "add", "--code", "NV1", "--name", "Trần Văn Đức", "--unit", "HA").returncode == 0

    r = cli(env, "unit", "rename", "HA", "--name", "UBND thị xã A", "--decision", "15/QĐ-UBND")
    assert r.returncode == 0 and "UBND thị xã A" in r.stdout, r.stderr
    cycle = cli(env, "unit", "move", "HA", "--parent", "XA", "--decision", "16/QĐ-UBND")
    assert cycle.returncode == 1 and "cấp dưới" in cycle.stderr and "Traceback" not in cycle.stderr
    bad_day = cli(env, "unit", "merge", "HA", "--into", "HB", "--decision", "1", "--effective", "hôm nay")
    assert bad_day.returncode == 2 and "YYYY-MM-DD" in bad_day.stderr
    refused = cli(env, "unit", "dissolve", "HA", "--decision", "17/QĐ-UBND")
    assert refused.returncode == 1 and "kế thừa" in refused.stderr

    merged = cli_json(env, "unit", "merge", "HA", "--into", "HB", "--decision", "18/QĐ-UBND",
                      "--effective", "2026-12-01", "--json")
    assert merged["successor_code"] == "HB" and merged["details"]["staff"] == ["NV1"]
    assert merged["details"]["children"] == ["XA"]
    r = cli(env, "unit", "dissolve", "XE", "--decision", "19/QĐ-UBND")
    assert r.returncode == 0, r.stderr
    kinds = [(e["kind"], e["unit_code"]) for e in cli_json(env, "unit", "history", "HA", "--json")]
    assert kinds == [("rename", "HA"), ("merge", "HA")]
    assert [e["unit_code"] for e in cli_json(env, "unit", "history", "HB", "--json")] == ["HA"]
    again = cli(env, "unit", "rename", "HA", "--name", "Khác", "--decision", "20/QĐ-UBND")
    assert again.returncode == 1 and "sáp nhập" in again.stderr


@pytest.fixture
def app(container):
    for code, parent in (("HA", "TINH"), ("HB", "TINH"), ("HC", "TINH")):
        add_unit(container, SYSTEM, code=code, name=f"UBND {code}", parent_code=parent)
    add_staff(container, SYSTEM, code="NV1", full_name="Trần Văn Đức", unit_code="HA")
    make_user(container, "qt.tinh", "admin", "TINH")
    make_user(container, "qt.hb", "admin", "HB")
    make_user(container, "hr.hb", "hr_officer", "HB")
    container.queue.drain()
    return create_app(container=container)


def test_api_merges_a_unit_and_its_staff_are_found_under_the_successor(app):
    admin, hb_admin, hr = logged_in(app, "qt.tinh"), logged_in(app, "qt.hb"), logged_in(app, "hr.hb")
    assert hr.get("/api/v1/staff/NV1").status_code == 404

    beyond = hb_admin.post("/api/v1/units/HA/merge", json={**QD, "into": "HB"})  # HA is outside qt.hb's scope
    assert beyond.status_code in (403, 404)
    no_decision = admin.post("/api/v1/units/HA/merge", json={**QD, "decision_ref": " ", "into": "HB"})
    assert no_decision.status_code == 422 and "quyết định" in no_decision.json()["detail"]
    assert admin.get("/api/v1/units/HA/history").json() == []

    r = admin.post("/api/v1/units/HA/merge", json={**QD, "into": "HB"})
    assert r.status_code == 200, r.text
    assert r.json()["details"]["staff"] == ["NV1"] and r.json()["effective_date"] == "2026-12-01"
    assert hr.get("/api/v1/staff/NV1").status_code == 200  # the successor's officer reads the record
    assert [e["kind"] for e in hr.get("/api/v1/units/HA/history").json()] == ["merge"]

    renamed = admin.post("/api/v1/units/HC/rename", json={**QD, "name": "UBND phường C"})
    assert renamed.status_code == 200 and renamed.json()["old_name"] == "UBND HC"
    moved = admin.post("/api/v1/units/HC/move", json={**QD, "parent_code": "HB"})
    assert moved.status_code == 200 and moved.json()["new_parent_code"] == "HB"
    cycle = admin.post("/api/v1/units/HB/move", json={**QD, "parent_code": "HC"})
    assert cycle.status_code == 422
    dissolved = admin.post("/api/v1/units/HB/dissolve", json=QD)
    assert dissolved.status_code == 409  # it holds records and a child unit now
    assert admin.post("/api/v1/units/KHONG/rename", json={**QD, "name": "x"}).status_code == 404
