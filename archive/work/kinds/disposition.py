"""`disposition`: carry out one approved disposition (hủy tài liệu hết giá trị); and
`disposition_propose`: the weekly list of documents whose thời hạn bảo quản has ended.

`disposition` — target ("disposition", proposal id), recorded by the second approval. `run`
re-checks every item (a hold or a lengthened term blocks it), removes the destroyed documents'
pages from the search index, then deletes the originals and derivatives no other live document
references (a store that still holds a lock refuses: the item is "locked" and stays). `apply`
deletes the document rows (pages by cascade), writes one `disposition_records` row per destroyed
document and the audit entries, and marks the proposal executed — all in the transaction that
finishes the job. Idempotent: an object already gone counts as deleted, a row already gone as
"gone"; a proposal not in `approved` is left alone.

`disposition_propose` — no target, scheduled weekly (`work/schedule.py`, name
"disposition_propose"). `apply` writes a proposal of every document whose term ended that is not
vĩnh viễn, not on hold and not on a pending list (none: nothing is written). Touches only the
disposition tables and the audit log.
"""

from __future__ import annotations

from archive.context import Context
from archive.services.disposition import (DISPOSITION_KIND, DISPOSITION_PROPOSE_KIND, delete_objects,
                                          plan_disposition, propose_in, record_disposition)
from archive.work.contract import Finish, JobInfo, JobKind, Lease, PermanentFailure

SCHEDULED_ACTOR = "system:disposition"


class DispositionKind(JobKind):
    name = DISPOSITION_KIND
    queue = "work"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        if job.target_type != "disposition" or not job.target_id:
            raise PermanentFailure(f"Công việc hủy tài liệu số {job.id} không gắn với danh mục nào.")
        proposal_id = int(job.target_id)
        plans = plan_disposition(ctx, proposal_id)
        if not plans:
            return Finish(result={"skipped": "not_approved"})
        delete_objects(ctx, plans)
        lease.renew()
        now = ctx.clock()
        outcome: dict = {}

        def apply(session) -> None:  # noqa: ANN001
            outcome.update(record_disposition(session, proposal_id, plans, actor=SCHEDULED_ACTOR, now=now))

        summary: dict = {}
        for pl in plans:
            summary[pl.outcome] = summary.get(pl.outcome, 0) + 1
        return Finish(apply=apply, result={"proposal": proposal_id, **summary})


class DispositionProposeKind(JobKind):
    name = DISPOSITION_PROPOSE_KIND
    queue = "work"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        today = ctx.clock().date()

        def apply(session) -> None:  # noqa: ANN001
            propose_in(session, today=today, created_by=str(job.payload.get("actor") or SCHEDULED_ACTOR))

        return Finish(apply=apply, result={"today": today.isoformat()})
