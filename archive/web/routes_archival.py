"""Bản lưu trữ PDF/A-2b and the TT 05/2025 description in the dossier page: state, download, edit form.

The POST calls archive.services.document_description.update_description (scoped, audited, queues a
new copy) as the API and CLI do, then redirects back to the dossier with a one-time message.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from archive.bootstrap import Container
from archive.services import archival, document_description
from archive.services.access import Action, Actor
from archive.services.views import DocumentView
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import finish, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])


def dossier_context(c: Container, actor: Actor, docs: list[DocumentView]) -> dict:
    """What _document_archival.html needs: each document's archival state and description."""
    rows = []
    for d in docs:
        rows.append({"doc": d, "state": archival.archival_state(c, actor, d.id),
                     "fields": document_description.get_description(c, actor, d.id)})
    return {"archival_rows": rows, "description_labels": document_description.LABELS,
            "description_choices": document_description.CHOICES,
            "may_describe": actor.may_somewhere(Action.UPDATE)}


@router.get("/ho-so/{code}/tai-lieu/{document_id}/ban-luu-tru")
def download_archival(code: str, document_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    name, size, chunks = archival.open_archival_copy(c, actor, document_id)
    plain = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in name)
    return finish(request, StreamingResponse(chunks, media_type="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}",
        "Content-Length": str(size), "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox"}))


@router.post("/ho-so/{code}/tai-lieu/{document_id}/mo-ta")
async def save_description(code: str, document_id: int, request: Request, c: ContainerDep,
                           actor: ActorDep) -> Response:
    t = translator(request)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in document_description.LABELS if k in form}
    document_description.update_description(c, actor, document_id, values)
    response = RedirectResponse(f"/ho-so/{quote(code)}#d-archival-{document_id}", status_code=303)
    security.set_flash(web_state(request).secret, request, response, t("archival.saved", id=document_id), "success")
    return finish(request, response)
