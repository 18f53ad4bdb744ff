"""Vietnamese OCR of one page image with tesseract (`vie`), text and mean word confidence."""

from __future__ import annotations

import csv
import io
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytesseract
from PIL import Image

from ingest.errors import ExtractionFailed, UnreadablePage
from ingest.preprocess import PreprocessOptions, preprocess, to_grayscale
from search.text import nfc

# One thread per tesseract process: parallelism comes from running several workers, and
# OpenMP threads inside each would only fight over the same two cores.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

log = logging.getLogger(__name__)

# Below this many pixels on a side there is nothing to read, and leptonica refuses the file
# outright (a 1 × 1 page is a netpbm file too short for it to recognise): answer "no text".
MIN_OCR_SIDE_PX = 8


@dataclass(frozen=True)
class OcrResult:
    text: str          # NFC
    confidence: float  # mean word confidence 0–100; 0 when no word was found


def _mean_confidence(tsv: str) -> float:
    confs = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        try:
            conf = float(row.get("conf") or -1)
        except ValueError:
            continue
        if conf >= 0 and (row.get("text") or "").strip():
            confs.append(conf)
    return round(sum(confs) / len(confs), 2) if confs else 0.0


def ocr_image(
    img: Image.Image, *, lang: str = "vie", options: PreprocessOptions | None = PreprocessOptions(),
    timeout: int = 300,
) -> OcrResult:
    """OCR one page; `options=None` skips preprocessing (the benchmark's raw-tesseract anchor).

    A page tesseract refuses raises UnreadablePage (the same page fails every time); a missing
    engine, a timeout or a killed process raise ExtractionFailed (they may pass).
    """
    if min(img.size) < MIN_OCR_SIDE_PX:
        return OcrResult(text="", confidence=0.0)
    prepared = preprocess(img, options) if options is not None else img
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
        page_file = write_netpbm(prepared, Path(tmp) / "page")
        try:
            # one tesseract run for both: the text as tesseract lays it out, and word confidences
            text, tsv = pytesseract.run_and_get_multiple_output(
                str(page_file), extensions=["txt", "tsv"], lang=lang, timeout=timeout
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise ExtractionFailed("Không tìm thấy tesseract; chạy `make setup` để cài tesseract-ocr-vie.") from exc
        except pytesseract.TesseractError as exc:
            if exc.status < 0:  # killed by a signal (out of memory, shutdown): another try may pass
                raise ExtractionFailed("Tiến trình OCR bị dừng giữa chừng.") from exc
            log.warning("tesseract refused a page (%s): %s", exc.status, exc.message)
            raise UnreadablePage("Công cụ OCR không đọc được ảnh trang này.") from exc
        except RuntimeError as exc:  # pytesseract's timeout
            raise ExtractionFailed(f"OCR quá {timeout} giây cho một trang.") from exc
    return OcrResult(text=nfc(text).strip(), confidence=_mean_confidence(tsv))


def write_netpbm(img: Image.Image, stem: Path) -> Path:
    """Save `img` uncompressed for tesseract: PBM (1-bit), PGM (gray) or PPM (colour).

    pytesseract would write a PNG, and zlib compression of an A4 page at 300 dpi costs
    0.07–0.3 CPU-s, a tenth of the OCR itself; netpbm is a header and the raw pixels
    (~1 MB for a 1-bit page), which leptonica reads as fast as any format.
    """
    if img.mode not in ("1", "L", "RGB"):
        img = to_grayscale(img)  # alpha, palette, 16-bit, CMYK: tesseract reads gray anyway
    suffix = {"1": ".pbm", "L": ".pgm", "RGB": ".ppm"}[img.mode]
    path = stem.with_suffix(suffix)
    img.save(path, format="PPM")
    return path
