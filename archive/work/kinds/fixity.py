"""`fixity`: one fixity pass (lượt kiểm tra tính toàn vẹn) — re-hash what is due, repair what fails.

No target (a whole-archive pass). Scheduled hourly (`work/schedule.py`, name "fixity"); each pass
runs at most ARCHIVE_FIXITY_PASS_SECONDS and leaves the rest for the next one, which with a
recheck after 5/6 of ARCHIVE_FIXITY_CYCLE_DAYS checks every holding within the cycle
(archive/services/fixity.py says why). `archive fixity run` records the same job and runs it in
the CLI's own process. Payload: `actor` (who asked; the schedule is `system:fixity`), optional
`limit` (objects at most) and `all` (every holding due now first).

Touches: reads every object of the store's namespaces; writes an object back only through
`replace_damaged` (bytes that hash to its key, from a backup copy); its own tables
`fixity_objects` / `fixity_events`, committed per batch as it goes (each check is a fact; a pass
killed half-way keeps what it checked, and its re-run checks only what is still due); one audit
entry `fixity.run` in `apply`. The lease is renewed while it hashes. Idempotent: a re-run
re-checks objects still due, which is harmless.
"""

from __future__ import annotations


from archive.context import Context
from archive.services import audit
from archive.services.fixity import FIXITY_KIND, mark_due_now, run_pass
from archive.services.fixity_views import RUN_ACTION
from archive.work.contract import Finish, Heartbeat, JobInfo, JobKind, Lease

SCHEDULED_ACTOR = "system:fixity"



class FixityKind(JobKind):
    name = FIXITY_KIND
    queue = "work"
    max_attempts = 2

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        actor = str(job.payload.get("actor") or SCHEDULED_ACTOR)
        limit = job.payload.get("limit")
        if job.payload.get("all") and job.attempts == 1:
            mark_due_now(ctx)
        report = run_pass(ctx, by=f"job:{job.id}", job_id=job.id,
                          keep_alive=Heartbeat(lease, ctx.settings.job_lease_seconds),
                          limit=int(limit) if limit else None)
        result = report.to_result()

        def apply(session) -> None:  # noqa: ANN001
            audit.append(session, actor=actor, action=RUN_ACTION, target_type="fixity_pass", target_id=job.id,
                         details={k: result[k] for k in ("checked", "ok", "repaired", "failed", "bytes_read",
                                                         "remaining_due")})

        return Finish(apply=apply, result=result)
