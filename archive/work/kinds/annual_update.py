"""`annual_update`: open the year's phiếu bổ sung lý lịch on the profile's day, and remind who has not declared.

No target, scheduled daily (`work/schedule.py`, name "annual_update"). Under a profile with an
annual update (archive.services.declaration_rules.annual_rule: Hà Nội, Bình Tân, Đà Nẵng), when
today is within the year's term and the root unit has no campaign for the year yet, `run` opens
it as the system (archive.services.annual_update.open_campaign: one draft per record đang công
tác; its own transaction, refused with Conflict if another run was first — then nothing more is
done). `apply` adds the reminders (notifications unique per person and reminder, so a re-run
tells nobody twice). Touches `annual_update_campaigns`, `declarations`, `notifications`, the audit log.
"""

from __future__ import annotations

from sqlalchemy import select

from archive.context import Context
from archive.errors import Conflict
from archive.models import AnnualUpdateCampaign
from archive.services import annual_update
from archive.services.access import SYSTEM
from archive.services.deadlines import local_date
from archive.work.contract import Finish, JobInfo, JobKind, Lease

ANNUAL_UPDATE_KIND = "annual_update"


class AnnualUpdateKind(JobKind):
    name = ANNUAL_UPDATE_KIND
    queue = "work"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        today = local_date(ctx.clock(), ctx.settings.web_timezone)
        year = annual_update.due_to_open(ctx, today)
        opened = None
        if year is not None:
            root = ctx.settings.root_unit_code
            with ctx.uow() as uow:
                exists = uow.session.scalar(select(AnnualUpdateCampaign.id).where(
                    AnnualUpdateCampaign.year == year, AnnualUpdateCampaign.unit_code == root))
            if not exists:
                try:
                    opened = annual_update.open_campaign(ctx, SYSTEM, year=year, unit_code=root).id
                except Conflict:
                    opened = None
        now = ctx.clock()

        def apply(session) -> None:  # noqa: ANN001
            annual_update.remind(session, today, now)

        return Finish(apply=apply, result={"today": today.isoformat(), "opened": opened})
