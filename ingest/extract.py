"""Text of every page: the PDF's own text layer where it has one, Vietnamese OCR otherwise.

A stored original is read within the same bounds as at upload (pages, pixels, inflated
streams), so a file stored before a bound existed, or under a looser one, cannot make a
worker allocate what validation would have refused: it fails with the same message.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from PIL import Image, ImageSequence
from pypdf import PdfReader

from ingest.errors import UnreadablePage
from ingest.ocr import OcrResult, OcrWord, PageGeometry, ocr_image
from ingest.orientation import ocr_oriented  # blank pages skipped, rotated pages turned (OCR review)
from ingest.page_review import ReviewRule
from ingest.pdf_bounds import PdfLimits
from ingest.render import rasterise_pdf_page
from ingest.validate import DEFAULT_MAX_STREAM_BYTES, checked_image, pdf_page_count
from search.text import nfc

log = logging.getLogger(__name__)

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class PageText:
    """Text of one page (trang) and where it came from."""

    number: int       # 1-based
    text: str         # NFC
    confidence: float  # 0–100; 100 for a text layer
    source: str       # "text_layer" | "ocr"
    # with ExtractOptions.text_layer: tesseract's text-only PDF of an OCR'd page and its geometry
    layer_pdf: bytes | None = None
    geometry: PageGeometry | None = None
    # an OCR'd page's words with boxes (same tesseract run) and the page image's (width, height)
    words: tuple[OcrWord, ...] = ()
    size: tuple[int, int] | None = None
    # an OCR'd page's turn by orientation detection (degrees clockwise) and ink share (page_review)
    osd_rotation: int = 0
    ink_ratio: float | None = None


@dataclass(frozen=True)
class ExtractOptions:
    lang: str = "vie"
    dpi: int = 300
    text_layer_min_chars: int = 20
    # the upload bounds (archive.settings: max_pages, max_image_pixels, max_stream_bytes)
    max_pages: int = 500
    max_image_pixels: int = 120_000_000
    max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES
    # keep each OCR'd page's invisible text layer (for the archival PDF/A copy), same tesseract run
    text_layer: bool = False
    tmp_dir: Path | None = None  # where tesseract's temp files go (owner-tagged names)
    review: ReviewRule = ReviewRule()  # blank / rotated page thresholds (ingest.page_review)
    # document corrections (xoay trang, nhận dạng lại): (page, degrees clockwise) turned before OCR,
    # and when given, only these pages are read (the others are not yielded)
    rotations: tuple[tuple[int, int], ...] = ()
    only_pages: tuple[int, ...] = ()


def _wanted(opts: ExtractOptions, number: int) -> bool:
    return not opts.only_pages or number in opts.only_pages


def _turned(img: Image.Image, opts: ExtractOptions, number: int) -> Image.Image:
    """The page image turned upright by the page's recorded rotation (clockwise degrees)."""
    degrees = dict(opts.rotations).get(number, 0) % 360
    return img.rotate(-degrees, expand=True) if degrees else img


OcrFn = Callable[[Image.Image], OcrResult]
# what the stages call: the page image and the DPI it is at (a scan's own, or the rendering's)
_PageOcr = Callable[[Image.Image, float], OcrResult]


def _has_text_layer(text: str, min_letters: int) -> bool:
    return len(_LETTER.findall(text)) >= min_letters


def _ocr_page(ocr: OcrFn | _PageOcr, img: Image.Image, number: int, dpi: float) -> OcrResult:
    try:
        return ocr(img, dpi) if getattr(ocr, "takes_dpi", False) else ocr(img)  # type: ignore[call-arg]
    except UnreadablePage as exc:
        raise UnreadablePage(f"Không nhận dạng được chữ ở trang {number}: {exc}") from exc


def extract_pdf(path: Path, opts: ExtractOptions, ocr: OcrFn) -> Iterator[PageText]:
    pdf_page_count(path, PdfLimits(max_pages=opts.max_pages, max_pixels=opts.max_image_pixels,
                                   max_stream_bytes=opts.max_stream_bytes, dpi=opts.dpi))
    # An open file, not a path: given a path, pypdf reads the whole PDF into memory first.
    with open(path, "rb") as fh:
        reader = PdfReader(fh, strict=False)
        for i, page in enumerate(reader.pages):
            if not _wanted(opts, i + 1):
                continue
            try:
                layer = nfc(page.extract_text() or "").strip()
            except Exception:  # a broken content stream on one page: fall back to OCR of its image
                layer = ""
            if _has_text_layer(layer, opts.text_layer_min_chars):
                yield PageText(number=i + 1, text=layer, confidence=100.0, source="text_layer")
                continue
            image = _turned(rasterise_pdf_page(path, i, dpi=opts.dpi, max_pixels=opts.max_image_pixels), opts, i + 1)
            result = _ocr_page(ocr, image, i + 1, opts.dpi)
            yield PageText(number=i + 1, text=result.text, confidence=result.confidence, source="ocr",
                           layer_pdf=result.layer_pdf, geometry=result.geometry,
                           words=result.words, size=result.size, osd_rotation=result.rotation,
                           ink_ratio=result.ink_ratio)


# A page no dossier holds is larger than this on its long side (A3 is 420 mm): a scan whose stated
# resolution makes it larger states the wrong one. Phones, image editors and some scanner drivers
# write 72 or 96 dpi whatever they scanned at, and a 300-dpi page read as 72 dpi read at 7.3 % CER
# (dense dust) and 3.9 % (a Mẫu 2C table) instead of 0.3 and 0.4 %: every size the page's recipe
# scales by (specks, clouds, tesseract's own --dpi) was four times off.
MAX_PAGE_MM = 450.0
A4_LONG_MM = 297.0
# the resolutions scanners offer: an estimate within 8 % of one is taken as that one
SCANNER_DPIS = (150, 200, 240, 300, 400, 600)


def scan_dpi(frame: Image.Image, default: float) -> float:
    """The resolution a scan says it has (its x DPI), or `default` when it says none or nonsense; and
    when that makes the page larger than any paper (MAX_PAGE_MM), the resolution of an A4 page of its
    size in pixels (snapped to a scanner's, SCANNER_DPIS)."""
    dpi = frame.info.get("dpi")
    try:
        x = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        x = 0.0
    stated = x if 50 <= x <= 2400 else float(default)
    long_px = max(frame.size)
    if long_px / stated * 25.4 <= MAX_PAGE_MM:
        return stated
    guess = long_px / (A4_LONG_MM / 25.4)
    near = min(SCANNER_DPIS, key=lambda d: abs(d - guess))
    dpi_now = float(near) if abs(near - guess) <= 0.08 * near else round(guess)
    log.info("a %d px page at %.0f dpi would be %.0f mm long: read at %.0f dpi", long_px, stated,
             long_px / stated * 25.4, dpi_now)
    return dpi_now


def extract_image(path: Path, opts: ExtractOptions, ocr: OcrFn) -> Iterator[PageText]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's notes on odd tags: the frames are checked first
        with checked_image(path, max_pages=opts.max_pages, max_pixels=opts.max_image_pixels) as img:
            for i, frame in enumerate(ImageSequence.Iterator(img)):
                if not _wanted(opts, i + 1):
                    continue
                result = _ocr_page(ocr, _turned(frame.copy(), opts, i + 1), i + 1, scan_dpi(frame, opts.dpi))
                yield PageText(number=i + 1, text=result.text, confidence=result.confidence, source="ocr",
                               layer_pdf=result.layer_pdf, geometry=result.geometry,
                               words=result.words, size=result.size, osd_rotation=result.rotation,
                               ink_ratio=result.ink_ratio)


def extract_pages(path: Path, kind: str, opts: ExtractOptions = ExtractOptions(),
                  ocr: OcrFn | None = None) -> Iterator[PageText]:
    """Pages in order, one at a time, so the caller can heartbeat between slow OCR pages."""
    ocr_fn: OcrFn | _PageOcr = ocr or _default_ocr(opts)
    if kind == "pdf":
        return extract_pdf(path, opts, ocr_fn)
    return extract_image(path, opts, ocr_fn)


def _default_ocr(opts: ExtractOptions) -> _PageOcr:
    def run(img: Image.Image, dpi: float) -> OcrResult:
        return ocr_oriented(img, rule=opts.review, lang=opts.lang, text_layer=opts.text_layer, dpi=dpi,
                            tmp_dir=opts.tmp_dir, ocr=ocr_image)

    run.takes_dpi = True  # type: ignore[attr-defined]
    return run
