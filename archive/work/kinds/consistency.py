"""`consistency`: compare one sơ yếu lý lịch with its staff record (đối chiếu bản giấy với hồ sơ).

Target: ("document", id). Queue: `work`. Queued after every `extract` (registry.then); a
document of another type, or one without OCR words (a PDF with its own text layer), is
skipped at once with result {"skipped": …} and no other effect.
Reads the document's `ocr_words` derivatives through the object store outside any
transaction; `apply` writes one `consistency_checks` row, its findings and an audit entry
(`consistency.run`, actor "system"). Idempotent: a re-run adds a newer check, and the report
shows the latest check of each document (earlier resolutions of identical findings carry over).
"""

from __future__ import annotations

from archive.context import Context
from archive.services.consistency import prepare_document_check
from archive.work.contract import Finish, JobInfo, JobKind, Lease

CONSISTENCY_KIND = "consistency"


class ConsistencyKind(JobKind):
    name = CONSISTENCY_KIND
    queue = "work"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        apply = prepare_document_check(ctx, job.document_id)
        if apply is None:
            return Finish(result={"skipped": "not a so_yeu_ly_lich with OCR words"})
        return Finish(apply=apply, result={"checked": job.document_id})
