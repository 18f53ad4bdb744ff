"""Quản trị › Kiểm tra toàn vẹn (fixity): coverage, damaged files, failures and repairs, the CSV; "Kiểm tra tệp".

The page is for administrators and auditors of the province (fixity_views.require_fixity_reader):
it names files of every unit. Its one button, "Kiểm tra ngay", records a `fixity` pass for the
workers (the hourly schedule records the same job). "Kiểm tra tệp" on a document in its dossier
re-hashes that document now, scoped and audited like viewing it.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from archive.errors import Forbidden, NotFound
from archive.services import documents, fixity_views
from archive.services.fixity import FIXITY_KIND
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import finish, render, translator, web_state
from archive.work import start_kind

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])
PAGE = "/quan-tri/toan-ven"


@router.get(PAGE)
def fixity_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    st = fixity_views.status(c, actor)
    with c.uow() as uow:
        try:
            fixity_views.require_fixity_runner(uow.session, actor)
            may_run = True
        except Forbidden:  # an auditor reads the report but does not start passes
            may_run = False
    return render(request, "admin_fixity.html", {"tab": "fixity", "st": st, "may_run": may_run}, actor=actor)


@router.get(PAGE + "/bao-cao.csv")
def fixity_csv(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    rows = fixity_views.csv_rows(c, actor)
    first = next(rows)  # the permission check, before the download starts

    def body():  # noqa: ANN202
        yield first.encode("utf-8")
        for chunk in rows:
            yield chunk.encode("utf-8")

    response = StreamingResponse(body(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="kiem-tra-toan-ven.csv"', "X-Content-Type-Options": "nosniff"})
    return finish(request, response)


@router.post(PAGE + "/chay")
def run_now(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    with c.uow() as uow:
        fixity_views.require_fixity_runner(uow.session, actor)
    t = translator(request)
    job_id = start_kind(c, c.registry, FIXITY_KIND, payload={"actor": actor.name})
    message, kind = (t("fixity.queued", job=job_id), "success") if job_id else (t("fixity.busy"), "error")
    response = RedirectResponse(PAGE, status_code=303)
    security.set_flash(web_state(request).secret, request, response, message, kind)
    return finish(request, response)


@router.post("/ho-so/{code}/tai-lieu/{document_id}/kiem-tra-tep")
def check_file(code: str, document_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    """"Kiểm tra tệp": re-hash the document now; back to the dossier with its SHA-256 and the result."""
    if documents.get_document(c, actor, document_id).staff_code != code:  # another dossier's URL: reveal nothing
        raise NotFound(f"Không tìm thấy tài liệu số {document_id}.")
    state = fixity_views.check_document(c, actor, document_id)
    t = translator(request)
    key = "fixity.check_damaged" if state.integrity_error else "fixity.check_ok"
    message = t(key, id=document_id, sha=state.sha256, at=t.datetime(state.last_checked_at))
    response = RedirectResponse(f"/ho-so/{quote(code, safe='')}#doc-fixity-{document_id}", status_code=303)
    security.set_flash(web_state(request).secret, request, response, message,
                       "error" if state.integrity_error else "success")
    return finish(request, response)
