"""Audit log for auditors: browse by user, record and time; verify the hash chain."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import Response

from archive.api.deps import ActorDep, ContainerDep
from archive.services import audit_views

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("")
def browse(c: ContainerDep, actor: ActorDep, user: str | None = None, target_type: str | None = None,
           target_id: str | None = None, action: str | None = None, since: datetime | None = None,
           until: datetime | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
    rows = audit_views.browse(c, actor, actor=user, target_type=target_type,
                              target_id=target_id, action=action, since=since, until=until,
                              limit=limit, offset=offset)
    return [{**r, "text": text} for r, text in zip(rows, audit_views.in_words(c, rows))]  # each entry in words


@router.get("/verify")
def verify(c: ContainerDep, actor: ActorDep) -> dict:
    r = audit_views.verify_chain(c, actor)
    return {"ok": r.ok, "checked": r.checked, "first_bad_seq": r.first_bad_seq, "reason": r.reason}


@router.get("/export.csv")
def export_csv(c: ContainerDep, actor: ActorDep, user: str | None = None, target_type: str | None = None,
               target_id: str | None = None, action: str | None = None, since: datetime | None = None,
               until: datetime | None = None) -> Response:
    """The entries the caller may read, filtered as the list, as CSV (UTF-8 with BOM, each with its sentence);
    the export is itself audited."""
    body, _ = audit_views.export_csv(c, actor, actor=user, target_type=target_type, target_id=target_id,
                                     action=action, since=since, until=until)
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="nhat-ky-truy-cap.csv"'})
