"""Bulk intake commands: `archive ingest-batch PATH`, `archive batch list|show|report|review|assign`,
`archive cover-sheet CODE… --type T --out F.pdf`.

Thin: parse, call `services.batches` / `batch_processing` / `cover_sheets`, print. With `--wait`
the batch's job runs in this process through the one lease loop (the claim is atomic: if a
worker took it first, this command waits for the batch instead).

Exit codes: 0 every file filed; 1 bad input or refused (an unsafe zip: nothing kept);
3 (--wait) some files failed or wait for review; 4 (--wait) timed out.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import typer

from archive.bootstrap import Container
from archive.cli_common import fail, print_json, run
from archive.services.access import cli_actor

batch_app = typer.Typer(help="Lô tiếp nhận (intake batches): danh sách, chi tiết, báo cáo, xem lại.",
                        no_args_is_help=True)
EXIT_PROBLEMS, EXIT_TIMEOUT = 3, 4
STATE_LABELS = {"pending": "chờ xử lý", "stored": "đã lưu", "duplicate": "trùng", "failed": "lỗi",
                "needs_review": "cần xem lại", "split": "đã tách theo tờ bìa"}


def _print_batch(view, *, files: bool = True) -> None:
    k = view.counts
    typer.echo(f"Lô #{view.id} {view.name} ({view.source}) — {view.state}: {k['stored']} đã lưu, {k['failed']} lỗi, "
               f"{k['needs_review']} cần xem lại, {k['duplicate']} trùng, {k['pending']} chờ — "
               f"{view.created_by}, {view.created_at:%d/%m/%Y %H:%M} UTC")
    for p in view.problems:
        typer.echo(f"  ! {p}")
    if files:
        for f in view.files:
            where = f"{f.staff_code}/{f.document_type}" if f.staff_code else "(tập quét)"
            doc = f" → tài liệu #{f.document_id}" if f.document_id else ""
            note = f" — {f.problem}" if f.problem else ""
            typer.echo(f"  {f.position:>4} {f.path} [{where}] {STATE_LABELS.get(f.state, f.state)}{doc}{note}")


def ingest_batch(path: Path = typer.Argument(..., help="thư mục hoặc tệp .zip"),
                 manifest: Path | None = typer.Option(None, "--manifest", help="bảng kê CSV hoặc XLSX"),
                 wait: bool = typer.Option(False, "--wait", help="xử lý ngay và chờ đến khi lô xong"),
                 timeout: float = typer.Option(3600, "--timeout", help="giây chờ tối đa với --wait"),
                 as_json: bool = typer.Option(False, "--json")) -> None:
    """Nạp một lô: mỗi tệp vào đúng hồ sơ và loại tài liệu theo bảng kê hoặc quy ước thư mục."""
    import logging

    from archive.services import batches
    from archive.work import run_job

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    actor = cli_actor()

    def work(c: Container):
        view = batches.create_batch(c, actor, path, manifest=manifest, source="cli")
        if not wait:
            return view
        with c.uow() as uow:
            from archive.models import IntakeBatch

            job_id = uow.session.get(IntakeBatch, view.id).job_id
        worker = f"cli:{socket.gethostname()}:{os.getpid()}"
        deadline = time.monotonic() + timeout
        outcome = run_job(c, c.registry, job_id, worker_id=worker)
        while outcome == "requeued" and time.monotonic() < deadline:
            outcome = run_job(c, c.registry, job_id, worker_id=worker)
        view = batches.get_batch(c, actor, view.id)
        while view.state not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.5)  # a worker holds the job: wait for it
            view = batches.get_batch(c, actor, view.id)
        return view

    view = run(work)
    if as_json:
        print_json(view.to_dict())
    else:
        _print_batch(view)
    if wait:
        if view.state not in ("done", "failed"):
            typer.echo("Hết thời gian chờ.", err=True)
            raise typer.Exit(EXIT_TIMEOUT)
        if view.counts["failed"] or view.counts["needs_review"] or view.problems:
            raise typer.Exit(EXIT_PROBLEMS)


@batch_app.command("list")
def batch_list(limit: int = typer.Option(50, "--limit"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Các lô tiếp nhận, mới nhất trước."""
    from archive.services import batches

    views = run(lambda c: batches.list_batches(c, cli_actor(), limit=limit))
    if as_json:
        print_json([v.to_dict() for v in views])
        return
    for v in views:
        _print_batch(v, files=False)


@batch_app.command("show")
def batch_show(batch_id: int = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """Một lô: các tệp, trạng thái, lỗi."""
    from archive.services import batches

    view = run(lambda c: batches.get_batch(c, cli_actor(), batch_id))
    print_json(view.to_dict()) if as_json else _print_batch(view)


@batch_app.command("report")
def batch_report(batch_id: int = typer.Argument(...), out: Path = typer.Option(..., "--out")) -> None:
    """Báo cáo lô (CSV, mở được bằng Excel)."""
    from archive.services import batches

    _name, data = run(lambda c: batches.report_csv(c, cli_actor(), batch_id))
    out.write_bytes(data)
    typer.echo(f"Đã ghi báo cáo lô {batch_id} vào {out}")


@batch_app.command("review")
def batch_review(as_json: bool = typer.Option(False, "--json")) -> None:
    """Cần xem lại — tập quét không có tờ bìa đầu."""
    from archive.services.batch_processing import review_list

    rows = run(lambda c: review_list(c, cli_actor()))
    if as_json:
        print_json([{"batch": b, "batch_name": n, "file": f.id, "path": f.path, "problem": f.problem}
                    for b, n, f in rows])
        return
    for b, n, f in rows:
        typer.echo(f"lô #{b} {n}: tệp #{f.id} {f.path} — {f.problem}")


@batch_app.command("assign")
def batch_assign(batch_id: int = typer.Argument(...), file_id: int = typer.Argument(...),
                 staff_code: str = typer.Option(..., "--staff"), doc_type: str = typer.Option(..., "--type")) -> None:
    """Gán hồ sơ và loại tài liệu cho một tập quét cần xem lại; lô được xử lý tiếp."""
    from archive.services.batch_processing import assign_reviewed

    run(lambda c: assign_reviewed(c, cli_actor(), batch_id, file_id, staff_code=staff_code, document_type=doc_type))
    typer.echo(f"Đã gán tệp #{file_id} vào hồ sơ {staff_code}; lô {batch_id} được xử lý tiếp.")


def cover_sheet(codes: list[str] = typer.Argument(..., help="mã cán bộ"),
                doc_type: str = typer.Option(..., "--type", help="loại tài liệu, ví dụ so_yeu_ly_lich"),
                out: Path = typer.Option(..., "--out", help="tệp PDF")) -> None:
    """In tờ bìa phân tách (mã QR) cho một hoặc nhiều hồ sơ."""
    from archive.services.cover_sheets import cover_sheets_pdf

    data = run(lambda c: cover_sheets_pdf(c, cli_actor(), list(codes), doc_type))
    try:
        out.write_bytes(data)
    except OSError:
        fail(f"Không ghi được tệp {out.name}.")
    typer.echo(f"Đã ghi {len(dict.fromkeys(codes))} tờ bìa vào {out}")


def register(app: typer.Typer) -> None:
    app.command("ingest-batch")(ingest_batch)
    app.command("cover-sheet")(cover_sheet)
    app.add_typer(batch_app, name="batch")
