"""Cảnh báo hạn cập nhật hồ sơ: every deadline the active profile sets on what the records show, in scope.

Events come from what the database already records — no table of its own:

- **leaving** (nghỉ hưu, thôi việc, từ trần): a status change with its decision's effective date;
- **transfer_out** (chuyển công tác ra ngoài phạm vi quản lý): a status change to `chuyen_cong_tac`;
- **transfer_between_units** (điều động, luân chuyển): a transfer (an assignment after the first)
  with its effective date;
- **recruitment** (tuyển dụng): the record's ngày tuyển dụng (profile `recruitment_date`).

The step a rule asks for is done the day the change was recorded (local date in
ARCHIVE_WEB_TIMEZONE), except where the rule asks for a later step: issuing the person's
account (tp-hcm Đ7.1, rule `account`) is done when an account of the person was created; and a
rule with `needs_document` needs an upload to the record on or after the event as well.
States and rates: archive.services.deadline_rules.

Scope: the records the caller may read (their READ units' subtrees, delegations, clearance),
in the query itself, as the audit views do. A page view is one audit entry (`deadlines.list`),
not one per row, like the staff list.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from archive.context import Context
from archive.domain import StaffStatus
from archive.errors import InvalidInput, NotFound
from archive.jurisdiction import Profile
from archive.models import (
    Assignment,
    Document,
    Staff,
    StatusChange,
    Unit,
    User,
)
from archive.services import audit
from archive.services.access import Action, Actor, require, staff_seen_from
from archive.services.deadline_rules import (
    STATES,
    DeadlineState,
    RecordEvent,
    UnitRate,
    deadline_state,
    unit_rates,
)
from archive.services.office_calendar import active_profile, calendar_of

LEAVING = frozenset({StaffStatus.NGHI_HUU.value, StaffStatus.THOI_VIEC.value, StaffStatus.TU_TRAN.value})
TRANSFER_OUT = StaffStatus.CHUYEN_CONG_TAC.value
# rules whose step is a later one than the change that starts them: rule id → what records it
LATER_STEPS = {"account": "account"}


@dataclass(frozen=True)
class DeadlineReport:
    """What the Cảnh báo dashboard shows: rows (most urgent first) and the rates of each unit."""

    rows: list[DeadlineState]
    units: list[UnitRate]
    today: date
    warn_days: int

    def to_dict(self) -> dict:
        return {"today": self.today.isoformat(), "warn_days": self.warn_days,
                "rows": [r.to_dict() for r in self.rows], "units": [u.to_dict() for u in self.units]}


def _visible_staff(session: Session, actor: Actor) -> ColumnElement[bool]:
    """The SQL condition a staff row meets when the actor may read the record (as audit_views)."""
    if actor.is_system:
        return true()
    units = list(session.scalars(select(Unit).where(Unit.code.in_(actor.units_for(Action.READ)))))
    if not units:
        return false()
    return staff_seen_from(units, actor.clearance)


def staff_in_view(session: Session, actor: Actor, unit: str = "") -> ColumnElement[bool]:
    """Records the actor may read, within `unit`'s subtree when one is named (404 for a unit they
    cannot see) — the dashboard's and the warnings' population."""
    cond = _visible_staff(session, actor)
    if not unit:
        return cond
    chosen = session.scalar(select(Unit).where(Unit.code == unit))
    if chosen is None or not (actor.is_system or _sees_unit(session, actor, chosen)):
        raise NotFound(f"Không tìm thấy đơn vị có mã {unit[:32]}.")
    return and_(cond, Staff.unit_id.in_(select(Unit.id).where(Unit.path.like(f"{chosen.path}%"))))


def local_date(moment: datetime, zone: str) -> date:
    """The office's calendar day of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date()


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def check_state(state: str) -> str:
    if state and state not in STATES:
        raise InvalidInput(f"Trạng thái hạn không hợp lệ; chọn một trong: {', '.join(STATES)}.")
    return state


def _events(s: Session, cond: ColumnElement[bool], zone: str) -> tuple[list[RecordEvent], dict, dict]:
    """The events of visible records, with each staff's upload days and first account day."""
    staff_rows = s.execute(select(Staff, Unit).join(Unit, Staff.unit_id == Unit.id).where(cond)).all()
    people = {st.id: (st, u) for st, u in staff_rows}
    if not people:
        return [], {}, {}
    ids = list(people)

    def event(staff_id: int, code: str, on: date, done: date | None, ref: str = "") -> RecordEvent:
        st, u = people[staff_id]
        return RecordEvent(st.code, st.full_name, u.code, u.name, code, on, done, ref)

    events: list[RecordEvent] = []
    for ch in s.scalars(select(StatusChange).where(StatusChange.staff_id.in_(ids),
                                                   StatusChange.effective_date.is_not(None))):
        kind = "leaving" if ch.status in LEAVING else "transfer_out" if ch.status == TRANSFER_OUT else None
        if kind:
            events.append(event(ch.staff_id, kind, ch.effective_date, local_date(ch.recorded_at, zone),
                                ch.decision_ref))
    first: dict[int, int] = {}
    assignments = s.scalars(select(Assignment).where(Assignment.staff_id.in_(ids))
                            .order_by(Assignment.from_at, Assignment.id)).all()
    for a in assignments:
        first.setdefault(a.staff_id, a.id)
    # a merge moves records to the successor unit (unit_reorganisation): no transfer deadline for that
    ended = {u.id: u.successor_id for u in s.scalars(select(Unit).where(Unit.ended_at.is_not(None)))}
    previous: dict[int, int] = {}
    reorganised: set[int] = set()
    for a in assignments:
        before = previous.get(a.staff_id)
        if before is not None and ended.get(before) == a.unit_id:
            reorganised.add(a.id)
        previous[a.staff_id] = a.unit_id
    for a in assignments:
        if a.id != first[a.staff_id] and a.effective_date is not None and a.id not in reorganised:
            events.append(event(a.staff_id, "transfer_between_units", a.effective_date,
                                local_date(a.from_at, zone), a.decision_ref))
    for staff_id, (st, _u) in people.items():
        recruited = _as_date((st.profile or {}).get("recruitment_date"))
        if recruited is not None:
            events.append(event(staff_id, "recruitment", recruited, local_date(st.created_at, zone)))

    code_of = {staff_id: st.code for staff_id, (st, _u) in people.items()}
    uploads: dict[str, list[date]] = {}
    for staff_id, created in s.execute(select(Document.staff_id, Document.created_at)
                                       .where(Document.staff_id.in_(ids))):
        uploads.setdefault(code_of[staff_id], []).append(local_date(created, zone))
    accounts: dict[str, date] = {}
    for staff_id, created in s.execute(select(User.staff_id, User.created_at).where(User.staff_id.in_(ids))):
        day, code = local_date(created, zone), code_of[staff_id]
        accounts[code] = min(day, accounts.get(code, day))
    # issue 18: what declarations recorded (account_issued → declared → verified; personal_change → declared_change)
    from archive.services.declaration_views import deadline_events

    events += deadline_events(s, people, accounts, zone)
    return events, uploads, accounts


def deadline_report(c: Context, actor: Actor, *, state: str = "", unit: str = "",
                    profile: Profile | None = None) -> DeadlineReport:
    """Deadlines of the records the actor may read, most urgent first, and each unit's rates.

    `unit` narrows to that unit's subtree (it must be one the actor sees); `state` to one state.
    `profile`: the active one (ARCHIVE_PROFILE) unless given."""
    require(actor, Action.READ)
    check_state(state)
    profile = profile or active_profile(c)
    zone, warn = c.settings.web_timezone, c.settings.deadline_warn_days
    today = local_date(c.clock(), zone)
    with c.uow() as uow:
        s = uow.session
        cond = staff_in_view(s, actor, unit)
        calendar = calendar_of(s)
        events, uploads, accounts = _events(s, cond, zone)
        rows: list[DeadlineState] = []
        for e in events:
            for rule in profile.rules_for(e.event):
                if LATER_STEPS.get(rule.id) == "account":
                    e_step = replace(e, step_done_on=accounts.get(e.staff_code))
                else:
                    e_step = e
                doc = min((d for d in uploads.get(e.staff_code, []) if d >= e.event_date), default=None)
                rows.append(deadline_state(e_step, rule, today=today, calendar=calendar, document_on=doc,
                                           warn_days=warn))
        rates = unit_rates(rows)
        shown = [r for r in rows if not state or r.state == state]
        shown.sort(key=lambda r: (STATES.index(r.state), r.due, r.event.unit_code, r.event.staff_code))
        audit.append(s, actor=actor.name, ip=actor.ip, action="deadlines.list", target_type="deadlines",
                     details={"state": state, "unit": unit, "rows": len(shown)})
        uow.commit()
    return DeadlineReport(shown, rates, today, warn)


def _sees_unit(s: Session, actor: Actor, unit: Unit) -> bool:
    """A unit in the actor's READ subtree (it may have no records yet)."""
    ids = [int(i) for i in unit.path.strip("/").split("/") if i]
    codes = set(s.scalars(select(Unit.code).where(Unit.id.in_(ids))))
    return bool(codes & actor.units_for(Action.READ))
