"""`archive doc retype|move|withdraw|reocr|rotate|withdrawn`: document corrections (issue 11).

Each calls archive.services.document_corrections as the API and web do (audited, the original
never touched); the work that follows (extract, index, retention) goes through the job queue.
"""

from __future__ import annotations

import typer

from archive.cli_common import print_json as _print_json, run as _run
from archive.services.access import cli_actor


def retype(document_id: int, document_type: str = typer.Argument(..., help="mã loại tài liệu trong danh mục"),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """Change a document's type (đổi loại tài liệu)."""
    from archive.services.document_corrections import change_type

    view = _run(lambda c: change_type(c, cli_actor(), document_id, document_type))
    if as_json:
        _print_json(view.to_dict())
    else:
        typer.echo(f"Tài liệu số {view.id} nay thuộc loại {view.document_type}.")


def move(document_id: int, staff_code: str = typer.Argument(..., help="mã cán bộ của hồ sơ đúng"),
         reason: str = typer.Option("", "--reason", help="lý do chuyển")) -> None:
    """Move a document filed in the wrong dossier to the right one (chuyển hồ sơ)."""
    from archive.services.document_corrections import move_to_dossier

    view = _run(lambda c: move_to_dossier(c, cli_actor(), document_id, staff_code, reason))
    typer.echo(f"Đã chuyển tài liệu số {view.id} sang hồ sơ {view.staff_code}.")


def withdraw(document_id: int, reason: str = typer.Option(..., "--reason", help="lý do thu hồi")) -> None:
    """Withdraw a document (thu hồi): out of search and the dossier, kept in the store."""
    from archive.services.document_corrections import withdraw as withdraw_document

    view = _run(lambda c: withdraw_document(c, cli_actor(), document_id, reason))
    typer.echo(f"Đã thu hồi tài liệu số {view.id}; bản gốc vẫn được lưu giữ.")


def reocr(document_id: int) -> None:
    """Read a document again (nhận dạng lại); its pages are replaced when the job finishes."""
    from archive.services.document_corrections import reocr_document

    view = _run(lambda c: reocr_document(c, cli_actor(), document_id))
    typer.echo(f"Đã đưa tài liệu số {view.id} vào hàng đợi nhận dạng lại.")


def rotate(document_id: int, page: int, turn: int = typer.Option(90, "--turn",
           help="90 (phải), 180, 270 hoặc -90 (trái), theo chiều kim đồng hồ")) -> None:
    """Turn one page (xoay trang); that page is read again from the original, turned."""
    from archive.services.document_corrections import rotate_page

    rotation = _run(lambda c: rotate_page(c, cli_actor(), document_id, page, turn))
    typer.echo(f"Trang {page} của tài liệu số {document_id} nay xoay {rotation}°; đang nhận dạng lại trang này.")


def withdrawn(staff_code: str = typer.Option(None, "--staff", help="chỉ hồ sơ này"),
              as_json: bool = typer.Option(False, "--json")) -> None:
    """List withdrawn documents (Đã thu hồi)."""
    from archive.services.document_corrections import list_withdrawn

    rows = _run(lambda c: list_withdrawn(c, cli_actor(), staff_code))
    if as_json:
        _print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        typer.echo(f"{r.id}\t{r.staff_code}\t{r.file_name}\t{r.withdrawn_at:%d/%m/%Y}\t{r.withdrawn_by}\t{r.reason}")


def register(doc_app: typer.Typer) -> None:
    for fn in (retype, move, withdraw, reocr, rotate, withdrawn):
        doc_app.command(fn.__name__)(fn)
