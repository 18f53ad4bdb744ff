"""The periodic report (báo cáo định kỳ) as documents: a PDF with its chart, and an XLSX workbook.

Both show the same numbers, from archive.services.periodic_reports.ReportData; the PDF is
printed through archive.services.pdf_writer (fonts that hold Vietnamese), the workbook with
openpyxl (numbers as numbers, so an office can sum them again).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from archive.services.pdf_writer import new_document, nfc, to_bytes
from archive.services.periodic_reports import ReportData
from archive.services.report_charts import units_chart


def _cell(value: object) -> str:
    return "—" if value is None else str(value)


def _backup_line(data: ReportData) -> str:
    last = data.backup_last_good.strftime("%d/%m/%Y %H:%M UTC") if data.backup_last_good else "chưa có"
    return f"Sao lưu thành công gần nhất: {last}; số lần sao lưu thành công trong kỳ: {data.backups_in_period}."


def _intro(data: ReportData) -> list[str]:
    lines = [(f"Kỳ báo cáo: {data.period.label} ({data.period.start:%d/%m/%Y} – {data.period.end:%d/%m/%Y}); "
              f"số liệu đến ngày {data.as_of:%d/%m/%Y}."),
             f"Quy định áp dụng: {data.profile_name}."]
    if data.due:
        lines.append(f"Hạn nộp báo cáo: {data.due:%d/%m/%Y} ({data.article}).")
    if data.unit_code:
        lines.append(f"Phạm vi: đơn vị {data.unit_code} và các đơn vị trực thuộc.")
    lines.append(_backup_line(data))
    return lines


def render_pdf(data: ReportData) -> bytes:
    pdf = new_document(data.title, orientation="L", author=data.made_by)
    pdf.set_margins(left=15, top=15, right=15)
    pdf.add_page()
    pdf.set_font("serif", "B", 15)
    pdf.multi_cell(0, 8, nfc(data.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", size=11)
    for line in _intro(data):
        pdf.multi_cell(0, 6, nfc(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("sans", size=8)
    headings = ["Đơn vị", *(label for _k, label in data.columns)]
    widths = (70, *([(pdf.epw - 70) / len(data.columns)] * len(data.columns)))
    with pdf.table(col_widths=widths, text_align=("LEFT", *(["RIGHT"] * len(data.columns))),
                   line_height=5) as table:
        table.row([nfc(h) for h in headings])
        for r in data.rows:
            table.row([nfc(f"{r['unit_name']} ({r['unit']})"), *(_cell(r.get(k)) for k, _l in data.columns)])
        table.row(["Tổng cộng", *(_cell(data.total.get(k)) for k, _l in data.columns)])
    chart = units_chart([r["unit"] for r in data.rows], [r["records"] for r in data.rows],
                        [r["documents"] for r in data.rows], [r["on_time_percent"] for r in data.rows])
    pdf.add_page()
    pdf.set_font("serif", "B", 12)
    pdf.cell(0, 7, nfc("Biểu đồ: hồ sơ, tài liệu và tỷ lệ đúng hạn theo đơn vị"), new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(chart), w=pdf.epw * 0.85)
    pdf.set_font("serif", "I", 9)
    pdf.multi_cell(0, 5, nfc(f"Lập lúc {data.made_at:%d/%m/%Y %H:%M} UTC bởi {data.made_by}."),
                   new_x="LMARGIN", new_y="NEXT")
    return to_bytes(pdf)


def render_xlsx(data: ReportData) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    ws.append([data.title])
    ws["A1"].font = Font(bold=True, size=13)
    for line in _intro(data):
        ws.append([line])
    ws.append([])
    ws.append(["Mã đơn vị", "Đơn vị", *(label for _k, label in data.columns)])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for r in data.rows:
        ws.append([r["unit"], r["unit_name"], *(r.get(k) for k, _l in data.columns)])
    ws.append(["", "Tổng cộng", *(data.total.get(k) for k, _l in data.columns)])
    ws.column_dimensions["B"].width = 40
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
