"""Dossier packages on the command line: `archive dossier export CODE --out PATH [--zip]` and
`archive dossier import PATH [--unit CODE]` (docs/dossier-package.md).

Thin, like every command: parse, call archive/services/dossier_package.py or dossier_import.py,
print. The operator's CLI acts as the system (audited with the OS user's name).
Exit codes: 0 done; 1 refused (a bag that fails validation, the code already here, no such
unit or record, a path already used); 5 not allowed; 70 a bug.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from archive.bootstrap import Container
from archive.cli_common import print_json, run
from archive.services.access import cli_actor

dossier_app = typer.Typer(help="Gói hồ sơ (BagIt): xuất để chuyển giao, nhập từ hệ thống khác.", no_args_is_help=True)


@dossier_app.command("export")
def export(code: str = typer.Argument(..., help="mã cán bộ"),
           out: Path = typer.Option(..., "--out", help="thư mục gói mới (hoặc tệp .zip với --zip)"),
           as_zip: bool = typer.Option(False, "--zip", help="ghi gói thành một tệp zip"),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """Export one dossier as a BagIt package (originals, archival copies, record.json, METS/PREMIS, audit)."""
    from archive.services.dossier_package import export_dossier

    actor = cli_actor()
    result = run(lambda c: export_dossier(c, actor, code, out.absolute(), as_zip=as_zip))
    if as_json:
        print_json(result.to_dict())
        return
    typer.echo(f"Đã xuất gói hồ sơ {result.staff_code}: {result.documents} tài liệu, {result.payload_files} tệp "
               f"dữ liệu ({result.payload_bytes:,} byte) vào {result.path}".replace(",", "."))


@dossier_app.command("import")
def import_(path: Path = typer.Argument(..., help="thư mục gói hoặc tệp .zip"),
            unit: Optional[str] = typer.Option(None, "--unit", help="mã đơn vị nhận (mặc định: đơn vị cùng mã nơi gửi)"),
            as_json: bool = typer.Option(False, "--json")) -> None:
    """Import a package made by another instance: every checksum is verified first."""
    from archive.services.dossier_import import import_package

    actor = cli_actor()

    def work(c: Container):  # noqa: ANN202
        return import_package(c, actor, path.absolute(), unit_code=unit)

    result = run(work)
    if as_json:
        print_json(result.to_dict())
        return
    typer.echo(f"Đã nhập hồ sơ {result.staff_code} ({result.documents} tài liệu) vào đơn vị {result.unit_code}, "
               f"từ {result.source or 'nơi gửi không ghi tên'}.")


def register(app: typer.Typer) -> None:
    app.add_typer(dossier_app, name="dossier")
