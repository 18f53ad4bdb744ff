"""Intake batches (lô tiếp nhận) and cover sheets (tờ bìa phân tách) over HTTP.

POST a zip (multipart, bounded by RequestGuard at the upload limit before a byte is read; the
zip is checked whole before anything is staged), read a batch and its files, download its
report (CSV), list and assign stacks waiting for review, print cover sheets (PDF).
Larger batches, folders and consume folders are for the server: `archive ingest-batch`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from archive.api.deps import ActorDep, ContainerDep
from archive.api.routes_documents import NO_SNIFF, attachment
from archive.services import batch_processing, batches, cover_sheets

router = APIRouter(tags=["intake batches"])


@router.post("/batches", status_code=201)
def upload_batch(c: ContainerDep, actor: ActorDep,
                 file: Annotated[UploadFile, File(description="tệp .zip: bảng kê manifest.csv/xlsx hoặc thư mục "
                                                              "<mã cán bộ>/<loại tài liệu>/<tệp>")]) -> dict:
    return batches.create_batch_from_upload(c, actor, file.file, file_name=file.filename, source="api").to_dict()


@router.get("/batches")
def list_batches(c: ContainerDep, actor: ActorDep, limit: int = 50) -> list[dict]:
    return [v.to_dict() for v in batches.list_batches(c, actor, limit=limit)]


@router.get("/batches/review")
def review(c: ContainerDep, actor: ActorDep) -> list[dict]:
    """Cần xem lại: scanned stacks whose first page is not a cover sheet."""
    return [{"batch": b, "batch_name": n, "file": f.id, "path": f.path, "problem": f.problem}
            for b, n, f in batch_processing.review_list(c, actor)]


@router.get("/batches/{batch_id}")
def read_batch(batch_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    return batches.get_batch(c, actor, batch_id).to_dict()


@router.get("/batches/{batch_id}/report.csv")
def batch_report(batch_id: int, c: ContainerDep, actor: ActorDep) -> Response:
    name, data = batches.report_csv(c, actor, batch_id)
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": attachment(name), **NO_SNIFF})


class Assignment(BaseModel):
    staff_code: str
    document_type: str


@router.post("/batches/{batch_id}/files/{file_id}/assign")
def assign(batch_id: int, file_id: int, body: Assignment, c: ContainerDep, actor: ActorDep) -> dict:
    batch_processing.assign_reviewed(c, actor, batch_id, file_id, staff_code=body.staff_code,
                                     document_type=body.document_type)
    return batches.get_batch(c, actor, batch_id).to_dict()


@router.get("/cover-sheets")
def cover_sheet_pdf(c: ContainerDep, actor: ActorDep, document_type: str,
                    staff: Annotated[list[str], Query(description="mã cán bộ (nhiều lần)")]) -> Response:
    data = cover_sheets.cover_sheets_pdf(c, actor, staff, document_type)
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": attachment("to-bia-phan-tach.pdf"), **NO_SNIFF})
