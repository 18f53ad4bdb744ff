"""`periodic_report`: make the báo cáo định kỳ on the active profile's report dates.

No target, scheduled daily (`work/schedule.py`, name "periodic_report"). For each period whose
submission window holds today (archive.services.periodic_reports.due_today: a [[report]]'s
`opens` day, or ARCHIVE_REPORT_LEAD_DAYS before its due day, until the due day) and that has
no whole-archive report yet, `run` counts the numbers as the system, renders the PDF and the
XLSX and stores them (content-addressed: a re-run stores the same bytes again, a no-op);
`apply` records the rows and the audit entries, only for formats still missing — so a retried
or repeated run makes each period's report once. A payload `{"period": "2026-H2"}` makes that
period now (whatever the date). Touches only `periodic_reports` and the audit log.
"""

from __future__ import annotations

from archive.context import Context
from archive.errors import InvalidInput
from archive.services import periodic_reports as reports
from archive.services.access import SYSTEM
from archive.services.deadlines import local_date
from archive.services.office_calendar import active_profile
from archive.work.contract import Finish, JobInfo, JobKind, Lease, PermanentFailure

PERIODIC_REPORT_KIND = "periodic_report"


class PeriodicReportKind(JobKind):
    name = PERIODIC_REPORT_KIND
    queue = "work"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        today = local_date(ctx.clock(), ctx.settings.web_timezone)
        profile = active_profile(ctx)
        asked = job.payload.get("period")
        try:
            periods = [reports.parse_period(asked)] if asked else reports.due_today(profile, today,
                                                                                    ctx.settings.report_lead_days)
        except InvalidInput as exc:  # a period asked for that cannot be: no retry will mend it
            raise PermanentFailure(str(exc)) from None
        made: list[tuple[reports.ReportData, str, str, int]] = []
        for period in periods:
            with ctx.uow() as uow:
                missing = [f for f in reports.FORMATS if asked or not reports.made_for(uow.session, period, f)]
            if not missing:
                continue
            try:
                data = reports.build_report(ctx, SYSTEM, period, profile=profile)
            except InvalidInput as exc:
                raise PermanentFailure(str(exc)) from None
            for fmt in missing:
                key, size = reports.store(ctx, data, fmt, reports.render(data, fmt))
                made.append((data, fmt, key, size))
            lease.renew()

        def apply(session) -> None:
            for data, fmt, key, size in made:
                if asked or not reports.made_for(session, data.period, fmt):
                    reports.record(session, data, fmt, key, size, actor=SYSTEM)

        return Finish(apply=apply, result={"today": today.isoformat(),
                                           "made": [f"{d.period.code}.{fmt}" for d, fmt, _k, _s in made]})
