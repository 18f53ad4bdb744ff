"""Cảnh báo hạn as JSON: the deadlines of the records in the caller's scope, and each unit's rates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from archive.api.deps import ActorDep, ContainerDep
from archive.services import deadlines

router = APIRouter(tags=["deadlines"])


@router.get("/deadlines")
def list_deadlines(c: ContainerDep, actor: ActorDep,
                   state: Annotated[str, Query(max_length=20, description="overdue | due_soon | pending | "
                                                                         "done_late | done_on_time")] = "",
                   unit: Annotated[str, Query(max_length=32, description="mã đơn vị (cả đơn vị cấp dưới)")] = "") -> dict:
    """Deadlines set by the active profile on status changes, transfers and recruitments in scope,
    most urgent first, with each unit's on-time rate (one audit entry per call)."""
    return deadlines.deadline_report(c, actor, state=state, unit=unit).to_dict()
