"""Thành phần hồ sơ (completeness), kho hồ sơ giấy (locations, boxes), nhãn QR and mượn / trả hồ sơ."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.services import completeness, inventory, labels, loans

router = APIRouter(tags=["inventory"])
PDF_HEADERS = {"Content-Disposition": 'attachment; filename="nhan-ho-so.pdf"', "X-Content-Type-Options": "nosniff"}


class LocationIn(BaseModel):
    kho: str = Field(max_length=200, examples=["Kho 1"])
    gia: str = Field(max_length=200, examples=["Giá 03"])
    hop: str = Field(max_length=200, examples=["Hộp 015"])
    stt: int = Field(examples=[4])
    paper_pages: int | None = Field(None, examples=[27])


class ComponentIn(BaseModel):
    name: str = Field(max_length=400)
    document_types: list[str] = Field(max_length=50)
    required: bool = True
    statuses: list[str] = Field(default_factory=list, max_length=10)
    categories: list[str] = Field(default_factory=list, max_length=10)
    source: str = Field("", max_length=4000)
    active: bool = True


class LoanIn(BaseModel):
    borrower_name: str = Field("", max_length=400)
    borrower_unit: str = Field("", max_length=400)
    borrower_user: str = Field("", max_length=100)
    purpose: str = Field(max_length=2000)
    due_date: date
    lent_on: date | None = None


class ReturnIn(BaseModel):
    note: str = Field("", max_length=2000)


class LabelsIn(BaseModel):
    staff: list[str] = Field(default_factory=list, max_length=1000)
    boxes: list[str] = Field(default_factory=list, max_length=100)
    with_dossiers: bool = False


def _pdf(data: bytes) -> Response:
    return Response(data, media_type="application/pdf", headers=PDF_HEADERS)


@router.get("/staff/{code}/completeness", tags=["staff"])
def staff_completeness(code: str, c: ContainerDep, actor: ActorDep) -> dict:
    return completeness.dossier_completeness(c, actor, code).to_dict()


@router.get("/completeness")
def completeness_list(c: ContainerDep, actor: ActorDep, unit: str = "", incomplete: bool = False) -> dict:
    """Per-unit rates and the dossiers (incomplete=1: only those lacking a required component)."""
    return completeness.completeness_report(c, actor, unit=unit).to_dict(incomplete_only=incomplete)


@router.get("/completeness/components")
def list_components(c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [x.to_dict() for x in completeness.list_components(c, actor)]


@router.put("/completeness/components/{code}")
def set_component(code: str, body: ComponentIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Add or change a checklist row (root admin)."""
    return completeness.set_component(c, actor, code, name=body.name, document_types=body.document_types,
                                      required=body.required, statuses=body.statuses, categories=body.categories,
                                      source=body.source, active=body.active).to_dict()


@router.get("/staff/{code}/location", tags=["staff"], response_model=None)
def get_location(code: str, c: ContainerDep, actor: ActorDep) -> dict | Response:
    loc = inventory.get_location(c, actor, code)
    return loc.to_dict() if loc else Response(status_code=204)


@router.put("/staff/{code}/location", tags=["staff"])
def set_location(code: str, body: LocationIn, c: ContainerDep, actor: ActorDep) -> dict:
    return inventory.set_location(c, actor, code, kho=body.kho, gia=body.gia, hop=body.hop, stt=body.stt,
                                  paper_pages=body.paper_pages).to_dict()


@router.get("/boxes")
def list_boxes(c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [b.to_dict() for b in inventory.list_boxes(c, actor)]


@router.get("/boxes/{code}")
def get_box(code: str, c: ContainerDep, actor: ActorDep) -> dict:
    return inventory.get_box(c, actor, code).to_dict()


@router.get("/staff/{code}/label.pdf", tags=["staff"])
def staff_label(code: str, c: ContainerDep, actor: ActorDep) -> Response:
    return _pdf(labels.label_sheet(c, actor, staff_codes=[code]))


@router.get("/boxes/{code}/labels.pdf")
def box_labels(code: str, c: ContainerDep, actor: ActorDep, with_dossiers: bool = True) -> Response:
    return _pdf(labels.label_sheet(c, actor, box_codes=[code], box_with_dossiers=with_dossiers))


@router.post("/labels")
def label_sheet(body: LabelsIn, c: ContainerDep, actor: ActorDep) -> Response:
    """A label sheet for a list of dossiers and boxes (PDF)."""
    return _pdf(labels.label_sheet(c, actor, staff_codes=body.staff, box_codes=body.boxes,
                                   box_with_dossiers=body.with_dossiers))


@router.get("/labels/resolve")
def resolve_label(text: str, c: ContainerDep, actor: ActorDep) -> dict:
    """What a scanned (or typed) label names: {kind, code, title, url}."""
    return labels.resolve_label(c, actor, text).to_dict()


@router.get("/staff/{code}/loans", tags=["staff"])
def staff_loans(code: str, c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [x.to_dict() for x in loans.loans_of_staff(c, actor, code)]


@router.post("/staff/{code}/loans", tags=["staff"], status_code=201)
def lend(code: str, body: LoanIn, c: ContainerDep, actor: ActorDep) -> dict:
    return loans.lend(c, actor, code, borrower_name=body.borrower_name, borrower_unit=body.borrower_unit,
                      borrower_user=body.borrower_user, purpose=body.purpose, due_date=body.due_date,
                      lent_on=body.lent_on).to_dict()


@router.post("/staff/{code}/loans/return", tags=["staff"])
def give_back(code: str, body: ReturnIn, c: ContainerDep, actor: ActorDep) -> dict:
    return loans.return_loan(c, actor, code, note=body.note).to_dict()


@router.get("/loans")
def list_loans(c: ContainerDep, actor: ActorDep, overdue: bool = False, open: bool = False) -> list[dict]:
    return [x.to_dict() for x in loans.list_loans(c, actor, overdue=overdue, open_only=open)]
