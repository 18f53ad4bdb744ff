"""Hiệu chỉnh tài liệu on the dossier page and the page viewer: đổi loại, chuyển hồ sơ, thu hồi,
nhận dạng lại, xoay trang, gộp / tách / sắp xếp lại trang (page references); and the
"Đã thu hồi" list of the dossier for admins and auditors.

Each POST calls archive.services.document_corrections (scoped, audited, the original never
touched) as the API and CLI do, then redirects with a one-time message.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from archive.bootstrap import Container
from archive.errors import InvalidInput, NotFound
from archive.services import catalogs, document_corrections as dc, documents, page_references as pr
from archive.services.access import Action, Actor
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import finish, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])


def dossier_context(c: Container, actor: Actor, code: str) -> dict:
    """What _document_corrections.html needs: may the actor correct, the type catalog, the withdrawn list."""
    may_correct = actor.may_somewhere(Action.UPLOAD)
    may_audit = actor.may_somewhere(Action.AUDIT)
    return {
        "may_correct": may_correct,
        "correction_types": [(e.code, e.name) for e in catalogs.list_catalog(c, documents.DOCUMENT_TYPES)]
        if may_correct else [],
        "withdrawn_documents": dc.list_withdrawn(c, actor, code) if may_audit else [],
    }


def _check_dossier(c: Container, actor: Actor, code: str, document_id: int) -> None:
    if documents.get_document(c, actor, document_id).staff_code != code:  # the URL names another dossier
        raise NotFound(f"Không tìm thấy tài liệu số {document_id}.")


def _back(request: Request, url: str, message: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    security.set_flash(web_state(request).secret, request, response, message, "success")
    return finish(request, response)


def _dossier_url(code: str) -> str:
    return f"/ho-so/{quote(code, safe='')}#s-documents"


@router.post("/ho-so/{code}/tai-lieu/{document_id}/doi-loai")
async def retype(code: str, document_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await request.form()
    _check_dossier(c, actor, code, document_id)
    view = dc.change_type(c, actor, document_id, str(form.get("document_type", "")))
    return _back(request, _dossier_url(code), translator(request)("corr.retyped", id=view.id))


@router.post("/ho-so/{code}/tai-lieu/{document_id}/chuyen-ho-so")
async def move(code: str, document_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await request.form()
    _check_dossier(c, actor, code, document_id)
    target = str(form.get("staff_code", "")).strip()
    view = dc.move_to_dossier(c, actor, document_id, target, str(form.get("reason", "")))
    return _back(request, _dossier_url(code), translator(request)("corr.moved", id=view.id, code=view.staff_code))


@router.post("/ho-so/{code}/tai-lieu/{document_id}/thu-hoi")
async def withdraw(code: str, document_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await request.form()
    _check_dossier(c, actor, code, document_id)
    view = dc.withdraw(c, actor, document_id, str(form.get("reason", "")))
    return _back(request, _dossier_url(code), translator(request)("corr.withdrawn", id=view.id))


@router.post("/ho-so/{code}/tai-lieu/{document_id}/nhan-dang-lai")
def reocr(code: str, document_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    _check_dossier(c, actor, code, document_id)
    view = dc.reocr_document(c, actor, document_id)
    return _back(request, _dossier_url(code), translator(request)("corr.reocr_queued", id=view.id))


@router.post("/ho-so/{code}/tai-lieu/{document_id}/trang/{number}/xoay")
async def rotate(code: str, document_id: int, number: int, request: Request, c: ContainerDep,
                 actor: ActorDep) -> Response:
    form = await request.form()
    _check_dossier(c, actor, code, document_id)
    try:
        turn = int(str(form.get("turn", "")))
    except ValueError:
        raise InvalidInput("Chỉ xoay được 90°, 180° hoặc 270° (−90° là xoay trái).") from None
    rotation = dc.rotate_page(c, actor, document_id, number, turn)
    url = f"/ho-so/{quote(code, safe='')}/tai-lieu/{document_id}?trang={number}"
    return _back(request, url, translator(request)("corr.rotated", n=number, degrees=rotation))


def _document_ids(text: str) -> list[int]:
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    if not parts or not all(p.lstrip("#").isdigit() and len(p) <= 12 for p in parts):
        raise InvalidInput("Hãy ghi số của các tài liệu cần gộp, cách nhau bằng dấu phẩy, ví dụ 12,15.")
    return [int(p.lstrip("#")) for p in parts]


@router.post("/ho-so/{code}/tai-lieu/{document_id}/gop")
async def merge(code: str, document_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    """Gộp: the documents named are merged into this one (their pages after its own, or in the order given)."""
    form = await request.form()
    _check_dossier(c, actor, code, document_id)
    others = _document_ids(str(form.get("others", "")))
    order_text = str(form.get("order", "")).strip()
    order = pr.parse_order(order_text) if order_text else None
    view = pr.merge(c, actor, [document_id, *others], order)
    return _back(request, _dossier_url(code), translator(request)("corr.merged", id=view.id, pages=view.page_count))


@router.post("/ho-so/{code}/tai-lieu/{document_id}/tach")
async def split(code: str, document_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await request.form()
    _check_dossier(c, actor, code, document_id)
    text = str(form.get("at", "")).strip()
    if not text.isdigit() or len(text) > 6:
        raise InvalidInput("Hãy ghi số trang bắt đầu tài liệu mới, ví dụ 3.")
    first, new = pr.split(c, actor, document_id, int(text))
    return _back(request, _dossier_url(code), translator(request)("corr.split_done", id=first.id, at=int(text),
                                                                   new=new.id))


@router.post("/ho-so/{code}/tai-lieu/{document_id}/sap-xep")
async def reorder(code: str, document_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await request.form()
    _check_dossier(c, actor, code, document_id)
    view = pr.reorder(c, actor, document_id, pr.parse_order(str(form.get("order", ""))))
    return _back(request, _dossier_url(code), translator(request)("corr.reordered", id=view.id))
