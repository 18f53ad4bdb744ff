"""Quản trị › Quy định và lịch: the active jurisdiction profile, the swap-day table, a deadline calculator.

Read by every admin (and the calculator answers for any event and date); the swap-day table
is changed by the root admin only (archive.services.office_calendar checks and audits).
"""

from __future__ import annotations

from datetime import timezone
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from archive.bootstrap import Container
from archive.errors import Conflict, InvalidInput, NotFound
from archive.jurisdiction import EVENTS
from archive.services import catalogs
from archive.services import office_calendar as oc
from archive.services.access import Action, Actor, require
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.forms import parse_date
from archive.web.rendering import finish, render, translator, web_state

router = APIRouter(prefix="/quan-tri/quy-dinh", route_class=WebRoute, dependencies=[Depends(csrf_protect)])

Text = Annotated[str, Form()]
FORM_ERRORS = (InvalidInput, Conflict, NotFound)


def _page(request: Request, c: Container, actor: Actor, *, form: dict | None = None, error: str | None = None,
          dues: list | None = None, due_form: dict | None = None, due_error: str | None = None,
          status: int = 200) -> Response:
    require(actor, Action.ADMINISTER)
    today = c.clock().replace(tzinfo=timezone.utc).astimezone(ZoneInfo(c.settings.web_timezone)).date()
    return render(request, "admin_rules.html", {
        "tab": "rules", "profile": oc.active_profile(c), "events": EVENTS, "swap_days": oc.swap_days(c),
        "can_edit": catalogs.may_edit(c, actor), "form": form or {}, "error": error, "dues": dues,
        "due_form": due_form or {"event": "state_change", "day": today.strftime("%d/%m/%Y")}, "due_error": due_error,
    }, actor=actor, status=status)


@router.get("")
def rules_page(request: Request, c: ContainerDep, actor: ActorDep, su_kien: str = "", ngay: str = "") -> Response:
    if not su_kien:
        return _page(request, c, actor)
    due_form = {"event": su_kien, "day": ngay}
    try:
        day = parse_date(translator(request), ngay)
        if day is None:
            raise InvalidInput(translator(request)("rules.day_needed"))
        dues = oc.deadlines_for(c, su_kien, day)
    except InvalidInput as exc:
        return _page(request, c, actor, due_form=due_form, due_error=str(exc), status=422)
    return _page(request, c, actor, dues=dues, due_form=due_form)


@router.post("/lich")
def save_swap_day(request: Request, c: ContainerDep, actor: ActorDep, day: Text = "", kind: Text = "",
                  reason: Text = "", decision_ref: Text = "") -> Response:
    form = {"day": day, "kind": kind, "reason": reason, "decision_ref": decision_ref}
    t = translator(request)
    try:
        parsed = parse_date(t, day)
        if parsed is None or kind not in ("working", "off"):
            raise InvalidInput(t("rules.swap_incomplete"))
        oc.set_swap_day(c, actor, parsed, working=kind == "working", reason=reason, decision_ref=decision_ref)
    except FORM_ERRORS as exc:
        return _page(request, c, actor, form=form, error=str(exc), status=422)
    return _done(request, t("rules.swap_saved", day=parsed.strftime("%d/%m/%Y")))


@router.post("/lich/{day}/xoa")
def remove_swap_day(day: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    try:
        parsed = parse_date(t, day)
        if parsed is None:
            raise InvalidInput(t("rules.swap_incomplete"))
        oc.remove_swap_day(c, actor, parsed)
    except FORM_ERRORS as exc:
        return _page(request, c, actor, error=str(exc), status=422)
    return _done(request, t("rules.swap_removed", day=parsed.strftime("%d/%m/%Y")))


def _done(request: Request, message: str) -> Response:
    response = RedirectResponse("/quan-tri/quy-dinh", status_code=303)
    security.set_flash(web_state(request).secret, request, response, message, "success")
    return finish(request, response)
