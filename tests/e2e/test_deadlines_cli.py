"""`archive deadlines list` as an operator runs it (tp-hcm profile): deadlines from what the records show."""

from __future__ import annotations

from datetime import date

from tests.support.processes import cli, cli_json, service_env


def test_deadlines_list_shows_a_late_leaving_and_an_on_time_transfer(tmp_path) -> None:
    env = service_env(tmp_path / "data", profile="tp-hcm")
    assert cli(env, "init").returncode == 0
    for args in (("unit", "add", "A", "--name", "Phòng A", "--parent", "TINH"),
                 ("unit", "add", "B", "--name", "Phòng B", "--parent", "TINH"),
                 ("staff", "add", "--code", "NV1", "--name", "Nguyễn Văn An", "--unit", "A"),
                 ("staff", "add", "--code", "NV2", "--name", "Trần Thị Bình", "--unit", "B"),
                 # Đ8.4: 10 working days from Monday 5/1/2026 (due 19/1); recorded today: late
                 ("staff", "status", "NV1", "nghi_huu", "--effective", "2026-01-05", "--decision", "5/QĐ-UBND"),
                 # Đ8.2: 30 working days from today; recorded today: on time
                 ("staff", "transfer", "NV2", "--to", "A", "--effective", date.today().isoformat())):
        r = cli(env, *args)
        assert r.returncode == 0, (args, r.stderr)
    report = cli_json(env, "deadlines", "list")
    rows = {(row["staff_code"], row["rule"]): row for row in report["rows"]}
    assert set(rows) == {("NV1", "leaving"), ("NV2", "transfer")}
    late = rows[("NV1", "leaving")]
    assert late["state"] == "done_late" and late["due"] == "2026-01-19" and late["days_late"] > 0
    assert late["article"] == "Điều 8 khoản 4" and late["unit"] == "A"
    assert rows[("NV2", "transfer")]["state"] == "done_on_time"
    assert [u["unit"] for u in report["units"]] == ["A"] and report["units"][0]["on_time_percent"] == 50
    only_late = cli_json(env, "deadlines", "list", "--state", "done_late")
    assert [row["staff_code"] for row in only_late["rows"]] == ["NV1"]
    text = cli(env, "deadlines", "list")
    assert text.returncode == 0 and "19/01/2026" in text.stdout and "trễ" in text.stdout


def test_bad_filters_exit_1_with_a_vietnamese_line(tmp_path) -> None:
    env = service_env(tmp_path / "data", profile="tp-hcm")
    assert cli(env, "init").returncode == 0
    for args, words in [(("--state", "nope"), "Trạng thái hạn không hợp lệ"), (("--unit", "KHONG"), "Không tìm thấy đơn vị")]:
        r = cli(env, "deadlines", "list", *args)
        assert r.returncode == 1 and words in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
