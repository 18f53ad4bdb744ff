"""Sampling audits (đợt kiểm tra) and log-review alerts as JSON; the biên bản as PDF or XLSX."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.services import campaign_report, campaigns, log_review

router = APIRouter(tags=["campaigns"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CampaignIn(BaseModel):
    unit: str = Field(max_length=32, description="mã đơn vị (cả đơn vị cấp dưới)")
    size: int | None = Field(default=None, ge=1, le=100_000, description="số hồ sơ trong mẫu")
    percent: int | None = Field(default=None, ge=1, le=100, description="hoặc tỷ lệ phần trăm")
    seed: str | None = Field(default=None, max_length=64, description="hạt giống (bỏ trống: ngẫu nhiên, được ghi lại)")
    title: str = Field(default="", max_length=300)


Answer = Literal["yes", "no", "na"]


class CheckIn(BaseModel):
    pages_match: Answer
    fields_match: Answer
    findings_reviewed: Answer
    components_complete: Answer
    outcome: Literal["dat", "khong_dat"]
    notes: str = Field(default="", max_length=4000)


@router.post("/campaigns", status_code=201)
def open_campaign(body: CampaignIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Freeze the population of the unit's subtree and draw the stratified sample (audited)."""
    return campaigns.open_campaign(c, actor, unit_code=body.unit, size=body.size, percent=body.percent,
                                   seed=body.seed, title=body.title).to_dict()


@router.get("/campaigns")
def list_campaigns(c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [{k: v for k, v in view.to_dict().items() if k != "items"} for view in campaigns.list_campaigns(c, actor)]


@router.get("/campaigns/{campaign_id}")
def get_campaign(campaign_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    return campaigns.get_campaign(c, actor, campaign_id).to_dict()


@router.put("/campaigns/{campaign_id}/items/{staff_code}")
def check_item(campaign_id: int, staff_code: str, body: CheckIn, c: ContainerDep, actor: ActorDep) -> dict:
    """The checklist and outcome of one sampled dossier (the latest check counts; audited)."""
    view = campaigns.check_item(c, actor, campaign_id, staff_code, checks=body.model_dump(), outcome=body.outcome,
                                notes=body.notes)
    return next(i.to_dict() for i in view.items if i.staff_code == staff_code)


@router.post("/campaigns/{campaign_id}/close")
def close_campaign(campaign_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    return campaigns.close_campaign(c, actor, campaign_id).to_dict()


@router.get("/campaigns/{campaign_id}/report")
def report(campaign_id: int, c: ContainerDep, actor: ActorDep,
           format: Annotated[Literal["pdf", "xlsx"], Query(description="pdf | xlsx")] = "pdf") -> Response:
    """The biên bản (audited download)."""
    view = campaigns.record_report(c, actor, campaign_id, format)
    tz = c.settings.web_timezone
    body, media = (campaign_report.pdf(view, tz=tz), "application/pdf") if format == "pdf" else \
        (campaign_report.xlsx(view, tz=tz), XLSX)
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="bien-ban-kiem-tra-{campaign_id}.{format}"'})


@router.get("/audit/alerts")
def alerts(c: ContainerDep, actor: ActorDep, since: datetime | None = None, until: datetime | None = None,
           kind: Annotated[str | None, Query(max_length=32, description=", ".join(log_review.KINDS))] = None) -> list[dict]:
    """Log-review alerts (Hà Nội QĐ 6033/2015 Đ8.2.c) over the entries the caller may read; default the last 7 days."""
    return [a.to_dict() for a in log_review.review(c, actor, since=_naive(since), until=_naive(until), kind=kind)]


def _naive(value: datetime | None) -> datetime | None:
    from datetime import timezone

    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)
