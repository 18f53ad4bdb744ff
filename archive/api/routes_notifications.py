"""Warnings and notifications as JSON (issue 17): today's warnings in scope, one's own notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.services import notifications, warnings

router = APIRouter(tags=["notifications"])


class EmailIn(BaseModel):
    address: str = Field("", max_length=254, examples=["tccb@example.gov.vn"])


@router.get("/warnings")
def list_warnings(c: ContainerDep, actor: ActorDep,
                  kind: Annotated[str, Query(max_length=20, description="retirement | salary_step | contract_end")] = "",
                  unit: Annotated[str, Query(max_length=32, description="mã đơn vị (cả đơn vị cấp dưới)")] = "") -> dict:
    """Retirement coming, salary step due, contract ending: the records the caller may read, soonest first."""
    return {"warnings": [w.to_dict() for w in warnings.list_warnings(c, actor, kind=kind, unit=unit)]}


@router.get("/notifications")
def list_notifications(c: ContainerDep, actor: ActorDep, unread: bool = False,
                       limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict:
    """The caller's own notifications, newest first, and how many are unread."""
    rows = notifications.list_notifications(c, actor, unread=unread, limit=limit)
    return {"unread": notifications.unread_count(c, actor), "notifications": [n.to_dict() for n in rows]}


@router.post("/notifications/{notification_id}/read")
def mark_read(notification_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    return notifications.mark_read(c, actor, notification_id).to_dict()


@router.put("/notifications/email")
def set_email(body: EmailIn, c: ContainerDep, actor: ActorDep) -> dict:
    """The caller's address for notifications by e-mail ("" removes it)."""
    notifications.set_email(c, actor, body.address)
    address, enabled = notifications.email_of(c, actor)
    return {"address": address, "enabled": enabled}
