"""`archive import-staff` and the /api/v1/staff-imports API: exit codes, Vietnamese messages, dry run,
idempotent re-import, templates."""

from __future__ import annotations

import json

import pytest

from archive.services.access import SYSTEM
from archive.services.units import add_unit
from tests.support.accounts import logged_in, make_user
from tests.support.processes import cli, cli_json, service_env
from tests.support.staff_sheets import encode_tcvn3, encode_vni, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _book() -> bytes:
    return xlsx([["Mã cán bộ", "Họ và tên", "Ngày sinh", "Đơn vị"],
                 ["NV1", encode_tcvn3("Nguyễn Thị Hương"), "14/3/1968", "A"],
                 ["NV2", encode_vni("Đặng Văn Ước"), "02-09-1975", "A"]],
                {(1, 1): ".VnTime", (2, 1): "VNI-Times"})


def test_cli_dry_run_import_reimport_and_bad_input(tmp_path) -> None:
    env = service_env(tmp_path / "data")
    assert cli(env, "init").returncode == 0
    assert cli(env, "unit", "add", "A", "--name", "Phòng A", "--parent", "TINH").returncode == 0
    book = tmp_path / "ds.xlsx"
    book.write_bytes(_book())
    dry = cli_json(env, "import-staff", str(book), "--dry-run")
    assert dry["state"] == "planned" and dry["counts"]["create"] == 2
    assert cli(env, "staff", "show", "NV1").returncode == 1  # the dry run wrote nothing
    done = cli(env, "import-staff", str(book))
    assert done.returncode == 0, done.stderr
    assert "2 thêm mới" in done.stdout and "Nguyễn Thị Hương" in done.stdout and "Đặng Văn Ước" in done.stdout
    again = cli_json(env, "import-staff", str(book))
    assert again["counts"]["unchanged"] == 2 and again["counts"]["create"] == 0
    # a template by header names, then an import through it
    saved = cli(env, "import-template", "save", "Mẫu A", "--map", "Mã cán bộ=code", "--map", "Họ và tên=full_name")
    assert saved.returncode == 0 and "Đã lưu mẫu ánh xạ Mẫu A" in saved.stdout
    assert [t["name"] for t in cli_json(env, "import-template", "list")] == ["Mẫu A"]
    via = cli_json(env, "import-staff", str(book), "--template", "Mẫu A", "--dry-run")
    assert via["counts"]["unchanged"] == 2
    # bad input: exit 1, one Vietnamese line, nothing written
    for args, words in [((str(tmp_path / "none.xlsx"),), "Không tìm thấy tệp"),
                        ((str(book), "--map", "Họ và tên"), "Ánh xạ phải có dạng"),
                        ((str(book), "--map", "Họ và tên=full_name"), "Mã cán bộ"),
                        ((str(book), "--template", "Không có"), "Không có mẫu ánh xạ")]:
        r = cli(env, "import-staff", *args)
        assert r.returncode == 1 and words in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really")
    r = cli(env, "import-staff", str(junk))
    assert r.returncode == 1 and "Không đọc được tệp bảng tính" in r.stderr
    # a row with a problem: exit 2, the others imported
    bad = tmp_path / "bad.csv"
    bad.write_text("Mã cán bộ,Họ và tên,Đơn vị,Ngày sinh\nNV3,Lê Văn Cường,A,31/02/1980\nNV4,Lê Thị Dung,A,1/1/1981\n",
                   encoding="utf-8")
    r = cli(env, "import-staff", str(bad))
    assert r.returncode == 2 and "dòng 2 NV3" in r.stdout and "Ngày sinh “31/02/1980” không đọc được" in r.stdout


@pytest.fixture
def api(container):
    from archive.app import create_app

    add_unit(container, SYSTEM, code="A", name="Phòng A", parent_code="TINH")
    make_user(container, "tccb.a", "hr_officer", "A")
    make_user(container, "vanthu.a", "archivist", "A")
    return create_app(container=container)


def test_api_upload_plan_then_apply(api) -> None:
    hr = logged_in(api, "tccb.a")
    r = hr.post("/api/v1/staff-imports", files={"file": ("ds.xlsx", _book(), XLSX)})
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["counts"]["create"] == 2 and plan["state"] == "planned"
    assert {row["name"] for row in plan["rows"]} == {"Nguyễn Thị Hương", "Đặng Văn Ước"}
    assert hr.get(f"/api/v1/staff-imports/{plan['id']}").json()["id"] == plan["id"]
    done = hr.post(f"/api/v1/staff-imports/{plan['id']}/apply")
    assert done.status_code == 200 and done.json()["state"] == "applied"
    assert hr.get("/api/v1/staff/NV1").json()["full_name"] == "Nguyễn Thị Hương"
    twice = hr.post(f"/api/v1/staff-imports/{plan['id']}/apply")
    assert twice.status_code == 409 and "đã được thực hiện" in twice.json()["detail"]
    again = hr.post("/api/v1/staff-imports", files={"file": ("ds.xlsx", _book(), XLSX)}).json()
    assert again["counts"]["unchanged"] == 2


def test_api_templates_and_bad_input(api) -> None:
    hr = logged_in(api, "tccb.a")
    r = hr.put("/api/v1/staff-import-templates/Mẫu A", json={"mapping": {"Mã cán bộ": "code", "Họ và tên": "full_name"}})
    assert r.status_code == 200 and r.json()["name"] == "Mẫu A"
    assert [t["name"] for t in hr.get("/api/v1/staff-import-templates").json()] == ["Mẫu A"]
    assert any(f["field"] == "sensitive.ethnicity" for f in hr.get("/api/v1/staff-import-fields").json())
    for files, data, words in [
        ({"file": ("ds.pdf", b"%PDF", "application/pdf")}, {}, "Chỉ nhận tệp Excel"),
        ({"file": ("ds.xlsx", b"PK junk", XLSX)}, {}, "Không đọc được tệp bảng tính"),
        ({"file": ("ds.xlsx", _book(), XLSX)}, {"mapping": "{not json"}, "Ánh xạ cột phải là"),
        ({"file": ("ds.xlsx", _book(), XLSX)}, {"mapping": json.dumps({"Mã cán bộ": "code", "X": "nope"})},
         "Trường đích không hợp lệ"),
    ]:
        r = hr.post("/api/v1/staff-imports", files=files, data=data)
        assert r.status_code == 422 and words in r.json()["detail"], r.text
    assert hr.get("/api/v1/staff-imports/999").status_code == 404
    clerk = logged_in(api, "vanthu.a")
    assert clerk.post("/api/v1/staff-imports", files={"file": ("ds.xlsx", _book(), XLSX)}).status_code == 403
