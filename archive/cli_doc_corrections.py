"""`archive doc retype|move|withdraw|reocr|rotate|withdrawn|merge|split|reorder`: document corrections (issue 11).

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


def merge(document_ids: list[int] = typer.Argument(..., help="số các tài liệu cùng hồ sơ; tài liệu đầu tiên nhận mọi trang"),
          order: str = typer.Option("", "--order", help="thứ tự trang sau khi gộp, ví dụ 2,1,3"),
          as_json: bool = typer.Option(False, "--json")) -> None:
    """Merge documents of one dossier into the first (gộp tài liệu); the others are withdrawn as merged."""
    from archive.services.page_references import merge as merge_documents, parse_order

    view = _run(lambda c: merge_documents(c, cli_actor(), list(document_ids), parse_order(order) if order.strip() else None))
    if as_json:
        _print_json(view.to_dict())
    else:
        typer.echo(f"Đã gộp vào tài liệu số {view.id}; tài liệu này nay có {view.page_count} trang.")


def split(document_id: int, at_page: int = typer.Argument(..., help="trang đầu tiên của tài liệu mới"),
          as_json: bool = typer.Option(False, "--json")) -> None:
    """Split a document at a page (tách tài liệu): that page and the rest become a new document."""
    from archive.services.page_references import split as split_document

    first, new = _run(lambda c: split_document(c, cli_actor(), document_id, at_page))
    if as_json:
        _print_json({"document": first.to_dict(), "new_document": new.to_dict()})
    else:
        typer.echo(f"Đã tách tài liệu số {first.id}: các trang từ trang {at_page} nay là tài liệu số {new.id}.")


def reorder(document_id: int, order: str = typer.Argument(..., help="thứ tự trang mới, ví dụ 3,1,2")) -> None:
    """Reorder a document's pages (sắp xếp lại trang); moved pages keep their text."""
    from archive.services.page_references import parse_order, reorder as reorder_pages

    view = _run(lambda c: reorder_pages(c, cli_actor(), document_id, parse_order(order)))
    typer.echo(f"Đã sắp xếp lại các trang của tài liệu số {view.id}.")


def register(doc_app: typer.Typer) -> None:
    for fn in (retype, move, withdraw, reocr, rotate, withdrawn, merge, split, reorder):
        doc_app.command(fn.__name__)(fn)
