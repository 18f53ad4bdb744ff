"""Staff records and their lifecycle."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.services import documents, staff, staff_lifecycle
from archive.services.staff_profile import HistoryEntry, StaffFields

router = APIRouter(prefix="/staff", tags=["staff"])


class StaffIn(BaseModel):
    # the service checks every value again (StaffFields): these types are for clients and the schema
    code: str = Field(min_length=1, max_length=32, examples=["NV0001"])
    full_name: str = Field(min_length=1, max_length=200, examples=["Nguyễn Văn An"])
    unit_code: str = Field(min_length=1, max_length=32)
    birth_date: date | None = None
    gender: str = Field("", max_length=8, examples=["nam", "nu"])
    status: str = Field("dang_cong_tac", max_length=32)
    grade_code: str = Field("", max_length=16)
    restriction_level: int = Field(0, ge=0, le=2)
    profile: dict[str, Any] = Field(default_factory=dict)
    sensitive: dict[str, Any] = Field(default_factory=dict)
    history: list[HistoryEntry] = Field(default_factory=list)


class StatusIn(BaseModel):
    status: str
    effective_date: date | None = None
    decision: str = ""


class TransferIn(BaseModel):
    to_unit_code: str
    decision: str = ""
    effective_date: date | None = None


@router.post("", status_code=201)
def create_staff(body: StaffIn, c: ContainerDep, actor: ActorDep) -> dict:
    data = body.model_dump()
    data["history"] = [h.model_dump(mode="json") for h in body.history]
    return staff.add_staff(c, actor, **data).to_dict()


@router.get("/{code}")
def read_staff(code: str, c: ContainerDep, actor: ActorDep) -> dict:
    return staff.get_staff(c, actor, code).to_dict()


@router.patch("/{code}")
def update_staff(code: str, changes: StaffFields, c: ContainerDep, actor: ActorDep) -> dict:
    """Change the fields given (the others stay as they are)."""
    return staff.update_staff(c, actor, code, changes.model_dump(exclude_unset=True)).to_dict()


@router.post("/{code}/status")
def change_status(code: str, body: StatusIn, c: ContainerDep, actor: ActorDep) -> dict:
    return staff_lifecycle.change_status(c, actor, code, status=body.status, effective_date=body.effective_date,
                                         decision_ref=body.decision).to_dict()


@router.post("/{code}/transfer")
def transfer(code: str, body: TransferIn, c: ContainerDep, actor: ActorDep) -> dict:
    view, revoked = staff_lifecycle.transfer(c, actor, code, to_unit_code=body.to_unit_code,
                                             decision_ref=body.decision, effective_date=body.effective_date)
    return {**view.to_dict(), "revoked_accounts": revoked}


@router.get("/{code}/documents", tags=["documents"])
def staff_documents(code: str, c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [d.to_dict() for d in documents.list_documents(c, actor, code)]
