"""Periodic reports as JSON and files (issue 17): make one now, list them, download one."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.services import periodic_reports
from archive.services.deadlines import local_date
from archive.services.office_calendar import active_profile

router = APIRouter(tags=["reports"])


class ReportIn(BaseModel):
    period: str = Field(max_length=16, examples=["2026-H2"])
    unit: str = Field("", max_length=32, description="mã đơn vị (cả đơn vị cấp dưới); trống: mọi đơn vị trong phạm vi")
    format: str = Field("pdf", max_length=8, examples=["pdf", "xlsx"])


@router.post("/reports", status_code=201)
def make_report(body: ReportIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Make, store and record a report now; its record (download it from /reports/{id})."""
    view, _content = periodic_reports.make_report(c, actor, period=body.period, unit=body.unit, fmt=body.format)
    return view.to_dict()


@router.get("/reports")
def list_reports(c: ContainerDep, actor: ActorDep) -> dict:
    """The reports the caller may read, newest first, and the profile's next submission day."""
    today = local_date(c.clock(), c.settings.web_timezone)
    upcoming = periodic_reports.next_submission(active_profile(c), today)
    return {"reports": [r.to_dict() for r in periodic_reports.list_reports(c, actor)],
            "next_submission": {"period": upcoming[0].period, "due": upcoming[1].isoformat(),
                                "article": upcoming[0].article, "covers": upcoming[2].code} if upcoming else None}


@router.get("/reports/{report_id}")
def download_report(report_id: int, c: ContainerDep, actor: ActorDep) -> Response:
    view, content = periodic_reports.open_report(c, actor, report_id)
    name = periodic_reports.file_name(view)
    return Response(content, media_type=periodic_reports.FORMATS[view.format], headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff"})
