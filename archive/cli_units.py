"""Tổ chức lại đơn vị from the command line: `archive unit rename|move|merge|dissolve|history`."""

from __future__ import annotations

from datetime import date

import typer

from archive.cli_common import fail, print_json, run
from archive.services.access import cli_actor


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} phải là ngày dạng YYYY-MM-DD.", 2)
        raise


def _decision(decision: str, decision_date: str | None, effective: str | None):
    from archive.services.unit_reorganisation import Decision

    return Decision(ref=decision, on=_day(decision_date, "--decision-date"), effective=_day(effective, "--effective"))


DECISION = typer.Option(..., "--decision", help="số quyết định, ví dụ 15/QĐ-UBND")
DECISION_DATE = typer.Option(None, "--decision-date", help="ngày quyết định YYYY-MM-DD")
EFFECTIVE = typer.Option(None, "--effective", help="ngày có hiệu lực YYYY-MM-DD")
MOVE_GRANTS = typer.Option(False, "--move-grants", help="chuyển quyền được cấp tại đơn vị cũ sang đơn vị kế thừa "
                                                     "(mặc định: thu hồi)")


def _echo(view, as_json: bool, text: str) -> None:
    if as_json:
        print_json(view.to_dict())
    else:
        typer.echo(text)


def unit_rename(code: str, name: str = typer.Option(..., "--name"), decision: str = DECISION,
                decision_date: str | None = DECISION_DATE, effective: str | None = EFFECTIVE,
                as_json: bool = typer.Option(False, "--json")) -> None:
    """Đổi tên đơn vị CODE (mã giữ nguyên, tên cũ lưu trong lịch sử)."""
    from archive.services.unit_reorganisation import rename_unit

    d = _decision(decision, decision_date, effective)
    view = run(lambda c: rename_unit(c, cli_actor(), code, name=name, decision=d))
    _echo(view, as_json, f"Đã đổi tên đơn vị {code}: {view.old_name} → {view.new_name} (theo {view.decision_ref}).")


def unit_move(code: str, parent: str = typer.Option(..., "--parent"), decision: str = DECISION,
              decision_date: str | None = DECISION_DATE, effective: str | None = EFFECTIVE,
              as_json: bool = typer.Option(False, "--json")) -> None:
    """Chuyển đơn vị CODE (cùng các đơn vị cấp dưới) về trực thuộc --parent."""
    from archive.services.unit_reorganisation import move_unit

    d = _decision(decision, decision_date, effective)
    view = run(lambda c: move_unit(c, cli_actor(), code, parent_code=parent, decision=d))
    _echo(view, as_json, f"Đã chuyển đơn vị {code} về trực thuộc {view.new_parent_code} (theo {view.decision_ref}).")


def unit_merge(code: str, into: str = typer.Option(..., "--into"), decision: str = DECISION,
               decision_date: str | None = DECISION_DATE, effective: str | None = EFFECTIVE,
               move_grants: bool = MOVE_GRANTS, as_json: bool = typer.Option(False, "--json")) -> None:
    """Sáp nhập đơn vị CODE vào --into: hồ sơ và đơn vị trực thuộc chuyển sang đơn vị nhận."""
    from archive.services.unit_reorganisation import merge_unit

    d = _decision(decision, decision_date, effective)
    view = run(lambda c: merge_unit(c, cli_actor(), code, into=into, decision=d, move_grants=move_grants))
    _echo(view, as_json, f"Đã sáp nhập {code} vào {into} (theo {view.decision_ref}): "
                         f"{len(view.details.get('staff', []))} hồ sơ, "
                         f"{len(view.details.get('children', []))} đơn vị chuyển sang.")


def unit_dissolve(code: str, successor: str | None = typer.Option(None, "--successor"), decision: str = DECISION,
                  decision_date: str | None = DECISION_DATE, effective: str | None = EFFECTIVE,
                  move_grants: bool = MOVE_GRANTS, as_json: bool = typer.Option(False, "--json")) -> None:
    """Giải thể đơn vị CODE (chỉ khi không còn hồ sơ, hoặc có --successor nhận hồ sơ)."""
    from archive.services.unit_reorganisation import dissolve_unit

    d = _decision(decision, decision_date, effective)
    view = run(lambda c: dissolve_unit(c, cli_actor(), code, decision=d, successor=successor, move_grants=move_grants))
    _echo(view, as_json, f"Đã giải thể đơn vị {code} (theo {view.decision_ref})"
                         + (f"; hồ sơ chuyển sang {successor}." if successor else "."))


def unit_history(code: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Lịch sử tổ chức lại của đơn vị CODE (và các đơn vị sáp nhập vào nó)."""
    from archive.services.unit_reorganisation import unit_history as history

    rows = run(lambda c: history(c, cli_actor(), code))
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        typer.echo(f"{r.recorded_at:%Y-%m-%d}\t{r.kind}\t{r.unit_code}\t{r.old_name} → {r.new_name}\t"
                   f"{r.successor_code or r.new_parent_code or ''}\t{r.decision_ref}")


def register(unit_app: typer.Typer) -> None:
    unit_app.command("rename")(unit_rename)
    unit_app.command("move")(unit_move)
    unit_app.command("merge")(unit_merge)
    unit_app.command("dissolve")(unit_dissolve)
    unit_app.command("history")(unit_history)
