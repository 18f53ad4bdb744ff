"""`extract`: the text of one uploaded document — its PDF text layer, or Vietnamese OCR per page.

Target: ("document", id). Queue: `ocr` (CPU-bound; as many workers as cores).
Touches: the document's row (state processing → indexing, or queued / failed with a reason)
and its pages, which are replaced, never appended, so a re-run after a crash cannot duplicate
them. Reads the original through the object store into a temp file (removed in every case),
renews the lease after each page, and wakes the index consumer when done.
With `archival_copies` on, the same tesseract run also gives each OCR'd page's invisible text
layer: stored as `ocr_layer` derivatives (plus the deskew geometry) for the `archival` follow-up —
a full run's plain layers for its unturned pages, and on every run (full, one page, by reference)
each turned page's own layer (`page=N;rotation=R`, services/archival.py) —
and the TT 05/2025 fields the OCR reads unambiguously (số/ký hiệu, ngày) prefill the empty ones.
Each OCR'd page's words with their boxes (the same run) are stored as an `ocr_words` derivative
(services/ocr_words.py) for the paper-vs-record check (`consistency` follow-up) and OCR review.
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import EXTRACT_KIND, INDEX_KIND, DocumentState
from archive.metrics import page_timer  # pages OCR'd and their seconds (Prometheus, issue 20)
from archive.models import Document
from archive.services.recent_uploads import shown_error
from archive.services import archival, document_description
from archive.services.ocr_words import store_page_words  # word boxes of OCR'd pages (consistency check)
from archive.services.page_rotation import page_rotations, replace_pages  # rotations, "only page N" (corrections)
from archive.services.page_references import page_sources, read_referenced  # merge/split/reorder (issue 11)
from archive.services.ocr_review import flag_pages, rule_of  # blank / rotated / unsure pages: Cần xem lại
from archive.work.contract import Finish, JobInfo, JobKind, Lease, PermanentFailure
from ingest import ExtractOptions, InvalidUpload, PageText, extract_pages, kind_of_content_type
from storage import local_copy


class ExtractKind(JobKind):
    name = EXTRACT_KIND
    queue = "ocr"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        doc_id = job.document_id
        with ctx.uow() as uow:
            doc = uow.session.get(Document, doc_id)
            if doc is None:
                raise PermanentFailure(f"Không tìm thấy tài liệu số {doc_id}.")
            sha256, content_type = doc.sha256, doc.content_type
            rotations = page_rotations(uow.session, doc_id)
            sources = page_sources(uow.session, doc_id)  # merged / split / reordered: pages read from their sources
        only = tuple(int(n) for n in job.payload.get("only_pages", ()))  # a rotated page: OCR it alone
        s = ctx.settings
        opts = ExtractOptions(lang=s.ocr_language, dpi=s.ocr_dpi, text_layer_min_chars=s.text_layer_min_chars,
                              max_pages=s.max_pages, max_image_pixels=s.max_image_pixels,
                              max_stream_bytes=s.max_stream_bytes, text_layer=s.archival_copies,
                              tmp_dir=s.tmp_dir, rotations=rotations, only_pages=only, review=rule_of(s))
        if sources is not None:
            return self._run_referenced(ctx, doc_id, sources, opts, only, lease)
        pages: list[PageText] = []
        try:
            kind = kind_of_content_type(content_type)
            with local_copy(ctx.store, sha256, s.tmp_dir) as work:
                for page in page_timer(extract_pages(work, kind, opts), time.monotonic):
                    pages.append(page)
                    lease.renew()
        except InvalidUpload as exc:
            raise PermanentFailure(str(exc)) from exc
        turns = dict(rotations)
        layers = [(p.number, p.layer_pdf, p.geometry) for p in pages
                  if p.layer_pdf and p.geometry and not turns.get(p.number)]
        store_layers = archival.store_text_layers(ctx, sha256, layers, tuple(n for n, r in rotations if r)) \
            if s.archival_copies and not only else None
        store_turned = archival.store_turned_layers(ctx, sha256, [
            (p.number, turns[p.number], p.layer_pdf, p.geometry) for p in pages
            if p.layer_pdf and p.geometry and turns.get(p.number)]) if s.archival_copies else None
        prefill = None if only else document_description.prefill_from_text("\n".join(p.text for p in pages[:2]))
        store_words = store_page_words(ctx, sha256, pages)

        def apply(session: Session) -> None:
            replace_pages(session, doc_id, pages, rotations, only)  # replaced, never appended; rotations kept
            flag_pages(session, doc_id, pages, opts.review)  # OCR review flags and reasons on the rows just written
            doc = session.get(Document, doc_id)
            doc.state, doc.error = DocumentState.INDEXING.value, None
            if not only:
                doc.page_count = len(pages)
            if store_layers is not None:
                store_layers(session)
            if store_turned is not None:
                store_turned(session)
            if store_words is not None:
                store_words(session)
            if prefill:
                doc.description = document_description.merge_prefill(doc.description or {}, prefill)

        return Finish(apply=apply, result={"pages": len(pages)}, wake=(INDEX_KIND,))

    @staticmethod
    def _run_referenced(ctx: Context, doc_id: int, sources: list, opts: ExtractOptions, only: tuple[int, ...],
                        lease: Lease) -> Finish:
        """A document of page references (issue 11): each page from its original, rows updated in place."""
        try:
            pages, appliers = read_referenced(ctx, sources, opts, only, lease.renew)
        except InvalidUpload as exc:
            raise PermanentFailure(str(exc)) from exc

        def apply(session: Session) -> None:
            replace_pages(session, doc_id, pages, (), tuple(p.number for p in pages) or (0,))  # refs, turns kept
            flag_pages(session, doc_id, pages, opts.review)
            doc = session.get(Document, doc_id)
            doc.state, doc.error = DocumentState.INDEXING.value, None
            for write in appliers:
                write(session)

        return Finish(apply=apply, result={"pages": len(pages)}, wake=(INDEX_KIND,))

    def on_claim(self, session: Session, job: JobInfo) -> None:
        self._set_state(session, job, DocumentState.PROCESSING, None)

    def on_requeue(self, session: Session, job: JobInfo) -> None:
        self._set_state(session, job, DocumentState.QUEUED, None)

    def on_fail(self, session: Session, job: JobInfo, reason: str) -> None:
        # what every door shows is one Vietnamese sentence naming the file; the raw reason stays on
        # the job row (last_error) for operators
        doc = session.get(Document, job.document_id)
        shown = shown_error(reason, doc.file_name) if doc is not None else reason
        self._set_state(session, job, DocumentState.FAILED, shown)

    @staticmethod
    def _set_state(session: Session, job: JobInfo, state: DocumentState, error: str | None) -> None:
        doc = session.get(Document, job.document_id)
        if doc is not None:
            doc.state, doc.error = state.value, error
