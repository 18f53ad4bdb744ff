"""`archive staff print CODE --out F.pdf`: the sơ yếu lý lịch (Mẫu 2C-BNV/2008) as PDF."""

from __future__ import annotations

from pathlib import Path

import typer

from archive.cli_common import fail, run
from archive.services.access import cli_actor


def staff_print(staff_code: str = typer.Argument(..., help="mã cán bộ"),
                out: Path = typer.Option(..., "--out", help="tệp PDF sẽ ghi")) -> None:
    """Print a staff member's sơ yếu lý lịch (Mẫu 2C-BNV/2008) to a PDF file."""
    from archive.services.form_2c_print import print_form_2c

    if out.exists() and out.is_dir():
        fail("Đường dẫn --out là một thư mục; hãy cho tên tệp PDF.")
    printed = run(lambda c: print_form_2c(c, cli_actor(), staff_code))
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_bytes(printed.data)
        tmp.replace(out)
    except OSError:
        tmp.unlink(missing_ok=True)
        fail("Không ghi được tệp PDF vào nơi đã chọn.")
    typer.echo(f"Đã in sơ yếu lý lịch {staff_code} ({len(printed.data) // 1024 + 1} KB).")


def register(staff_app: typer.Typer) -> None:
    staff_app.command("print")(staff_print)
