"""`batch`: file an intake batch's pending files one by one (xử lý lô tiếp nhận).

Target: the batch (`target_type="batch"`, `target_id` = its id); recorded by
`services.batches.create_batch` with the batch's rows, and again when a stack from the review
list is assigned. `run` calls `services.batch_processing.process_batch`, renewing the lease
after each file. Idempotent by the rows: each file's row becomes `stored` in the transaction that
commits its document (see `batch_processing._row_with_its_document`), and a re-run (after a crash,
a restart, a lost lease) takes only the files still pending — a file is never stored twice.
`Finish.apply` marks the batch done and audits `batch.finish`. Touches: the batch's rows, the
documents it files (through `documents.ingest_received`, which records their own jobs), the
store's `intake` namespace. A batch row missing is a permanent failure.
"""

from __future__ import annotations

from archive.context import Context
from archive.errors import NotFound
from archive.services.batch_processing import finish_batch, process_batch
from archive.services.batches import BATCH_KIND, release_batch
from archive.work.contract import (
    Finish,
    Heartbeat,
    JobInfo,
    JobKind,
    Lease,
    PermanentFailure,
)


class BatchKind(JobKind):
    name = BATCH_KIND
    queue = "work"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        if job.target_type != "batch" or not (job.target_id or "").isdigit():
            raise PermanentFailure(f"Công việc {job.kind} số {job.id} không gắn với lô tiếp nhận nào.")
        batch_id = int(job.target_id)
        beat = Heartbeat(lease, ctx.settings.job_lease_seconds)
        try:
            process_batch(ctx, batch_id, heartbeat=beat)
        except NotFound as exc:
            raise PermanentFailure(str(exc)) from None
        release_batch(ctx, batch_id)  # staged copies of what is filed; a stack to review keeps its own
        return Finish(apply=lambda s: finish_batch(s, batch_id), result={"batch": batch_id})
