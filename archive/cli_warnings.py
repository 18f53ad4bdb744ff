"""Warnings, notifications and periodic reports from the command line (issue 17).

`archive warnings list|run`, `archive notifications list|email`, `archive report make|list`.
Thin: parse, call archive/services/{warnings,notifications,periodic_reports}.py as the operator
(every record), print. `warnings run` and `report make` work here, in this process.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import typer
from sqlalchemy import select

from archive.bootstrap import Container
from archive.cli_common import fail, print_json, run
from archive.services import notifications, periodic_reports, warnings
from archive.services.access import cli_actor
from archive.task_queue import NullQueue

warnings_app = typer.Typer(help="Tiện ích cảnh báo: sắp nghỉ hưu, đến hạn nâng lương, hết hạn hợp đồng.",
                           no_args_is_help=True)
notifications_app = typer.Typer(help="Thông báo gửi cán bộ tổ chức và thủ trưởng đơn vị.", no_args_is_help=True)
report_app = typer.Typer(help="Báo cáo định kỳ số lượng, chất lượng hồ sơ điện tử (PDF, XLSX).", no_args_is_help=True)


@warnings_app.command("list")
def warnings_list(kind: str = typer.Option("", "--kind", help="một trong: " + ", ".join(warnings.KINDS)),
                  unit: str = typer.Option("", "--unit", help="mã đơn vị (cả đơn vị cấp dưới)"),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """Today's warnings of every record, soonest first."""
    actor = cli_actor()
    found = run(lambda c: warnings.list_warnings(c, actor, kind=kind, unit=unit))
    if as_json:
        print_json([w.to_dict() for w in found])
        return
    if not found:
        typer.echo("Không có cảnh báo nào.")
    for w in found:
        typer.echo(f"{w.due:%d/%m/%Y}  {warnings.KINDS[w.kind]}{' (đã quá)' if w.overdue else ''}  "
                   f"{w.staff_name} ({w.staff_code}, {w.unit_code}): {w.detail} — {w.article}")


def _run_kind(c: Container, kind: str, payload: dict | None = None) -> dict:
    """Record a job of `kind`, run it here, then its follow-ups; the summary of each."""
    from archive.models import Job
    from archive.work import run_job, start_kind

    job_id = start_kind(c, c.registry, kind, payload=payload)
    if job_id is None:
        fail(f"Đang có một công việc {kind} chờ hoặc đang chạy: xem `archive jobs list --kind {kind}`.")
    worker = f"cli:{socket.gethostname()}:{os.getpid()}"
    out: dict = {}
    queue = [job_id]
    while queue:
        jid = queue.pop(0)
        outcome = run_job(c, c.registry, jid, worker_id=worker)
        while outcome == "requeued":
            outcome = run_job(c, c.registry, jid, worker_id=worker)
        with c.uow() as uow:
            job = uow.session.get(Job, jid)
            out[job.kind] = {"job": jid, "state": job.state, "error": job.last_error, **(job.result or {})}
            queue += list(uow.session.scalars(select(Job.id).where(
                Job.kind.in_(c.registry.follow_ups(job.kind)), Job.state == "queued", Job.id > jid)))
    return out


@warnings_app.command("run")
def warnings_run(as_json: bool = typer.Option(False, "--json")) -> None:
    """Run the daily warnings pass now: notify HR officers and unit heads, then send the e-mail."""
    result = run(lambda c: _run_kind(c, "warnings"), queue=NullQueue())
    if as_json:
        print_json(result)
    else:
        w = result["warnings"]
        typer.echo(f"{w.get('warnings', 0)} cảnh báo, {w.get('recipients', 0)} người nhận.")
        mail = result.get("notify_mail", {})
        if mail.get("mail") == "on":
            typer.echo(f"Đã gửi {mail.get('sent', 0)} thư, {mail.get('refused', 0)} thư bị từ chối.")
    if any(r["state"] != "done" for r in result.values()):
        fail("; ".join(f"{k}: {r['error']}" for k, r in result.items() if r["state"] != "done"), 2)


@notifications_app.command("list")
def notifications_list(user: str = typer.Option(..., "--user", help="tên đăng nhập"),
                       unread: bool = typer.Option(False, "--unread", help="chỉ thông báo chưa đọc"),
                       as_json: bool = typer.Option(False, "--json")) -> None:
    """One account's notifications, newest first."""
    rows = run(lambda c: notifications.list_notifications(c, notifications.actor_of(c, user), unread=unread))
    if as_json:
        print_json([n.to_dict() for n in rows])
        return
    if not rows:
        typer.echo("Không có thông báo nào.")
    for n in rows:
        typer.echo(f"#{n.id} {'  ' if n.read else '● '}{n.title} — {n.body}")


@notifications_app.command("email")
def notifications_email(user: str = typer.Option(..., "--user", help="tên đăng nhập"),
                        address: str = typer.Argument("", help="địa chỉ thư; để trống để bỏ")) -> None:
    """Set (or remove) the address an account's notifications are e-mailed to."""
    run(lambda c: notifications.set_email_of(c, user, address))
    typer.echo(f"Đã {'đặt' if address else 'bỏ'} địa chỉ nhận thông báo của {user}.")


@report_app.command("make")
def report_make(period: str = typer.Option(..., "--period", help="2026-H1, 2026-H2, 2026-Q3 hoặc 2026"),
                unit: str = typer.Option("", "--unit", help="mã đơn vị (cả đơn vị cấp dưới)"),
                fmt: str = typer.Option("pdf", "--format", help="pdf hoặc xlsx"),
                out: Path = typer.Option(..., "--out", help="tệp ghi báo cáo ra"),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """Make a periodic report now, store it, and write it to --out."""
    actor = cli_actor()
    if out.is_dir():
        fail("--out là một thư mục; hãy nêu tên tệp.")
    view, content = run(lambda c: periodic_reports.make_report(c, actor, period=period, unit=unit, fmt=fmt))
    tmp = out.with_name(f".{out.name}.part")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        fail(f"không ghi được tệp báo cáo ({exc.strerror}).")
    if as_json:
        print_json({**view.to_dict(), "out": str(out)})
    else:
        typer.echo(f"Đã lập báo cáo #{view.id} kỳ {view.period} ({view.format}, {view.size} byte): {out}")


@report_app.command("list")
def report_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """The reports made, newest first, and the next submission day of the profile."""
    actor = cli_actor()
    rows = run(lambda c: periodic_reports.list_reports(c, actor))
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    if not rows:
        typer.echo("Chưa có báo cáo nào.")
    for r in rows:
        due = f", hạn nộp {r.due_date:%d/%m/%Y} ({r.article})" if r.due_date else ""
        typer.echo(f"#{r.id} {r.period}{' ' + r.unit_code if r.unit_code else ''} {r.format} {r.size} byte, "
                   f"lập {r.created_at:%d/%m/%Y %H:%M} bởi {r.created_by}{due}")


def register(app: typer.Typer) -> None:
    app.add_typer(warnings_app, name="warnings")
    app.add_typer(notifications_app, name="notifications")
    app.add_typer(report_app, name="report")
