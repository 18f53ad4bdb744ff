"""The PDF/A-2b copy (bản lưu trữ) of a document that is a list of page references: its pages taken
in order from one or more originals (merged, split, reordered documents), each with its OCR text
layer laid over it as `ingest.pdfa.build_archival_pdf` does for a single original.

Pages are carried over as they are (the scan's image streams are not re-encoded); an image
original is wrapped losslessly first. A page the archivist turned (xoay trang, r degrees
clockwise) is carried as scanned and shown upright: its /Rotate becomes (its own + r) mod 360.
Its text layer was read from the turned image, so its geometry is re-expressed against the
unturned page before the usual overlay: the turned image is the unturned one rotated by −r
(counter-clockwise, about the centre, grown), so the OCR image is the unturned one rotated by
angle − r, and the page image's width and height swap for 90° and 270°. A PDF page's own
/Rotate counts too (the extract job reads the page as drawn, /Rotate applied; an image original
is read as its pixels lie). The layer sits in the page's own coordinates, so the viewer's /Rotate
turns ink and text together.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import pikepdf

from ingest.ocr import PageGeometry
from ingest.pdfa import (
    own_rotation,
    unturned_geometry,
    ArchivalMetadata,
    ArchivalResult,
    NotConvertible,
    TextLayer,
    _open_pdf,
    _overlay,
    _wrap_images,
    _write_pdfa,
)


def build_archival_pdf_from_pages(originals: Mapping[str, tuple[Path, str]],
                                  pages: Sequence[tuple[str, int] | tuple[str, int, int]],
                                  layers: Mapping[tuple[str, int, int], TextLayer], meta: ArchivalMetadata,
                                  out: BinaryIO, *, default_dpi: float = 300) -> ArchivalResult:
    """Write the copy of `pages` ((original key, 1-based page of that original, clockwise turn — 0 when
    left out), in document order) to `out`. `originals`: key → (path, kind "pdf" | "jpeg" | "png" |
    "tiff"); `layers`: by (key, page, turn), each read from the page turned that way."""
    pages = [(p[0], p[1], (p[2] if len(p) > 2 else 0) % 360) for p in pages]
    opened: list[pikepdf.Pdf] = []  # sources and layers stay open until the save: qpdf copies lazily
    try:
        sources: dict[str, pikepdf.Pdf] = {}
        notes: list[str] = []
        for key, (path, kind) in originals.items():
            if kind == "pdf":
                src, note = _open_pdf(path), "các trang PDF giữ nguyên (ảnh quét nhúng sẵn, không nén lại)"
            else:
                dpi = next((t.geometry.dpi for (k, _n, _r), t in layers.items() if k == key), default_dpi)
                src, note = _wrap_images(path, kind, dpi)
            opened.append(src)
            sources[key] = src
            if note not in notes:
                notes.append(note)
        pdf = pikepdf.new()
        opened.append(pdf)
        drawn: list[int] = []  # each page's turn from its own coordinates to the image the OCR was given
        for key, number, rotation in pages:
            src = sources[key]
            if not 1 <= number <= len(src.pages):
                raise NotConvertible(f"Bản gốc không có trang {number} mà tài liệu tham chiếu.")
            own = own_rotation(src.pages[number - 1]) if originals[key][1] == "pdf" else 0
            drawn.append((own + rotation) % 360)
            pdf.pages.append(src.pages[number - 1])
            if rotation:
                pdf.pages[-1].rotate(rotation, relative=True)  # shown upright; the scan itself is not touched
        layered = 0
        for i, (key, number, rotation) in enumerate(pages):
            layer = layers.get((key, number, rotation))
            if layer is None:
                continue
            lsrc = pikepdf.open(io.BytesIO(layer.pdf))
            opened.append(lsrc)
            _overlay(pdf, pdf.pages[i], lsrc, unturned_geometry(layer.geometry, drawn[i]))
            layered += 1
        _write_pdfa(pdf, meta, out)
        return ArchivalResult(pages=len(pdf.pages), layered_pages=layered, images="; ".join(notes))
    finally:
        for src in opened:
            src.close()
