"""Lifecycle of a record: status changes (nghỉ hưu, thôi việc, từ trần …) and transfers between units.

Records of people who left are never deleted and stay searchable. A transfer moves the
record, its documents and its access to the receiving unit, keeps who managed it when, and
revokes the person's own account (they left this organisation's systems).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from archive.context import Context
from archive.domain import INDEX_KIND, StaffStatus
from archive.errors import InvalidInput, NotFound
from archive.models import Assignment, StatusChange, Unit, utcnow
from archive.services import audit
from archive.services.access import Action, Actor, check_staff, refuse_ended_unit
from archive.services.accounts import revoke_accounts_of_staff
from archive.services.staff import StaffView, load_staff, mark_for_reindex, parse_status, staff_view


def change_status(c: Context, actor: Actor, code: str, *, status: str, effective_date: date | None = None,
                  decision_ref: str = "") -> StaffView:
    new = parse_status(status).value
    _check_decision(decision_ref)
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, load_staff(s, code), Action.UPDATE)
        old = staff.status
        staff.status, staff.status_effective_date, staff.status_decision = new, effective_date, decision_ref.strip()
        s.add(StatusChange(staff_id=staff.id, status=new, effective_date=effective_date,
                           decision_ref=decision_ref.strip(), recorded_by=actor.name))
        mark_for_reindex(s, staff.id)
        audit.append(s, actor=actor.name, ip=actor.ip, action="staff.status", target_type="staff", target_id=code,
                     details={"before": old, "after": new, "effective": effective_date, "decision": decision_ref})
        uow.commit()
        view = staff_view(c, s, load_staff(s, code), show_sensitive=False)
    if c.queue is not None:
        c.queue.wake(INDEX_KIND)
    return view


def transfer(c: Context, actor: Actor, code: str, *, to_unit_code: str, decision_ref: str = "",
             effective_date: date | None = None) -> tuple[StaffView, list[str]]:
    """Move a record to another unit; returns the view and the usernames whose access was revoked."""
    _check_decision(decision_ref)
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, load_staff(s, code), Action.TRANSFER)
        target = s.scalar(select(Unit).where(Unit.code == to_unit_code))
        if target is None:
            raise NotFound(f"Không tìm thấy đơn vị có mã {to_unit_code}.")
        refuse_ended_unit(s, target)
        if target.id == staff.unit_id:
            raise InvalidInput("Cán bộ đã thuộc đơn vị này.")
        from_code = staff.unit.code
        now = utcnow()
        for a in s.scalars(select(Assignment).where(Assignment.staff_id == staff.id, Assignment.to_at.is_(None))):
            a.to_at = now
        s.add(Assignment(staff_id=staff.id, unit_id=target.id, from_at=now, decision_ref=decision_ref.strip(),
                         effective_date=effective_date))
        staff.unit_id = target.id
        revoked = revoke_accounts_of_staff(s, staff.id, actor, f"chuyển công tác sang {to_unit_code}")
        mark_for_reindex(s, staff.id)
        audit.append(s, actor=actor.name, ip=actor.ip, action="staff.transfer", target_type="staff", target_id=code,
                     details={"from": from_code, "to": to_unit_code, "decision": decision_ref,
                              "effective": effective_date, "revoked_accounts": revoked})
        uow.commit()
        s.expire_all()
        view = staff_view(c, s, load_staff(s, code), show_sensitive=False)
    if c.queue is not None:
        c.queue.wake(INDEX_KIND)
    return view, revoked


__all__ = ["StaffStatus", "change_status", "transfer"]


MAX_DECISION = 100  # the column's length: số quyết định such as "215/QĐ-UBND ngày 01/12/2026"


def _check_decision(decision_ref: str) -> None:
    text = decision_ref.strip()
    if len(text) > MAX_DECISION or not all(ch.isprintable() for ch in text):
        raise InvalidInput(f"Số quyết định tối đa {MAX_DECISION} ký tự, không chứa ký tự điều khiển.")
