"""`archive doc archival ID --out FILE` and `archive doc describe ID --so-ky-hieu … ` (issue 14)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from archive.cli_common import fail as _fail, print_json as _print_json, run as _run
from archive.services.access import cli_actor


def archival(document_id: int, out: Path = typer.Option(..., "--out", help="tệp PDF/A-2b sẽ ghi")) -> None:
    """Save a document's PDF/A-2b archival copy (bản lưu trữ) to FILE."""
    from archive.services.archival import open_archival_copy

    _name, size, chunks = _run(lambda c: open_archival_copy(c, cli_actor(), document_id))
    if out.exists() and out.is_dir():
        _fail(f"{out.name} là một thư mục, hãy chỉ tên tệp cần ghi.")
    partial = out.with_name(out.name + ".part")
    with open(partial, "wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
    partial.replace(out)
    typer.echo(f"Đã ghi bản lưu trữ PDF/A-2b ({size} byte) vào {out.name}.")


def describe(
    document_id: int,
    ma_ho_so: Optional[str] = typer.Option(None, help="Mã hồ sơ"),
    ma_dinh_danh: Optional[str] = typer.Option(None, help="Mã định danh tài liệu"),
    ten_loai: Optional[str] = typer.Option(None, help="Tên loại văn bản"),
    so_ky_hieu: Optional[str] = typer.Option(None, help="Số và ký hiệu, ví dụ 123/QĐ-UBND"),
    ngay_van_ban: Optional[str] = typer.Option(None, help="Ngày văn bản (YYYY-MM-DD hoặc DD/MM/YYYY)"),
    co_quan_ban_hanh: Optional[str] = typer.Option(None, help="Cơ quan, tổ chức ban hành"),
    trich_yeu: Optional[str] = typer.Option(None, help="Trích yếu nội dung"),
    ngon_ngu: Optional[str] = typer.Option(None, help="Ngôn ngữ"),
    so_trang: Optional[str] = typer.Option(None, help="Số trang"),
    ky_hieu_thong_tin: Optional[str] = typer.Option(None, help="Ký hiệu thông tin"),
    tu_khoa: Optional[str] = typer.Option(None, help="Từ khóa, cách nhau bởi dấu ;"),
    che_do_su_dung: Optional[str] = typer.Option(None, help="cong_khai | su_dung_co_dieu_kien | mat"),
    muc_do_tin_cay: Optional[str] = typer.Option(None, help="goc_dien_tu | so_hoa | hon_hop"),
    but_tich: Optional[str] = typer.Option(None, help="Bút tích"),
    tinh_trang_vat_ly: Optional[str] = typer.Option(None, help="Tình trạng vật lý"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show or set a document's TT 05/2025 description; a change re-makes its archival copy."""
    from archive.services import document_description as dd

    values = {k: v for k, v in locals().items() if k in dd.LABELS and v is not None}
    if values:
        fields = _run(lambda c: dd.update_description(c, cli_actor(), document_id, values))
    else:
        fields = _run(lambda c: dd.get_description(c, cli_actor(), document_id))
    if as_json:
        _print_json(fields)
        return
    for key, value in dd.shown(fields).items():
        typer.echo(f"{dd.LABELS[key]}: {value}")


def register(doc_app: typer.Typer) -> None:
    doc_app.command("archival")(archival)
    doc_app.command("describe")(describe)
