"""Operators list and revoke delegations (ủy quyền) from the command line."""

from tests.support.processes import cli, cli_json, service_env


def test_operator_lists_and_revokes_a_delegation(tmp_path):
    env = service_env(tmp_path / "data", admin_password="khoi-tao-2026")
    assert cli(env, "init").returncode == 0
    for code in ("QA", "QB"):
        assert cli(env, "unit", "add", code, "--name", f"UBND {code}", "--parent", "TINH").returncode == 0
    assert cli(env, "unit", "delegate", "QA", "--to", "QB").returncode == 0
    [row] = cli_json(env, "unit", "delegation", "list")
    assert (row["unit_code"], row["to_unit_code"]) == ("QA", "QB")

    r = cli(env, "unit", "delegation", "revoke", "QA", "--to", "QB")
    assert r.returncode == 0 and "Đã thu hồi ủy quyền" in r.stdout, r.stderr
    assert cli_json(env, "unit", "delegation", "list") == []
    again = cli(env, "unit", "delegation", "revoke", "QA", "--to", "QB")
    assert again.returncode == 1 and "ủy quyền" in again.stderr
