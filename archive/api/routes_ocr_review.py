"""Cần xem lại as JSON: OCR'd pages that need a person, in the caller's scope, and "đã xem"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from archive.api.deps import ActorDep, ContainerDep
from archive.services import ocr_review

router = APIRouter(tags=["review"])


@router.get("/review/pages")
def list_review_pages(c: ContainerDep, actor: ActorDep,
                      unit: Annotated[str, Query(max_length=32, description="mã đơn vị (cả đơn vị cấp dưới)")] = "",
                      uploader: Annotated[str, Query(max_length=100, description="tên đăng nhập người tải lên")] = "",
                      batch: Annotated[int | None, Query(ge=1, description="số lô tiếp nhận")] = None,
                      limit: Annotated[int, Query(ge=1, le=ocr_review.MAX_ROWS)] = ocr_review.MAX_ROWS) -> dict:
    """Pages flagged by the OCR review rule (blank, rotated, unsure) nobody has marked reviewed yet."""
    rows = ocr_review.review_list(c, actor, unit=unit, uploader=uploader, batch=batch, limit=limit)
    return {"pages": [r.to_dict() for r in rows]}


@router.post("/review/pages/{page_id}/done")
def mark_page_reviewed(page_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    """A person looked at the page: it leaves the list (audited as page.review_done)."""
    return ocr_review.mark_reviewed(c, actor, page_id).to_dict()
