"""Splitting a scanned stack at its cover sheets (tách tập quét theo tờ bìa phân tách).

A sheet-fed scanner makes one long PDF (or multi-page TIFF) per stack. Before each document
the archivist puts a cover sheet whose QR code says where the pages after it go:

    CBCCVC:BIA:v1:<mã cán bộ>:<loại tài liệu>

(`%` and `:` inside a code are written `%25` and `%3A`). `find_covers` rasterises every page
small (grayscale, ~120 dpi: a 60 mm QR is still ~8 px a module) and asks zxing-cpp for QR
codes only, which is fast and copes with skewed, slightly blurred 200–300 dpi scans.
`plan_split` answers the parts (pages of the original after each cover, covers dropped); a
stack whose first page is not a cover sheet is not guessed at: `needs_review`. `write_part`
copies the original's pages into a new PDF with pikepdf — page objects copied, images never
re-encoded. Pure: paths in, plans and files out; knows nothing of dossiers or databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.pdfium_guard import PDFIUM

PREFIX = "CBCCVC:BIA:v1:"
RASTER_DPI = 120


def _quote(code: str) -> str:
    return code.replace("%", "%25").replace(":", "%3A")


def _unquote(code: str) -> str:
    return code.replace("%3A", ":").replace("%3a", ":").replace("%25", "%")


def cover_payload(staff_code: str, document_type: str) -> str:
    """The text a cover sheet's QR code holds."""
    return f"{PREFIX}{_quote(staff_code)}:{_quote(document_type)}"


def parse_cover(text: str) -> tuple[str, str] | None:
    """(staff code, document type) from a QR text, or None when it is not one of our cover sheets."""
    if not text.startswith(PREFIX):
        return None
    rest = text[len(PREFIX):].split(":")
    if len(rest) != 2 or not rest[0] or not rest[1]:
        return None
    return _unquote(rest[0]), _unquote(rest[1])


@dataclass(frozen=True)
class Part:
    staff_code: str
    document_type: str
    pages: tuple[int, ...]  # 0-based pages of the original, covers excluded

    @property
    def label(self) -> str:
        first, last = self.pages[0] + 1, self.pages[-1] + 1
        return str(first) if first == last else f"{first}-{last}"


@dataclass(frozen=True)
class SplitPlan:
    page_count: int
    covers: dict[int, tuple[str, str]]  # 0-based page → (staff code, document type)
    parts: tuple[Part, ...]
    needs_review: bool  # the first page is not a cover sheet: nothing is guessed

    @property
    def has_covers(self) -> bool:
        return bool(self.covers)


def _pages_gray(path: Path, kind: str, dpi: int):
    import numpy as np

    if kind == "pdf":
        import pypdfium2 as pdfium

        # every pdfium call made while holding PDFIUM, the lock never held across a yield
        with PDFIUM:
            pdf = pdfium.PdfDocument(str(path))
            count = len(pdf)
        try:
            for i in range(count):
                with PDFIUM:
                    page = pdf[i]
                    bitmap = page.render(scale=dpi / 72, grayscale=True)
                    gray = np.ascontiguousarray(bitmap.to_numpy().reshape(bitmap.height, bitmap.width, -1)[:, :, 0])
                    bitmap.close()
                    page.close()
                yield gray
        finally:
            with PDFIUM:
                pdf.close()
        return
    from PIL import Image, ImageSequence

    with Image.open(path) as img:
        for frame in ImageSequence.Iterator(img):
            g = frame.convert("L")
            xdpi = float((frame.info.get("dpi") or (300, 300))[0] or 300)
            if xdpi > dpi * 1.2:
                g = g.resize((max(1, round(g.width * dpi / xdpi)), max(1, round(g.height * dpi / xdpi))))
            yield np.asarray(g)


def read_cover(gray) -> tuple[str, str] | None:
    """The cover-sheet target on one page image, if its QR code is one of ours."""
    import zxingcpp

    for barcode in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode):
        target = parse_cover(barcode.text)
        if target is not None:
            return target
    return None


def find_covers(path: Path, kind: str = "pdf", *, dpi: int = RASTER_DPI) -> tuple[int, dict[int, tuple[str, str]]]:
    """(page count, {page: target}) for a PDF (`kind="pdf"`) or a multi-page TIFF (`kind="tiff"`)."""
    covers: dict[int, tuple[str, str]] = {}
    count = 0
    for i, gray in enumerate(_pages_gray(path, kind, dpi)):
        count = i + 1
        target = read_cover(gray)
        if target is not None:
            covers[i] = target
    return count, covers


def plan_from_covers(page_count: int, covers: dict[int, tuple[str, str]]) -> SplitPlan:
    """The parts between covers; a cover followed directly by another cover (or the end) makes no part."""
    if page_count == 0 or 0 not in covers:
        return SplitPlan(page_count, covers, (), needs_review=True)
    parts: list[Part] = []
    starts = sorted(covers)
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else page_count
        pages = tuple(range(start + 1, end))
        if pages:
            parts.append(Part(*covers[start], pages=pages))
    return SplitPlan(page_count, covers, tuple(parts), needs_review=False)


def plan_split(path: Path, kind: str = "pdf", *, dpi: int = RASTER_DPI) -> SplitPlan:
    count, covers = find_covers(path, kind, dpi=dpi)
    return plan_from_covers(count, covers)


def write_part(source: Path, kind: str, pages: tuple[int, ...], out: Path) -> None:
    """The given pages of `source` as a new file at `out`: PDF pages copied as objects (images kept as
    they are); TIFF frames saved with their own lossless compression."""
    if kind == "pdf":
        import pikepdf

        with pikepdf.open(source) as src, pikepdf.new() as dst:
            for i in pages:
                dst.pages.append(src.pages[i])
            dst.save(out)
        return
    from PIL import Image, ImageSequence

    with Image.open(source) as img:
        frames = [f.copy() for i, f in enumerate(ImageSequence.Iterator(img)) if i in set(pages)]
        compression = img.info.get("compression", "tiff_lzw")
        if compression in ("raw", None):
            compression = "tiff_lzw"
        if compression == "group4" and any(f.mode != "1" for f in frames):
            compression = "tiff_lzw"
        frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], compression=compression)
