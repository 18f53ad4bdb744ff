"""Cần xem lại from the command line: `archive review list [--unit …] [--uploader …] [--batch N] [--json]`
and `archive review done PAGE_ID`.

Thin: call archive/services/ocr_review.py as the operator (every record), print.
"""

from __future__ import annotations

import typer

from archive.cli_common import print_json, run
from archive.services import ocr_review
from archive.services.access import cli_actor

review_app = typer.Typer(help="Trang nhận dạng chữ cần người xem lại (trắng, bị xoay, độ tin cậy thấp).",
                         no_args_is_help=True)


@review_app.command("list")
def review_list(unit: str = typer.Option("", "--unit", help="mã đơn vị (cả đơn vị cấp dưới)"),
                uploader: str = typer.Option("", "--uploader", help="tên đăng nhập người tải lên"),
                batch: int | None = typer.Option(None, "--batch", min=1, help="số lô tiếp nhận"),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """Pages waiting for a person, oldest document first."""
    actor = cli_actor()
    rows = run(lambda c: ocr_review.review_list(c, actor, unit=unit, uploader=uploader, batch=batch))
    if as_json:
        print_json({"pages": [r.to_dict() for r in rows]})
        return
    if not rows:
        typer.echo("Không có trang nào cần xem lại.")
    for r in rows:
        who = f", tải lên bởi {r.uploader}" if r.uploader else ""
        typer.echo(f"#{r.page_id}  {r.staff_code} ({r.unit_code})  “{r.file_name}”  {r.reason}{who}")


@review_app.command("done")
def review_done(page_id: int = typer.Argument(..., help="số trang trong danh sách (#)")) -> None:
    """Mark a page reviewed (đã xem): it leaves the list; the audit log records who did it."""
    actor = cli_actor()
    r = run(lambda c: ocr_review.mark_reviewed(c, actor, page_id))
    typer.echo(f"Đã đánh dấu đã xem trang {r.page_number} của tệp “{r.file_name}” ({r.staff_code}).")


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
