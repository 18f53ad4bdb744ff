"""Kiểm tra › Đợt kiểm tra (sampling audits) and Cảnh báo nhật ký (log-review alerts), for auditors and admins.

Thin: the services (archive/services/campaigns.py, campaign_report.py, log_review.py) check the
role and scope and audit each action; bad input re-renders the page with the Vietnamese sentence
(422), a campaign outside the caller's scope is not found (404).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from archive.errors import Conflict, InvalidInput, NotFound
from archive.services import campaign_report, campaigns, log_review, units
from archive.services.access import Action, require
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.forms import local_day_end_utc, local_day_start_utc, parse_date, parse_int
from archive.web.rendering import finish, render, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])
BASE = "/kiem-tra/dot"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _status(exc: Exception) -> int:
    return 404 if isinstance(exc, NotFound) else 409 if isinstance(exc, Conflict) else 422


def _list_page(request: Request, c, actor, *, form: dict | None = None, error: str | None = None,  # noqa: ANN001
               status: int = 200) -> Response:
    return render(request, "campaigns.html", {
        "campaigns": campaigns.list_campaigns(c, actor), "units": units.list_units(c, actor),
        "form": form or {"don_vi": "", "so_ho_so": "", "ty_le": "", "hat_giong": "", "ten": ""}, "error": error,
    }, actor=actor, status=status)


@router.get(BASE)
def campaigns_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    require(actor, Action.AUDIT)
    return _list_page(request, c, actor)


@router.post(BASE)
async def open_campaign(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    data = await request.form()
    form = {k: str(data.get(k, "")).strip() for k in ("don_vi", "so_ho_so", "ty_le", "hat_giong", "ten")}
    try:
        view = campaigns.open_campaign(c, actor, unit_code=form["don_vi"], size=parse_int(t, form["so_ho_so"]),
                                       percent=parse_int(t, form["ty_le"]), seed=form["hat_giong"], title=form["ten"])
    except (InvalidInput, NotFound) as exc:
        require(actor, Action.AUDIT)
        return _list_page(request, c, actor, form=form, error=str(exc), status=_status(exc))
    response = RedirectResponse(f"{BASE}/{view.id}", status_code=303)
    security.set_flash(web_state(request).secret, request, response,
                       t("campaign.opened", id=view.id, n=len(view.items), total=view.population_count), "success")
    return finish(request, response)


def _campaign_page(request: Request, c, actor, campaign_id: int, *, error: str | None = None,  # noqa: ANN001
                   status: int = 200) -> Response:
    view = campaigns.get_campaign(c, actor, campaign_id)
    return render(request, "campaign.html", {
        "v": view, "r": view.rates, "checks": campaigns.CHECKS, "check_labels": campaigns.CHECK_LABELS,
        "answers": campaigns.ANSWERS, "outcomes": campaigns.OUTCOMES, "error": error, "base": BASE,
    }, actor=actor, status=status)


@router.get(BASE + "/{campaign_id}")
def campaign_page(campaign_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _campaign_page(request, c, actor, campaign_id)


@router.post(BASE + "/{campaign_id}/ho-so/{code}")
async def check_item(campaign_id: int, code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    data = await request.form()
    checks = {name: str(data.get(name, "")) for name in campaigns.CHECKS}
    try:
        campaigns.check_item(c, actor, campaign_id, code, checks=checks, outcome=str(data.get("outcome", "")),
                             notes=str(data.get("notes", "")))
    except (InvalidInput, Conflict) as exc:
        return _campaign_page(request, c, actor, campaign_id, error=str(exc), status=_status(exc))
    response = RedirectResponse(f"{BASE}/{campaign_id}#item-{quote(code, safe='')}", status_code=303)
    security.set_flash(web_state(request).secret, request, response, t("campaign.checked", code=code), "success")
    return finish(request, response)


@router.post(BASE + "/{campaign_id}/ket-thuc")
def close_campaign(campaign_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    try:
        campaigns.close_campaign(c, actor, campaign_id)
    except Conflict as exc:
        return _campaign_page(request, c, actor, campaign_id, error=str(exc), status=409)
    response = RedirectResponse(f"{BASE}/{campaign_id}", status_code=303)
    security.set_flash(web_state(request).secret, request, response, t("campaign.closed_flash", id=campaign_id),
                       "success")
    return finish(request, response)


@router.get(BASE + "/{campaign_id}/bien-ban.{fmt}")
def report(campaign_id: int, fmt: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    if fmt not in ("pdf", "xlsx"):
        raise NotFound("Không tìm thấy trang.")
    view = campaigns.record_report(c, actor, campaign_id, fmt)
    tz = c.settings.web_timezone
    body, media = (campaign_report.pdf(view, tz=tz), "application/pdf") if fmt == "pdf" else \
        (campaign_report.xlsx(view, tz=tz), XLSX)
    return finish(request, Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="bien-ban-kiem-tra-{campaign_id}.{fmt}"',
        "X-Content-Type-Options": "nosniff"}))


@router.get("/kiem-tra/canh-bao")
def alerts_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    require(actor, Action.AUDIT)
    t = translator(request)
    qp = request.query_params
    form = {k: qp.get(k, "").strip() for k in ("tu_ngay", "den_ngay", "loai")}
    alerts, error, status = [], None, 200
    try:
        since, until = parse_date(t, form["tu_ngay"]), parse_date(t, form["den_ngay"])
        alerts = log_review.review(c, actor, since=local_day_start_utc(t, since) if since else None,
                                   until=local_day_end_utc(t, until) if until else None, kind=form["loai"] or None)
    except InvalidInput as exc:
        error, status = str(exc), 422
    s = c.settings
    return render(request, "audit_alerts.html", {
        "alerts": alerts, "form": form, "error": error, "kinds": log_review.KINDS,
        "settings": {"failed": s.log_review_failed_logins, "minutes": s.log_review_failed_window_minutes,
                     "exports": s.log_review_exports_per_day, "factor": f"{s.log_review_views_factor:g}",
                     "views_min": s.log_review_views_min, "start": s.work_day_start, "end": s.work_day_end},
    }, actor=actor, status=status)


@router.post("/ho-so/{code}/tai-lieu/{document_id}/kiem-tra-tep-goc")
def check_file_now(code: str, document_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    """"Kiểm tra tệp" from the auditor's file view: re-hash the stored original now (fixity_views.check_document,
    scoped and audited as document.fixity_check) and say khớp / không khớp."""
    from archive.services import documents, fixity_views

    if documents.get_document(c, actor, document_id).staff_code != code:  # another dossier's URL: reveal nothing
        raise NotFound(f"Không tìm thấy tài liệu số {document_id}.")
    state = fixity_views.check_document(c, actor, document_id)
    t = translator(request)
    key = "filefacts.checked_mismatch" if state.integrity_error else "filefacts.checked_match"
    response = RedirectResponse(f"/ho-so/{quote(code, safe='')}#doc-file-{document_id}", status_code=303)
    security.set_flash(web_state(request).secret, request, response, t(key, id=document_id, sha=state.sha256),
                       "error" if state.integrity_error else "success")
    return finish(request, response)
