"""Tải lên: archivists add scans to a dossier and watch each document until it is indexed.

The page works without JavaScript (one multipart POST with every file). With it, upload.js
sends each file on its own XMLHttpRequest (progress bar per file) to /tai-len/tep and polls
/tai-len/trang-thai for the pipeline state: queued → processing (OCR) → indexing → indexed,
or failed with the reason. Both call services.documents.ingest_upload, which checks the
caller's scope and audits the upload.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from archive.bootstrap import Container
from archive.domain import DocumentState
from archive.errors import ArchiveError
from archive.services import catalogs, documents, recent_uploads, staff
from archive.services import ocr_review  # Cần xem lại on the watched uploads (issue 11)
from archive.services.access import Action, Actor, require
from archive.services.views import DocumentView
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.i18n import Translator
from archive.web.rendering import finish, render, translator
from ingest import InvalidUpload

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])

CLIENT_MESSAGES = ("state.waiting", "state.uploading", "state.upload_failed", "state.queued", "state.processing",
                   "state.indexing", "state.indexed", "state.failed", "upload.duplicate", "upload.need_staff",
                   "upload.need_files", "upload.all_done", "upload.network_error", "upload.session_expired",
                   "upload.selected", "upload.done_with_failures", "upload.needs_review", "upload.not_sent",
                   "upload.file_failed", "upload.type_of",  # upload.type_of: a type per file (issue 16)
                   "state.needs_review")  # OCR review: indexed, but a page needs a person (issue 11)


def _state_json(t: Translator, d: DocumentView, *, created: bool | None = None,
                review: list[str] | None = None) -> dict:
    out = {"id": d.id, "staff_code": d.staff_code, "file_name": d.file_name, "state": d.state,
           "label": t.label("state", d.state), "error": recent_uploads.shown_error(d.error, d.file_name),
           "page_count": d.page_count,
           "final": DocumentState(d.state).is_final}
    if created is not None:
        out["created"] = created
    if review and d.state == DocumentState.INDEXED.value:  # OCR review: amber with the reasons, not green
        out.update(state="needs_review", label=t("state.needs_review"), error="; ".join(review))
    return out


def _page(request: Request, c: Container, actor: Actor, *, staff_code: str = "", document_type: str = "",
          results: list[dict] | None = None, error: str | None = None, status: int = 200) -> Response:
    t = translator(request)
    return render(request, "upload.html", {
        "doc_types": catalogs.list_catalog(c, "loai_tai_lieu"), "staff_code": staff_code,
        "document_type": document_type or documents.DEFAULT_DOCUMENT_TYPE, "results": results or [],
        "error": error, "messages": {k: t(k) for k in CLIENT_MESSAGES},
    }, actor=actor, status=status)


@router.get("/tai-len")
def upload_page(request: Request, c: ContainerDep, actor: ActorDep, can_bo: str = "") -> Response:
    require(actor, Action.UPLOAD)
    return _page(request, c, actor, staff_code=can_bo.strip())


@router.post("/tai-len")
def upload_form(request: Request, c: ContainerDep, actor: ActorDep,
                staff_code: Annotated[str, Form()] = "", document_type: Annotated[str, Form()] = "",
                files: Annotated[list[UploadFile] | None, File()] = None) -> Response:
    """Without JavaScript: every file in one request; the page lists each outcome."""
    require(actor, Action.UPLOAD)
    t = translator(request)
    staff_code = staff_code.strip()
    chosen = [f for f in files or [] if f.filename]
    if not staff_code or not chosen:
        return _page(request, c, actor, staff_code=staff_code, document_type=document_type, status=422,
                     error=t("upload.need_staff") if not staff_code else t("upload.need_files"))
    results = []
    for f in chosen:
        try:
            outcome = documents.ingest_upload(c, actor, staff_code=staff_code, stream=f.file, file_name=f.filename,
                                              document_type=document_type or documents.DEFAULT_DOCUMENT_TYPE)
        except (ArchiveError, InvalidUpload) as exc:
            results.append({"file_name": documents.display_file_name(f.filename), "state": "upload_failed",
                            "label": t("state.upload_failed"), "note": str(exc)})
            continue
        d = outcome.document
        results.append({"id": d.id, "file_name": d.file_name, "state": d.state, "label": t.label("state", d.state),
                        "note": "" if outcome.created else t("upload.duplicate")})
    refused = all(r["state"] == "upload_failed" for r in results)  # nothing stored: the request failed
    return _page(request, c, actor, staff_code=staff_code, document_type=document_type, results=results,
                 status=422 if refused else 200)


@router.post("/tai-len/tep")
def upload_one(request: Request, c: ContainerDep, actor: ActorDep, file: Annotated[UploadFile, File()],
               staff_code: Annotated[str, Form()], document_type: Annotated[str, Form()] = "") -> Response:
    """One file from upload.js; JSON in, JSON out (errors too: Accept: application/json)."""
    outcome = documents.ingest_upload(c, actor, staff_code=staff_code.strip(), stream=file.file,
                                      file_name=file.filename,
                                      document_type=document_type or documents.DEFAULT_DOCUMENT_TYPE)
    body = _state_json(translator(request), outcome.document, created=outcome.created)
    return finish(request, JSONResponse(body, status_code=201 if outcome.created else 200))


@router.get("/tai-len/trang-thai")
def upload_states(request: Request, c: ContainerDep, actor: ActorDep,
                  id: Annotated[list[int], Query()] = []) -> Response:  # noqa: B006
    """The pipeline state of each document being watched (at most 100 at a time)."""
    t = translator(request)
    views = [documents.get_document(c, actor, i) for i in id[:100]]
    review = ocr_review.document_reasons(c, [v.id for v in views])  # after the scope checks above
    return finish(request, JSONResponse({"documents": [_state_json(t, v, review=review.get(v.id)) for v in views]}))


@router.get("/tai-len/can-bo")
def staff_lookup(request: Request, c: ContainerDep, actor: ActorDep, ma: str = "") -> Response:
    """Name and unit behind a staff code, so the archivist sees whose dossier they add to."""
    view = staff.get_staff(c, actor, ma.strip())
    t = translator(request)
    return finish(request, JSONResponse({"code": view.code, "full_name": view.full_name, "unit_name": view.unit_name,
                                         "status": t.label("status", view.status)}))


@router.get("/tai-len/gan-day")
def recent_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    """Đang xử lý: the caller's recent uploads and their states, read back from the server (a reload keeps them)."""
    rows = recent_uploads.recent_uploads(c, actor)
    pending = sum(1 for r in rows if not DocumentState(r.document.state).is_final)
    counts = {"indexed": sum(1 for r in rows if r.document.state == DocumentState.INDEXED.value),
              "failed": sum(1 for r in rows if r.document.state == DocumentState.FAILED.value), "pending": pending}
    return render(request, "uploads_recent.html", {"rows": rows, "counts": counts,
                                                   "refresh_seconds": 5 if pending else 0,
                                                   # OCR review: flagged documents amber (issue 11)
                                                   "review_reasons": ocr_review.document_reasons(
                                                       c, [r.document.id for r in rows])}, actor=actor)
