"""Thông báo and Báo cáo định kỳ pages (issue 17).

- `/thong-bao`: the signed-in user's notifications (newest first, unread marked), a button to mark
  one read, their e-mail address for notifications, and today's warnings of the records they may
  read (archive.services.warnings, one audit entry per view).
- `/bao-cao`: the periodic reports the user may read, each downloadable, the next submission day
  of the profile, and the "Lập báo cáo" form (period, unit, format) that makes one now.
- the bell in the header (`_notification_bell.html`, included by base.html) reads the unread
  count through the `notification_count` template global `install()` registers.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

from archive.bootstrap import Container
from archive.error_table import http_status
from archive.errors import Conflict, InvalidInput, NotFound
from archive.services import notifications, periodic_reports, units, warnings
from archive.services.access import Action, Actor
from archive.services.deadlines import local_date
from archive.services.office_calendar import active_profile
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import container_of, finish, render, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])

Text = Annotated[str, Form()]
FORM_ERRORS = (InvalidInput, Conflict, NotFound)
NOTIFICATIONS_URL, REPORTS_URL = "/thong-bao", "/bao-cao"


def install(app: FastAPI) -> None:
    """The header's bell: `notification_count(request, actor)` in every template (one small query)."""
    def notification_count(request: Request, actor: Actor | None) -> int:
        if actor is None:
            return 0
        return notifications.unread_count(container_of(request), actor)

    app.state.web.templates.env.globals["notification_count"] = notification_count


def _done(request: Request, url: str, message: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    security.set_flash(web_state(request).secret, request, response, message, "success")
    return finish(request, response)


def _notifications_page(request: Request, c: Container, actor: Actor, *, error: str | None = None,
                        status: int = 200) -> Response:
    rows = notifications.list_notifications(c, actor)
    found = warnings.list_warnings(c, actor) if actor.may_somewhere(Action.READ) else []
    address, enabled = notifications.email_of(c, actor)
    return render(request, "notifications.html", {
        "rows": rows, "warnings": found, "kinds": warnings.KINDS, "address": address, "enabled": enabled,
        "error": error,
    }, actor=actor, status=status)


@router.get(NOTIFICATIONS_URL, name="web_notifications")
def notifications_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _notifications_page(request, c, actor)


@router.post(NOTIFICATIONS_URL + "/{notification_id}/da-doc")
def mark_read(notification_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    notifications.mark_read(c, actor, notification_id)
    return _done(request, NOTIFICATIONS_URL, translator(request)("notifications.marked"))


@router.post(NOTIFICATIONS_URL + "/thu")
def save_email(request: Request, c: ContainerDep, actor: ActorDep, address: Text = "") -> Response:
    t = translator(request)
    try:
        notifications.set_email(c, actor, address)
    except FORM_ERRORS as exc:
        return _notifications_page(request, c, actor, error=str(exc), status=http_status(exc))
    return _done(request, NOTIFICATIONS_URL, t("notifications.email_saved" if address else "notifications.email_removed"))


def _reports_page(request: Request, c: Container, actor: Actor, *, error: str | None = None,
                  form: dict | None = None, status: int = 200) -> Response:
    profile = active_profile(c)
    today = local_date(c.clock(), c.settings.web_timezone)
    upcoming = periodic_reports.next_submission(profile, today)
    default_period = upcoming[2].code if upcoming else periodic_reports.period_of(today).code
    return render(request, "reports.html", {
        "reports": periodic_reports.list_reports(c, actor), "profile": profile, "next": upcoming,
        "units": [{"code": u.code, "name": u.name} for u in units.list_units(c, actor)],
        "form": form or {"period": default_period, "unit": "", "format": "pdf"}, "error": error,
        "formats": list(periodic_reports.FORMATS),
    }, actor=actor, status=status)


@router.get(REPORTS_URL, name="web_reports")
def reports_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _reports_page(request, c, actor)


@router.post(REPORTS_URL)
def make_report(request: Request, c: ContainerDep, actor: ActorDep, period: Text = "", unit: Text = "",
                format: Text = "pdf") -> Response:
    t = translator(request)
    form = {"period": period, "unit": unit, "format": format}
    try:
        view, _content = periodic_reports.make_report(c, actor, period=period, unit=unit, fmt=format)
    except FORM_ERRORS as exc:
        return _reports_page(request, c, actor, error=str(exc), form=form, status=http_status(exc))
    return _done(request, f"{REPORTS_URL}#report-{view.id}", t("reports.made", id=view.id, period=view.period))


@router.get(REPORTS_URL + "/{report_id}/tai-ve")
def download_report(report_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    view, content = periodic_reports.open_report(c, actor, report_id)
    name = periodic_reports.file_name(view)
    return finish(request, Response(content, media_type=periodic_reports.FORMATS[view.format], headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}))
