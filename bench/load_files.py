"""The small files archivists upload during the load test: never the same bytes twice (a repeated
file would be a duplicate upload, not new work), a PDF with a text layer or a scan to OCR."""

from __future__ import annotations

import io
import random

TOPICS = ("nâng bậc lương", "nghỉ hưu", "quyết định tuyển dụng", "bổ nhiệm", "điều động", "thi đua khen thưởng")


def text_pdf(rng: random.Random, who: str, n: int) -> bytes:
    """A one-page PDF with a text layer (no OCR needed), different every time."""
    from archive.services.pdf_writer import new_document, to_bytes  # the one PDF writer of the project

    pdf = new_document(f"Quyết định {n}")
    pdf.add_page()
    pdf.set_font("serif", size=12)
    pdf.multi_cell(0, 7, f"QUYẾT ĐỊNH số {n}/{who}/QĐ-UBND về việc {rng.choice(TOPICS)}.\n"
                         f"Căn cứ Luật Cán bộ, công chức; mã kiểm tra {rng.getrandbits(64):x}.\n"
                         "Điều 1. Nâng bậc lương thường xuyên đối với công chức có tên dưới đây.")
    return to_bytes(pdf)


def scan_png(rng: random.Random, who: str, n: int) -> bytes:
    """A small grayscale scan of a few typed lines: the worker OCRs it (tesseract -l vie)."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (1240, 420), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 30)
    for i, line in enumerate((f"BIÊN BẢN số {n} - {who}", f"Về việc {rng.choice(TOPICS)}",
                              f"Mã kiểm tra {rng.getrandbits(40):x}", "Hội đồng thống nhất đề nghị.")):
        draw.text((60, 50 + i * 80), line, fill=0, font=font)
    out = io.BytesIO()
    img.save(out, format="PNG", dpi=(150, 150))
    return out.getvalue()
