"""What a declaration looks like to the doors, the verifiers' queue, and the deadline events it records.

`view_of` gives a declaration field by field against the approved record (the diff verifiers
check against the originals), its evidence, signatures and each step's due day from the profile;
`declaration_queue` lists those the actor may see (their own, and records in their READ scope);
`deadline_events` turns recorded steps into the dashboard's events (archive.services.deadlines):
`account_issued` → declare (done when first declared), `declared` → verify, `verified` → approve,
`personal_change` → declare the change, `declared_change` → approve it (TP.HCM QĐ 51/2024 Đ7.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.jurisdiction import due
from archive.models import (
    AnnualUpdateCampaign,
    Declaration,
    DeclarationEvidence,
    DeclarationSignature,
    Staff,
    Unit,
)
from archive.services import audit
from archive.services.access import Action, Actor, require, staff_seen_from
from archive.services.deadline_rules import RecordEvent
from archive.services.declaration_rules import (
    KINDS,
    ROUTES,
    STATE_LABELS,
    STATES,
    declarable_fields,
    field_label,
)
from archive.services.office_calendar import active_profile, calendar_of


def _local(moment: datetime | None, zone: str) -> date | None:
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date() if moment else None


@dataclass(frozen=True)
class FieldRow:
    key: str
    label: str
    approved: str
    declared: str

    @property
    def changed(self) -> bool:
        return self.approved != self.declared


@dataclass(frozen=True)
class StepDue:
    step: str          # declare | verify | approve
    rule: str          # profile rule id ("" for the annual campaign's own term)
    article: str
    due: date
    done_on: date | None

    @property
    def overdue_on(self) -> bool:
        return self.done_on is not None and self.done_on > self.due


@dataclass(frozen=True)
class DeclarationView:
    id: int
    staff_code: str
    staff_name: str
    unit_code: str
    unit_name: str
    kind: str
    state: str
    route: str
    fields: list[FieldRow]
    evidence: list[dict] = field(default_factory=list)
    signatures: list[dict] = field(default_factory=list)
    deadlines: list[StepDue] = field(default_factory=list)
    note: str = ""
    sent_back_reason: str = ""
    sent_back_by: str = ""
    declared_by: str = ""
    verified_by: str = ""
    approved_by: str = ""
    has_pdf: bool = False
    campaign_year: int | None = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def route_label(self) -> str:
        return ROUTES.get(self.route, self.route)

    @property
    def changed_fields(self) -> list[FieldRow]:
        return [f for f in self.fields if f.changed]

    @property
    def next_due(self) -> StepDue | None:
        return next((d for d in self.deadlines if d.done_on is None), None)

    def to_dict(self) -> dict:
        return {"id": self.id, "staff_code": self.staff_code, "staff_name": self.staff_name, "unit": self.unit_code,
                "kind": self.kind, "state": self.state, "state_label": self.state_label, "route": self.route,
                "fields": [{"key": f.key, "label": f.label, "approved": f.approved, "declared": f.declared,
                            "changed": f.changed} for f in self.fields],
                "evidence": self.evidence, "signatures": self.signatures,
                "deadlines": [{"step": d.step, "rule": d.rule, "article": d.article, "due": d.due.isoformat(),
                               "done_on": d.done_on.isoformat() if d.done_on else None} for d in self.deadlines],
                "note": self.note, "sent_back_reason": self.sent_back_reason, "sent_back_by": self.sent_back_by,
                "declared_by": self.declared_by, "verified_by": self.verified_by, "approved_by": self.approved_by,
                "campaign_year": self.campaign_year}


def _text(value: object) -> str:
    return "" if value is None else str(value)


# step → (rule id for a first declaration, rule id for a change) and the recorded moment that starts it
_STEP_RULES = {"declare": ("declare", "personal_change"), "verify": ("verify", None),
               "approve": ("approve", "personal_change_approve")}


def _deadlines(c: Context, s: Session, d: Declaration, account_day: date | None,
               campaign: AnnualUpdateCampaign | None) -> list[StepDue]:
    profile, zone = active_profile(c), c.settings.web_timezone
    cal = calendar_of(s)
    declared, verified, approved = (_local(d.declared_at, zone), _local(d.verified_at, zone),
                                    _local(d.approved_at, zone))
    ids = {r.id: r for r in profile.rules}
    out: list[StepDue] = []
    if campaign is not None:
        out.append(StepDue("declare", "", campaign.article, campaign.due_on, declared))
    elif d.kind == "change" and "personal_change" in ids and d.event_date:
        r = ids["personal_change"]
        out.append(StepDue("declare", r.id, r.article, due(r, d.event_date, cal), declared))
    elif "declare" in ids and (account_day or d.event_date):
        r = ids["declare"]
        out.append(StepDue("declare", r.id, r.article, due(r, account_day or d.event_date, cal), declared))
    if declared and d.kind != "change" and "verify" in ids:
        r = ids["verify"]
        out.append(StepDue("verify", r.id, r.article, due(r, declared, cal), verified))
    if d.kind == "change" and declared and "personal_change_approve" in ids:
        r = ids["personal_change_approve"]
        out.append(StepDue("approve", r.id, r.article, due(r, declared, cal), approved))
    elif verified and "approve" in ids:
        r = ids["approve"]
        out.append(StepDue("approve", r.id, r.article, due(r, verified, cal), approved))
    return out


def view_of(c: Context, s: Session, actor: Actor, d: Declaration) -> DeclarationView:
    from archive.models import User

    staff = s.get(Staff, d.staff_id)
    unit = s.get(Unit, staff.unit_id)
    profile = staff.profile or {}
    fields = []
    for k in declarable_fields(c.settings.profile):
        # once applied the record holds the declared values: "approved" is then what it was declared against
        approved = _text(d.baseline.get(k, "")) if d.state == "applied" else _text(profile.get(k, ""))
        fields.append(FieldRow(k, field_label(k), approved, _text(d.changes.get(k, approved))))
    evidence = [{"id": e.id, "filename": e.filename, "content_type": e.content_type, "sha256": e.sha256,
                 "size": e.size, "uploaded_by": e.uploaded_by}
                for e in s.scalars(select(DeclarationEvidence).where(DeclarationEvidence.declaration_id == d.id)
                                   .order_by(DeclarationEvidence.id))]
    signatures = [{"step": g.step, "signer": g.signer, "subject": g.subject, "fingerprint": g.fingerprint,
                   "method": g.method, "signed_at": g.signed_at.isoformat() + "Z"}
                  for g in s.scalars(select(DeclarationSignature).where(DeclarationSignature.declaration_id == d.id)
                                     .order_by(DeclarationSignature.id))]
    # the current PDF's signatures: from the last declaration's signature on (a send-back starts a new PDF)
    starts = [i for i, g in enumerate(signatures) if g["step"] == "declare"]
    signatures = [] if d.state in ("draft", "sent_back") or not starts else signatures[starts[-1]:]
    first_account = s.scalar(select(User.created_at).where(User.staff_id == staff.id).order_by(User.created_at)
                             .limit(1))
    campaign = s.get(AnnualUpdateCampaign, d.campaign_id) if d.campaign_id else None
    return DeclarationView(
        id=d.id, staff_code=staff.code, staff_name=staff.full_name, unit_code=unit.code, unit_name=unit.name,
        kind=d.kind, state=d.state, route=d.route, fields=fields, evidence=evidence, signatures=signatures,
        deadlines=_deadlines(c, s, d, _local(first_account, c.settings.web_timezone) if d.kind == "initial" else None,
                             campaign),
        note=d.note, sent_back_reason=d.sent_back_reason, sent_back_by=d.sent_back_by, declared_by=d.declared_by,
        verified_by=d.verified_by, approved_by=d.approved_by, has_pdf=bool(d.pdf_sha256),
        campaign_year=campaign.year if campaign else None)


def declaration_queue(c: Context, actor: Actor, *, state: str = "", mine: bool = False) -> list[DeclarationView]:
    """Declarations the actor may see, open ones first: their own, and (unless `mine`) their READ scope's."""
    from archive.errors import InvalidInput

    if state and state not in STATES:
        raise InvalidInput(f"Trạng thái không hợp lệ; chọn một trong: {', '.join(STATES)}.")
    with c.uow() as uow:
        s = uow.session
        conds = []
        if actor.staff_id is not None:
            conds.append(Declaration.staff_id == actor.staff_id)
        if actor.is_system:
            conds = [Declaration.id.is_not(None)]
        elif not mine and actor.may_somewhere(Action.READ):
            units = list(s.scalars(select(Unit).where(Unit.code.in_(actor.units_for(Action.READ)))))
            if units:
                # others' drafts are the person's own business until they sign
                conds.append(Declaration.staff_id.in_(select(Staff.id).where(staff_seen_from(units,
                                                                                           actor.clearance)))
                             & (Declaration.state != "draft"))
        if not conds:
            if actor.staff_id is None:
                require(actor, Action.READ)
            return []
        q = select(Declaration).where(or_(*conds))
        if state:
            q = q.where(Declaration.state == state)
        rows = s.scalars(q.order_by(Declaration.id.desc()).limit(500)).all()
        views = [view_of(c, s, actor, d) for d in rows]
        audit.append(s, actor=actor.name, ip=actor.ip, action="declaration.list", target_type="declaration",
                     details={"state": state, "rows": len(views)})
        uow.commit()
    order = {"declared": 0, "verified": 1, "sent_back": 2, "draft": 3, "approved": 4, "applied": 5}
    return sorted(views, key=lambda v: (order.get(v.state, 9), v.next_due.due if v.next_due else date.max, -v.id))


def deadline_events(s: Session, people: dict, accounts: dict[str, date], zone: str) -> list[RecordEvent]:
    """The dashboard's events from what declarations recorded, for the records in `people` (id → (Staff, Unit))."""
    if not people:
        return []
    rows = s.scalars(select(Declaration).where(Declaration.staff_id.in_(list(people)))
                     .order_by(Declaration.id)).all()

    def event(staff_id: int, code: str, on: date, done: date | None, ref: str = "") -> RecordEvent:
        st, u = people[staff_id]
        return RecordEvent(st.code, st.full_name, u.code, u.name, code, on, done, ref)

    out: list[RecordEvent] = []
    first_declared: dict[int, date] = {}
    for d in rows:
        declared, verified, approved = (_local(d.declared_at, zone), _local(d.verified_at, zone),
                                        _local(d.approved_at, zone))
        ref = f"kê khai số {d.id}"
        if d.kind == "initial" and declared:
            first_declared[d.staff_id] = min(declared, first_declared.get(d.staff_id, declared))
        if d.kind == "change":
            if d.event_date:
                out.append(event(d.staff_id, "personal_change", d.event_date, declared, ref))
            if declared:
                out.append(event(d.staff_id, "declared_change", declared, approved, ref))
        elif d.kind == "initial":
            if declared:
                out.append(event(d.staff_id, "declared", declared, verified, ref))
            if verified:
                out.append(event(d.staff_id, "verified", verified, approved, ref))
    for staff_id, (st, _u) in people.items():
        if st.code in accounts:
            out.append(event(staff_id, "account_issued", accounts[st.code], first_declared.get(staff_id)))
    return out
