"""The archival copy (bản lưu trữ PDF/A-2b) of a document that is a list of page references —
merged, split or reordered (issue 11): its pages taken in order from their originals, each with
the OCR text layer the extract job kept for that original's page (derivatives keyed by the
original and its page number, so a moved page's layer moves with it, never OCR'd again). A turned
page (xoay trang) takes the layer read from the turned image (`page=N;rotation=R`): the page is
carried as scanned and shown upright with /Rotate, the layer re-expressed against it
(ingest.pdfa_pages). A document of its own pages with a turned one comes here too.

Called by archive.services.archival.make_archival_copy; no database writes (the caller records).
"""

from __future__ import annotations

import tempfile
from contextlib import ExitStack

from archive.context import Context
from archive.services import archival
from archive.services.page_references import PageSource
from ingest import kind_of_content_type
from ingest.pdfa import ArchivalMetadata, NotConvertible
from ingest.pdfa_pages import build_archival_pdf_from_pages
from storage import local_copy, owned_prefix


def make_page_list_copy(c: Context, pages: list[PageSource], ocr_pages: list[int],
                        meta: ArchivalMetadata) -> archival.MadeCopy:
    """Build and store the copy of `pages` (the document's page list); `ocr_pages`: its pages that
    were OCR'd (each needs its text layer)."""
    with c.uow() as uow:
        by_original = {p.sha256: archival.load_text_layers(c, uow.session, p.sha256) for p in pages}
        turned = {(p.sha256, p.page, p.rotation % 360): archival.load_turned_layer(c, uow.session, p.sha256, p.page,
                                                                              p.rotation)
                  for p in pages if p.rotation % 360}
    layers = {}
    for p in pages:
        rotation = p.rotation % 360
        layer = turned.get((p.sha256, p.page, rotation)) if rotation else (by_original[p.sha256] or {}).get(p.page)
        if layer is not None:
            layers[(p.sha256, p.page, rotation)] = layer
        elif p.number in ocr_pages:
            return archival.MadeCopy(archival.ArchivalState(archival.STATE_NEEDS_REEXTRACT, reason=(
                f"Thiếu lớp chữ OCR của trang {p.number}; cần trích xuất lại tài liệu.")), None)
    tmp_dir = c.settings.tmp_dir
    tmp_dir.mkdir(parents=True, exist_ok=True)
    kinds = {p.sha256: kind_of_content_type(p.content_type) for p in pages}
    with ExitStack() as stack:
        originals = {sha: (stack.enter_context(local_copy(c.store, sha, tmp_dir, prefix="pdfa-")), kind)
                     for sha, kind in kinds.items()}
        out = stack.enter_context(tempfile.NamedTemporaryFile(dir=tmp_dir, prefix=owned_prefix("pdfa-"),
                                                              suffix=".pdf"))
        try:
            result = build_archival_pdf_from_pages(originals, [(p.sha256, p.page, p.rotation % 360) for p in pages], layers, meta,
                                                   out, default_dpi=c.settings.ocr_dpi)
        except NotConvertible as exc:
            return archival.MadeCopy(archival.ArchivalState(archival.STATE_NOT_CONVERTIBLE, reason=str(exc)), None)
        out.flush()
        out.seek(0)
        info = c.derivatives.put_stream(out, content_type=archival.PDF)
    archival._same_retention(c, pages[0].sha256, info.key)  # then the `retention` follow-up locks it as the document
    return archival.MadeCopy(archival.ArchivalState(archival.STATE_OK, sha256=info.key, size=info.size,
                                                    pages=result.pages, images=result.images), info)
