"""`archive warnings|notifications|report` as an operator runs them: warnings of the records, the daily pass
telling the HR officer, a report of a period written as PDF and XLSX; bad input exits 1 in Vietnamese and writes
nothing; under Hà Nội's profile (Đ5.3) a second account of a unit's role is refused."""

from __future__ import annotations

import io
import subprocess

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.support.processes import ARCHIVE, cli, cli_json, service_env


def _user_add(env, username: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ARCHIVE, "user", "add", username, *args, "--password-stdin"], env=env, input="mat-khau-2026\n",
                          capture_output=True, text=True, timeout=120)


def _ok(env, *args):
    r = cli(env, *args)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


def test_warnings_notifications_and_a_report_through_the_program(tmp_path) -> None:
    env = service_env(tmp_path / "data", profile="ha-noi")
    _ok(env, "init")
    _ok(env, "unit", "add", "A", "--name", "Phòng Alpha", "--parent", "TINH")
    # a man born 06/1965 retires at the end of 12/2026; a chuyên viên whose step is due within 60 days
    _ok(env, "staff", "add", "--code", "A1", "--name", "Nguyễn Văn An", "--unit", "A", "--birth-date", "1965-06-05",
        "--gender", "nam")
    assert _user_add(env, "tccb.a", "--unit", "A", "--role", "hr_officer").returncode == 0
    found = cli_json(env, "warnings", "list")
    assert [(w["kind"], w["staff_code"], w["due"]) for w in found] == [("retirement", "A1", "2026-12-31")]
    assert "61 tuổi 6 tháng" in found[0]["detail"]
    ran = cli_json(env, "warnings", "run")
    assert ran["warnings"]["state"] == "done" and ran["warnings"]["recipients"] == 1
    assert ran["notify_mail"]["mail"] == "off"  # no ARCHIVE_SMTP_HOST: in the app only
    told = cli_json(env, "notifications", "list", "--user", "tccb.a")
    assert [n["title"] for n in told] == ["Sắp đến tuổi nghỉ hưu: Nguyễn Văn An (A1)"]

    pdf, xlsx = tmp_path / "bc.pdf", tmp_path / "bc.xlsx"
    made = cli_json(env, "report", "make", "--period", "2026-H2", "--format", "pdf", "--out", str(pdf))
    assert made["period"] == "2026-H2" and made["due_date"] == "2026-12-15" and made["total"]["records"] == 1
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Phòng Alpha (A)" in text and "Hạn nộp báo cáo: 15/12/2026" in text
    _ok(env, "report", "make", "--period", "2026-H2", "--unit", "A", "--format", "xlsx", "--out", str(xlsx))
    rows = list(load_workbook(io.BytesIO(xlsx.read_bytes())).active.iter_rows(values_only=True))
    # the base columns, then complete % (one dossier, no documents: 0) and open discrepancies (none)
    assert ("A", "Phòng Alpha", 1, 1, 0, 0, 0, 0, None, 0, 0) in [r[:11] for r in rows]
    listed = cli_json(env, "report", "list")
    assert [(r["format"], r["unit"]) for r in listed] == [("xlsx", "A"), ("pdf", "")]

    bad = cli(env, "report", "make", "--period", "2026-H3", "--format", "pdf", "--out", str(tmp_path / "x.pdf"))
    assert bad.returncode == 1 and "Kỳ báo cáo phải có dạng" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "x.pdf").exists()
    bad = cli(env, "report", "make", "--period", "2026-H2", "--format", "docx", "--out", str(tmp_path / "x.docx"))
    assert bad.returncode == 1 and "pdf hoặc xlsx" in bad.stderr
    bad = cli(env, "warnings", "list", "--kind", "nghi")
    assert bad.returncode == 1 and "Loại cảnh báo không hợp lệ" in bad.stderr
    assert len(cli_json(env, "report", "list")) == 2

    second = _user_add(env, "tccb.a2", "--unit", "A", "--role", "hr_officer")
    assert second.returncode == 1 and "Điều 5 khoản 3" in second.stderr and "mỗi đơn vị được cấp một tài khoản" \
        in second.stderr and "tccb.a" in second.stderr
    assert _user_add(env, "truong.a", "--unit", "A", "--role", "unit_head").returncode == 0  # another role: allowed
