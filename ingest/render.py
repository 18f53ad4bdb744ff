"""Page images of a stored original: for OCR (300 dpi, grayscale) and for people (thumbnails, the
scan shown beside its text). One place that knows how to turn a page of a PDF or a multi-page
image into pixels."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

from PIL import Image

from ingest.pdfium_guard import PDFIUM


def rasterise_pdf_page(path: Path, index: int, *, dpi: float | None = None, width_px: int | None = None,
                       grayscale: bool = True, max_pixels: int | None = None) -> Image.Image:
    """Page `index` (0-based) at `dpi`, or scaled to `width_px` wide; never more than `max_pixels`
    (the scale shrinks to fit: a long, narrow page drawn 1,000 px wide would be billions)."""
    import pypdfium2 as pdfium  # only where a page is drawn
    import pypdfium2.raw as pdfium_c

    with PDFIUM:
        pdf = pdfium.PdfDocument(str(path))
        try:
            page = pdf[index]
            width_pt, height_pt = page.get_width(), page.get_height()
            scale = (dpi or 72) / 72 if width_px is None else width_px / width_pt
            if max_pixels is not None and width_pt * height_pt * scale * scale > max_pixels:
                scale = math.sqrt(max_pixels / (width_pt * height_pt))
            # Render straight into an 8-bit gray bitmap. pdfium's FPDF_GRAYSCALE flag
            # (`grayscale=True`) gives the same pixels on scans but takes ~3× as long
            # (~0.2 s vs ~0.06 s for an A4 page at 300 dpi).
            bitmap_format = pdfium_c.FPDFBitmap_Gray if grayscale else None
            bitmap = page.render(scale=scale, force_bitmap_format=bitmap_format)
            try:
                return bitmap.to_pil().copy()
            finally:
                bitmap.close()
                page.close()
        finally:
            pdf.close()


def page_image(path: Path, kind: str, number: int, *, width_px: int, max_pixels: int | None = None) -> Image.Image:
    """Page `number` (1-based) of a stored original, `width_px` wide, for display."""
    if kind == "pdf":
        img = rasterise_pdf_page(path, number - 1, width_px=width_px, grayscale=False, max_pixels=max_pixels)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's notes on odd tags of a file validated at upload
            with Image.open(path) as src:
                src.seek(number - 1)  # EOFError past the last frame
                img = src.convert("RGB")
    if img.width > width_px:
        img = img.resize((width_px, max(1, round(img.height * width_px / img.width))), Image.LANCZOS)
    return img
