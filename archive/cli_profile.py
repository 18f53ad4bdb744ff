"""Rules and calendar commands: `archive profile show | due` and `archive calendar list | set | remove`.

Thin: parse, call archive/services/office_calendar.py, print. Dates are read as the offices
write them (dd/mm/yyyy) or ISO (yyyy-mm-dd).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import typer

from archive.cli_common import fail, print_json, run
from archive.jurisdiction import EVENTS
from archive.services import office_calendar as oc
from archive.services.access import cli_actor

profile_app = typer.Typer(help="Quy định địa phương đang áp dụng (ARCHIVE_PROFILE): các hạn, ngày báo cáo.",
                          no_args_is_help=True)
calendar_app = typer.Typer(help="Bảng ngày nghỉ bù, làm bù (lịch làm việc của cơ quan).", no_args_is_help=True)


def parse_day(text: str) -> date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    fail(f"ngày '{text}' không hợp lệ; viết dd/mm/yyyy, ví dụ 02/09/2026.")
    raise AssertionError  # fail() exits


@profile_app.command("show")
def profile_show(as_json: bool = typer.Option(False, "--json")) -> None:
    """The active profile: every deadline with its article, report dates, account model, backups."""
    p = run(oc.active_profile)
    if as_json:
        print_json(oc.profile_view(p))
        return
    typer.echo(f"{p.name} ({p.code})")
    if p.regulation:
        typer.echo(p.regulation)
    for r in p.rules:
        unit = "ngày làm việc" if r.unit.value == "working" else "ngày"
        typer.echo(f"  [{r.id}] {r.action}: {r.days} {unit} kể từ khi {EVENTS[r.event].lower()} — {r.article}")
    for r in p.reports:
        typer.echo(f"  Báo cáo {r.period}: hạn {r.due[1]:02d}/{r.due[0]:02d} — {r.article}")


@profile_app.command("due")
def profile_due(event: str = typer.Argument(..., help="sự kiện: " + ", ".join(EVENTS)),
                when: str = typer.Argument(..., help="ngày xảy ra (dd/mm/yyyy)"),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """The deadlines the active profile attaches to an event on a date, on this office's calendar."""
    day = parse_day(when)
    dues = run(lambda c: oc.deadlines_for(c, event, day))
    if as_json:
        print_json([d.to_dict() for d in dues])
        return
    if not dues:
        typer.echo("Quy định đang áp dụng không đặt hạn cho sự kiện này.")
    for d in dues:
        typer.echo(f"{d.due:%d/%m/%Y}  {d.rule.action} ({d.rule.days} {d.rule.unit_text}, {d.rule.article})")


@calendar_app.command("list")
def calendar_list(year: Optional[int] = typer.Option(None, "--year", min=1990, max=2100),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """Swap days in the table (the national holidays come from the `holidays` package)."""
    days = run(lambda c: oc.swap_days(c, year=year))
    if as_json:
        print_json([d.to_dict() for d in days])
        return
    for d in days:
        typer.echo(f"{d.day:%d/%m/%Y}  {'làm việc' if d.working else 'nghỉ'}  {d.reason}  ({d.decision_ref})")


@calendar_app.command("set")
def calendar_set(when: str = typer.Argument(..., help="ngày (dd/mm/yyyy)"),
                 working: bool = typer.Option(..., "--working/--off", help="làm bù (--working) hay nghỉ (--off)"),
                 reason: str = typer.Option(..., "--reason", help="lý do, ví dụ «Làm bù cho ngày 2/5»"),
                 decision: str = typer.Option(..., "--decision", help="số văn bản thông báo")) -> None:
    """Mark a date a working day or a day off, as announced (audited)."""
    day = parse_day(when)
    actor = cli_actor()
    saved = run(lambda c: oc.set_swap_day(c, actor, day, working=working, reason=reason, decision_ref=decision))
    typer.echo(f"Đã ghi {saved.day:%d/%m/%Y}: {'ngày làm việc' if saved.working else 'ngày nghỉ'}.")


@calendar_app.command("remove")
def calendar_remove(when: str = typer.Argument(..., help="ngày (dd/mm/yyyy)")) -> None:
    """Take a date out of the table (it follows the national calendar again)."""
    day = parse_day(when)
    actor = cli_actor()
    run(lambda c: oc.remove_swap_day(c, actor, day))
    typer.echo(f"Đã bỏ {day:%d/%m/%Y} khỏi bảng.")


def register(app: typer.Typer) -> None:
    app.add_typer(profile_app, name="profile")
    app.add_typer(calendar_app, name="calendar")
