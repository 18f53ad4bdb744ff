"""Bản kê khai thông tin cá nhân as a PDF/A-2b to be signed: the record as declared, and the change.

Rendered with fpdf2 (archive.services.pdf_writer: Vietnamese fonts embedded), then made PDF/A-2b
by the ingest stage that makes archival copies (ingest.pdfa: pikepdf prepares and checks it), so
the signed file is an archival copy too. The signatures are appended afterwards as incremental
updates (archive.services.signing), which keep the first revision — this file — byte for byte.
The same renderer prints the approved record (sơ yếu lý lịch, QĐ 51/2024 Đ9.5) for the signed export.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from archive.services.pdf_writer import new_document, nfc, to_bytes
from ingest.pdfa import ArchivalMetadata, NotConvertible, build_archival_pdf

KIND_TITLES = {
    "initial": "BẢN KÊ KHAI THÔNG TIN HỒ SƠ CÁ NHÂN",
    "change": "BẢN CẬP NHẬT THÔNG TIN THAY ĐỔI",
    "annual": "PHIẾU BỔ SUNG LÝ LỊCH",
    "export": "SƠ YẾU LÝ LỊCH",
}


@dataclass(frozen=True)
class FieldChange:
    """One declared field: its label, the approved value and the declared one."""

    key: str
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class DeclarationSheet:
    """What the PDF shows (plain values; the service gathers them)."""

    kind: str
    number: int
    staff_code: str
    full_name: str
    unit_name: str
    regulation: str
    fields: list[FieldChange]
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (file name, SHA-256)
    issued_on: date | None = None
    note: str = ""


def _row(pdf, label: str, value: str, *, bold: bool = False) -> None:  # noqa: ANN001
    pdf.set_font("sans", "B" if bold else "", 10)
    pdf.multi_cell(60, 7, nfc(label), border=1, new_x="RIGHT", new_y="TOP")
    y0 = pdf.get_y()
    pdf.set_font("sans", "", 10)
    x = pdf.get_x()
    pdf.multi_cell(0, 7, nfc(value) or "—", border=1, new_x="LMARGIN", new_y="NEXT")
    del x, y0


def render(sheet: DeclarationSheet) -> bytes:
    """The sheet as PDF/A-2b bytes; RuntimeError if it cannot be made conformant (a bug, not input)."""
    title = KIND_TITLES.get(sheet.kind, KIND_TITLES["initial"])
    pdf = new_document(f"{title} – {sheet.staff_code}", author=sheet.full_name)
    pdf.add_page()
    pdf.set_font("sans", "B", 13)
    pdf.cell(0, 7, nfc("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, nfc("Độc lập - Tự do - Hạnh phúc"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("sans", "B", 14)
    pdf.cell(0, 9, nfc(title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sans", "I", 11)
    if sheet.regulation:
        pdf.multi_cell(0, 6, nfc(f"(theo {sheet.regulation})"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("sans", "", 10)
    for label, value in (("Số", str(sheet.number)), ("Mã cán bộ", sheet.staff_code), ("Họ và tên", sheet.full_name),
                         ("Đơn vị", sheet.unit_name),
                         ("Ngày lập", sheet.issued_on.strftime("%d/%m/%Y") if sheet.issued_on else "")):
        _row(pdf, label, value)
    pdf.ln(4)
    changed = [f for f in sheet.fields if f.changed]
    if sheet.kind != "export":
        pdf.set_font("sans", "B", 13)
        pdf.cell(0, 8, nfc("I. Nội dung thay đổi so với hồ sơ đã phê duyệt"), new_x="LMARGIN", new_y="NEXT")
        if not changed:
            pdf.set_font("sans", "I", 12)
            pdf.cell(0, 7, nfc("Không có thay đổi."), new_x="LMARGIN", new_y="NEXT")
        for f in changed:
            _row(pdf, f.label, f"{f.before or '(trống)'}  →  {f.after or '(trống)'}", bold=True)
        pdf.ln(4)
        pdf.set_font("sans", "B", 13)
        pdf.cell(0, 8, nfc("II. Thông tin hồ sơ theo bản kê khai"), new_x="LMARGIN", new_y="NEXT")
    for f in sheet.fields:
        _row(pdf, f.label, f.after)
    if sheet.evidence:
        pdf.ln(4)
        pdf.set_font("sans", "B", 13)
        pdf.cell(0, 8, nfc("III. Tài liệu kiểm chứng kèm theo"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("sans", "", 11)
        for name, sha in sheet.evidence:
            pdf.multi_cell(0, 6, nfc(f"– {name} (SHA-256 {sha})"), new_x="LMARGIN", new_y="NEXT")
    if sheet.note:
        pdf.ln(2)
        pdf.set_font("sans", "I", 12)
        pdf.multi_cell(0, 6, nfc(sheet.note), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("sans", "", 10)
    pdf.multi_cell(0, 6, nfc("Người kê khai, người xác thực và người phê duyệt ký số trên tệp này "
                             "(chữ ký số PAdES kèm theo tệp)."), new_x="LMARGIN", new_y="NEXT")
    raw = to_bytes(pdf)
    with tempfile.TemporaryDirectory(prefix="declaration-") as tmp:
        src = Path(tmp) / "sheet.pdf"
        src.write_bytes(raw)
        out = io.BytesIO()
        try:
            build_archival_pdf(src, "pdf", {}, ArchivalMetadata(title=nfc(f"{title} – {sheet.staff_code}")), out)
        except NotConvertible as exc:  # our own rendering: a bug to surface, not a user's error
            raise RuntimeError(f"declaration PDF is not PDF/A-2b: {exc}") from exc
    return out.getvalue()
