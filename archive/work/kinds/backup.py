"""`backup`: one backup set of the whole archive into every configured target (sao lưu định kỳ).

No target (a whole-archive pass). Scheduled nightly at 01:30 in ARCHIVE_TIMEZONE
(`work/schedule.py`, name "backup"; ARCHIVE_SCHEDULE may move it); `archive backup run [--full]`
records the same job and runs it in the CLI's own process. Payload: `full` (true: full set on
every target; absent: full on a target's first set of the month, incremental otherwise) and
`actor` (who asked; the schedule is `system:backup`).

Touches: reads the database and the object store; writes only to the targets, and one audit
entry `backup.run` in `apply`. Idempotent: a run killed half-way wrote no manifest, so no set
exists from it; the re-run makes a new set, copying only what the targets still lack. The
lease is renewed while it works (copies, pg_dump, restic). When some targets succeed and
others fail, the job fails permanently naming the failed ones (the sets written stay valid,
and tomorrow's run tries again); when none succeeds it is retried like any transient error.
`cleanup` removes the staging directory if the run left one (a kill leaves it to the janitor).
"""

from __future__ import annotations

import shutil

from archive.context import Context
from archive.services import audit
from archive.errors import ArchiveError
from archive.services.backup_status import BACKUP_KIND, RUN_ACTION, proven_sets, target_urls
from archive.services.backups import run_backup
from archive.work.contract import Finish, Heartbeat, JobInfo, JobKind, Lease, PermanentFailure
from storage import owned_prefix

SCHEDULED_ACTOR = "system:backup"



class BackupKind(JobKind):
    name = BACKUP_KIND
    queue = "work"
    max_attempts = 2

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        actor = str(job.payload.get("actor") or SCHEDULED_ACTOR)
        full = job.payload.get("full")
        if not target_urls(ctx.settings):  # nothing to do; the admin page and /health say so
            return Finish(result={"ok": False, "skipped": "no_targets"})
        with ctx.uow() as uow:
            protected = proven_sets(uow.session)
        try:
            report = run_backup(ctx, actor_name=actor, full=bool(full) if full is not None else None, job_id=job.id,
                                protected=protected, keep_alive=Heartbeat(lease, ctx.settings.job_lease_seconds))
        except ArchiveError as exc:  # no key, a tool missing, a bad setting: running again will not help
            raise PermanentFailure(str(exc)) from exc
        failed = [t for t in report.targets if not t.ok]
        if failed and len(failed) == len(report.targets):
            raise OSError("Không sao lưu được vào nơi nào: " + "; ".join(f"{t.target}: {t.error}" for t in failed))
        if failed:
            done = ", ".join(f"{t.target} (bộ {t.set_id})" for t in report.targets if t.ok)
            raise PermanentFailure("Sao lưu không hoàn tất ở " + "; ".join(f"{t.target}: {t.error}" for t in failed)
                                   + f". Đã hoàn tất ở {done}.")
        result = report.to_result()

        def apply(session) -> None:  # noqa: ANN001
            audit.append(session, actor=actor, action=RUN_ACTION, target_type="backup_set", target_id=report.set_id,
                         details={"set": report.set_id, "ok": True, "targets": [
                             {k: t[k] for k in ("target", "kind", "objects", "objects_added", "bytes_added")}
                             for t in result["targets"]]})

        return Finish(apply=apply, result=result)

    def cleanup(self, ctx: Context, job: JobInfo) -> None:
        for leftover in ctx.settings.tmp_dir.glob(f"{owned_prefix('backup-')}*"):
            shutil.rmtree(leftover, ignore_errors=True)
