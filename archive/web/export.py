"""Result lists as files: XLSX (openpyxl) and CSV (UTF-8 with BOM, so Excel reads the diacritics).

Cells that a spreadsheet would run as a formula (text starting with "=", "+", "-", "@") are
kept as text: scanned pages are untrusted input (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
from typing import Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[object]


def to_xlsx(title: str, headers: Sequence[str], rows: Sequence[Row], widths: Sequence[int] = ()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]  # Excel's limit on sheet names
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
                cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(cell.value, str) and len(cell.value) > 40)
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _csv_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(headers: Sequence[str], rows: Sequence[Row]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
