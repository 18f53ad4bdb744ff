"""The page's invisible text layer (lớp chữ ẩn) brought to the words OCR kept.

Tesseract writes the text-only PDF in the same run as the word table, one `TJ` per word in the
table's order. OCR then drops words (dust, a table rule read as `|`, a speck cloud read as a line)
and takes some from a second reading (ingest.ocr). Without this the archival copy's text layer
would still say what the record's text no longer does: search in the PDF would find the dust.

The layer's words are matched to the word table by order and text; when they do not match word for
word (another tesseract's renderer), the layer is left as tesseract wrote it. Which word became what
is the caller's to say (ingest.ocr.kept_texts). Words read apart from that run (a line tesseract's
layout left out, ingest.unread_lines) are added to the layer in its own glyphless font, each
spanning its box (`with_added_words`).
"""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Sequence

import pikepdf

log = logging.getLogger(__name__)


def _encode(text: str) -> bytes:
    # tesseract's glyphless font: one 2-byte code per UTF-16 unit, the word followed by a space
    return (text + " ").encode("utf-16-be")


def _decode(operand: object) -> str | None:
    """The word a TJ operand holds (its strings joined, the trailing space off, NFC as the word table's
    text is), None if not strings."""
    if not isinstance(operand, pikepdf.Array):
        return None
    parts = [bytes(item) for item in operand if isinstance(item, pikepdf.String)]
    try:
        return unicodedata.normalize("NFC", b"".join(parts).decode("utf-16-be").strip())
    except UnicodeDecodeError:
        return None


def with_words(layer: bytes, words: Sequence[tuple[str, str | None]]) -> bytes:
    """`layer` (tesseract's text-only PDF of one page) with its words as OCR kept them.

    `words` has one (text as read, text kept or None when dropped) per word of the same run, in its
    order. A dropped word's `TJ` goes (the moves between words stay, so the rest keep their places);
    a word with another text gets it, its horizontal scaling set so it spans the same width.
    """
    with pikepdf.open(io.BytesIO(layer)) as pdf:
        page = pdf.pages[0]
        ops = pikepdf.parse_content_stream(page)
        shows = [i for i, (_, op) in enumerate(ops) if str(op) == "TJ"]
        texts = [_decode(ops[i][0][0]) if ops[i][0] else None for i in shows]
        if texts != [read for read, _ in words]:
            log.info("text layer left as written: its %d words are not the word table's %d", len(texts), len(words))
            return layer
        out: list = list(ops)
        drop: set[int] = set()
        changed = False
        for index, (read, now) in zip(shows, words):
            if now is None:
                drop.add(index)
            elif now != read:
                out[index] = pikepdf.ContentStreamInstruction(
                    [pikepdf.Array([pikepdf.String(_encode(now))])], pikepdf.Operator("TJ"))
                _rescale(out, index, len(_encode(read)) / len(_encode(now)))
                changed = True
        if not drop and not changed:
            return layer
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(
            [op for i, op in enumerate(out) if i not in drop]))
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def _rescale(ops: list, show: int, factor: float) -> None:
    """Scale the horizontal scaling (Tz) set for the word shown at `show` (the last Tz before it)."""
    for i in range(show - 1, -1, -1):
        operands, op = ops[i]
        if str(op) == "Tz":
            ops[i] = pikepdf.ContentStreamInstruction([round(float(operands[0]) * factor, 3)], pikepdf.Operator("Tz"))
            return
        if str(op) in ("TJ", "BT"):
            return


def with_added_words(layer: bytes, words: Sequence[tuple[str, tuple[int, int, int, int]]], *, dpi: float) -> bytes:
    """`layer` with `words` (text, (left, top, width, height) in pixels of the image tesseract read at
    `dpi`) written in it as tesseract writes its own: invisible (render mode 3), in the layer's
    glyphless font, each word's text spanning its box. A layer without a font is left as it is."""
    if not words:
        return layer
    with pikepdf.open(io.BytesIO(layer)) as pdf:
        page = pdf.pages[0]
        fonts = page.Resources.get("/Font")
        if not fonts:
            log.info("text layer left as written: it has no font for %d added words", len(words))
            return layer
        name = pikepdf.Name(next(iter(fonts.keys())))
        em = float(fonts[name].DescendantFonts[0].get("/DW", 1000)) / 1000  # width of each glyph, in em
        page_height = float(page.MediaBox[3])
        scale = 72 / dpi
        added = [pikepdf.ContentStreamInstruction([], pikepdf.Operator("BT")),
                 pikepdf.ContentStreamInstruction([3], pikepdf.Operator("Tr"))]
        for text, (left, top, width, height) in words:
            size = max(1.0, height * scale)
            code = _encode(text)
            stretch = 100 * width * scale / (len(code) / 2 * em * size)  # 2 bytes a code
            added += [
                pikepdf.ContentStreamInstruction([name, round(size, 2)], pikepdf.Operator("Tf")),
                pikepdf.ContentStreamInstruction(
                    [1, 0, 0, 1, round(left * scale, 2), round(page_height - (top + height) * scale, 2)],
                    pikepdf.Operator("Tm")),
                pikepdf.ContentStreamInstruction([round(stretch, 3)], pikepdf.Operator("Tz")),
                pikepdf.ContentStreamInstruction([pikepdf.Array([pikepdf.String(code)])], pikepdf.Operator("TJ")),
            ]
        added.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("ET")))
        ops = list(pikepdf.parse_content_stream(page))
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops + added))
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()
