"""FastAPI application factory. The Container is built once per process at start-up."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import StreamingResponse

from archive.api.errors import install_error_handlers
from archive.api.schemas import DocumentOut, HitOut, PageOut, SearchOut, StaffIn, StaffOut, UploadOut
from archive.bootstrap import Container, build
from archive.services import documents, search, staff
from archive.settings import Settings


def get_container(request: Request) -> Container:
    return request.app.state.container


Dep = Annotated[Container, Depends(get_container)]
router = APIRouter(prefix="/api/v1")


@router.get("/health")
def health() -> dict:
    return {"status": "ok"}


@router.post("/staff", response_model=StaffOut, status_code=201, tags=["staff"])
def create_staff(body: StaffIn, c: Dep) -> dict:
    return staff.add_staff(c, code=body.code, full_name=body.full_name, birth_date=body.birth_date,
                           unit_name=body.unit_name, status=body.status).to_dict()


@router.get("/staff/{code}", response_model=StaffOut, tags=["staff"])
def read_staff(code: str, c: Dep) -> dict:
    return staff.get_staff(c, code).to_dict()


@router.get("/staff/{code}/documents", response_model=list[DocumentOut], tags=["documents"])
def staff_documents(code: str, c: Dep) -> list[dict]:
    return [d.to_dict() for d in documents.list_documents(c, code)]


@router.post("/documents", response_model=UploadOut, status_code=201, tags=["documents"])
def upload_document(
    c: Dep,
    file: Annotated[UploadFile, File(description="PDF, TIFF, PNG hoặc JPEG")],
    staff_code: Annotated[str, Form()],
    document_type: Annotated[str, Form()] = documents.DEFAULT_DOCUMENT_TYPE,
) -> dict:
    outcome = documents.ingest_upload(c, staff_code=staff_code, stream=file.file, file_name=file.filename,
                                      document_type=document_type)
    return {**outcome.document.to_dict(), "created": outcome.created}


@router.get("/documents/{document_id}", response_model=DocumentOut, tags=["documents"])
def read_document(document_id: int, c: Dep) -> dict:
    return documents.get_document(c, document_id).to_dict()


@router.get("/documents/{document_id}/text", response_model=list[PageOut], tags=["documents"])
def read_text(document_id: int, c: Dep) -> list[dict]:
    return [asdict(p) for p in documents.document_pages(c, document_id)]


@router.get("/documents/{document_id}/original", tags=["documents"])
def download_original(document_id: int, c: Dep) -> StreamingResponse:
    doc, chunks = documents.open_original(c, document_id)
    disposition = f"attachment; filename*=UTF-8''{quote(doc.file_name)}"
    return StreamingResponse(chunks, media_type=doc.content_type, headers={
        "Content-Disposition": disposition, "Content-Length": str(doc.size), "X-Content-SHA256": doc.sha256,
    })


@router.get("/search", response_model=SearchOut, tags=["search"])
def search_pages(
    c: Dep,
    q: str = "",
    status: Annotated[list[str] | None, Query()] = None,
    unit: Annotated[list[str] | None, Query()] = None,
    document_type: Annotated[list[str] | None, Query()] = None,
    limit: int = 20,
    offset: int = 0,
) -> dict:
    result = search.search_pages(c, q, statuses=status, units=unit, document_types=document_type,
                                 limit=limit, offset=offset)
    return {"total": result.total, "hits": [HitOut(**asdict(h)) for h in result.hits], "facets": result.facets}


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    app = FastAPI(title="Lưu trữ hồ sơ CBCCVC", version="0.1.0",
                  description="Archive and search service for Vietnamese civil-servant personnel dossiers.")
    app.state.container = container or build(settings)
    install_error_handlers(app)
    app.include_router(router)
    return app
