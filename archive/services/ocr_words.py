"""OCR word boxes (từ nhận dạng và vị trí) of each OCR'd page, kept as derivatives.

The extract job stores, per page tesseract read, the words of that same run as one JSON
derivative: kind `ocr_words`, params `page=N`, source the original's SHA-256, in the
derivatives namespace like `ocr_layer` (and under the same retention: the `retention`
follow-up of extract locks every derivative of the original). Format (version 1):

    {"v": 1, "page": N, "width": W, "height": H,
     "words": [{"text": "Nguyễn", "conf": 93.1, "left": 412, "top": 388, "width": 160,
                "height": 38, "block": 2, "par": 1, "line": 3}, ...]}

`width` × `height` are the pixels of the page image OCR was given (300 dpi rendering of a PDF
page, or the scan's own frame); boxes are in those pixels, top-left origin, already mapped
back from the deskewed image. `conf` is tesseract's 0–100; a line is (block, par, line).
Pages taken from a PDF's own text layer have no words.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.models import Derivative
from ingest import OcrWord, PageText
from storage import ObjectInfo, ObjectNotFound

OCR_WORDS = "ocr_words"
FORMAT_VERSION = 1
JSON_TYPE = "application/json"


@dataclass(frozen=True)
class PageWords:
    page: int
    width: int
    height: int
    words: tuple[OcrWord, ...]


def to_json(page: int, size: tuple[int, int], words: Iterable[OcrWord]) -> bytes:
    return json.dumps({"v": FORMAT_VERSION, "page": page, "width": size[0], "height": size[1],
                       "words": [w.to_json() for w in words]}, ensure_ascii=False, sort_keys=True).encode()


def from_json(data: bytes) -> PageWords:
    d = json.loads(data)
    return PageWords(page=int(d["page"]), width=int(d["width"]), height=int(d["height"]),
                     words=tuple(OcrWord.from_json(w) for w in d.get("words", ())))


def store_page_words(c: Context, source_sha256: str, pages: Iterable[PageText]) -> Callable[[Session], None] | None:
    """Put the words of each OCR'd page in the store; return the row writes (None: no OCR'd page).

    Content-addressed objects, so repeating is harmless; the rows are written by the returned
    function in the extract job's finishing transaction.
    """
    stored: list[tuple[int, ObjectInfo]] = []
    for p in pages:
        if p.source != "ocr" or p.size is None:
            continue
        info = c.derivatives.put_stream(io.BytesIO(to_json(p.number, p.size, p.words)), content_type=JSON_TYPE)
        stored.append((p.number, info))
    if not stored:
        return None

    def apply(session: Session) -> None:
        for number, info in stored:
            params = f"page={number}"
            row = session.scalar(select(Derivative).where(
                Derivative.kind == OCR_WORDS, Derivative.source_sha256 == source_sha256, Derivative.params == params))
            if row is None:
                session.add(Derivative(kind=OCR_WORDS, source_sha256=source_sha256, params=params, sha256=info.key,
                                       size=info.size, content_type=JSON_TYPE))
            else:
                row.sha256, row.size = info.key, info.size

    return apply


def load_page_words(c: Context, session: Session, source_sha256: str) -> dict[int, PageWords]:
    """The stored words by page number (pages whose object is lost are left out)."""
    rows = session.scalars(select(Derivative).where(
        Derivative.source_sha256 == source_sha256, Derivative.kind == OCR_WORDS)).all()
    out: dict[int, PageWords] = {}
    for r in rows:
        try:
            with c.derivatives.open(r.sha256) as fh:
                pw = from_json(fh.read())
        except (ObjectNotFound, ValueError, KeyError):
            continue
        out[pw.page] = pw
    return out
