"""The office's rules and calendar: the active jurisdiction profile, deadlines of an event, the swap-day table."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.services import office_calendar as oc
from archive.services.access import Action, require

router = APIRouter(tags=["rules"])


class SwapDayIn(BaseModel):
    working: bool = Field(description="true: ngày làm việc (làm bù); false: ngày nghỉ")
    reason: str = Field(max_length=200)
    decision_ref: str = Field(max_length=100, description="số văn bản thông báo")


@router.get("/profile")
def profile(c: ContainerDep, actor: ActorDep) -> dict:
    """The regulation in force (ARCHIVE_PROFILE): every deadline with its article, report dates, switches."""
    require(actor, Action.ADMINISTER)
    return oc.profile_view(oc.active_profile(c))


@router.get("/profile/due")
def due(c: ContainerDep, actor: ActorDep, event: Annotated[str, Query(max_length=40)],
        on: Annotated[date, Query(alias="date", description="ngày xảy ra, yyyy-mm-dd")]) -> list[dict]:
    """The deadlines the profile attaches to an event on a date, counted on this office's calendar."""
    require(actor, Action.ADMINISTER)
    return [d.to_dict() for d in oc.deadlines_for(c, event, on)]


@router.get("/calendar")
def calendar(c: ContainerDep, actor: ActorDep, year: Annotated[int | None, Query(ge=1990, le=2100)] = None) -> list[dict]:
    require(actor, Action.ADMINISTER)
    return [d.to_dict() for d in oc.swap_days(c, year=year)]


@router.put("/calendar/{day}")
def set_day(day: date, body: SwapDayIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Record an announced day off or make-up working day (the root admin's; audited)."""
    return oc.set_swap_day(c, actor, day, working=body.working, reason=body.reason,
                           decision_ref=body.decision_ref).to_dict()


@router.delete("/calendar/{day}", status_code=204)
def remove_day(day: date, c: ContainerDep, actor: ActorDep) -> None:
    oc.remove_swap_day(c, actor, day)
