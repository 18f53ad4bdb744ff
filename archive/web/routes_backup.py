"""Quản trị › Sao lưu: the backup sets of every target, the last runs, the last drill, and warnings.

Read-only but for one button, "Sao lưu ngay", which records a `backup` job for the workers
(the same job the nightly schedule records). Restores and drills run on the server's command
line only (`archive restore`, `archive backup drill`): they need the keys and a shell.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from archive.services.backup_status import BACKUP_KIND, require_operator
from archive.services.backup_views import overview
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import finish, render, translator, web_state
from archive.work import start_kind

router = APIRouter(prefix="/quan-tri/sao-luu", route_class=WebRoute, dependencies=[Depends(csrf_protect)])


@router.get("")
def backups_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    view = overview(c, actor)
    return render(request, "admin_backups.html", {
        "tab": "backups", "o": view, "s": view.status, "max_hours": c.settings.backup_max_age_hours,
        "max_drill_days": c.settings.backup_drill_max_age_days}, actor=actor)


@router.post("/chay")
def run_now(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    with c.uow() as uow:
        require_operator(uow.session, actor)
    t = translator(request)
    job_id = start_kind(c, c.registry, BACKUP_KIND, payload={"actor": actor.name})
    message, kind = (t("backups.queued", job=job_id), "success") if job_id else (t("backups.busy"), "error")
    response = RedirectResponse("/quan-tri/sao-luu", status_code=303)
    security.set_flash(web_state(request).secret, request, response, message, kind)
    return finish(request, response)
