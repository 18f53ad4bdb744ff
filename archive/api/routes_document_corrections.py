"""Document corrections (hiệu chỉnh tài liệu): retype, move, withdraw, re-OCR, rotate a page; merge,
split, reorder pages (page references).

Thin: parse, call archive.services.document_corrections (scoped, audited, archivist/admin only),
render. The stored original is never touched by any of these.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.services import document_corrections as dc, page_references

router = APIRouter(tags=["documents"])


class RetypeIn(BaseModel):
    document_type: str = Field(..., max_length=64, json_schema_extra={"example": "quyet_dinh_nang_luong"})


class MoveIn(BaseModel):
    staff_code: str = Field(..., max_length=32, json_schema_extra={"example": "NV002"})
    reason: str = Field("", max_length=2000)


class WithdrawIn(BaseModel):
    reason: str = Field(..., max_length=2000, json_schema_extra={"example": "Nộp nhầm bản nháp"})


class RotateIn(BaseModel):
    turn: int = Field(..., description="90 (phải), 180, 270 hoặc -90 (trái), theo chiều kim đồng hồ")


@router.patch("/documents/{document_id}")
def retype(document_id: int, body: RetypeIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Change the document type (đổi loại tài liệu); the retention term is recomputed."""
    return dc.change_type(c, actor, document_id, body.document_type).to_dict()


@router.post("/documents/{document_id}/move")
def move(document_id: int, body: MoveIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Move to the right dossier (chuyển hồ sơ); 409 when that dossier already holds the same bytes."""
    return dc.move_to_dossier(c, actor, document_id, body.staff_code, body.reason).to_dict()


@router.post("/documents/{document_id}/withdraw")
def withdraw(document_id: int, body: WithdrawIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Withdraw (thu hồi) with a reason: out of search and the dossier, kept in the store."""
    return dc.withdraw(c, actor, document_id, body.reason).to_dict()


@router.post("/documents/{document_id}/reocr", status_code=202)
def reocr(document_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    """Read the document again (nhận dạng lại); its pages are replaced when the job finishes."""
    return dc.reocr_document(c, actor, document_id).to_dict()


@router.post("/documents/{document_id}/pages/{number}/rotate", status_code=202)
def rotate(document_id: int, number: int, body: RotateIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Turn one page (xoay trang); that page is read again from the original, turned."""
    rotation = dc.rotate_page(c, actor, document_id, number, body.turn)
    return {"document_id": document_id, "page": number, "rotation": rotation}


@router.get("/documents/{document_id}/corrections")
def corrections(document_id: int, c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [v.to_dict() for v in dc.history(c, actor, document_id)]


@router.get("/withdrawn-documents")
def withdrawn(c: ContainerDep, actor: ActorDep, staff_code: str | None = None) -> list[dict]:
    """Đã thu hồi: withdrawn documents of the dossiers the caller audits (admins, auditors)."""
    return [v.to_dict() for v in dc.list_withdrawn(c, actor, staff_code)]


class MergeIn(BaseModel):
    documents: list[int] = Field(..., max_length=page_references.MAX_MERGE, json_schema_extra={"example": [12, 15]},
                                 description="tài liệu cần gộp, cùng một hồ sơ; tài liệu đầu tiên giữ số và nhận mọi trang")
    order: list[int] | None = Field(None, max_length=100_000, json_schema_extra={"example": [2, 1, 3]},
                                    description="thứ tự trang sau khi gộp: vị trí trong dãy các trang nối tiếp nhau")


class SplitIn(BaseModel):
    at_page: int = Field(..., description="trang đầu tiên của tài liệu mới (từ 2 đến số trang)")


class ReorderIn(BaseModel):
    order: list[int] = Field(..., max_length=100_000, json_schema_extra={"example": [3, 1, 2]},
                             description="trang cũ ở từng vị trí mới: một hoán vị của 1…n")


@router.post("/documents/merge")
def merge(body: MergeIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Gộp tài liệu của một hồ sơ into the first one; the others are withdrawn as merged, kept in the store."""
    return page_references.merge(c, actor, body.documents, body.order).to_dict()


@router.post("/documents/{document_id}/split")
def split(document_id: int, body: SplitIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Tách tài liệu: pages from `at_page` on become a new document of the same dossier."""
    first, new = page_references.split(c, actor, document_id, body.at_page)
    return {"document": first.to_dict(), "new_document": new.to_dict()}


@router.post("/documents/{document_id}/reorder")
def reorder(document_id: int, body: ReorderIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Sắp xếp lại trang; moved pages keep their text (no new OCR)."""
    return page_references.reorder(c, actor, document_id, body.order).to_dict()
