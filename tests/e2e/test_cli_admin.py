"""Operator CLI: first admin, units, accounts, tokens, transfers, and `archive audit verify`."""

import sqlite3
import subprocess

from tests.support.processes import ARCHIVE, cli, cli_json, service_env


def test_operator_cli_end_to_end_and_audit_verify_detects_tampering(tmp_path):
    env = service_env(tmp_path / "data", admin_password="khoi-tao-2026")
    first = cli(env, "init")
    assert first.returncode == 0 and "admin" in first.stdout and "khoi-tao-2026" not in first.stdout
    assert "Đã tạo quản trị viên" not in cli(env, "init").stdout  # only once

    assert cli(env, "unit", "add", "QA", "--name", "UBND huyện Đức Hòa", "--parent", "TINH").returncode == 0
    assert cli(env, "unit", "add", "QB", "--name", "UBND huyện Cần Giuộc", "--parent", "TINH").returncode == 0
    bad = cli(env, "unit", "add", "QC", "--name", "X", "--parent", "KHONGCO")
    assert bad.returncode != 0 and "KHONGCO" in bad.stderr
    cli_json(env, "staff", "add", "--code", "B1", "--name", "Trương Thị Lan", "--unit", "QB")
    r = subprocess.run([ARCHIVE, "user", "add", "lan", "--unit", "QB", "--role", "staff", "--staff-code", "B1",
                        "--password-stdin"], input="mat-khau-2026\n", env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    weak = subprocess.run([ARCHIVE, "user", "add", "yeu", "--unit", "QB", "--role", "auditor", "--password-stdin"],
                          input="123\n", env=env, capture_output=True, text=True)
    assert weak.returncode != 0 and "Mật khẩu" in weak.stderr
    token = cli_json(env, "token", "create", "lan", "--expires", "7")
    assert token["token"].startswith("at_")

    moved = cli_json(env, "staff", "transfer", "B1", "--to", "QA", "--decision", "99/QĐ-UBND",
                     "--effective", "2026-12-01")
    assert moved["unit_code"] == "QA" and moved["revoked_accounts"] == ["lan"]
    assert cli(env, "staff", "status", "B1", "ve_huu").returncode != 0

    ok = cli(env, "audit", "verify", "--json")
    assert ok.returncode == 0, ok.stderr
    assert '"ok": true' in ok.stdout

    db = sqlite3.connect(tmp_path / "data" / "archive.db")
    db.execute("UPDATE audit_log SET details = '{\"to\": \"QB\"}' WHERE action = 'staff.transfer'")
    db.commit()
    db.close()
    broken = cli(env, "audit", "verify")
    assert broken.returncode == 6 and "BỊ SỬA ĐỔI" in broken.stderr


def test_operators_list_background_jobs_and_bad_filters_are_refused(tmp_path):
    from tests.support.documents import born_digital_pdf

    env = service_env(tmp_path / "data")
    assert cli(env, "init").returncode == 0
    cli_json(env, "staff", "add", "--code", "NV1", "--name", "Đỗ Văn Hùng", "--unit", "TINH")
    pdf = tmp_path / "cv.pdf"
    pdf.write_bytes(born_digital_pdf(["Sơ yếu lý lịch"]))
    [doc] = cli_json(env, "ingest", str(pdf), "--staff", "NV1")
    # the upload records its extract job and the job that locks the original (retention)
    assert sorted(j["kind"] for j in cli_json(env, "jobs", "list")) == ["extract", "retention"]
    [job] = cli_json(env, "jobs", "list", "--kind", "extract")
    assert (job["kind"], job["target_type"], job["target_id"], job["state"]) == ("extract", "document",
                                                                                str(doc["id"]), "queued")
    assert cli_json(env, "jobs", "list", "--state", "done") == []
    bad = cli(env, "jobs", "list", "--state", "xong")
    assert bad.returncode == 1 and "Trạng thái công việc" in bad.stderr
