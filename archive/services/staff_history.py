"""History rows of a CV after the record exists (quá trình công tác, diễn biến lương, đào tạo bồi
dưỡng, khen thưởng, kỷ luật, quan hệ gia đình): add, edit, remove — scoped and audited.

Each change writes one audit entry with the row before and after (the record's own edits do
the same, services.staff.update_staff). Rows are validated as creating a record validates
them (HistoryEntry); a row is addressed by its id *and* the record's code, so an id from
another dossier is "not found", never edited.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import INDEX_KIND
from archive.errors import InvalidInput, NotFound
from archive.models import StaffHistory
from archive.services import audit
from archive.services.access import Action, Actor, check_staff
from archive.services.staff import (
    StaffView,
    _may_read_sensitive,
    load_staff,
    mark_for_reindex,
    staff_view,
)
from archive.services.staff_profile import HistoryEntry, describe_errors


def _entry(data: object) -> HistoryEntry:
    if not isinstance(data, dict):
        raise InvalidInput(describe_errors([{"type": "dict_type", "loc": ("history",)}]))
    try:
        return HistoryEntry.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe_errors(exc.errors(), prefix=("history",))) from None


def row_dict(h: StaffHistory) -> dict:
    """A row as the audit log and the API show it."""
    return {"id": h.id, "kind": h.kind, "from_date": h.from_date.isoformat() if h.from_date else None,
            "to_date": h.to_date.isoformat() if h.to_date else None, "summary": h.summary,
            "details": dict(h.details or {})}


def _row(s: Session, staff_id: int, history_id: object) -> StaffHistory:
    # a database integer: a larger id names no row (and must not reach the driver, which would overflow)
    row = s.get(StaffHistory, history_id) if isinstance(history_id, int) and 0 < history_id < 2**31 else None
    if row is None or row.staff_id != staff_id:
        raise NotFound(f"Không tìm thấy dòng quá trình số {history_id} trong hồ sơ này.")
    return row


def _finish(c: Context, s: Session, actor: Actor, code: str, staff_id: int, action: str, details: dict,
            uow) -> StaffView:  # noqa: ANN001 — the unit of work of the caller's `with`
    mark_for_reindex(s, staff_id)
    audit.append(s, actor=actor.name, ip=actor.ip, action=action, target_type="staff", target_id=code,
                 details=details)
    uow.commit()
    s.expire_all()
    staff = load_staff(s, code)
    view = staff_view(c, s, staff, show_sensitive=_may_read_sensitive(s, actor, staff))
    if c.queue is not None:
        c.queue.wake(INDEX_KIND)
    return view


def add_history(c: Context, actor: Actor, code: str, entry: dict) -> tuple[StaffView, int]:
    """Add one row; returns the record and the new row's id."""
    e = _entry(entry)
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, load_staff(s, code), Action.UPDATE)
        row = StaffHistory(staff_id=staff.id, kind=e.kind.value, from_date=e.from_date, to_date=e.to_date,
                           summary=e.summary, details=e.details)
        s.add(row)
        s.flush()
        new_id = row.id
        view = _finish(c, s, actor, code, staff.id, "staff.history.add",
                       {"before": None, "after": row_dict(row)}, uow)
    return view, new_id


def update_history(c: Context, actor: Actor, code: str, history_id: int, entry: dict) -> StaffView:
    """Replace one row's fields (its kind may change too)."""
    e = _entry(entry)
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, load_staff(s, code), Action.UPDATE)
        row = _row(s, staff.id, history_id)
        before = row_dict(row)
        row.kind, row.from_date, row.to_date = e.kind.value, e.from_date, e.to_date
        row.summary, row.details = e.summary, dict(e.details)
        s.flush()
        return _finish(c, s, actor, code, staff.id, "staff.history.update",
                       {"before": before, "after": row_dict(row)}, uow)


def remove_history(c: Context, actor: Actor, code: str, history_id: int) -> StaffView:
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, load_staff(s, code), Action.UPDATE)
        row = _row(s, staff.id, history_id)
        before = row_dict(row)
        s.delete(row)
        s.flush()
        return _finish(c, s, actor, code, staff.id, "staff.history.remove", {"before": before, "after": None}, uow)
