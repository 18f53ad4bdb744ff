"""Tổ chức lại đơn vị as JSON: rename, move, merge, dissolve a unit, and read its history."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.services import unit_reorganisation as reorg

router = APIRouter(tags=["units"])


class DecisionIn(BaseModel):
    # the service checks every value again: these bounds are for clients and the schema
    decision_ref: str = Field(max_length=100, examples=["15/QĐ-UBND"])
    decision_date: date | None = None
    effective_date: date | None = None

    def decision(self) -> reorg.Decision:
        return reorg.Decision(ref=self.decision_ref, on=self.decision_date, effective=self.effective_date)


class RenameIn(DecisionIn):
    name: str = Field(max_length=300)


class MoveIn(DecisionIn):
    parent_code: str = Field(max_length=32)


class MergeIn(DecisionIn):
    into: str = Field(max_length=32)
    move_grants: bool = False  # default: grants over the merged unit are revoked


class DissolveIn(DecisionIn):
    successor: str | None = Field(None, max_length=32)
    move_grants: bool = False


@router.post("/units/{code}/rename")
def rename(code: str, body: RenameIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Đổi tên: the code stays, the old name is kept in the history."""
    return reorg.rename_unit(c, actor, code, name=body.name, decision=body.decision()).to_dict()


@router.post("/units/{code}/move")
def move(code: str, body: MoveIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Chuyển trực thuộc: the unit and its subtree under a new parent (cycles refused)."""
    return reorg.move_unit(c, actor, code, parent_code=body.parent_code, decision=body.decision()).to_dict()


@router.post("/units/{code}/merge")
def merge(code: str, body: MergeIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Sáp nhập into `into`: records and child units move to the successor, the unit is kept as merged."""
    return reorg.merge_unit(c, actor, code, into=body.into, decision=body.decision(),
                            move_grants=body.move_grants).to_dict()


@router.post("/units/{code}/dissolve")
def dissolve(code: str, body: DissolveIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Giải thể: refused while the unit holds records or child units, unless a successor takes them."""
    return reorg.dissolve_unit(c, actor, code, decision=body.decision(), successor=body.successor,
                               move_grants=body.move_grants).to_dict()


@router.get("/units/{code}/history")
def history(code: str, c: ContainerDep, actor: ActorDep) -> list[dict]:
    """The unit's reorganisations (and those of units merged into it), oldest first."""
    return [e.to_dict() for e in reorg.unit_history(c, actor, code)]
