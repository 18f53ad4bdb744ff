"""The biên bản of a sampling audit (biên bản kiểm tra hồ sơ): PDF (pdf_writer) and XLSX (openpyxl).

Both render the same CampaignView (archive/services/campaigns.py): who opened it over which
unit, the seed and size (so the sample can be drawn again), the rates — checked, đạt, không
đạt, each checklist question's "có" rate among the items it applies to — every sampled
dossier with its answers, the list of discrepancies with their notes, and a signature block.
Pure rendering: the download is audited by campaigns.record_report.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from archive.services import pdf_writer
from archive.services.campaigns import ANSWERS, CHECK_LABELS, CHECKS, OUTCOMES, CampaignView

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
TITLE = "BIÊN BẢN KIỂM TRA HỒ SƠ CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC"
STATE = {"open": "đang kiểm tra", "closed": "đã kết thúc"}


def _local(value: datetime | None, tz: str) -> str:
    if value is None:
        return ""
    return value.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%".replace(".", ",")


def _answer(value: str | None) -> str:
    return ANSWERS.get(value or "", "chưa kiểm tra")


def summary_lines(v: CampaignView, tz: str) -> list[tuple[str, str]]:
    r = v.rates
    return [
        ("Đợt kiểm tra", f"số {v.id} — {v.title}"),
        ("Đơn vị được kiểm tra", f"{v.unit_name} ({v.unit_code}) và các đơn vị trực thuộc"),
        ("Người mở đợt", f"{v.opened_by}, lúc {_local(v.opened_at, tz)}"),
        ("Tình trạng", STATE.get(v.state, v.state) + (f", kết thúc lúc {_local(v.closed_at, tz)} bởi {v.closed_by}"
                                                       if v.closed_at else "")),
        ("Cách chọn mẫu", f"ngẫu nhiên phân tầng theo đơn vị, cỡ mẫu {v.size_text}, hạt giống «{v.seed}»"),
        ("Tổng số hồ sơ trong phạm vi", str(v.population_count)),
        ("Số hồ sơ được chọn", str(r.sampled)),
        ("Số hồ sơ đã kiểm tra", str(r.checked)),
        ("Đạt", f"{r.passed} ({_pct(r.pass_percent)})"),
        ("Không đạt", str(r.failed)),
        ("Số hồ sơ có sai lệch", str(r.discrepancies)),
        *[(f"Tỷ lệ «{CHECK_LABELS[c]}»", _pct(r.check_yes_percent[c])) for c in CHECKS],
    ]


def discrepancy_text(item) -> str:  # noqa: ANN001 — an ItemView
    wrong = [CHECK_LABELS[c] for c in CHECKS if item.checks[c] == "no"]
    return "; ".join(wrong) or "—"


def pdf(v: CampaignView, *, tz: str = "Asia/Ho_Chi_Minh", place: str = "") -> bytes:
    doc = pdf_writer.new_document(f"Biên bản kiểm tra hồ sơ — đợt {v.id}", author=v.opened_by)
    nfc = pdf_writer.nfc
    doc.add_page()
    full = doc.w - doc.l_margin - doc.r_margin
    doc.set_font("serif", "B", 13)
    doc.cell(full, 7, nfc(NATION), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font("serif", "B", 14)
    doc.cell(full, 7, nfc(MOTTO), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(2)
    today = datetime.now(timezone.utc).astimezone(ZoneInfo(tz))
    doc.set_font("serif", "I", 13)
    doc.cell(full, 7, nfc(f"{place + ', ' if place else ''}ngày {today:%d} tháng {today:%m} năm {today:%Y}"),
             align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(4)
    doc.set_font("serif", "B", 14)
    doc.multi_cell(full, 7, nfc(TITLE), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font("serif", "", 13)
    doc.cell(full, 7, nfc(f"(Đợt kiểm tra số {v.id}: {v.unit_name})"), align="C", new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)
    doc.ln(3)
    doc.set_font("serif", "B", 13)
    doc.cell(full, 7, nfc("I. Thông tin chung và kết quả"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font("serif", "", 12)
    for label, value in summary_lines(v, tz):
        doc.multi_cell(full, 6, nfc(f"- {label}: {value}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(2)
    doc.set_font("serif", "B", 13)
    doc.cell(full, 7, nfc("II. Danh sách sai lệch"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font("serif", "", 11)
    if not v.discrepancies:
        doc.multi_cell(full, 6, nfc("Không phát hiện sai lệch trong các hồ sơ đã kiểm tra."),
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        with doc.table(col_widths=(8, 22, 40, 55, 40), line_height=6, first_row_as_headings=True, text_align="LEFT") as table:
            head = table.row()
            for h in ("TT", "Mã hồ sơ", "Họ và tên", "Sai lệch", "Ghi chú"):
                head.cell(nfc(h))
            for n, i in enumerate(v.discrepancies, 1):
                row = table.row()
                for text in (str(n), i.staff_code, i.full_name, discrepancy_text(i) + f" ({OUTCOMES.get(i.outcome or '', 'chưa kiểm tra')})",
                             i.notes or "—"):
                    row.cell(nfc(text))
    doc.ln(3)
    doc.set_font("serif", "B", 13)
    doc.cell(full, 7, nfc("III. Kết quả từng hồ sơ được chọn"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font("serif", "", 10)
    with doc.table(col_widths=(8, 20, 36, 16, 16, 16, 16, 20), line_height=5, first_row_as_headings=True, text_align="LEFT") as table:
        head = table.row()
        for h in ("TT", "Mã hồ sơ", "Họ và tên", "Số trang", "Thông tin", "Phát hiện", "Thành phần", "Kết quả"):
            head.cell(nfc(h))
        for n, i in enumerate(v.items, 1):
            row = table.row()
            for text in (str(n), i.staff_code, i.full_name, *[_answer(i.checks[c]) for c in CHECKS],
                         OUTCOMES.get(i.outcome or "", "chưa kiểm tra")):
                row.cell(nfc(text))
    doc.ln(8)
    if doc.get_y() > doc.h - doc.b_margin - 50:  # the signature block stays on one page
        doc.add_page()
    doc.set_font("serif", "B", 13)
    half = full / 2
    y = doc.get_y()
    doc.multi_cell(half, 7, nfc("ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA"), align="C", new_x=XPos.RIGHT, new_y=YPos.TOP)
    doc.set_xy(doc.l_margin + half, y)
    doc.multi_cell(half, 7, nfc("NGƯỜI KIỂM TRA"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font("serif", "I", 12)
    y = doc.get_y()
    doc.multi_cell(half, 6, nfc("(Ký, ghi rõ họ tên)"), align="C", new_x=XPos.RIGHT, new_y=YPos.TOP)
    doc.set_xy(doc.l_margin + half, y)
    doc.multi_cell(half, 6, nfc("(Ký, ghi rõ họ tên)"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(18)
    doc.set_font("serif", "", 12)
    doc.set_x(doc.l_margin + half)
    doc.multi_cell(half, 6, nfc(v.opened_by), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return pdf_writer.to_bytes(doc)


def xlsx(v: CampaignView, *, tz: str = "Asia/Ho_Chi_Minh") -> bytes:
    """Three sheets: Tổng hợp (the rates), Hồ sơ (every sampled dossier), Sai lệch (the discrepancies)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    ws.append([NATION])
    ws.append([MOTTO])
    ws.append([TITLE])
    for r in (1, 2, 3):
        ws.cell(r, 1).font = Font(bold=True)
    ws.append([])
    for label, value in summary_lines(v, tz):
        ws.append([label, value])
    ws.column_dimensions["A"].width = 45
    ws.column_dimensions["B"].width = 80

    items = wb.create_sheet("Hồ sơ")
    items.append(["Mã hồ sơ", "Họ và tên", "Đơn vị", *[CHECK_LABELS[c] for c in CHECKS], "Kết quả", "Ghi chú",
                  "Người kiểm tra", "Thời điểm kiểm tra"])
    for i in v.items:
        items.append([i.staff_code, i.full_name, i.unit_code, *[_answer(i.checks[c]) for c in CHECKS],
                      OUTCOMES.get(i.outcome or "", "chưa kiểm tra"), i.notes, i.checked_by or "",
                      _local(i.checked_at, tz)])
    wrong = wb.create_sheet("Sai lệch")
    wrong.append(["Mã hồ sơ", "Họ và tên", "Đơn vị", "Sai lệch", "Kết quả", "Ghi chú"])
    for i in v.discrepancies:
        wrong.append([i.staff_code, i.full_name, i.unit_code, discrepancy_text(i),
                      OUTCOMES.get(i.outcome or "", "chưa kiểm tra"), i.notes])
    for sheet in (items, wrong):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col in "ABCDEFGHIJK":
            sheet.column_dimensions[col].width = 18
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
