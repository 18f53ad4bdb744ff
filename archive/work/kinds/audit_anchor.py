"""`audit_anchor`: seal the audit chain's head into the object store (mốc nhật ký), under retention.

No target (a whole-archive pass), scheduled hourly (`work/schedule.py`, name "audit_anchor").
Writes one small signed JSON object into the store's `audit` namespace with COMPLIANCE
retention (ARCHIVE_AUDIT_ANCHOR_RETENTION_DAYS), so a later `archive audit verify` can tell a
log that was cut short or rewritten behind the database's back. Idempotent: a re-run writes
an anchor of the head as it then is, which is just as true. Touches no rows.
"""

from __future__ import annotations

from archive.context import Context
from archive.services import audit
from archive.work.contract import Finish, JobInfo, JobKind, Lease

AUDIT_ANCHOR_KIND = "audit_anchor"


class AuditAnchorKind(JobKind):
    name = AUDIT_ANCHOR_KIND
    queue = "work"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        with ctx.uow() as uow:
            anchor = audit.write_anchor(uow.session, ctx.audit_anchors,
                                        retention_days=ctx.settings.audit_anchor_retention_days)
        if anchor is None:
            return Finish(result={"anchored": False})
        return Finish(result={"anchored": True, "seq": anchor.seq, "hash": anchor.hash})
