"""`log_review`: record the log-review alerts of a local day (rà soát nhật ký, Hà Nội Đ8.2.c).

No target; scheduled daily (`work/schedule.py`, name "log_review") shortly after midnight in
ARCHIVE_TIMEZONE, for the day before (payload `{"day": "YYYY-MM-DD"}` reviews another day).
Reads the audit log (archive/services/log_review.alerts_of_day) outside any transaction and, in
`apply`, inserts the alerts not yet recorded — keyed, so a re-run or a second pass over the same
day records nothing twice — so they are on the page even if nobody looked that day. Touches
only `log_alerts` (and one audit entry when something was recorded).
"""

from __future__ import annotations

from datetime import date

from archive.context import Context
from archive.services import audit, log_review
from archive.work.contract import Finish, JobInfo, JobKind, Lease, PermanentFailure

LOG_REVIEW_KIND = "log_review"


class LogReviewKind(JobKind):
    name = LOG_REVIEW_KIND
    queue = "work"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        raw = job.payload.get("day")
        try:
            day = date.fromisoformat(raw) if raw else log_review.yesterday(ctx)
        except (TypeError, ValueError):
            raise PermanentFailure(f"Ngày cần rà soát nhật ký không hợp lệ: {raw}.") from None
        alerts = log_review.alerts_of_day(ctx, day)
        result = {"day": day.isoformat(), "alerts": len(alerts), "recorded": 0}

        def apply(session) -> None:  # noqa: ANN001
            result["recorded"] = log_review.record(session, alerts, now=ctx.clock())
            if result["recorded"]:
                audit.append(session, actor="system:log_review", action="audit.alerts_recorded", target_type="job",
                             target_id=job.id, details=dict(result))

        return Finish(apply=apply, result=result)
