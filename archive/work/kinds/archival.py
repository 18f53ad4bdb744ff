"""`archival`: the two-layer PDF/A-2b copy (bản lưu trữ) of one document, after its extract job.

Target: ("document", id). Queue: `ocr` (CPU work on page images, though ~1 % of the OCR's).
A follow-up of `extract` (registry.then), and queued again when the document description
changes. Reads the original, the pages' OCR text layers and the description; writes the copy
to the derivatives namespace (content-addressed, so a re-run writes nothing new) and, in
`apply`, the `archival` derivative row and `documents.description["archival"]` (ok, không
chuyển được with the reason, or cần trích xuất lại). Never runs OCR; never touches the original.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from archive.context import Context
from archive.errors import NotFound
from archive.services import archival
from archive.work.contract import Finish, JobInfo, JobKind, Lease, PermanentFailure


class ArchivalKind(JobKind):
    name = archival.ARCHIVAL_KIND
    queue = "ocr"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        doc_id = job.document_id
        if not ctx.settings.archival_copies:  # ARCHIVE_ARCHIVAL_COPIES=false: this office makes none
            return Finish(result={"skipped": "archival_copies_off"})
        try:
            made = archival.make_archival_copy(ctx, doc_id)
        except NotFound as exc:
            raise PermanentFailure(str(exc)) from exc
        lease.renew()

        def apply(session: Session) -> None:
            archival.record(session, doc_id, made)

        result = {"state": made.state.state, "pages": made.state.pages}
        if made.info is not None:
            result["sha256"] = made.info.key
        return Finish(apply=apply, result=result)
