"""Kê khai – xác thực – phê duyệt with signatures as JSON (issue 18); thin over archive.services.declarations.

Sync routes on purpose: pyHanko's validator runs its own event loop (FastAPI runs these in a thread).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.api.routes_documents import NO_SNIFF, attachment
from archive.services import annual_update, certificates, declarations
from archive.services.declaration_views import declaration_queue

router = APIRouter(tags=["declarations"])
PDF = "application/pdf"


def _pdf(name: str, data: bytes) -> Response:
    return Response(data, media_type=PDF, headers={"Content-Disposition": attachment(name), **NO_SNIFF})


class NewDeclaration(BaseModel):
    kind: str = Field("initial", description="initial (kê khai lần đầu) | change (thay đổi thông tin)")
    note: str = Field("", max_length=2000)


class Draft(BaseModel):
    values: dict = Field(default_factory=dict, description="trường Mẫu 2C được tự kê khai → giá trị")
    note: str | None = Field(None, max_length=2000)


class SendBack(BaseModel):
    reason: str = Field(..., max_length=2000)


@router.get("/declarations")
def list_declarations(c: ContainerDep, actor: ActorDep,
                      state: Annotated[str, Query(max_length=16)] = "", mine: bool = False) -> list[dict]:
    return [v.to_dict() for v in declaration_queue(c, actor, state=state, mine=mine)]


@router.post("/declarations", status_code=201)
def open_declaration(body: NewDeclaration, c: ContainerDep, actor: ActorDep) -> dict:
    return declarations.open_declaration(c, actor, kind=body.kind, note=body.note).to_dict()


@router.get("/declarations/{declaration_id}")
def read_declaration(declaration_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    return declarations.get_declaration(c, actor, declaration_id).to_dict()


@router.put("/declarations/{declaration_id}")
def save_draft(declaration_id: int, body: Draft, c: ContainerDep, actor: ActorDep) -> dict:
    return declarations.save_draft(c, actor, declaration_id, body.values, note=body.note).to_dict()


@router.post("/declarations/{declaration_id}/evidence", status_code=201)
def add_evidence(declaration_id: int, c: ContainerDep, actor: ActorDep, file: Annotated[UploadFile, File()]) -> dict:
    data = file.file.read(c.settings.declaration_evidence_max_bytes + 1)
    return declarations.add_evidence(c, actor, declaration_id, filename=file.filename or "", data=data,
                                     content_type=file.content_type or "").to_dict()


@router.get("/declarations/{declaration_id}/pdf")
def declaration_pdf(declaration_id: int, c: ContainerDep, actor: ActorDep, to_sign: bool = False) -> Response:
    """The PDF with its signatures so far; `to_sign=true`: the copy to sign elsewhere at the current step."""
    fn = declarations.signing_copy if to_sign else declarations.current_pdf
    return _pdf(*fn(c, actor, declaration_id))


@router.post("/declarations/{declaration_id}/sign")
def sign(declaration_id: int, c: ContainerDep, actor: ActorDep, password: Annotated[str, Form(max_length=200)],
         p12: Annotated[UploadFile | None, File()] = None) -> dict:
    """Sign the current step here: with an uploaded PKCS#12, or the key the admin registered."""
    key = p12.file.read(1 << 20) if p12 is not None else b""
    return declarations.sign(c, actor, declaration_id, password=password, p12=key).to_dict()


@router.post("/declarations/{declaration_id}/signed")
def upload_signed(declaration_id: int, c: ContainerDep, actor: ActorDep, file: Annotated[UploadFile, File()]) -> dict:
    """The current step's PDF signed elsewhere (USB token), after downloading it with `to_sign=true`."""
    return declarations.upload_signed(c, actor, declaration_id, file.file.read(64 << 20)).to_dict()


@router.post("/declarations/{declaration_id}/send-back")
def send_back(declaration_id: int, body: SendBack, c: ContainerDep, actor: ActorDep) -> dict:
    return declarations.send_back(c, actor, declaration_id, body.reason).to_dict()


@router.get("/staff/{code}/export-signed")
def export_signed(code: str, c: ContainerDep, actor: ActorDep) -> Response:
    """The approved record's signed PDF (giá trị như bản gốc, QĐ 51/2024 Đ9.4)."""
    return _pdf(*declarations.signed_export(c, actor, code))


class AnnualOpen(BaseModel):
    year: int
    unit: str = Field(..., max_length=32)


@router.post("/annual-updates", status_code=201)
def open_annual(body: AnnualOpen, c: ContainerDep, actor: ActorDep) -> dict:
    return annual_update.open_campaign(c, actor, year=body.year, unit_code=body.unit).to_dict()


@router.get("/annual-updates/{campaign_id}")
def annual_status(campaign_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    return annual_update.campaign_status(c, actor, campaign_id).to_dict()


@router.get("/certificates")
def list_certs(c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [v.to_dict() for v in certificates.list_certificates(c, actor)]


@router.post("/certificates/ca", status_code=201)
def add_ca(c: ContainerDep, actor: ActorDep, file: Annotated[UploadFile, File()]) -> list[dict]:
    return [v.to_dict() for v in certificates.add_ca(c, actor, file.file.read(1 << 20))]


@router.post("/certificates/user", status_code=201)
def add_user_cert(c: ContainerDep, actor: ActorDep, username: Annotated[str, Form(max_length=64)],
                  cert: Annotated[UploadFile | None, File()] = None, p12: Annotated[UploadFile | None, File()] = None,
                  password: Annotated[str, Form(max_length=200)] = "",
                  p12_path: Annotated[str, Form(max_length=500)] = "") -> dict:
    return certificates.add_user_certificate(
        c, actor, username, cert=cert.file.read(1 << 20) if cert else b"", p12=p12.file.read(1 << 20) if p12 else b"",
        password=password, p12_path=p12_path).to_dict()
