"""Backup commands: `archive backup run | list | verify | drill | key` and `archive restore`.

Thin, like every command: parse, call a service (archive/services/backups.py, restore.py), print.
`backup run` records the `backup` job (the job table shows every run) and runs it in this
process through the one lease loop, exactly as a worker runs the nightly one.

Exit codes: 0 done; 1 bad input, not configured, refused (e.g. restore into a non-empty
instance); 2 a target or engine unavailable — for `run`, some target did not get its set;
6 verification or drill found damage or a mismatch; 70 a bug.
"""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from datetime import datetime
from typing import Iterator, Optional

import typer

from archive.bootstrap import Container, build
from archive.cli_common import fail, print_json, run
from archive.services.access import cli_actor
from archive.settings import Settings
from archive.task_queue import NullQueue

backup_app = typer.Typer(help="Sao lưu (backups): chạy, liệt kê, kiểm tra, diễn tập khôi phục.", no_args_is_help=True)

FROM_HELP = "nơi sao lưu: URL, hoặc số thứ tự trong ARCHIVE_BACKUP_TARGETS (mặc định: nơi đầu tiên)"
EXIT_TARGET_FAILED = 2
EXIT_DAMAGED = 6


def _local(fn):  # noqa: ANN001, ANN202
    """cli_common.run, but nothing is sent to workers: the work runs here."""
    return run(fn, queue=NullQueue())


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


@backup_app.command("run")
def backup_run(full: bool = typer.Option(False, "--full", help="bộ đầy đủ ở mọi nơi (đọc lại mọi bản sao)"),
               as_json: bool = typer.Option(False, "--json")) -> None:
    """Make a backup set now in every target (the `backup` job, run in this process)."""
    from archive.services.backup_status import busy_run, run_record
    from archive.work import run_job, start_kind

    actor = cli_actor()

    def work(c: Container):  # noqa: ANN202
        from archive.services.backups import check_ready

        check_ready(c)  # a missing target, key or program: exit 1 now, no failed job
        payload = {"actor": actor.name, **({"full": True} if full else {})}
        job_id = start_kind(c, c.registry, "backup", payload=payload)
        if job_id is None:  # one is queued, or a run was killed and its lease has run out: take it over
            busy = busy_run(c)
            if busy is not None and busy.state == "running" and busy.lease_until and busy.lease_until > c.clock():
                fail(f"Đang có một lần sao lưu chạy (công việc #{busy.job_id}, {busy.worker}).")
            job_id = busy.job_id if busy is not None else None
        worker = f"cli:{socket.gethostname()}:{os.getpid()}"
        outcome = run_job(c, c.registry, job_id, worker_id=worker) if job_id is not None else "skipped"
        while outcome == "requeued":  # a transient failure: its next attempt now, not when a worker wakes
            outcome = run_job(c, c.registry, job_id, worker_id=worker)
        if outcome == "skipped":
            fail(f"Một tiến trình khác vừa nhận lần sao lưu này (công việc #{job_id}): xem `archive jobs list`.")
        return run_record(c, job_id) if job_id is not None else None

    record = _local(work)
    if record is None:
        fail("Không bắt đầu được lần sao lưu (một lần khác vừa nhận việc này).")
    result = record.result or {}
    if as_json:
        print_json({"job": record.job_id, "state": record.state, "error": record.error, **result})
    elif record.state == "done":
        for t in result.get("targets", []):
            typer.echo(f"✓ {t['target']}: bộ {t['set_id']} ({t['kind']}), {t['objects']} tệp, thêm "
                       f"{t['objects_added']} ({_mb(t['bytes_added'])}), {t['duration_seconds']:.1f} s")
        for w in result.get("warnings", []):
            typer.echo(f"Cảnh báo: {w}", err=True)
    else:
        typer.echo(f"Lỗi sao lưu (công việc #{record.job_id}): {record.error}", err=True)
    if record.state != "done":
        raise typer.Exit(EXIT_TARGET_FAILED)


@backup_app.command("list")
def backup_list(source: Optional[str] = typer.Option(None, "--from", help=FROM_HELP),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """List the complete sets of every target, newest first, with their last check."""
    from archive.services.backup_status import backup_status, checks_by_set
    from archive.services.backup_views import list_sets

    def work(c: Container):  # noqa: ANN202
        return list_sets(c, cli_actor(), source=source), checks_by_set(c), backup_status(c)

    targets, checks, status = run(work)
    if as_json:
        print_json({
            "last_good_at": status.last_good_at, "age_hours": status.age_hours, "stale": status.stale,
            "last_drill": status.last_drill and {"at": status.last_drill.at, "ok": status.last_drill.ok,
                                                  "set": status.last_drill.set_id},
            "targets": [{"target": t.target, "error": t.error, "unreadable": t.unreadable, "sets": [
                {**s.to_dict(), "check": _check_dict(checks.get((t.target, s.set_id)))} for s in t.sets]}
                for t in targets]})
    else:
        for t in targets:
            typer.echo(f"{t.target}: {len(t.sets)} bộ" + (f" — LỖI: {t.error}" if t.error else ""))
            for name in t.unreadable:
                typer.echo(f"  ! {name}: bản kê không khớp khoá sao lưu", err=True)
            for s in t.sets:
                check = checks.get((t.target, s.set_id))
                seen = "chưa kiểm tra sâu" if check is None else (
                    f"kiểm tra {'đạt' if check.ok else 'KHÔNG ĐẠT'} {check.at:%Y-%m-%d}")
                typer.echo(f"  {s.set_id} {s.kind:<11} {_mb(s.size_bytes):>12} {s.objects} tệp (+{s.objects_added}) "
                           f"{s.duration_seconds:.1f} s · {seen}")
    if any(t.error for t in targets):
        raise typer.Exit(EXIT_TARGET_FAILED)


def _check_dict(check) -> dict | None:  # noqa: ANN001
    if check is None:
        return None
    return {"at": check.at, "ok": check.ok, "read_data": bool(check.details.get("read_data")),
            "drill": "checks" in check.details}


@backup_app.command("verify")
def backup_verify(set_id: Optional[str] = typer.Argument(None, help="mã bộ sao lưu (mặc định: bộ mới nhất)"),
                  source: Optional[str] = typer.Option(None, "--from", help=FROM_HELP),
                  read_data: bool = typer.Option(False, "--read-data", help="đọc lại và băm mọi bản sao"),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """Check a set where it lies; exit 6 naming every damaged item or object copy."""
    from archive.services.restore import verify_set

    r = run(lambda c: verify_set(c, cli_actor(), source=source, set_id=set_id, read_data=read_data))
    if as_json:
        print_json(r.to_dict())
    elif r.ok:
        typer.echo(f"Bộ {r.set_id} ở {r.target} toàn vẹn: {r.checked_objects} bản sao"
                   + (", đã đọc lại toàn bộ." if r.read_data else " có đủ (chưa đọc lại: --read-data)."))
    else:
        typer.echo(f"BỘ SAO LƯU {r.set_id} Ở {r.target} BỊ HỎNG:", err=True)
        for p in r.problems:
            typer.echo(f"  - {p}", err=True)
    if not r.ok:
        raise typer.Exit(EXIT_DAMAGED)


@contextmanager
def _instance(settings: Settings) -> Iterator[Container]:
    c = build(settings, queue=NullQueue())
    try:
        yield c
    finally:
        c.close()


@backup_app.command("drill")
def backup_drill(source: Optional[str] = typer.Option(None, "--from", help=FROM_HELP),
                 set_id: Optional[str] = typer.Option(None, "--set", help="mặc định: bộ mới nhất"),
                 as_json: bool = typer.Option(False, "--json")) -> None:
    """Restore a set into a scratch instance, compare, and record the report in the audit log."""
    from archive.services.restore import drill
    from archive.work.kinds.index import reindex_all

    r = run(lambda c: drill(c, cli_actor(), source=source, set_id=set_id, open_instance=_instance,
                            rebuild_index=reindex_all))
    if as_json:
        print_json(r.to_dict())
    else:
        checks = ", ".join(f"{k} {'đạt' if v else 'lỗi'}" for k, v in r.checks.items())
        seconds = ", ".join(f"{k} {v:.1f} s" for k, v in r.restore.get("seconds", {}).items())
        typer.echo(f"Diễn tập khôi phục bộ {r.set_id} từ {r.target}: {'ĐẠT' if r.ok else 'KHÔNG ĐẠT'} "
                   f"({checks}; thời gian {seconds})")
        for f in r.failures:
            typer.echo(f"  - {f}", err=True)
    if not r.ok:
        raise typer.Exit(EXIT_DAMAGED)


@backup_app.command("key")
def backup_key_new() -> None:
    """Print a new random ARCHIVE_BACKUP_KEY (keep it away from the server and from the targets)."""
    from archive.services.backup_cipher import new_key_spec

    typer.echo(new_key_spec())


def restore(source: str = typer.Option(..., "--from", help=FROM_HELP),
            set_id: Optional[str] = typer.Option(None, "--set", help="mặc định: bộ mới nhất"),
            as_json: bool = typer.Option(False, "--json")) -> None:
    """Restore a backup set into this empty instance (database, objects, then the index is rebuilt)."""
    from archive.services.restore import restore_instance
    from archive.work.kinds.index import reindex_all

    started = datetime.now()
    r = _local(lambda c: restore_instance(c, cli_actor(), source=source, set_id=set_id, rebuild_index=reindex_all))
    if as_json:
        print_json(r.to_dict())
    else:
        typer.echo(f"Đã khôi phục bộ {r.set_id} từ {r.target} trong {(datetime.now() - started).total_seconds():.0f} s: "
                   f"{r.objects_restored} tệp ({_mb(r.bytes_restored)}), {sum(r.counts.values())} dòng, "
                   f"{r.documents_indexed} tài liệu lập chỉ mục lại.")
        typer.echo("Số dòng các bảng khớp bản kê." if r.counts_equal else "SỐ DÒNG CÁC BẢNG KHÁC BẢN KÊ.",
                   err=not r.counts_equal)
        typer.echo(f"Nhật ký toàn vẹn: {r.audit_checked} mục." if r.audit_ok else f"NHẬT KÝ: {r.audit_reason}",
                   err=not r.audit_ok)
    if not (r.counts_equal and r.audit_ok):
        raise typer.Exit(EXIT_DAMAGED)


def register(app: typer.Typer) -> None:
    app.add_typer(backup_app, name="backup")
    app.command("restore")(restore)
