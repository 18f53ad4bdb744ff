"""Text of every page: the PDF's own text layer where it has one, Vietnamese OCR otherwise."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from PIL import Image, ImageSequence
from pypdf import PdfReader

from ingest.ocr import OcrResult, ocr_image
from ingest.render import rasterise_pdf_page
from search.vietnamese import nfc

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class PageText:
    """Text of one page (trang) and where it came from."""

    number: int       # 1-based
    text: str         # NFC
    confidence: float  # 0–100; 100 for a text layer
    source: str       # "text_layer" | "ocr"


@dataclass(frozen=True)
class ExtractOptions:
    lang: str = "vie"
    dpi: int = 300
    text_layer_min_chars: int = 20


OcrFn = Callable[[Image.Image], OcrResult]


def _has_text_layer(text: str, min_letters: int) -> bool:
    return len(_LETTER.findall(text)) >= min_letters


def extract_pdf(path: Path, opts: ExtractOptions, ocr: OcrFn) -> Iterator[PageText]:
    # An open file, not a path: given a path, pypdf reads the whole PDF into memory first.
    with open(path, "rb") as fh:
        reader = PdfReader(fh, strict=False)
        for i, page in enumerate(reader.pages):
            try:
                layer = nfc(page.extract_text() or "").strip()
            except Exception:  # a broken content stream on one page: fall back to OCR of its image
                layer = ""
            if _has_text_layer(layer, opts.text_layer_min_chars):
                yield PageText(number=i + 1, text=layer, confidence=100.0, source="text_layer")
                continue
            result = ocr(rasterise_pdf_page(path, i, dpi=opts.dpi))
            yield PageText(number=i + 1, text=result.text, confidence=result.confidence, source="ocr")


def extract_image(path: Path, ocr: OcrFn) -> Iterator[PageText]:
    with Image.open(path) as img:
        for i, frame in enumerate(ImageSequence.Iterator(img)):
            result = ocr(frame.copy())
            yield PageText(number=i + 1, text=result.text, confidence=result.confidence, source="ocr")


def extract_pages(path: Path, kind: str, opts: ExtractOptions = ExtractOptions(),
                  ocr: OcrFn | None = None) -> Iterator[PageText]:
    """Pages in order, one at a time, so the caller can heartbeat between slow OCR pages."""
    ocr_fn: OcrFn = ocr or (lambda img: ocr_image(img, lang=opts.lang))
    if kind == "pdf":
        return extract_pdf(path, opts, ocr_fn)
    return extract_image(path, ocr_fn)
