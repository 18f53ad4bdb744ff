"""Reading staff spreadsheets: cell fonts tell TCVN3 / VNI, values and dates come through, bad files
are refused in Vietnamese."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from archive.errors import InvalidInput
from archive.services.staff_import_fields import CellProblem, guess_mapping, parse_date
from archive.services.staff_import_read import openpyxl_fonts, read_sheet, xlsx_fonts
from tests.support.staff_sheets import encode_tcvn3, encode_vni, xlsx


def _values(sheet) -> list[list[object]]:
    return [[c.value for c in row] for row in sheet.rows]


def test_xlsx_cells_are_decoded_by_their_font() -> None:
    hoa = encode_tcvn3("Hà Nội")  # "Hµ Néi"
    rows = [["Mã", "Họ và tên", "Quê quán", "Ghi chú"],
            ["NV1", encode_tcvn3("Nguyễn Thị Hương"), hoa, "Hà Nội"],
            ["NV2", encode_vni("Đặng Văn Ước"), encode_vni("Hà Nội"), "Trần Quốc Tuấn"],
            ["NV3", encode_tcvn3("nguyễn thị hương"), hoa, "Nguyễn"]]
    fonts = {(1, 1): ".VnTime", (1, 2): ".VnArial", (2, 1): "VNI-Times", (2, 2): "VNI-Helve",
             (3, 1): ".VnTimeH", (3, 2): ".VnTimeH", (1, 3): "Times New Roman"}
    sheet = read_sheet(xlsx(rows, fonts), "ds.xlsx")
    assert sheet.headers == ["Mã", "Họ và tên", "Quê quán", "Ghi chú"] and sheet.first_row == 2
    assert _values(sheet) == [["NV1", "Nguyễn Thị Hương", "Hà Nội", "Hà Nội"],
                              ["NV2", "Đặng Văn Ước", "Hà Nội", "Trần Quốc Tuấn"],
                              ["NV3", "NGUYỄN THỊ HƯƠNG", "HÀ NỘI", "Nguyễn"]]
    assert sheet.rows[0][1].font == ".VnTime"


def test_the_font_is_trusted_and_detection_serves_cells_without_one() -> None:
    hoa = encode_tcvn3("Hà Nội")
    sheet = read_sheet(xlsx([["Họ và tên"], ["NGUYÔN"], ["NGUYÔN"], [hoa], [hoa]],
                            {(1, 0): ".VnTimeH", (3, 0): "VNI-Times"}), "a.xlsx")
    # capitals stay capitals when detected; a VNI font's cell is read as VNI even if TCVN3 would read better
    assert _values(sheet) == [["NGUYỄN"], ["NGUYỄN"], [hoa], ["Hà Nội"]]


def test_a_table_that_starts_below_and_right_of_a1() -> None:
    wb = Workbook()
    ws = wb.active
    ws["B3"], ws["C3"], ws["D3"] = "Mã", "Họ và tên", "Ngày sinh"
    ws["B4"], ws["C4"], ws["D4"] = "NV1", "NGUYÔN", datetime(1970, 5, 6)
    ws["C4"].font = Font(name=".VnTimeH")
    buf = io.BytesIO()
    wb.save(buf)
    sheet = read_sheet(buf.getvalue(), "a.xlsx")
    assert sheet.headers == ["", "Mã", "Họ và tên", "Ngày sinh"] and sheet.first_row == 4
    row = sheet.rows[0]
    assert row[2].value == "NGUYỄN" and row[3].value in (date(1970, 5, 6), datetime(1970, 5, 6))


def test_csv_utf8_with_bom_and_semicolons() -> None:
    sheet = read_sheet("Mã;Họ và tên\nNV1;Nguyễn Thị Hương\n".encode("utf-8-sig"), "a.CSV")
    assert sheet.headers == ["Mã", "Họ và tên"] and _values(sheet) == [["NV1", "Nguyễn Thị Hương"]]


def test_xls_cells_are_decoded_by_their_font() -> None:
    # a committed fixture written once with xlwt (tests/support/sheets/make_staff_legacy_xls.py)
    data = (Path(__file__).parents[1] / "support" / "sheets" / "staff_legacy.xls").read_bytes()
    sheet = read_sheet(data, "ds.XLS")
    assert sheet.headers == ["Mã cán bộ", "Họ và tên", "Ngày sinh", "Đơn vị", "Quê quán"]
    assert [[c.value for c in row] for row in sheet.rows] == [
        ["NV1", "Nguyễn Thị Hương", datetime(1968, 3, 15), "A", "Hà Nội"],
        ["NV2", "Đặng Văn Ước", datetime(1968, 3, 16), "A", "Thừa Thiên Huế"],
        ["NV3", "TRẦN QUỐC TUẤN", datetime(1968, 3, 17), "A", "Hải Phòng"]]
    assert [row[1].font for row in sheet.rows] == [".VnTime", "VNI-Times", ".VnTimeH"]


@pytest.mark.parametrize("data,name", [(b"PK\x03\x04 broken", "a.xlsx"), (b"\xd0\xcf\x11\xe0 junk", "a.xls"),
                                       (b"", "a.csv")])
def test_damaged_or_empty_files_are_refused(data: bytes, name: str) -> None:
    with pytest.raises(InvalidInput) as e:
        read_sheet(data, name)
    assert "tệp" in str(e.value).lower() or "tiêu đề" in str(e.value)


def test_other_file_types_are_refused() -> None:
    with pytest.raises(InvalidInput, match="Chỉ nhận tệp Excel"):
        read_sheet(b"%PDF-1.4", "ds.pdf")


@pytest.mark.parametrize("text,expected", [
    ("14/3/1968", date(1968, 3, 14)), ("14-03-1968", date(1968, 3, 14)), ("14.03.1968", date(1968, 3, 14)),
    ("ngày 14 tháng 3 năm 1968", date(1968, 3, 14)), ("Ngày 14 tháng 03 năm 1968", date(1968, 3, 14)),
    ("1968-03-14", date(1968, 3, 14)), (25000, date(1968, 6, 11)), (25000.0, date(1968, 6, 11)),
    (datetime(1968, 3, 14, 0, 0), date(1968, 3, 14)),
])
def test_dates_in_the_usual_vietnamese_spellings(text, expected) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/1980", "3/1968", "1968", "mười bốn tháng ba", "14/03/68"])
def test_dates_that_cannot_be_read_are_problems(text) -> None:
    with pytest.raises(CellProblem, match="không"):
        parse_date(text, "Ngày sinh")


def test_headers_are_guessed_by_their_folded_names() -> None:
    got = guess_mapping(["STT", "Mã CB", "Họ và tên", "Ngày, tháng, năm sinh", "Giới tính", "Dân tộc", "Quê quán",
                         "HỌ TÊN"])
    assert got["Mã CB"] == "code" and got["Họ và tên"] == "full_name" and got["Giới tính"] == "gender"
    assert got["Dân tộc"] == "sensitive.ethnicity" and got["Quê quán"] == "profile.hometown"
    assert got["STT"] == "" and got["HỌ TÊN"] == ""  # full_name already taken


def test_fonts_from_the_package_xml_match_openpyxl() -> None:
    rows = [["Mã", "Tên", "Quê"]] + [[f"NV{i}", "Hµ Néi", "Haø Noäi"] for i in range(30)]
    fonts = {(r, 1): ".VnTime" for r in range(1, 31)} | {(r, 2): "VNI-Times" for r in range(1, 31, 2)}
    data = xlsx(rows, fonts)
    cells = [(r, c) for r in range(31) for c in range(3)]
    assert xlsx_fonts(data, set(cells)) == openpyxl_fonts(data, cells)
    assert xlsx_fonts(data, {(1, 1), (2, 2), (1, 2)}) == {(1, 1): ".VnTime", (2, 2): "Calibri", (1, 2): "VNI-Times"}
