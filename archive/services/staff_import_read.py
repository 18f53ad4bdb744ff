"""Reading a staff spreadsheet (bảng kê cán bộ): .xlsx, .xls or .csv → a header and rows of cells.

Each text cell comes with the name of its font, because legacy text is told by its font
(`.VnTime` → TCVN3, `VNI-Times` → VNI; ingest.legacy_vietnamese). How:
- .xlsx: python-calamine reads the values (fast; ints come as floats, dates as dates, no
  fonts). openpyxl's read-only mode gives no fonts and its full mode is ~7× slower than
  calamine (TOOLS.md; measured 24× here with fonts), so when some text cell holds characters
  that may be legacy bytes (0x80–0xFF as cp1252) the fonts of those cells only are read from
  the package's XML (styles.xml + the sheet's style indexes); openpyxl is the fallback.
- .xls: xlrd with formatting_info=True (cell → XF record → font name).
- .csv: UTF-8 (with or without BOM), else Windows-1252 bytes (then every text is detected).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree import ElementTree

from archive.errors import InvalidInput
from ingest.legacy_vietnamese import decode_by_font

MAX_ROWS = 100_000
KINDS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv"}


@dataclass(frozen=True)
class Cell:
    """One cell as read: the value (text already Unicode NFC), and the font that told how."""

    value: object  # str | float | int | date | datetime | None
    font: str = ""


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)  # row i is the spreadsheet's row first_row + i
    first_row: int = 2


def kind_of(file_name: str) -> str:
    low = (file_name or "").lower()
    for ext, kind in KINDS.items():
        if low.endswith(ext):
            return kind
    raise InvalidInput("Chỉ nhận tệp Excel (.xlsx, .xls) hoặc CSV.")


def read_sheet(data: bytes, file_name: str) -> Sheet:
    """The first sheet's header row and data rows; legacy text decoded to Unicode NFC."""
    kind = kind_of(file_name)
    try:
        grid = {"xlsx": _read_xlsx, "xls": _read_xls, "csv": _read_csv}[kind](data)
    except InvalidInput:
        raise
    except Exception:  # noqa: BLE001 — a damaged or mislabelled file is the user's to fix
        raise InvalidInput("Không đọc được tệp bảng tính (tệp hỏng hoặc không đúng định dạng).") from None
    return _to_sheet(grid)


def _to_sheet(grid: list[list[Cell]]) -> Sheet:
    start = next((i for i, row in enumerate(grid) if any(_text(c.value) for c in row)), None)
    if start is None:
        raise InvalidInput("Tệp không có dòng tiêu đề (dòng đầu tiên có dữ liệu).")
    headers = [_text(c.value) for c in grid[start]]
    while headers and not headers[-1]:
        headers.pop()
    rows = [r for r in grid[start + 1:]]
    while rows and not any(_text(c.value) for c in rows[-1]):
        rows.pop()
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"Tệp có quá nhiều dòng (tối đa {MAX_ROWS:,}).".replace(",", "."))
    return Sheet(headers=headers, rows=rows, first_row=start + 2)


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return " ".join(str(v).split())


def _maybe_legacy(v: object) -> bool:
    return isinstance(v, str) and any(0x80 <= ord(ch) <= 0xFF or ch in _CP1252_EXTRA for ch in v)


_CP1252_EXTRA = frozenset("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ")


def _read_xlsx(data: bytes) -> list[list[Cell]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    values = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    legacy = [(r, c) for r, row in enumerate(values) for c, v in enumerate(row) if _maybe_legacy(v)]
    fonts: dict[tuple[int, int], str] = {}
    if legacy:
        try:
            fonts = xlsx_fonts(data, set(legacy))
        except (KeyError, ValueError, IndexError, ElementTree.ParseError, zipfile.BadZipFile):
            fonts = openpyxl_fonts(data, legacy)  # an unusual package layout: the slow, general reader
    return [[_cell(v, fonts.get((r, c), "")) for c, v in enumerate(row)] for r, row in enumerate(values)]


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
_REF = re.compile(r"([A-Z]+)(\d+)")


def _ref(ref: str) -> tuple[int, int]:
    letters, digits = _REF.fullmatch(ref).groups()  # type: ignore[union-attr]
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


def xlsx_fonts(data: bytes, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Font names of the `wanted` cells (row, col from A1 = 0, 0) of the first sheet, read from the
    package's XML: styles.xml (cellXfs → fonts) and the sheet's `s` attributes. ~10× faster than
    loading the workbook in openpyxl's full mode, the only openpyxl mode that gives fonts.
    The sheet is streamed (iterparse, each cell cleared); expat ≥ 2.4 (2.5 here) refuses
    entity-expansion bombs and never fetches external entities."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rid = book.find("m:sheets/m:sheet", _NS).get(f"{{{_NS['r']}}}id")  # type: ignore[union-attr]
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels.findall("p:Relationship", _NS) if r.get("Id") == rid)
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        styles = ElementTree.fromstring(z.read("xl/styles.xml"))
        names = [(f.find("m:name", _NS).get("val") if f.find("m:name", _NS) is not None else "") or ""
                 for f in styles.findall("m:fonts/m:font", _NS)]
        xf_font = [names[int(x.get("fontId", "0"))] if names else "" for x in styles.findall("m:cellXfs/m:xf", _NS)]
        out: dict[tuple[int, int], str] = {}
        tag = f"{{{_NS['m']}}}c"
        with z.open(path) as sheet:
            for _, el in ElementTree.iterparse(sheet):
                if el.tag == tag:
                    ref = el.get("r")
                    if ref is not None:
                        pos = _ref(ref)
                        if pos in wanted:
                            out[pos] = xf_font[int(el.get("s", "0"))] if xf_font else ""
                    el.clear()
        return out


def openpyxl_fonts(data: bytes, cells: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    out = {}
    for r, c in cells:  # with skip_empty_area=False calamine's grid starts at A1, as openpyxl counts
        font = ws.cell(row=r + 1, column=c + 1).font
        out[(r, c)] = (font.name or "") if font is not None else ""
    return out


def _cell(v: object, font: str) -> Cell:
    if isinstance(v, str):
        v = v.strip()
        return Cell(decode_by_font(v, font) if _maybe_legacy(v) else v, font)
    if v == "":
        return Cell(None, font)
    return Cell(v, font)


def _read_xls(data: bytes) -> list[list[Cell]]:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    sh = book.sheet_by_index(0)
    out = []
    for r in range(sh.nrows):
        row = []
        for c in range(sh.ncols):
            cell = sh.cell(r, c)
            font = ""
            if cell.ctype == xlrd.XL_CELL_TEXT:
                xf = book.xf_list[cell.xf_index]
                font = book.font_list[xf.font_index].name or ""
                row.append(_cell(cell.value, font))
            elif cell.ctype == xlrd.XL_CELL_DATE:
                row.append(Cell(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
            elif cell.ctype == xlrd.XL_CELL_NUMBER:
                row.append(Cell(cell.value))
            else:
                row.append(Cell(None))
        out.append(row)
    return out


def _read_csv(data: bytes) -> list[list[Cell]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[_cell(v, "") for v in row] for row in csv.reader(io.StringIO(text), dialect)]


def cell_date(v: object) -> date | None:
    """A date cell as a date (Excel's own dates); None for anything else."""
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return None
