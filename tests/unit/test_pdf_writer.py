"""Printed documents keep Vietnamese text: what is written is what a reader extracts."""
import io
import unicodedata

import pypdf

from archive.services.pdf_writer import new_document, to_bytes


def test_vietnamese_text_in_both_families_survives_extraction():
    pdf = new_document("Báo cáo")
    pdf.add_page()
    decomposed = unicodedata.normalize("NFD", "Đặng Văn Ước")
    pdf.cell(text="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sans", "B", 11)
    pdf.cell(text="Nguyễn Thị Hương — quyết định", new_x="LMARGIN", new_y="NEXT")
    from archive.services.pdf_writer import nfc
    pdf.cell(text=nfc(decomposed))
    text = pypdf.PdfReader(io.BytesIO(to_bytes(pdf))).pages[0].extract_text()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Nguyễn Thị Hương" in text
    assert "Đặng Văn Ước" in text
