"""Lô tiếp nhận and Tờ bìa in the web pages: upload a zip as a batch, watch its files' states,
download its report, file the stacks waiting for review, print cover sheets.

Every page calls the same services as the API and the CLI (`services.batches`,
`batch_processing`, `cover_sheets`), which check scope and audit. The batch page reloads itself
every few seconds while files are pending (no script needed).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from archive import error_table
from archive.bootstrap import Container
from archive.services import (
    batch_processing,
    batches,
    catalogs,
    cover_sheets,
    documents,
)
from archive.services.access import Action, Actor, require
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import finish, render, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])
BATCHES_PATH = "/lo-tiep-nhan"
REVIEW_PATH = "/lo-tiep-nhan/can-xem-lai"
COVER_PATH = "/to-bia"


def _doc_types(c: Container) -> list:
    return catalogs.list_catalog(c, documents.DOCUMENT_TYPES)


def _list_page(request: Request, c: Container, actor: Actor, *, error: str | None = None,
               status: int = 200) -> Response:
    rows = batches.list_batches(c, actor)
    return render(request, "batches.html", {"batches": rows, "error": error}, actor=actor, status=status)


@router.get(BATCHES_PATH)
def batches_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    require(actor, Action.UPLOAD)
    return _list_page(request, c, actor)


@router.post(BATCHES_PATH)
def upload_batch(request: Request, c: ContainerDep, actor: ActorDep,
                 file: Annotated[UploadFile | None, File()] = None) -> Response:
    """A zip with its manifest (or folders <mã cán bộ>/<loại tài liệu>/): a type per file, not per batch."""
    require(actor, Action.UPLOAD)
    t = translator(request)
    if file is None or not file.filename:
        return _list_page(request, c, actor, error=t("batch.need_file"), status=422)
    try:
        view = batches.create_batch_from_upload(c, actor, file.file, file_name=file.filename, source="web")
    except Exception as exc:
        rule = error_table.rule_for(exc)
        if rule is None:
            raise
        return _list_page(request, c, actor, error=error_table.message(exc), status=rule.http_status)
    response = RedirectResponse(f"{BATCHES_PATH}/{view.id}", status_code=303)
    security.set_flash(web_state(request).secret, request, response,
                       t("batch.created", id=view.id, files=view.counts["total"]), "success")
    return finish(request, response)


@router.get(REVIEW_PATH)
def review_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    """Cần xem lại — tập quét không có tờ bìa đầu: pick the dossier and type for each."""
    require(actor, Action.UPLOAD)
    rows = batch_processing.review_list(c, actor)
    return render(request, "batches_review.html", {"rows": rows, "doc_types": _doc_types(c)}, actor=actor)


@router.post("/lo-tiep-nhan/{batch_id}/tep/{file_id}/gan")
def assign_file(request: Request, batch_id: int, file_id: int, c: ContainerDep, actor: ActorDep,
                staff_code: Annotated[str, Form()] = "", document_type: Annotated[str, Form()] = "") -> Response:
    t = translator(request)
    batch_processing.assign_reviewed(c, actor, batch_id, file_id, staff_code=staff_code,
                                     document_type=document_type)
    response = RedirectResponse(f"{BATCHES_PATH}/{batch_id}", status_code=303)
    security.set_flash(web_state(request).secret, request, response,
                       t("batch.assigned", code=staff_code.strip()), "success")
    return finish(request, response)


@router.get("/lo-tiep-nhan/{batch_id}")
def batch_page(request: Request, batch_id: int, c: ContainerDep, actor: ActorDep) -> Response:
    view = batches.get_batch(c, actor, batch_id)
    busy = view.state != "done" or view.counts["pending"] > 0
    return render(request, "batch.html", {"batch": view, "refresh_seconds": 3 if busy else 0}, actor=actor)


@router.get("/lo-tiep-nhan/{batch_id}/bao-cao.csv")
def batch_report(request: Request, batch_id: int, c: ContainerDep, actor: ActorDep) -> Response:
    name, data = batches.report_csv(c, actor, batch_id)
    return finish(request, Response(data, media_type="text/csv; charset=utf-8",
                                    headers={"Content-Disposition": f'attachment; filename="{name}"'}))


@router.get(COVER_PATH)
def cover_page(request: Request, c: ContainerDep, actor: ActorDep,
               ma: Annotated[list[str], Query()] = [], loai: str = "") -> Response:  # noqa: B006
    """Tờ bìa phân tách: the codes (from a dossier, the staff list, or typed), a type, then the PDF."""
    codes = [m.strip() for m in ma if m.strip()][:cover_sheets.MAX_SHEETS]
    return render(request, "cover_sheets.html", {"codes": codes, "doc_types": _doc_types(c),
                                                 "document_type": loai or documents.DEFAULT_DOCUMENT_TYPE,
                                                 "error": None}, actor=actor)


@router.get("/to-bia/in")
def cover_pdf(request: Request, c: ContainerDep, actor: ActorDep,
              ma: Annotated[list[str], Query()] = [], loai: str = "", danh_sach: str = "") -> Response:  # noqa: B006
    codes = [m.strip() for m in ma if m.strip()] + [x for x in danh_sach.replace(",", " ").split() if x]
    try:
        data = cover_sheets.cover_sheets_pdf(c, actor, codes, loai)
    except Exception as exc:
        rule = error_table.rule_for(exc)
        if rule is None:
            raise
        return render(request, "cover_sheets.html", {"codes": codes, "doc_types": _doc_types(c),
                                                     "document_type": loai, "error": error_table.message(exc)},
                      actor=actor, status=rule.http_status)
    return finish(request, Response(data, media_type="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="to-bia-phan-tach.pdf"'}))
