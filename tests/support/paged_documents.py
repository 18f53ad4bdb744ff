"""Multi-page test documents whose pages say different things (page-reference corrections)."""

from __future__ import annotations


def distinct_pages_pdf(pages: list[list[str]]) -> bytes:
    """A born-digital PDF (real text layer, Unicode font), one list of lines per page."""
    from fpdf import FPDF

    from bench.corpus.render import font_path

    pdf = FPDF(format="A4")
    pdf.add_font("vn", "", str(font_path()))
    pdf.set_font("vn", size=12)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 8, line)
            pdf.ln(1)
    return bytes(pdf.output())
