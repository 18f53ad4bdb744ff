"""Where each file of a batch goes: manifest (CSV/XLSX) or folder convention; bad rows listed, never fatal."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from archive.services.batch_manifest import (
    ManifestUnreadable,
    find_manifest,
    plan_batch,
    plan_from_folders,
    read_manifest_rows,
)

FILES = ["a.pdf", "b.pdf", "c.pdf", "thua.pdf"]


def test_a_csv_manifest_names_each_file_with_its_dossier_type_and_metadata():
    csv = ("tệp;Mã cán bộ;Loại tài liệu;Ghi chú\n"
           "a.pdf;NV001;so_yeu_ly_lich;bản gốc\n"
           "./b.pdf;NV002;quyet_dinh;\n").encode("utf-8-sig")
    plan = plan_batch(["a.pdf", "b.pdf"], ("manifest.csv", csv))
    assert [(e.path, e.staff_code, e.document_type, e.details) for e in plan.entries] == [
        ("a.pdf", "NV001", "so_yeu_ly_lich", {"Ghi chú": "bản gốc"}), ("b.pdf", "NV002", "quyet_dinh", {})]
    assert plan.problems == []


def test_missing_unnamed_duplicate_and_incomplete_rows_are_listed_and_the_rest_goes_on():
    csv = (b"file,staff_code,document_type\n"
           b"a.pdf,NV001,khac\n"
           b"a.pdf,NV001,khac\n"
           b"mat.pdf,NV001,khac\n"
           b"b.pdf,,khac\n"
           b",NV003,khac\n"
           b"c.pdf,NV003,khac\n")
    plan = plan_batch(FILES, ("manifest.csv", csv))
    assert [e.path for e in plan.entries] == ["a.pdf", "c.pdf"]
    messages = [p.message for p in plan.problems]
    assert "Dòng 3: tệp a.pdf đã có ở một dòng trước của bảng kê." in messages
    assert "Dòng 4: tệp mat.pdf có trong bảng kê nhưng không có trong lô." in messages
    assert "Dòng 5: tệp b.pdf có loại tài liệu nhưng thiếu mã cán bộ." in messages
    assert "Dòng 6 của bảng kê không ghi tên tệp." in messages
    assert "Tệp thua.pdf có trong lô nhưng bảng kê không ghi." in messages


def test_an_xlsx_manifest_reads_like_the_csv_one_with_numeric_codes_as_text():
    wb = Workbook()
    ws = wb.active
    ws.append(["Tệp", "Mã cán bộ", "Loại tài liệu"])
    ws.append(["a.pdf", 1234, "khac"])
    buf = io.BytesIO()
    wb.save(buf)
    plan = plan_batch(["a.pdf"], ("bang_ke.xlsx", buf.getvalue()))
    assert [(e.staff_code, e.document_type) for e in plan.entries] == [("1234", "khac")]


def test_a_manifest_without_a_file_column_or_in_another_format_is_refused_in_vietnamese():
    with pytest.raises(ManifestUnreadable, match="thiếu cột “tệp”"):
        plan_batch(["a.pdf"], ("manifest.csv", b"ma can bo,loai\nNV1,khac\n"))
    with pytest.raises(ManifestUnreadable, match="CSV hoặc XLSX"):
        read_manifest_rows(b"x", "manifest.json")
    with pytest.raises(ManifestUnreadable, match="Excel hỏng"):
        read_manifest_rows(b"not a workbook", "manifest.xlsx")


def test_the_folder_convention_takes_the_last_three_parts_and_root_files_are_stacks():
    plan = plan_from_folders(["lo1/NV001/so_yeu_ly_lich/a.pdf", "NV002/khac/b.pdf", "stack.pdf",
                              "NV003/c.pdf", "__MACOSX/._a.pdf", ".DS_Store"])
    assert [(e.path, e.staff_code, e.document_type) for e in plan.entries] == [
        ("NV002/khac/b.pdf", "NV002", "khac"), ("lo1/NV001/so_yeu_ly_lich/a.pdf", "NV001", "so_yeu_ly_lich"),
        ("stack.pdf", None, None)]
    assert [p.path for p in plan.problems] == ["NV003/c.pdf"]


def test_the_manifest_is_found_at_the_root_by_its_name():
    assert find_manifest(["x/manifest.csv", "Manifest.CSV", "a.pdf"]) == "Manifest.CSV"
    assert find_manifest(["a.pdf"]) is None
