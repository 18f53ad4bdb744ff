"""`archive profile` and `archive calendar` as an operator runs them, with ARCHIVE_PROFILE chosen."""

from __future__ import annotations

from tests.support.processes import cli, cli_json, service_env


def test_profile_show_due_and_the_swap_table_through_the_program(tmp_path) -> None:
    env = service_env(tmp_path / "data", profile="da-nang")
    assert cli(env, "init").returncode == 0
    shown = cli_json(env, "profile", "show")
    assert shown["code"] == "da-nang" and {r["article"] for r in shown["rules"]} >= {"Điều 10 khoản 2 điểm b"}
    # Đà Nẵng Đ10.2.b, 10 working days from Friday 13/2/2026, across Tết: 6/3/2026
    dues = cli_json(env, "profile", "due", "state_change", "13/02/2026")
    assert [(d["rule"], d["due"]) for d in dues] == [("state_change", "2026-03-06")]
    # Đ11.2 gives two terms for one transfer
    assert [d["due"] for d in cli_json(env, "profile", "due", "transfer_between_units", "2026-03-02")] == [
        "2026-03-17", "2026-04-01"]
    r = cli(env, "calendar", "set", "09/03/2026", "--off", "--reason", "Nghỉ thêm", "--decision", "TB 9/TB-UBND")
    assert r.returncode == 0, r.stderr
    # the 10th working day from 13/2 is 6/3, before the day off: unchanged
    assert cli_json(env, "profile", "due", "state_change", "13/02/2026")[0]["due"] == "2026-03-06"
    # from Monday 23/2: 24–27/2, 2–6/3 are 1–9; 9/3 is now off, so the 10th is 10/3 (it was 9/3)
    assert cli_json(env, "profile", "due", "state_change", "23/02/2026")[0]["due"] == "2026-03-10"
    assert [d["day"] for d in cli_json(env, "calendar", "list")] == ["2026-03-09"]


def test_bad_input_exits_non_zero_with_one_vietnamese_line(tmp_path) -> None:
    env = service_env(tmp_path / "data", profile="ha-noi")
    assert cli(env, "init").returncode == 0
    for args, words in [(("profile", "due", "leaving", "31/02/2026"), "không hợp lệ"),
                        (("profile", "due", "somewhere", "01/02/2026"), "Sự kiện không hợp lệ"),
                        (("calendar", "set", "01/05/2027", "--off", "--reason", "", "--decision", "x"), "lý do"),
                        (("calendar", "remove", "01/05/2027"), "không có trong bảng")]:
        r = cli(env, *args)
        assert r.returncode == 1 and words in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
    bad = cli(service_env(tmp_path / "data", profile="ha-tay"), "profile", "show")
    assert bad.returncode == 78 and "ARCHIVE_PROFILE" in bad.stderr and "ha-noi" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert cli_json(env, "calendar", "list") == []
