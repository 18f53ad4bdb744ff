"""Page images of a stored original: for OCR (300 dpi, grayscale) and for people (thumbnails, the
scan shown beside its text). One place that knows how to turn a page of a PDF or a multi-page
image into pixels."""

from __future__ import annotations

from pathlib import Path

from PIL import Image


def rasterise_pdf_page(path: Path, index: int, *, dpi: float | None = None, width_px: int | None = None,
                       grayscale: bool = True) -> Image.Image:
    """Page `index` (0-based) at `dpi`, or scaled to `width_px` wide."""
    import pypdfium2 as pdfium  # only where a page is drawn
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[index]
        scale = (dpi or 72) / 72 if width_px is None else width_px / page.get_width()
        # Render straight into an 8-bit gray bitmap. pdfium's FPDF_GRAYSCALE flag
        # (`grayscale=True`) gives the same pixels on scans but takes ~3× as long
        # (~0.2 s vs ~0.06 s for an A4 page at 300 dpi).
        bitmap_format = pdfium_c.FPDFBitmap_Gray if grayscale else None
        return page.render(scale=scale, force_bitmap_format=bitmap_format).to_pil().copy()
    finally:
        pdf.close()


def page_image(path: Path, kind: str, number: int, *, width_px: int) -> Image.Image:
    """Page `number` (1-based) of a stored original, `width_px` wide, for display."""
    if kind == "pdf":
        img = rasterise_pdf_page(path, number - 1, width_px=width_px, grayscale=False)
    else:
        with Image.open(path) as src:
            src.seek(number - 1)  # EOFError past the last frame
            img = src.convert("RGB")
    if img.width > width_px:
        img = img.resize((width_px, max(1, round(img.height * width_px / img.width))), Image.LANCZOS)
    return img
