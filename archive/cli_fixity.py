"""Fixity commands: `archive fixity run | status | report | check` and `archive doc check ID`.

Thin, like every command: parse, call a service (archive/services/fixity.py, fixity_views.py),
print. `fixity run` records the `fixity` job (the job table shows every pass) and runs it in
this process through the one lease loop, exactly as a worker runs the hourly one.

Exit codes: 0 done and every holding intact; 1 bad input or refused; 6 something is damaged
(a check found a mismatch or a missing object that no backup could repair).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Optional

import typer

from archive.bootstrap import Container
from archive.cli_common import fail, print_json, run
from archive.services.access import cli_actor
from archive.task_queue import NullQueue

fixity_app = typer.Typer(help="Kiểm tra tính toàn vẹn (fixity): chạy, tình trạng, báo cáo, kiểm tra một tài liệu.",
                         no_args_is_help=True)
EXIT_DAMAGED = 6


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


@fixity_app.command("run")
def fixity_run(limit: Optional[int] = typer.Option(None, "--limit", min=1, help="kiểm tra nhiều nhất N tệp"),
               every: bool = typer.Option(False, "--all", help="coi mọi tệp là đến hạn (một lượt đầy đủ)"),
               as_json: bool = typer.Option(False, "--json")) -> None:
    """Run a fixity pass now (the `fixity` job, in this process): what is due, oldest first."""
    from archive.services.fixity_views import require_fixity_runner
    from archive.work import run_job, start_kind
    from archive.models import Job

    actor = cli_actor()

    def work(c: Container):  # noqa: ANN202
        with c.uow() as uow:
            require_fixity_runner(uow.session, actor)
        payload = {"actor": actor.name, **({"limit": limit} if limit else {}), **({"all": True} if every else {})}
        job_id = start_kind(c, c.registry, "fixity", payload=payload)
        if job_id is None:
            fail("Đang có một lượt kiểm tra toàn vẹn chờ hoặc đang chạy: xem `archive jobs list --kind fixity`.")
        worker = f"cli:{socket.gethostname()}:{os.getpid()}"
        outcome = run_job(c, c.registry, job_id, worker_id=worker)
        while outcome == "requeued":
            outcome = run_job(c, c.registry, job_id, worker_id=worker)
        with c.uow() as uow:
            job = uow.session.get(Job, job_id)
            return {"job": job_id, "state": job.state, "error": job.last_error, **(job.result or {})}

    result = run(work, queue=NullQueue())
    if as_json:
        print_json(result)
    elif result["state"] == "done":
        typer.echo(f"Đã kiểm tra {result['checked']} tệp ({_mb(result['bytes_read'])}, "
                   f"{result['mb_per_s']} MB/s): {result['ok']} nguyên vẹn, {result['repaired']} đã sửa, "
                   f"{result['failed']} lỗi toàn vẹn; còn {result['remaining_due']} tệp đến hạn.")
        for f in result.get("failures", []):
            typer.echo(f"  ✗ {f['namespace']}/{f['key']}: {f['result']} — {f['detail']}")
    if result["state"] != "done":
        fail(f"Lượt kiểm tra không hoàn tất: {result['error']}")
    if result.get("failed"):
        raise typer.Exit(EXIT_DAMAGED)


def _status_text(st) -> None:  # noqa: ANN001
    typer.echo(f"Tệp đang lưu giữ: {st.objects} ({_mb(st.bytes)}); chu kỳ {st.cycle_days} ngày.")
    typer.echo(f"Đã kiểm tra trong chu kỳ: {st.checked_in_cycle} ({st.coverage_pct:.2f} %); chưa kiểm tra lần nào: "
               f"{st.never_checked}; quá hạn: {st.overdue}; đến hạn ngay: {st.due_now}.")
    typer.echo(f"Trong {st.period_days} ngày qua: {st.checks_in_period} lần kiểm tra, {len(st.failures)} lỗi, "
               f"{len(st.repairs)} lần sửa.")
    if not st.cycle_fits:
        typer.echo("Cảnh báo: với giới hạn tốc độ hiện tại, không đọc hết kho trong một chu kỳ.")
    for d in st.damaged:
        docs = ", ".join(f"#{i}" for i in d.documents) or "—"
        typer.echo(f"  ✗ Lỗi toàn vẹn: {d.namespace}/{d.key} ({d.result}, từ {d.since:%Y-%m-%d %H:%M} UTC; "
                   f"tài liệu {docs})")


@fixity_app.command("status")
def fixity_status(as_json: bool = typer.Option(False, "--json")) -> None:
    """Coverage of the cycle and what is damaged now."""
    from archive.services.fixity_views import status

    st = run(lambda c: status(c, cli_actor()))
    print_json(st.to_dict()) if as_json else _status_text(st)
    if st.damaged:
        raise typer.Exit(EXIT_DAMAGED)


@fixity_app.command("report")
def fixity_report(days: Optional[int] = typer.Option(None, "--days", help="khoảng thời gian (mặc định: một chu kỳ)"),
                  csv_file: Optional[Path] = typer.Option(None, "--csv", help="ghi mọi tệp lưu giữ ra tệp CSV này"),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """The auditors' report: coverage, failures and repairs of the period; --csv every holding."""
    from archive.services.fixity_views import csv_rows, status

    def work(c: Container):  # noqa: ANN202
        st = status(c, cli_actor(), period_days=days)
        if csv_file is not None:
            try:
                with open(csv_file, "w", encoding="utf-8", newline="") as out:
                    for chunk in csv_rows(c, cli_actor()):
                        out.write(chunk)
            except OSError:
                fail("Không ghi được tệp CSV (kiểm tra đường dẫn và quyền ghi).")
        return st

    st = run(work)
    if as_json:
        print_json(st.to_dict())
        return
    _status_text(st)
    for e in st.failures:
        typer.echo(f"  lỗi {e.at:%Y-%m-%d %H:%M} {e.namespace}/{e.key}: {e.result} — {e.detail}")
    for e in st.repairs:
        typer.echo(f"  sửa {e.at:%Y-%m-%d %H:%M} {e.namespace}/{e.key}: {e.detail}")
    if csv_file is not None:
        typer.echo(f"Đã ghi báo cáo CSV: {csv_file}")


def check(document_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """Re-hash one document's original (and its derivatives) now; print its SHA-256 and the result."""
    from archive.services.fixity_views import check_document

    state = run(lambda c: check_document(c, cli_actor(), document_id))
    if as_json:
        print_json(state.to_dict())
    else:
        verdict = "Lỗi toàn vẹn" if state.integrity_error else "nguyên vẹn"
        typer.echo(f"Tài liệu #{document_id}: SHA-256 {state.sha256} — {verdict} ({state.last_result}), "
                   f"kiểm tra lúc {state.last_checked_at:%Y-%m-%d %H:%M:%S} UTC.")
    if state.integrity_error:
        raise typer.Exit(EXIT_DAMAGED)


def register(app: typer.Typer, doc_app: typer.Typer) -> None:
    fixity_app.command("check")(check)
    doc_app.command("check")(check)
    app.add_typer(fixity_app, name="fixity")
