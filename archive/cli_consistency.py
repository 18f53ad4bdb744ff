"""Paper vs record from the command line (đối chiếu), in the `archive audit` group:

`archive audit consistency CODE [--show] [--json]` checks every sơ yếu lý lịch of the record now
(or, with --show, prints the last check); `archive audit resolve FINDING record_wrong|paper_wrong|
ocr_misread [--note …]`; `archive audit corrections [--done] [--json]` lists the correction tasks
(Cần sửa hồ sơ); `archive audit correction-done TASK`. Thin: the operator acts as the system.
"""

from __future__ import annotations

import typer

from archive.cli_common import print_json, run
from archive.services import consistency
from archive.services.access import cli_actor


def _print_report(report: consistency.ConsistencyReport) -> None:
    typer.echo(f"{report.staff_code} {report.full_name}: "
               + ", ".join(f"{consistency.STATE_LABELS[k]} {v}" for k, v in report.counts.items())
               + f"; cần xử lý {report.open}")
    for d in report.documents:
        typer.echo(f"Tài liệu #{d.document_id} {d.file_name} ({d.form or 'không rõ mẫu'}), {d.compared} trường:")
        for f in d.findings:
            if f.state == consistency.KHOP:
                continue
            where = f" trang {f.page}" if f.page else ""
            done = f" — đã xử lý: {f.resolution_label}" if f.resolution else ""
            typer.echo(f"  #{f.id} {f.title}: {f.state_label}{where} — hồ sơ “{f.record_value}”, "
                       f"bản giấy “{f.paper_value}”{done}")


def audit_consistency(code: str = typer.Argument(..., help="mã cán bộ"),
                      show: bool = typer.Option(False, "--show", help="chỉ xem lần đối chiếu gần nhất"),
                      as_json: bool = typer.Option(False, "--json")) -> None:
    """Đối chiếu sơ yếu lý lịch (bản giấy) với hồ sơ của một cán bộ."""
    actor = cli_actor()
    report = run(lambda c: (consistency.get_report if show else consistency.run_check)(c, actor, code))
    if as_json:
        print_json(report.to_dict())
    else:
        _print_report(report)


def audit_resolve(finding: int = typer.Argument(..., help="số kết quả đối chiếu"),
                  resolution: str = typer.Argument(..., help="record_wrong | paper_wrong | ocr_misread"),
                  note: str = typer.Option("", "--note", help="ghi chú"),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """Xử lý một kết quả đối chiếu (hồ sơ sai → việc cần sửa cho bộ phận tổ chức)."""
    actor = cli_actor()
    view = run(lambda c: consistency.resolve(c, actor, finding, resolution, note))
    if as_json:
        print_json(view.to_dict())
    else:
        typer.echo(f"#{view.id} {view.title}: {view.resolution_label}")


def audit_corrections(done: bool = typer.Option(False, "--done", help="các việc đã sửa xong"),
                      as_json: bool = typer.Option(False, "--json")) -> None:
    """Cần sửa hồ sơ: các trường hồ sơ ghi sai so với bản giấy."""
    actor = cli_actor()
    rows = run(lambda c: consistency.list_corrections(c, actor, state="done" if done else "open"))
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    if not rows:
        typer.echo("Không có việc cần sửa hồ sơ.")
    for r in rows:
        typer.echo(f"#{r.id} {r.staff_code} {r.full_name} — {r.title}: hồ sơ “{r.record_value}”, "
                   f"bản giấy “{r.paper_value}”")


def audit_correction_done(task: int = typer.Argument(..., help="số việc cần sửa"),
                          note: str = typer.Option("", "--note")) -> None:
    """Đánh dấu đã sửa hồ sơ theo bản giấy."""
    actor = cli_actor()
    view = run(lambda c: consistency.complete_correction(c, actor, task, note))
    typer.echo(f"#{view.id} {view.staff_code} {view.title}: đã sửa")


def register(audit_app: typer.Typer) -> None:
    audit_app.command("consistency")(audit_consistency)
    audit_app.command("resolve")(audit_resolve)
    audit_app.command("corrections")(audit_corrections)
    audit_app.command("correction-done")(audit_correction_done)
