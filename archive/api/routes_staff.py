"""Staff records and their lifecycle."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.services import documents, staff, staff_history, staff_lifecycle
from archive.services.form_2c_print import print_form_2c
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
    decision_date: date | None = None  # ngày quyết định: kept as "215/QĐ-UBND ngày 20/11/2026", as the web form does


class TransferIn(BaseModel):
    to_unit_code: str
    decision: str = ""
    effective_date: date | None = None
    decision_date: date | None = None


def _decision(number: str, signed: date | None) -> str:
    return f"{number.strip()} ngày {signed:%d/%m/%Y}" if signed and number.strip() else number


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
                                         decision_ref=_decision(body.decision, body.decision_date)).to_dict()


@router.post("/{code}/transfer")
def transfer(code: str, body: TransferIn, c: ContainerDep, actor: ActorDep) -> dict:
    view, revoked = staff_lifecycle.transfer(c, actor, code, to_unit_code=body.to_unit_code,
                                             decision_ref=_decision(body.decision, body.decision_date),
                                             effective_date=body.effective_date)
    return {**view.to_dict(), "revoked_accounts": revoked}


@router.get("/{code}/documents", tags=["documents"])
def staff_documents(code: str, c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [d.to_dict() for d in documents.list_documents(c, actor, code)]


# -- history rows after creation (quá trình công tác, lương, đào tạo, khen thưởng, kỷ luật, gia đình) --
@router.post("/{code}/history", status_code=201)
def add_history(code: str, body: HistoryEntry, c: ContainerDep, actor: ActorDep) -> dict:
    view, new_id = staff_history.add_history(c, actor, code, body.model_dump(mode="json"))
    return {**view.to_dict(), "history_id": new_id}


@router.put("/{code}/history/{history_id}")
def edit_history(code: str, history_id: int, body: HistoryEntry, c: ContainerDep, actor: ActorDep) -> dict:
    return staff_history.update_history(c, actor, code, history_id, body.model_dump(mode="json")).to_dict()


@router.delete("/{code}/history/{history_id}")
def remove_history(code: str, history_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    return staff_history.remove_history(c, actor, code, history_id).to_dict()


@router.get("/{code}/so-yeu-ly-lich.pdf", response_class=Response)
def print_cv(code: str, c: ContainerDep, actor: ActorDep) -> Response:
    """The sơ yếu lý lịch (Mẫu 2C-BNV/2008) as PDF; protected fields only for a cleared caller."""
    printed = print_form_2c(c, actor, code)
    return Response(printed.data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{printed.file_name}"', "X-Content-Type-Options": "nosniff"})
