"""Operator commands: units, staff transfers and status, users and tokens, audit, keys, catalogs.

The CLI runs on the server with direct access to the database, so it acts as the system;
the audit log names the operating-system user (cli:<user>).
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone
from typing import Optional

import typer

from archive.cli_common import fail, print_json, run
from archive.services.access import cli_actor

unit_app = typer.Typer(help="Đơn vị (organisation units).", no_args_is_help=True)
user_app = typer.Typer(help="Tài khoản (user accounts).", no_args_is_help=True)
token_app = typer.Typer(help="Token API cho tích hợp.", no_args_is_help=True)
audit_app = typer.Typer(help="Nhật ký truy cập (audit log).", no_args_is_help=True)
keys_app = typer.Typer(help="Khoá mã hoá trường nhạy cảm.", no_args_is_help=True)
catalog_app = typer.Typer(help="Danh mục (catalogs).", no_args_is_help=True)
delegation_app = typer.Typer(help="Ủy quyền quản lý hồ sơ (delegations).", no_args_is_help=True)
unit_app.add_typer(delegation_app, name="delegation")


def _date(value: Optional[str], what: str) -> Optional[date]:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{what} phải có dạng YYYY-MM-DD, nhận được {value!r}.")


@unit_app.command("add")
def unit_add(code: str, name: str = typer.Option(..., "--name"), parent: Optional[str] = typer.Option(None, "--parent"),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """Add a unit under --parent (or a new root)."""
    from archive.services.units import add_unit

    view = run(lambda c: add_unit(c, cli_actor(), code=code, name=name, parent_code=parent))
    print_json(view.to_dict()) if as_json else typer.echo(f"Đã thêm đơn vị {view.code}: {' › '.join(view.path)}")


@unit_app.command("list")
def unit_list() -> None:
    from archive.services.units import list_units

    for u in run(lambda c: list_units(c, cli_actor())):
        typer.echo(f"{'  ' * (len(u.path) - 1)}{u.code}  {u.name}")


@unit_app.command("delegate")
def unit_delegate(code: str, to: str = typer.Option(..., "--to")) -> None:
    """Delegate (ủy quyền) management of CODE's dossiers to unit --to."""
    from archive.services.units import delegate

    run(lambda c: delegate(c, cli_actor(), unit_code=code, to_code=to))
    typer.echo(f"Đã ủy quyền quản lý hồ sơ của {code} cho {to}.")


@delegation_app.command("list")
def delegation_list(code: Optional[str] = typer.Argument(None, help="chỉ ủy quyền của đơn vị này"),
                    as_json: bool = typer.Option(False, "--json")) -> None:
    """Delegations in force (whose dossiers, managed by whom, since when)."""
    from archive.services.units import list_delegations

    rows = run(lambda c: list_delegations(c, cli_actor(), unit_code=code))
    if as_json:
        print_json([d.to_dict() for d in rows])
        return
    for d in rows:
        typer.echo(f"{d.unit_code} → {d.to_unit_code}\ttừ {d.created_at:%Y-%m-%d %H:%M} UTC")


@delegation_app.command("revoke")
def delegation_revoke(code: str, to: str = typer.Option(..., "--to")) -> None:
    """Revoke (thu hồi) the delegation of CODE's dossiers to unit --to; the index re-scopes them."""
    from archive.services.units import revoke_delegation

    run(lambda c: revoke_delegation(c, cli_actor(), unit_code=code, to_code=to))
    typer.echo(f"Đã thu hồi ủy quyền quản lý hồ sơ của {code} cho {to}.")


def staff_transfer(staff_code: str, to: str = typer.Option(..., "--to"),
                   decision: str = typer.Option("", "--decision", help="số quyết định"),
                   effective: Optional[str] = typer.Option(None, "--effective", help="YYYY-MM-DD"),
                   as_json: bool = typer.Option(False, "--json")) -> None:
    """Transfer a staff record to another unit (chuyển công tác)."""
    from archive.services.staff_lifecycle import transfer

    when = _date(effective, "Ngày hiệu lực")
    view, revoked = run(lambda c: transfer(c, cli_actor(), staff_code, to_unit_code=to, decision_ref=decision,
                                           effective_date=when))
    if as_json:
        print_json({**view.to_dict(), "revoked_accounts": revoked})
    else:
        extra = f"; đã thu hồi tài khoản: {', '.join(revoked)}" if revoked else ""
        typer.echo(f"Đã chuyển {staff_code} sang {to}{extra}.")


def staff_status(staff_code: str, status: str = typer.Argument(...),
                 decision: str = typer.Option("", "--decision"),
                 effective: Optional[str] = typer.Option(None, "--effective", help="YYYY-MM-DD")) -> None:
    """Change a staff member's status (nghỉ hưu, thôi việc, từ trần …)."""
    from archive.services.staff_lifecycle import change_status

    when = _date(effective, "Ngày hiệu lực")
    run(lambda c: change_status(c, cli_actor(), staff_code, status=status, effective_date=when, decision_ref=decision))
    typer.echo(f"Đã cập nhật trạng thái {staff_code}: {status}.")


def staff_show(staff_code: str) -> None:
    """Print a staff record with its histories, as JSON."""
    from archive.services.staff import get_staff

    print_json(run(lambda c: get_staff(c, cli_actor(), staff_code)).to_dict())


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    if not password:
        fail("Mật khẩu trống.")
    return password


@user_app.command("add")
def user_add(username: str, unit: str = typer.Option(..., "--unit"), role: str = typer.Option(..., "--role"),
             scope: Optional[str] = typer.Option(None, "--scope", help="mã đơn vị gốc của phạm vi (mặc định: --unit)"),
             full_name: str = typer.Option("", "--name"), clearance: int = typer.Option(0, "--clearance"),
             staff_code: Optional[str] = typer.Option(None, "--staff-code"),
             expires: Optional[int] = typer.Option(None, "--expires", help="số ngày hiệu lực"),
             password_stdin: bool = typer.Option(False, "--password-stdin"),
             temporary: bool = typer.Option(False, "--temporary",
                                            help="mật khẩu tạm: người dùng phải đổi trước khi làm việc khác"),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """Create an account with one role over a unit subtree."""
    from archive.services.accounts import create_user

    password = _read_password(password_stdin)
    until = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=expires) if expires else None
    view = run(lambda c: create_user(c, cli_actor(), username=username, password=password, unit_code=unit, role=role,
                                     scope_code=scope, full_name=full_name, clearance=clearance,
                                     staff_code=staff_code, expires_at=until, must_change_password=temporary))
    print_json(view.to_dict()) if as_json else typer.echo(f"Đã tạo tài khoản {view.username}.")


@user_app.command("grant")
def user_grant(username: str, role: str = typer.Option(..., "--role"), scope: str = typer.Option(..., "--scope")) -> None:
    from archive.services.accounts import grant_role

    run(lambda c: grant_role(c, cli_actor(), username, role=role, scope_code=scope))
    typer.echo(f"Đã cấp vai trò {role} tại {scope} cho {username}.")


@user_app.command("revoke")
def user_revoke(username: str) -> None:
    """Revoke an account (thu hồi): it can no longer log in, its tokens stop working."""
    from archive.services.accounts import revoke_user

    run(lambda c: revoke_user(c, cli_actor(), username))
    typer.echo(f"Đã thu hồi tài khoản {username}.")


@token_app.command("create")
def token_create(username: str, expires: int = typer.Option(90, "--expires", help="số ngày"),
                 name: str = typer.Option("", "--name"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Create an API token for USERNAME (shown once)."""
    from archive.services.accounts import create_api_token

    token = run(lambda c: create_api_token(c, cli_actor(), username, days=expires, name=name))
    print_json({"username": username, "token": token, "expires_days": expires}) if as_json else typer.echo(token)


@audit_app.command("verify")
def audit_verify(as_json: bool = typer.Option(False, "--json")) -> None:
    """Check the audit log's hash chain; exit 6 if any entry was edited or removed."""
    from archive.services.audit_views import verify_chain

    r = run(lambda c: verify_chain(c, cli_actor()))
    if as_json:
        print_json({"ok": r.ok, "checked": r.checked, "first_bad_seq": r.first_bad_seq, "reason": r.reason})
    elif r.ok:
        typer.echo(f"Nhật ký toàn vẹn: đã kiểm tra {r.checked} mục.")
    else:
        typer.echo(f"NHẬT KÝ BỊ SỬA ĐỔI: {r.reason} (mục {r.first_bad_seq}).", err=True)
    if not r.ok:
        raise typer.Exit(6)


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt sensitive fields under the first key of ARCHIVE_FIELD_KEYS."""
    from archive.services.keys import rotate_field_keys

    n = run(lambda c: rotate_field_keys(c, cli_actor()))
    typer.echo(f"Đã mã hoá lại {n} hồ sơ.")


@catalog_app.command("list")
def catalog_list(catalog: str) -> None:
    from archive.services.catalogs import list_catalog

    for e in run(lambda c: list_catalog(c, catalog)):
        typer.echo(f"{e.code}\t{e.name}")


def register(app: typer.Typer, staff_app: typer.Typer) -> None:
    staff_app.command("transfer")(staff_transfer)
    staff_app.command("status")(staff_status)
    staff_app.command("show")(staff_show)
    for sub, name in ((unit_app, "unit"), (user_app, "user"), (token_app, "token"), (audit_app, "audit"),
                      (keys_app, "keys"), (catalog_app, "catalog")):
        app.add_typer(sub, name=name)
