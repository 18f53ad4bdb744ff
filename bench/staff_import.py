"""Excel import benchmark: rows/s of `archive import-staff` on a 20k-row sheet of legacy names.

    python -m bench.staff_import [--rows 20000]

Off the clock: an embedded archive (SQLite) with one unit and the seeded catalogs, and an
.xlsx of `--rows` staff rows whose names are TCVN3 (`.VnTime` cells), VNI (`VNI-Times`)
and Unicode in turn, with dates as "14/3/1968" text, a dân tộc by name and a quê quán.
On the clock, each once:

- anchor: python-calamine reading the same sheet's values (no fonts, no decoding);
- read: staff_import_read.read_sheet (calamine + openpyxl for the fonts of legacy cells, decoding);
- dry run: plan_import (read, map, plan every row, store the run) — rows/s;
- apply: apply_import (500-row transactions, audit per record) — rows/s;
- re-import dry run and apply of the same file (everything unchanged) — rows/s.
Target (bench/README.md has none yet): ≥ 1,000 rows/s for dry run + apply together.
"""

from __future__ import annotations

import argparse
import io
import tempfile
from pathlib import Path

from bench.report import Summary, Target, emit, machine, stopwatch

BENCH = "staff_import"
GIVEN = ["Hương", "Ước", "Tuấn", "Yến", "Thắng", "Thuỷ", "Khải", "Phát", "Ngọc", "Đức"]
FAMILY = ["Nguyễn", "Đặng", "Trần", "Lê", "Vũ", "Bùi", "Ngô", "Huỳnh", "Phạm", "Lưu"]
MIDDLE = ["Thị", "Văn", "Quốc", "Hoàng", "Đức", "Thị Bích"]
PLACES = ["Hà Nội", "Thừa Thiên Huế", "Kiên Giang", "Bà Rịa Vũng Tàu", "Hải Phòng"]


def build_sheet(rows: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from tests.support.staff_sheets import encode_tcvn3, encode_vni

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["Mã cán bộ", "Họ và tên", "Ngày sinh", "Giới tính", "Đơn vị", "Dân tộc", "Quê quán"])
    fonts = {"tcvn3": Font(name=".VnTime"), "vni": Font(name="VNI-Times")}
    for i in range(rows):
        name = f"{FAMILY[i % 10]} {MIDDLE[i % 6]} {GIVEN[(i // 10) % 10]}"
        kind = ("tcvn3", "vni", "unicode")[i % 3]
        cell = WriteOnlyCell(ws, value=encode_tcvn3(name) if kind == "tcvn3" else encode_vni(name)
                             if kind == "vni" else name)
        if kind in fonts:
            cell.font = fonts[kind]
        ws.append([f"NV{i:06d}", cell, f"{1 + i % 28}/{1 + i % 12}/{1960 + i % 40}", ("Nam", "Nữ")[i % 2], "A",
                   "Kinh", PLACES[i % 5]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.staff_import", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args(argv)
    emit(BENCH, "machine", machine())
    from python_calamine import CalamineWorkbook

    from archive.bootstrap import build
    from archive.db import migrate
    from archive.services.access import SYSTEM
    from archive.services.catalogs import seed_catalogs
    from archive.services.staff_import import apply_import, plan_import
    from archive.services.staff_import_read import read_sheet
    from archive.services.units import add_unit
    from archive.settings import Settings

    data = build_sheet(args.rows)
    emit(BENCH, "sheet_bytes", len(data), "B", rows=args.rows)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        s = Settings(data_dir=Path(tmp) / "data")
        s.data_dir.mkdir(parents=True)
        migrate(s.database_url)
        c = build(s)
        try:
            seed_catalogs(c)
            add_unit(c, SYSTEM, code="TINH", name="Sở Nội vụ")
            add_unit(c, SYSTEM, code="A", name="Phòng A", parent_code="TINH")
            with stopwatch() as anchor:
                CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
            with stopwatch() as read:
                read_sheet(data, "bench.xlsx")
            with stopwatch() as dry:
                run = plan_import(c, SYSTEM, data, "bench.xlsx")
            assert run.counts["create"] == args.rows, run.counts
            with stopwatch() as apply:
                apply_import(c, SYSTEM, run.id)
            with stopwatch() as dry2:
                again = plan_import(c, SYSTEM, data, "bench.xlsx")
            assert again.counts["unchanged"] == args.rows, again.counts
            with stopwatch() as apply2:
                apply_import(c, SYSTEM, again.id)
        finally:
            c.close()
    n = args.rows
    emit(BENCH, "anchor_calamine_values", round(n / anchor(), 1), "rows/s", seconds=round(anchor(), 2))
    emit(BENCH, "read_with_fonts_and_decoding", round(n / read(), 1), "rows/s", seconds=round(read(), 2))
    emit(BENCH, "dry_run", round(n / dry(), 1), "rows/s", seconds=round(dry(), 2))
    emit(BENCH, "apply_create", round(n / apply(), 1), "rows/s", seconds=round(apply(), 2))
    emit(BENCH, "reimport_dry_run", round(n / dry2(), 1), "rows/s", seconds=round(dry2(), 2))
    emit(BENCH, "reimport_apply_unchanged", round(n / apply2(), 1), "rows/s", seconds=round(apply2(), 2))
    total = n / (dry() + apply())
    Summary(BENCH, f"first import {total:,.0f} rows/s (dry run + apply), read {read() / anchor():.1f}× "
                   f"calamine alone; re-import {n / (dry2() + apply2()):,.0f} rows/s",
            [Target("import rows/s", total, 1000, unit=" rows/s")]).print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
