"""`archive user list` and `archive user unlock`: the account list and lifting a lockout (issue 11, item 5).

The CLI acts as the system (cli:<os user> in the audit log), so the list holds every account.
"""

from __future__ import annotations

from typing import Optional

import typer

from archive.cli_common import print_json, run
from archive.services.access import cli_actor
from archive.services.accounts import UserView


def _state(u: UserView) -> str:
    from archive.models import utcnow

    if u.revoked:
        return "đã thu hồi"
    if u.expires_at and u.expires_at <= utcnow():
        return "đã hết hạn"
    return "đang tạm khoá" if u.locked else "đang hoạt động"


def user_list(unit: str = typer.Option("", "--unit", help="đơn vị (cả các đơn vị trực thuộc)"),
              role: str = typer.Option("", "--role"),
              locked: Optional[bool] = typer.Option(None, "--locked/--not-locked"),
              expired: Optional[bool] = typer.Option(None, "--expired/--not-expired"),
              revoked: Optional[bool] = typer.Option(None, "--revoked/--not-revoked"),
              as_json: bool = typer.Option(False, "--json")) -> None:
    """List accounts (danh sách tài khoản), filtered by unit, role, locked, expired, revoked."""
    from archive.services.account_list import AccountFilter, list_accounts

    found = run(lambda c: list_accounts(c, cli_actor(), AccountFilter(unit_code=unit.strip(), role=role.strip(),
                                                                       locked=locked, expired=expired,
                                                                       revoked=revoked)))
    if as_json:
        print_json({"users": [u.to_dict() for u in found.accounts], "truncated": found.truncated})
        return
    for u in found.accounts:
        roles = ", ".join(f"{r}@{s}" for r, s in u.roles) or "-"
        typer.echo(f"{u.username}\t{u.unit_code}\t{roles}\t{_state(u)}")
    if found.truncated:
        typer.echo("Chỉ hiện 500 tài khoản đầu; hãy lọc hẹp hơn.", err=True)


def user_unlock(username: str) -> None:
    """Lift the lockout after repeated wrong passwords (mở khoá); the password is unchanged."""
    from archive.services.accounts import unlock_user

    run(lambda c: unlock_user(c, cli_actor(), username))
    typer.echo(f"Đã mở khoá tài khoản {username}.")


def register(user_app: typer.Typer) -> None:
    user_app.command("list")(user_list)
    user_app.command("unlock")(user_unlock)
