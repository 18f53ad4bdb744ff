"""Cover sheets (tờ bìa phân tách): one printed page per dossier + document type, put before the
pages of that document in a scanner's stack.

The QR code holds `CBCCVC:BIA:v1:<mã cán bộ>:<loại tài liệu>` (format and parsing in
`ingest/cover_split.py`, where stacks are split); the page also says, for people, whose dossier
and which type it is, and "TỜ BÌA PHÂN TÁCH — không lưu vào hồ sơ": the split drops it. Printed
with `pdf_writer` (fonts that hold Vietnamese), the QR drawn by segno as a PNG at 70 mm (error
correction M, so a smudge or a 2° skew still reads). Printing one is an action on the record
(audited), allowed to whoever may read the dossier.
"""

from __future__ import annotations

import io

import segno
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from archive.context import Context
from archive.errors import InvalidInput, NotFound, shown
from archive.models import Staff
from archive.services import audit, catalogs
from archive.services.access import Action, Actor, check_staff
from archive.services.documents import DOCUMENT_TYPES, check_document_type
from archive.services.pdf_writer import new_document, nfc, to_bytes
from ingest.cover_split import cover_payload

MAX_SHEETS = 500
QR_MM = 70
BANNER = "TỜ BÌA PHÂN TÁCH — không lưu vào hồ sơ"


def _qr_png(payload: str) -> io.BytesIO:
    buf = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buf, kind="png", scale=12, border=4)
    buf.seek(0)
    return buf


def cover_sheets_pdf(c: Context, actor: Actor, staff_codes: list[str], document_type: str) -> bytes:
    """One cover sheet per staff code (in the order given) for `document_type`, as one PDF."""
    codes = list(dict.fromkeys(code.strip() for code in staff_codes if code and code.strip()))
    if not codes:
        raise InvalidInput("Hãy chọn ít nhất một cán bộ để in tờ bìa.")
    if len(codes) > MAX_SHEETS:
        raise InvalidInput(f"Mỗi lần in được nhiều nhất {MAX_SHEETS} tờ bìa.")
    document_type = check_document_type(c, document_type)
    type_name = next((e.name for e in catalogs.list_catalog(c, DOCUMENT_TYPES) if e.code == document_type),
                     document_type)
    with c.uow() as uow:
        s = uow.session
        people = []
        for code in codes:
            staff = s.scalar(select(Staff).where(Staff.code == code).options(selectinload(Staff.unit)))
            if staff is None:
                raise NotFound(f"Không tìm thấy cán bộ có mã {shown(code)}.")
            staff = check_staff(s, actor, staff, Action.READ)
            people.append((staff.code, staff.full_name, staff.unit.name if staff.unit else ""))
        audit.append(s, actor=actor.name, ip=actor.ip, action="cover_sheet.print", target_type="staff",
                     target_id=codes[0] if len(codes) == 1 else "",
                     details={"staff": codes[:50], "count": len(codes), "type": document_type})
        uow.commit()
    return render_cover_sheets([(code, name, unit, document_type, type_name) for code, name, unit in people])


def render_cover_sheets(sheets: list[tuple[str, str, str, str, str]]) -> bytes:
    """The PDF for (staff code, full name, unit name, document type code, its name) tuples, one page each."""
    pdf = new_document("Tờ bìa phân tách")
    pdf.set_auto_page_break(auto=False)
    for code, full_name, unit_name, document_type, type_name in sheets:
        pdf.add_page()
        pdf.set_font("sans", "B", 16)
        pdf.cell(0, 10, nfc(BANNER), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("serif", "I", 11)
        pdf.cell(0, 6, nfc("Đặt tờ này trước các trang của tài liệu khi quét; hệ thống tự tách và bỏ tờ bìa."),
                 align="C", new_x="LMARGIN", new_y="NEXT")
        x = pdf.l_margin + (pdf.w - pdf.l_margin - pdf.r_margin - QR_MM) / 2
        pdf.image(_qr_png(cover_payload(code, document_type)), x=x, y=45, w=QR_MM, h=QR_MM)
        pdf.set_y(45 + QR_MM + 10)
        pdf.set_font("serif", "B", 20)
        pdf.multi_cell(0, 10, nfc(full_name), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("serif", "", 15)
        pdf.cell(0, 9, nfc(f"Mã cán bộ: {code}"), align="C", new_x="LMARGIN", new_y="NEXT")
        if unit_name:
            pdf.cell(0, 9, nfc(f"Đơn vị: {unit_name}"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("serif", "B", 17)
        pdf.multi_cell(0, 10, nfc(f"Loại tài liệu: {type_name}"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("serif", "", 12)
        pdf.cell(0, 7, nfc(f"(mã loại: {document_type})"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(pdf.h - 35)
        pdf.set_font("sans", "", 8)
        pdf.cell(0, 5, cover_payload(code, document_type), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("sans", "B", 12)
        pdf.cell(0, 8, nfc(BANNER), align="C")
    return to_bytes(pdf)
