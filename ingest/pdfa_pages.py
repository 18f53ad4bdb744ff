"""The PDF/A-2b copy (bản lưu trữ) of a document that is a list of page references: its pages taken
in order from one or more originals (merged, split, reordered documents), each with its OCR text
layer laid over it as `ingest.pdfa.build_archival_pdf` does for a single original.

Pages are carried over as they are (the scan's image streams are not re-encoded); an image
original is wrapped losslessly first. A turned page is not handled here: its text layer was
read from the turned image, so the caller leaves such documents out.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import pikepdf

from ingest.pdfa import (
    ArchivalMetadata,
    ArchivalResult,
    NotConvertible,
    TextLayer,
    _open_pdf,
    _overlay,
    _wrap_images,
    _write_pdfa,
)


def build_archival_pdf_from_pages(originals: Mapping[str, tuple[Path, str]], pages: Sequence[tuple[str, int]],
                                  layers: Mapping[tuple[str, int], TextLayer], meta: ArchivalMetadata,
                                  out: BinaryIO, *, default_dpi: float = 300) -> ArchivalResult:
    """Write the copy of `pages` ((original key, 1-based page of that original), in document order)
    to `out`. `originals`: key → (path, kind "pdf" | "jpeg" | "png" | "tiff"); `layers`: by (key, page)."""
    opened: list[pikepdf.Pdf] = []  # sources and layers stay open until the save: qpdf copies lazily
    try:
        sources: dict[str, pikepdf.Pdf] = {}
        notes: list[str] = []
        for key, (path, kind) in originals.items():
            if kind == "pdf":
                src, note = _open_pdf(path), "các trang PDF giữ nguyên (ảnh quét nhúng sẵn, không nén lại)"
            else:
                dpi = next((t.geometry.dpi for (k, _n), t in layers.items() if k == key), default_dpi)
                src, note = _wrap_images(path, kind, dpi)
            opened.append(src)
            sources[key] = src
            if note not in notes:
                notes.append(note)
        pdf = pikepdf.new()
        opened.append(pdf)
        for key, number in pages:
            src = sources[key]
            if not 1 <= number <= len(src.pages):
                raise NotConvertible(f"Bản gốc không có trang {number} mà tài liệu tham chiếu.")
            pdf.pages.append(src.pages[number - 1])
        layered = 0
        for i, (key, number) in enumerate(pages):
            layer = layers.get((key, number))
            if layer is None:
                continue
            lsrc = pikepdf.open(io.BytesIO(layer.pdf))
            opened.append(lsrc)
            _overlay(pdf, pdf.pages[i], lsrc, layer.geometry)
            layered += 1
        _write_pdfa(pdf, meta, out)
        return ArchivalResult(pages=len(pdf.pages), layered_pages=layered, images="; ".join(notes))
    finally:
        for src in opened:
            src.close()
