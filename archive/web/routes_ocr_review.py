"""Cần xem lại: OCR'd pages that need a person (blank, turned by orientation detection, unsure).

For archivists and everyone who reads records; the service (archive.services.ocr_review) scopes
the list in the query and audits each view and each "Đã xem". Filters live in the URL: `don_vi`
(a unit code, its subtree), `nguoi_tai` (who uploaded) and `lo` (an intake batch number).
Also here: what the dossier page needs to show a flagged document amber instead of green.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from archive.bootstrap import Container
from archive.errors import InvalidInput
from archive.services import ocr_review, units
from archive.services.access import Action, Actor
from archive.services.views import DocumentView
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import finish, render, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])
PATH = "/trang-can-xem-lai"


def dossier_context(c: Container, actor: Actor, docs: list[DocumentView]) -> dict:
    """What _document_state.html needs: each flagged document's open reasons (no audit entry:
    the dossier page's own view is audited; these are its documents, already in scope)."""
    return {"review_reasons": ocr_review.document_reasons(c, [d.id for d in docs])}


def _batch(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise InvalidInput("Số lô tiếp nhận phải là một số nguyên dương.")
    return int(value)


@router.get(PATH, name="web_ocr_review")
def review_page(request: Request, c: ContainerDep, actor: ActorDep, don_vi: str = "", nguoi_tai: str = "",
                lo: str = "") -> Response:
    rows, error, status = [], None, 200
    try:
        rows = ocr_review.review_list(c, actor, unit=don_vi, uploader=nguoi_tai, batch=_batch(lo))
    except InvalidInput as exc:
        error, status = str(exc), 422
    return render(request, "ocr_review.html", {
        "rows": rows, "error": error, "form": {"unit": don_vi, "uploader": nguoi_tai, "batch": lo},
        "units": [{"code": u.code, "name": u.name} for u in units.list_units(c, actor)],
        "may_mark": actor.may_somewhere(Action.UPLOAD),
        "query": urlencode({k: v for k, v in (("don_vi", don_vi), ("nguoi_tai", nguoi_tai), ("lo", lo)) if v}),
    }, actor=actor, status=status)


@router.post(PATH + "/{page_id}/da-xem")
async def mark_reviewed(page_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    form = await request.form()
    view = ocr_review.mark_reviewed(c, actor, page_id)
    back = str(form.get("query", ""))
    response = RedirectResponse(PATH + (f"?{back}" if back and "\n" not in back else ""), status_code=303)
    security.set_flash(web_state(request).secret, request, response,
                       t("ocrreview.marked", page=view.page_number, file=view.file_name), "success")
    return finish(request, response)
