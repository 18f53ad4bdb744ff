"""`archive staff edit CODE --set TRƯỜNG=GIÁ_TRỊ` and `archive staff history add|edit|remove`.

Values are read as the web form reads them (services.staff_form: dates dd/mm/yyyy or
YYYY-MM-DD, catalog codes such as dân tộc "01"); the services check scope, validate, audit.
"""

from __future__ import annotations

from typing import List, Optional

import typer

from archive.cli_common import print_json, run
from archive.services.access import cli_actor

history_app = typer.Typer(help="Quá trình (công tác, lương, đào tạo, khen thưởng, kỷ luật, gia đình).",
                          no_args_is_help=True)
KINDS = "qua_trinh_cong_tac | dien_bien_luong | dao_tao_boi_duong | khen_thuong | ky_luat | quan_he_gia_dinh"


def staff_edit(staff_code: str = typer.Argument(...),
               pairs: List[str] = typer.Option(..., "--set", help="TRƯỜNG=GIÁ_TRỊ, ví dụ ethnicity=01"),
               as_json: bool = typer.Option(False, "--json")) -> None:
    """Change fields of a staff record (sửa hồ sơ); each --set names one field."""
    from archive.services.staff import update_staff
    from archive.services.staff_form import changes_from_pairs

    view = run(lambda c: update_staff(c, cli_actor(), staff_code, changes_from_pairs(pairs)))
    if as_json:
        print_json(view.to_dict())
    else:
        typer.echo(f"Đã sửa hồ sơ {staff_code}.")


def _entry(kind: str, from_date: Optional[str], to_date: Optional[str], summary: str,
           details: Optional[List[str]]) -> dict:
    from archive.services.staff_form import history_from_form

    form = {"kind": kind, "from_date": from_date or "", "to_date": to_date or "", "summary": summary}
    entry = history_from_form(form)
    for pair in details or ():
        key, _, value = pair.partition("=")
        entry["details"][key.strip()] = value.strip()
    return entry


def history_add(staff_code: str = typer.Argument(...), kind: str = typer.Option(..., "--kind", help=KINDS),
                from_date: Optional[str] = typer.Option(None, "--from", help="dd/mm/yyyy"),
                to_date: Optional[str] = typer.Option(None, "--to", help="dd/mm/yyyy"),
                summary: str = typer.Option("", "--summary"),
                details: Optional[List[str]] = typer.Option(None, "--detail", help="KHÓA=GIÁ_TRỊ")) -> None:
    """Add a history row to a record (thêm dòng quá trình)."""
    from archive.services.staff_history import add_history

    _view, new_id = run(lambda c: add_history(c, cli_actor(), staff_code,
                                             _entry(kind, from_date, to_date, summary, details)))
    typer.echo(f"Đã thêm dòng quá trình số {new_id} vào hồ sơ {staff_code}.")


def history_edit(staff_code: str = typer.Argument(...), history_id: int = typer.Argument(...),
                 kind: str = typer.Option(..., "--kind", help=KINDS),
                 from_date: Optional[str] = typer.Option(None, "--from"),
                 to_date: Optional[str] = typer.Option(None, "--to"),
                 summary: str = typer.Option("", "--summary"),
                 details: Optional[List[str]] = typer.Option(None, "--detail", help="KHÓA=GIÁ_TRỊ")) -> None:
    """Replace a history row (sửa dòng quá trình)."""
    from archive.services.staff_history import update_history

    run(lambda c: update_history(c, cli_actor(), staff_code, history_id,
                                 _entry(kind, from_date, to_date, summary, details)))
    typer.echo(f"Đã sửa dòng quá trình số {history_id} của hồ sơ {staff_code}.")


def history_remove(staff_code: str = typer.Argument(...), history_id: int = typer.Argument(...)) -> None:
    """Remove a history row (xóa dòng quá trình); the audit log keeps what it said."""
    from archive.services.staff_history import remove_history

    run(lambda c: remove_history(c, cli_actor(), staff_code, history_id))
    typer.echo(f"Đã xóa dòng quá trình số {history_id} của hồ sơ {staff_code}.")


def register(staff_app: typer.Typer) -> None:
    staff_app.command("edit")(staff_edit)
    history_app.command("add")(history_add)
    history_app.command("edit")(history_edit)
    history_app.command("remove")(history_remove)
    staff_app.add_typer(history_app, name="history")
