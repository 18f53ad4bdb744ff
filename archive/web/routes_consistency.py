"""Đối chiếu bản giấy với hồ sơ in the web UI: the side-by-side page of a record, the resolve form,
the value crops, and the HR list "Cần sửa hồ sơ".

Thin: archive.services.consistency does the checks (scope, roles, audit); the POSTs redirect back
with a one-time message, as the other dossier forms do.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from archive.bootstrap import Container
from archive.services import consistency
from archive.services.access import Action, Actor
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import finish, render, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])


def dossier_context(c: Container, actor: Actor, code: str) -> dict:
    """What _dossier_consistency.html needs: the counts of the latest checks (no audit entry)."""
    return {"consistency": consistency.counts_for(c, actor, code)}


@router.get("/ho-so/{code}/doi-chieu", name="web_consistency")
def consistency_page(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    report = consistency.get_report(c, actor, code)
    return render(request, "consistency.html", {
        "report": report, "code": code, "resolutions": consistency.RESOLUTIONS,
        "may_run": report.may_resolve,
    }, actor=actor)


@router.post("/ho-so/{code}/doi-chieu/chay")
async def run_consistency(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    report = consistency.run_check(c, actor, code)
    response = RedirectResponse(f"/ho-so/{quote(code, safe='')}/doi-chieu", status_code=303)
    security.set_flash(web_state(request).secret, request, response,
                       t("consistency.ran", count=len(report.documents), open=report.open), "success")
    return finish(request, response)


@router.post("/ho-so/{code}/doi-chieu/{finding_id}/xu-ly")
async def resolve_finding(code: str, finding_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    form = await request.form()
    view = consistency.resolve(c, actor, finding_id, str(form.get("resolution", "")), str(form.get("note", "")))
    response = RedirectResponse(f"/ho-so/{quote(code, safe='')}/doi-chieu#f-{view.id}", status_code=303)
    security.set_flash(web_state(request).secret, request, response,
                       t("consistency.resolved", field=view.title, how=view.resolution_label), "success")
    return finish(request, response)


@router.get("/ho-so/{code}/doi-chieu/{finding_id}/anh.png")
def finding_crop(code: str, finding_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    png = consistency.finding_crop(c, actor, finding_id)
    return finish(request, Response(png, media_type="image/png", headers={
        "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}))


@router.get("/can-sua-ho-so", name="web_corrections")
def corrections_page(request: Request, c: ContainerDep, actor: ActorDep, trang_thai: str = "open") -> Response:
    state = trang_thai if trang_thai in ("open", "done") else "open"
    rows = consistency.list_corrections(c, actor, state=state)
    return render(request, "corrections.html", {
        "rows": rows, "state": state, "may_update": actor.may_somewhere(Action.UPDATE)}, actor=actor)


@router.post("/can-sua-ho-so/{task_id}/xong")
async def correction_done(task_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    form = await request.form()
    view = consistency.complete_correction(c, actor, task_id, str(form.get("note", "")))
    response = RedirectResponse("/can-sua-ho-so", status_code=303)
    security.set_flash(web_state(request).secret, request, response,
                       t("corrections.done_saved", field=view.title, code=view.staff_code), "success")
    return finish(request, response)
