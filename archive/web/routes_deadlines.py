"""Cảnh báo: the deadlines of the records in the caller's scope — overdue, due soon, done late — and unit rates.

For every role that reads records (HR officer, unit head, auditor, admin); the service
(archive.services.deadlines) filters by scope in the query and writes one audit entry per view.
Filters live in the URL: `trang_thai` (a state) and `don_vi` (a unit code, its subtree).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from archive.errors import InvalidInput, NotFound
from archive.jurisdiction import EVENTS
from archive.services import deadlines, units
from archive.services.deadline_rules import STATES
from archive.services.office_calendar import active_profile
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import render, translator

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])


@router.get("/canh-bao", name="web_deadlines")
def deadlines_page(request: Request, c: ContainerDep, actor: ActorDep, trang_thai: str = "",
                   don_vi: str = "") -> Response:
    t = translator(request)
    report, error, status = None, None, 200
    try:
        report = deadlines.deadline_report(c, actor, state=trang_thai, unit=don_vi)
    except (InvalidInput, NotFound) as exc:
        error, status = str(exc), 422 if isinstance(exc, InvalidInput) else 404
    return render(request, "deadlines.html", {
        "report": report, "error": error, "events": EVENTS, "profile": active_profile(c),
        "form": {"state": trang_thai, "unit": don_vi},
        "states": [{"code": s, "label": t(f"deadlines.state.{s}")} for s in STATES],
        "state_labels": {s: t(f"deadlines.state.{s}") for s in STATES},
        "units": [{"code": u.code, "name": u.name} for u in units.list_units(c, actor)],
    }, actor=actor, status=status)
