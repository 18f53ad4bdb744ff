"""Cảnh báo hạn from the command line: `archive deadlines list [--state …] [--unit …] [--json]`.

Thin: call archive/services/deadlines.py as the operator (every record), print.
"""

from __future__ import annotations

import typer

from archive.cli_common import print_json, run
from archive.jurisdiction import EVENTS
from archive.services import deadlines
from archive.services.access import cli_actor
from archive.services.deadline_rules import STATES

deadlines_app = typer.Typer(help="Cảnh báo hạn cập nhật hồ sơ theo quy định đang áp dụng.", no_args_is_help=True)

STATE_TEXT = {"overdue": "quá hạn", "due_soon": "sắp đến hạn", "pending": "chưa đến hạn",
              "done_late": "hoàn thành trễ hạn", "done_on_time": "hoàn thành đúng hạn"}


@deadlines_app.command("list")
def deadlines_list(state: str = typer.Option("", "--state", help="một trong: " + ", ".join(STATES)),
                   unit: str = typer.Option("", "--unit", help="mã đơn vị (cả đơn vị cấp dưới)"),
                   as_json: bool = typer.Option(False, "--json")) -> None:
    """Deadlines of every record, most urgent first, and each unit's on-time rate."""
    actor = cli_actor()
    report = run(lambda c: deadlines.deadline_report(c, actor, state=state, unit=unit))
    if as_json:
        print_json(report.to_dict())
        return
    if not report.rows:
        typer.echo("Không có hạn nào.")
    for r in report.rows:
        extra = (f", trễ {r.days_late} ngày làm việc" if r.state in ("done_late", "overdue")
                 else f", còn {r.days_left} ngày làm việc" if r.state in ("due_soon", "pending") else "")
        typer.echo(f"{r.due:%d/%m/%Y}  {STATE_TEXT[r.state]}{extra}  {r.event.staff_code} ({r.event.unit_code})  "
                   f"{EVENTS[r.event.event]} {r.event.event_date:%d/%m/%Y}: {r.rule.action} — {r.rule.article}")
    for u in report.units:
        rate = "—" if u.on_time_percent is None else f"{u.on_time_percent}%"
        typer.echo(f"Đơn vị {u.unit_code}: đúng hạn {rate}, quá hạn {u.overdue}, trễ hạn {u.done_late}")


def register(app: typer.Typer) -> None:
    app.add_typer(deadlines_app, name="deadlines")
