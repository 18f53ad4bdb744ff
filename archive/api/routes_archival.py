"""Archival copies (bản lưu trữ PDF/A-2b) and the document description of TT 05/2025/TT-BNV."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.api.routes_documents import NO_SNIFF, attachment
from archive.services import archival, document_description

router = APIRouter(tags=["documents"])


class DescriptionIn(BaseModel):
    """TT 05/2025 fields; checked (lengths, dates, lists) by the service, which answers in Vietnamese."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"example": {
        "ma_ho_so": "HS-NV001", "so_ky_hieu": "123/QĐ-UBND", "ngay_van_ban": "2015-03-12",
        "che_do_su_dung": "cong_khai", "muc_do_tin_cay": "so_hoa"}})
    ma_ho_so: str | None = Field(None, max_length=2000)


def _body(body: DescriptionIn) -> dict:
    return {k: v for k, v in body.model_dump().items() if v is not None or k in (body.model_extra or {})}


@router.get("/documents/{document_id}/archival")
def download_archival(document_id: int, c: ContainerDep, actor: ActorDep) -> StreamingResponse:
    """The PDF/A-2b copy (404 with the reason while there is none); the download is audited."""
    name, size, chunks = archival.open_archival_copy(c, actor, document_id)
    return StreamingResponse(chunks, media_type="application/pdf", headers={
        "Content-Disposition": attachment(name), "Content-Length": str(size), **NO_SNIFF})


@router.get("/documents/{document_id}/archival/state")
def archival_state(document_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    state = archival.archival_state(c, actor, document_id)
    return {**asdict(state), "label": state.label}


@router.get("/documents/{document_id}/description")
def read_description(document_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    return document_description.get_description(c, actor, document_id)


@router.patch("/documents/{document_id}/description")
def patch_description(document_id: int, body: DescriptionIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Set the named fields ("" clears one); a change queues a new archival copy."""
    return document_description.update_description(c, actor, document_id, _body(body))


@router.put("/documents/{document_id}/description")
def put_description(document_id: int, body: DescriptionIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Replace the description: fields not named are cleared."""
    return document_description.update_description(c, actor, document_id, _body(body), replace=True)
