"""`archive` command line for operators and scripts. Commands are thin: parse, call a service, print.

Errors print a Vietnamese message to stderr and exit non-zero (1: bad input or not found;
3: ingest --wait ended with a failed document; 4: timed out waiting).
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from typing import List, Optional

import typer

from archive.bootstrap import Container, build
from archive.domain import STATUS_LABELS, DocumentState, StaffStatus
from archive.cli_common import fail as _fail, print_json as _print_json, run as _run
from archive.services.access import cli_actor
from archive.settings import Settings

app = typer.Typer(help="Lưu trữ và tra cứu hồ sơ cán bộ, công chức, viên chức.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
staff_app = typer.Typer(help="Cán bộ (staff records).", no_args_is_help=True)
doc_app = typer.Typer(help="Tài liệu (documents).", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
jobs_app = typer.Typer(help="Công việc nền (background jobs).", no_args_is_help=True)
app.add_typer(doc_app, name="doc")
app.add_typer(jobs_app, name="jobs")


@app.command()
def init() -> None:
    """Create the data directory and the database schema (safe to run twice)."""
    from archive.db import migrate

    s = Settings()
    for d in (s.data_dir, s.tmp_dir):
        d.mkdir(parents=True, exist_ok=True)
    migrate(s.database_url)
    import secrets

    from archive.services.accounts import ensure_first_admin
    from archive.services.catalogs import seed_catalogs

    from archive.work.janitor import clean_temp

    clean_temp(s.tmp_dir)  # what processes killed before this start left behind
    c = build(s)
    try:
        c.index.count()  # creates an empty index; fails early if it cannot be opened
        c.store  # noqa: B018 — creates the object directory
        c.cipher  # noqa: B018 — creates the embedded field key on first run
        seed_catalogs(c)
        password = s.admin_password or secrets.token_urlsafe(12) + "1a"
        if ensure_first_admin(c, username=s.admin_username, password=password, root_code=s.root_unit_code,
                              root_name=s.root_unit_name):
            shown = "(từ ARCHIVE_ADMIN_PASSWORD)" if s.admin_password else password
            typer.echo(f"Đã tạo quản trị viên đầu tiên: {s.admin_username} / mật khẩu: {shown} "
                       "— hãy ghi lại, mật khẩu chỉ hiện một lần.")
    finally:
        c.close()
    typer.echo(f"Đã khởi tạo dữ liệu tại {s.data_dir}")


@app.command()
def serve(host: Optional[str] = typer.Option(None), port: Optional[int] = typer.Option(None),
          workers: Optional[int] = typer.Option(None, help="số tiến trình OCR")) -> None:
    """Run the API and the background workers; Ctrl-C stops them all."""
    from archive.serve import run_all

    init()
    s = Settings()
    raise typer.Exit(run_all(s, host=host or s.host, port=port or s.port, ocr_workers=workers or s.ocr_workers))


@staff_app.command("add")
def staff_add(
    code: str = typer.Option(..., "--code"),
    name: str = typer.Option(..., "--name"),
    birth_date: Optional[str] = typer.Option(None, "--birth-date", help="YYYY-MM-DD"),
    unit: str = typer.Option(..., "--unit", help="mã đơn vị quản lý hồ sơ"),
    status: str = typer.Option(StaffStatus.DANG_CONG_TAC.value, "--status",
                               help=", ".join(s.value for s in StaffStatus)),
    grade: str = typer.Option("", "--grade", help="mã ngạch, ví dụ 01.003"),
    gender: str = typer.Option("", "--gender", help="nam | nu"),
    restriction: int = typer.Option(0, "--restriction", help="độ hạn chế tiếp cận 0, 1, 2"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Register a staff member (thêm cán bộ)."""
    from archive.services.staff import add_staff

    born = None
    if birth_date:
        try:
            born = date.fromisoformat(birth_date)
        except ValueError:
            _fail(f"Ngày sinh phải có dạng YYYY-MM-DD, nhận được {birth_date!r}.")
    view = _run(lambda c: add_staff(c, cli_actor(), code=code, full_name=name, birth_date=born, unit_code=unit,
                                    status=status, grade_code=grade, gender=gender, restriction_level=restriction))
    if as_json:
        _print_json(view.to_dict())
    else:
        typer.echo(f"Đã thêm cán bộ {view.code}: {view.full_name} ({STATUS_LABELS[StaffStatus(view.status)]})")


def _wait_for(c: Container, ids: list[int], timeout: float) -> list:
    from archive.services.documents import get_document

    deadline = time.monotonic() + timeout
    hinted = False
    start = time.monotonic()
    while True:
        docs = [get_document(c, cli_actor(), i) for i in ids]
        if all(DocumentState(d.state).is_final for d in docs):
            return docs
        if time.monotonic() > deadline:
            return docs
        if not hinted and time.monotonic() - start > 15 and all(d.state == "queued" for d in docs):
            typer.echo("Đang chờ tiến trình xử lý… (đã chạy `archive serve` chưa?)", err=True)
            hinted = True
        time.sleep(0.5)


@app.command()
def ingest(
    files: List[Path] = typer.Argument(..., help="PDF, TIFF, PNG, JPEG"),
    staff_code: str = typer.Option(..., "--staff"),
    doc_type: str = typer.Option("khac", "--type", help="loại tài liệu, ví dụ so_yeu_ly_lich"),
    wait: bool = typer.Option(False, "--wait", help="chờ đến khi mọi tài liệu được lập chỉ mục hoặc lỗi"),
    timeout: float = typer.Option(1800, "--timeout", help="giây chờ tối đa với --wait"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Upload scanned files into a staff member's dossier (nạp tài liệu)."""
    import logging

    from archive.errors import InvalidInput
    from archive.services.documents import ingest_upload

    # pypdf logs what it repairs in a damaged PDF; the person at the terminal reads our one
    # Vietnamese sentence instead (the server's log keeps pypdf's notes)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    for f in files:
        if not f.is_file():
            _fail(f"Không tìm thấy tệp {f}.")

    def work(c: Container) -> tuple[list, list]:
        outcomes = []
        for f in files:
            try:
                fh = open(f, "rb")
            except OSError:
                raise InvalidInput(f"Không đọc được tệp {f.name}.") from None
            with fh:
                outcomes.append(ingest_upload(c, cli_actor(), staff_code=staff_code, stream=fh, file_name=f.name,
                                              document_type=doc_type))
        docs = [o.document for o in outcomes]
        if wait:
            docs = _wait_for(c, [d.id for d in docs], timeout)
        return outcomes, docs

    outcomes, docs = _run(work)
    rows = [{**d.to_dict(), "created": o.created} for o, d in zip(outcomes, docs)]
    if as_json:
        _print_json(rows)
    else:
        for r in rows:
            note = "" if r["created"] else " (đã có, không nạp lại)"
            err = f" — {r['error']}" if r["error"] else ""
            typer.echo(f"#{r['id']} {r['file_name']}: {r['state']}, {r['page_count']} trang{note}{err}")
    if wait:
        if any(d.state == DocumentState.FAILED.value for d in docs):
            raise typer.Exit(3)
        if not all(DocumentState(d.state).is_final for d in docs):
            typer.echo(_timeout_message(docs), err=True)
            raise typer.Exit(4)


def _timeout_message(docs: list) -> str:
    """Say what --wait left behind: the files are stored, and whether any worker has them yet."""
    pending = [d for d in docs if not DocumentState(d.state).is_final]
    ids = ", ".join(f"#{d.id}" for d in pending)
    message = (f"Hết thời gian chờ: {len(pending)} tài liệu ({ids}) đã lưu nhưng chưa xử lý xong; "
               f"xem lại bằng `archive doc show ID`.")
    if all(d.state == DocumentState.QUEUED.value for d in pending):
        message += " Chưa có tiến trình nào nhận xử lý: hãy chạy `archive serve`, tài liệu sẽ được xử lý tiếp."
    return message


@app.command()
def search(
    query: str = typer.Argument(..., help='từ khoá, có hoặc không dấu; "cụm từ" trong ngoặc kép'),
    status: Optional[List[str]] = typer.Option(None, "--status"),
    unit: Optional[List[str]] = typer.Option(None, "--unit"),
    group: str = typer.Option("staff", "--group", help="staff: mỗi cán bộ một kết quả; page: mỗi trang một kết quả"),
    sort: str = typer.Option("relevance", "--sort", help="relevance | name | birth_date | status_date"),
    limit: int = typer.Option(20, "--limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search dossiers (tra cứu): one result per staff member, or per page with --group page."""
    from archive.cli_staff_list import print_people
    from archive.services.search import SearchParams, run_pages, search_people

    params = SearchParams(q=query, statuses=tuple(status or ()), units=tuple(unit or ()), group=group, sort=sort)
    if group != "page":
        found = _run(lambda c: search_people(c, cli_actor(), params, limit=limit))
        print_people(found.result, found.suggestions, as_json=as_json)
        return
    result = _run(lambda c: run_pages(c, cli_actor(), params, limit=limit))
    if as_json:  # the API's hit shape, so scripts read either alike
        from archive.api.search_json import pages_json

        _print_json(pages_json(result))
        return
    typer.echo(f"{result.total} trang khớp")
    for h in result.hits:
        plain = h.snippet.marked("[", "]")  # a terminal shows text as it is: nothing to escape
        typer.echo(f"- {h.staff_code} {h.staff_name} · tài liệu #{h.document_id} trang {h.page} "
                   f"· điểm {h.score:.2f}\n    {plain}")


@doc_app.command("text")
def doc_text(document_id: int) -> None:
    """Print a document's text, pages in order."""
    from archive.services.documents import document_pages

    pages = _run(lambda c: document_pages(c, cli_actor(), document_id))
    for p in pages:
        typer.echo(f"--- Trang {p.number} ({p.source}, độ tin cậy {p.confidence:.0f}) ---")
        typer.echo(p.text)


@doc_app.command("show")
def doc_show(document_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """Print a document's record and state."""
    from archive.services.documents import get_document

    d = _run(lambda c: get_document(c, cli_actor(), document_id))
    if as_json:
        _print_json(d.to_dict())
    else:
        err = f" — {d.error}" if d.error else ""
        typer.echo(f"#{d.id} {d.file_name} ({d.staff_code}, {d.document_type}): {d.state}, {d.page_count} trang, "
                   f"sha256 {d.sha256}{err}")


@app.command()
def reindex() -> None:
    """Rebuild the search index from the database. Run it with `archive serve` stopped (embedded mode)."""
    from archive.work.kinds.index import reindex_all

    n = _run(reindex_all)
    typer.echo(f"Đã lập lại chỉ mục {n} tài liệu.")


@jobs_app.command("list")
def jobs_list(kind: Optional[str] = typer.Option(None, "--kind", help="extract, …"),
              state: Optional[str] = typer.Option(None, "--state", help="queued | running | done | failed"),
              limit: int = typer.Option(50, "--limit"), as_json: bool = typer.Option(False, "--json")) -> None:
    """List background jobs, newest first (công việc nền)."""
    from archive.services.jobs import list_jobs

    rows = _run(lambda c: list_jobs(c, cli_actor(), kind=kind, state=state, limit=limit))
    if as_json:
        _print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        target = f" {r.target_type}:{r.target_id}" if r.target_type else ""
        err = f" — {r.last_error}" if r.last_error else ""
        typer.echo(f"#{r.id} {r.kind}{target}: {r.state}, lần thử {r.attempts}{err}")


@app.command()
def sweep() -> None:
    """Re-queue lost or expired jobs once (the scheduler does this every few seconds)."""
    from archive.work import sweep as run

    _print_json(_run(lambda c: run(c, c.registry)))


from archive import cli_admin  # noqa: E402 — unit/user/token/audit/keys commands
from archive import cli_staff_list  # noqa: E402 — staff list

cli_admin.register(app, staff_app)
cli_staff_list.register(app, staff_app)
from archive import cli_backup  # noqa: E402 — backup run/list/verify/drill, restore
cli_backup.register(app)
from archive import cli_fixity  # noqa: E402 — fixity run/status/report/check, doc check
cli_fixity.register(app, doc_app)
from archive import cli_retention  # noqa: E402 — retention rules/set-rule/apply/hold/release/propose/approve
cli_retention.register(app)
from archive import cli_profile  # noqa: E402 — profile show/due, calendar list/set/remove
cli_profile.register(app)
from archive import cli_deadlines  # noqa: E402 — deadlines list (Cảnh báo hạn, issue 17)
cli_deadlines.register(app)
from archive import cli_dossier  # noqa: E402 — dossier export/import (BagIt packages)
cli_dossier.register(app)
from archive import cli_archival  # noqa: E402 — doc archival (PDF/A-2b copy), doc describe (TT 05/2025)
cli_archival.register(doc_app)
from archive import cli_accounts  # noqa: E402 — user list/unlock (account list, issue 11)
cli_accounts.register(cli_admin.user_app)
from archive import cli_warnings  # noqa: E402 — warnings list/run, notifications, report make/list (issue 17)
cli_warnings.register(app)
from archive import cli_print  # noqa: E402 — staff print (sơ yếu lý lịch Mẫu 2C, issue 11)
cli_print.register(staff_app)
from archive import cli_staff_edit  # noqa: E402 — staff edit --set, staff history add|edit|remove (issue 11)
cli_staff_edit.register(staff_app)
from archive import cli_inventory  # noqa: E402 — completeness, inventory, label, loan (paper dossiers, issue 15)
cli_inventory.register(app)
from archive import cli_batch  # noqa: E402 — ingest-batch, batch list/show/report/review/assign, cover-sheet (issue 16)
cli_batch.register(app)
from archive import cli_import  # noqa: E402 — import-staff, import-template save|list (Excel import, issue 16)
cli_import.register(app)
from archive import cli_consistency  # noqa: E402 — audit consistency/resolve/corrections (đối chiếu, issue 15)
cli_consistency.register(cli_admin.audit_app)
from archive import cli_campaigns  # noqa: E402 — campaign open/list/show/check/close/report, audit export/alerts (issue 15)
cli_campaigns.register(app, cli_admin.audit_app)
from archive import cli_declarations  # noqa: E402 — declaration list/show/verify/approve/send-back, cert, staff export --signed (issue 18)
cli_declarations.register(app, staff_app)
from archive import cli_units  # noqa: E402 — unit rename/move/merge/dissolve/history (tổ chức lại đơn vị, issue 11)
cli_units.register(cli_admin.unit_app)
from archive import cli_review  # noqa: E402 — review list/done (trang cần xem lại sau OCR, issue 11)
cli_review.register(app)
from archive import cli_doc_corrections  # noqa: E402 — doc retype/move/withdraw/reocr/rotate/withdrawn (issue 11)
cli_doc_corrections.register(doc_app)


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
