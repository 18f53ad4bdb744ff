"""Orientation before OCR (nhận dạng hướng trang): a page scanned sideways or upside down is turned.

tesseract's OSD (`--psm 0`, osd.traineddata) costs a run per page, so it runs only when the
first OCR run's cheap signals say the page may be rotated (low confidence or few words, see
ingest.page_review.may_be_rotated) and the page is not blank. A normal page pays one ink count
on a thumbnail and nothing else. When OSD says "rotate R°" with enough confidence the
page is read again turned by R, and the better of the two readings is kept.

A blank page (ink share below the rule's floor and almost no word read) gets empty text: it is
flagged, never indexed as tesseract's guesses at specks. (A page with one short line has as little
ink as dust; its words keep it.) OSD never runs on a blank page.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytesseract
from PIL import Image

from ingest.ocr import OcrResult, ocr_image, write_netpbm
from ingest.page_review import ReviewRule, looks_blank, may_be_rotated
from ingest.preprocess import PreprocessOptions, to_grayscale
from storage import owned_prefix

log = logging.getLogger(__name__)

_THUMB_SIDE = 600  # ink is counted on a page shrunk to this side: a few ms whatever the scan
_INK_CONTRAST = 40  # gray levels below the paper that count as ink


@dataclass(frozen=True)
class Orientation:
    """What OSD said: turn the page `rotate` degrees clockwise (0/90/180/270) to read it."""

    rotate: int
    confidence: float


def ink_ratio(img: Image.Image) -> float:
    """Share of dark pixels of the page (0–1), on a thumbnail; a white page is ~0."""
    gray = to_grayscale(img)
    gray.thumbnail((_THUMB_SIDE, _THUMB_SIDE))
    a = np.asarray(gray, dtype=np.uint8)
    if a.size == 0:
        return 0.0
    # ink is what is clearly darker than the paper: relative to the paper's own level, so faded
    # or blurred text still counts, and paper grain (a few levels) does not; Otsu alone would
    # split a blank page's grain from its paper
    paper = float(np.percentile(a, 90))
    return float((a < paper - _INK_CONTRAST).mean())


def detect_orientation(img: Image.Image, *, timeout: int = 60, tmp_dir: Path | None = None) -> Orientation | None:
    """tesseract's OSD on the page, or None when it could not tell (too few letters, an error)."""
    with tempfile.TemporaryDirectory(prefix=owned_prefix("osd-"), dir=tmp_dir) as tmp:
        page_file = write_netpbm(to_grayscale(img), Path(tmp) / "page")
        try:
            out = pytesseract.image_to_osd(str(page_file), config="--psm 0 -c min_characters_to_try=10",
                                           timeout=timeout)
        except (pytesseract.TesseractError, RuntimeError) as exc:
            log.info("OSD could not tell the orientation: %s", exc)
            return None
    rotate = re.search(r"Rotate:\s*(\d+)", out)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
    if not rotate:
        return None
    return Orientation(rotate=int(rotate.group(1)) % 360, confidence=float(conf.group(1)) if conf else 0.0)


def _letter_words(result: OcrResult) -> int:
    return sum(1 for w in result.words if any(ch.isalpha() for ch in w.text))


def _better(a: OcrResult, b: OcrResult) -> bool:
    """b reads the page better than a: more confident, on about as many words."""
    return b.confidence > a.confidence and len(b.words) >= len(a.words) // 2


def ocr_oriented(img: Image.Image, *, rule: ReviewRule = ReviewRule(), lang: str = "vie",
                 options: PreprocessOptions | None = PreprocessOptions(), timeout: int = 300,
                 text_layer: bool = False, dpi: float = 300, tmp_dir: Path | None = None,
                 ocr: Callable[..., OcrResult] = ocr_image) -> OcrResult:
    """OCR one page as `ocr` (ingest.ocr.ocr_image), skipping blank pages and turning rotated ones."""
    ratio = ink_ratio(img)
    first = ocr(img, lang=lang, options=options, timeout=timeout, text_layer=text_layer, dpi=dpi, tmp_dir=tmp_dir)
    if looks_blank(ratio, _letter_words(first), rule):  # tesseract's guesses at specks are not text
        return OcrResult(text="", confidence=0.0, size=(img.width, img.height), ink_ratio=ratio)
    best = first
    if may_be_rotated(first.confidence, len(first.words), rule):
        found = detect_orientation(img, tmp_dir=tmp_dir)
        if found is not None and found.rotate and found.confidence >= rule.osd_min_confidence:
            turned = ocr(img, lang=lang, options=options, timeout=timeout, text_layer=text_layer, dpi=dpi,
                         tmp_dir=tmp_dir, rotation=found.rotate)
            if _better(first, turned):
                best = turned
    return OcrResult(text=best.text, confidence=best.confidence, layer_pdf=best.layer_pdf, geometry=best.geometry,
                     words=best.words, size=best.size, rotation=best.rotation, ink_ratio=ratio)

__all__ = ["Orientation", "detect_orientation", "ink_ratio", "ocr_oriented"]
