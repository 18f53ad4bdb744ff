"""Retention schedule (thời hạn bảo quản), legal holds (phong tỏa) and dispositions (hủy tài liệu)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.services import disposition, legal_hold, retention

router = APIRouter(tags=["retention"])


class RuleIn(BaseModel):
    permanent: bool
    years: int | None = Field(None, examples=[10])
    counted_from: str = Field("document_date", examples=list(retention.COUNTED_FROM))
    decision: str = Field("", max_length=200, examples=["05/QĐ-UBND"])
    reason: str = Field("", max_length=4000)


class HoldIn(BaseModel):
    document_id: int | None = None
    staff_code: str | None = None
    reason: str = Field(max_length=4000)
    reference: str = Field(max_length=200, examples=["15/QĐ-TTr"])


class ReleaseIn(BaseModel):
    reason: str = Field(max_length=4000)


class ApproveIn(BaseModel):
    decision_number: str = Field(max_length=200, examples=["09/QĐ-UBND"])
    decision_date: date | None = None


@router.get("/retention/rules")
def list_rules(c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [r.to_dict() for r in retention.list_rules(c, actor)]


@router.put("/retention/rules/{document_type}")
def set_rule(document_type: str, body: RuleIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Lengthen freely; shorten only with a decision number and a reason (409 otherwise)."""
    return retention.set_rule(c, actor, document_type, permanent=body.permanent, years=body.years,
                              counted_from=body.counted_from, decision_ref=body.decision,
                              reason=body.reason).to_dict()


@router.post("/retention/apply", status_code=202)
def apply_pass(c: ContainerDep, actor: ActorDep) -> dict:
    return {"job": retention.enqueue_pass(c, actor)}


@router.get("/documents/{document_id}/retention", tags=["documents"])
def document_retention(document_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    return retention.document_retention(c, actor, document_id).to_dict()


@router.post("/legal-holds", status_code=201)
def place_hold(body: HoldIn, c: ContainerDep, actor: ActorDep) -> dict:
    return legal_hold.place_hold(c, actor, reason=body.reason, reference=body.reference,
                                 document_id=body.document_id, staff_code=body.staff_code).to_dict()


@router.post("/legal-holds/{hold_id}/release")
def release_hold(hold_id: int, body: ReleaseIn, c: ContainerDep, actor: ActorDep) -> dict:
    return legal_hold.release_hold(c, actor, hold_id, reason=body.reason).to_dict()


@router.get("/staff/{code}/legal-holds", tags=["staff"])
def staff_holds(code: str, c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [h.to_dict() for h in legal_hold.holds_of_staff(c, actor, code)]


@router.get("/staff/{code}/dispositions", tags=["staff"])
def staff_dispositions(code: str, c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [r.to_dict() for r in disposition.records_of_staff(c, actor, code)]


@router.get("/dispositions")
def list_proposals(c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [p.to_dict() for p in disposition.list_proposals(c, actor)]


@router.post("/dispositions", status_code=201, response_model=None)
def propose(c: ContainerDep, actor: ActorDep) -> Response | dict:
    """Lập danh mục tài liệu hết giá trị now; 204 when no document's term has ended."""
    p = disposition.propose(c, actor)
    return Response(status_code=204) if p is None else p.to_dict()


@router.get("/dispositions/{proposal_id}")
def get_proposal(proposal_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    return disposition.get_proposal(c, actor, proposal_id).to_dict()


@router.post("/dispositions/{proposal_id}/approve")
def approve(proposal_id: int, body: ApproveIn, c: ContainerDep, actor: ActorDep) -> dict:
    """One council member's approval; the second, by another person, carries the decision out."""
    return disposition.approve(c, actor, proposal_id, decision_number=body.decision_number,
                               decision_date=body.decision_date).to_dict()
