"""`retention`: put the retention schedule's object lock and the legal holds on stored objects.

Target ("document", id): the document's original and its derivatives — recorded with the upload
(in the same transaction), after `extract` and after `archival` (registry `then` lines), and for
every document a hold touches. No target: the whole-archive pass (`work/schedule.py`, name
"retention", monthly), which extends every vĩnh viễn lock before it nears, re-evaluates terms
whose event has not happened yet, and fixes any object missing its lock (page images are made
lazily, after the upload's job ran). Payload: `actor` (who asked a pass; the schedule is
`system:retention`).

Touches: the object store only (stat, set_retention, set_legal_hold — never shortens, never
deletes); the audit log for a whole pass (in `apply`). Idempotent: a lock already long enough is
left alone, a hold already in the wanted state is not switched. The lease is renewed every 200
objects of a pass. A document gone (destroyed) has nothing left to lock.
"""

from __future__ import annotations

from archive.context import Context
from archive.services import audit
from archive.services.retention import RETENTION_KIND, LockOutcome, all_sha256, apply_locks, document_sha256
from archive.work.contract import Finish, JobInfo, JobKind, Lease

SCHEDULED_ACTOR = "system:retention"


class RetentionKind(JobKind):
    name = RETENTION_KIND
    queue = "work"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        if job.target_type == "document" and job.target_id:
            sha256 = document_sha256(ctx, job.document_id)
            if sha256 is None:
                return Finish(result={"skipped": "document_gone"})
            return Finish(result=apply_locks(ctx, sha256).to_dict())
        total, originals = LockOutcome(), 0
        for i, sha256 in enumerate(all_sha256(ctx), 1):
            total.add(apply_locks(ctx, sha256))
            originals = i
            if i % 200 == 0:
                lease.renew()
        actor = str(job.payload.get("actor") or SCHEDULED_ACTOR)
        result = {"originals": originals, **total.to_dict()}

        def apply(session) -> None:  # noqa: ANN001
            audit.append(session, actor=actor, action="retention.apply", target_type="job", target_id=job.id,
                         details=result)

        return Finish(apply=apply, result=result)
