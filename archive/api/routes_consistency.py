"""Paper vs record (đối chiếu) as JSON: the findings of a record, a check on demand, resolving a
finding, the value's crop from the page image, and the correction tasks (Cần sửa hồ sơ)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.services import consistency

router = APIRouter(tags=["consistency"])
NO_SNIFF = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}


class ResolveIn(BaseModel):
    resolution: Literal["record_wrong", "paper_wrong", "ocr_misread"]
    note: str = Field(default="", max_length=consistency.MAX_NOTE)


class DoneIn(BaseModel):
    note: str = Field(default="", max_length=consistency.MAX_NOTE)


@router.get("/staff/{code}/consistency")
def get_consistency(code: str, c: ContainerDep, actor: ActorDep) -> dict:
    """The latest check of each sơ yếu lý lịch of the record: per field khop | lech | khong_thay |
    khong_chac, both values, page, box (pixels of the OCR'd page) and confidence."""
    return consistency.get_report(c, actor, code).to_dict()


@router.post("/staff/{code}/consistency/run")
def run_consistency(code: str, c: ContainerDep, actor: ActorDep) -> dict:
    """Check every sơ yếu lý lịch of the record now (auditors and admins in scope)."""
    return consistency.run_check(c, actor, code).to_dict()


@router.post("/consistency/{finding_id}/resolve")
def resolve_finding(finding_id: int, body: ResolveIn, c: ContainerDep, actor: ActorDep) -> dict:
    """record_wrong opens a correction task for HR; paper_wrong and ocr_misread record the judgement."""
    return consistency.resolve(c, actor, finding_id, body.resolution, body.note).to_dict()


@router.get("/consistency/{finding_id}/crop")
def finding_crop(finding_id: int, c: ContainerDep, actor: ActorDep) -> Response:
    """The value's box cut from the page image (PNG)."""
    png = consistency.finding_crop(c, actor, finding_id)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600", **NO_SNIFF})


@router.get("/corrections")
def list_corrections(c: ContainerDep, actor: ActorDep, state: Literal["open", "done"] = "open") -> list[dict]:
    """Correction tasks (Cần sửa hồ sơ) of the records in the caller's scope."""
    return [t.to_dict() for t in consistency.list_corrections(c, actor, state=state)]


@router.post("/corrections/{task_id}/done")
def correction_done(task_id: int, c: ContainerDep, actor: ActorDep, body: DoneIn | None = None) -> dict:
    """HR marks the record corrected."""
    return consistency.complete_correction(c, actor, task_id, body.note if body else "").to_dict()
