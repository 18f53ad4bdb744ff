"""Staff records in the search index (hồ sơ cán bộ trong chỉ mục): which need re-indexing, and
what a record's search document holds.

**What marks a record pending.** Any change of the record or of its scope: a new or edited
`Staff` row (name, birth date, status, unit — a transfer —, ngạch, restriction, CV fields), a
new or changed history entry, status change or assignment of it (their decision numbers are
searchable), a new or changed delegation (every record in the delegating unit's subtree
changes scope), a renamed or moved unit (its subtree's unit path), a renamed ngạch (records
holding it). Each adds a row to `staff_index_queue` in the same transaction as the change, so
the queue is exactly as durable as the change: a lost Celery message costs a delay (the
sweeper wakes the index consumer while rows wait), never a stale record.

**Why session events.** The services that make these changes (staff, staff_lifecycle, units,
catalogs) are many and change often; one `after_flush` listener sees every ORM change whatever
service made it, and cannot be forgotten by the next one. Bulk UPDATE statements on `staff` or
`unit_delegations` are caught before they run (`do_orm_execute`), by selecting the rows their
WHERE picks. Not seen: raw SQL text and bulk INSERTs of staff rows (`session.execute(insert(Staff),
rows)`) — nothing in the service writes those tables that way (the benchmarks do, and reindex). The
listeners are registered on SQLAlchemy's `Session` class when this module is imported;
`archive.work.kinds.index` (part of every registry, so of every process that builds a
container) and `archive.services.search` import it.

**What a record holds.** Its names (họ và tên, tên gọi khác), code, birth date, birthplace,
hometown, unit path, status with its date and decision, ngạch with its name, position, and the
decision numbers of its histories, status changes and transfers — never a sensitive field
(those stay encrypted, `archive.crypto`). Scoped like the person's pages (access.scope_codes).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from typing import Any, Iterable

from sqlalchemy import event, insert, literal, select
from sqlalchemy.orm import ORMExecuteState, Session

from archive.domain import STATUS_LABELS, StaffStatus
from archive.models import Assignment, CatalogEntry, Delegation, Staff, StaffHistory, StatusChange, Unit, utcnow
from archive.models.search_state import StaffIndexQueue
from archive.services.access import scope_codes, unit_ancestry
from search import StaffDoc, nfc

NGACH = "ngach"
# Loại cán bộ, from the code the record holds: a mã ngạch công chức is "NN.NNN" (TT 02/2021/TT-BNV),
# a chức danh nghề nghiệp viên chức starts "V." (e.g. V.07.03.08); anything else is "khac".
CATEGORIES = ("cong_chuc", "vien_chuc", "khac")
_CONG_CHUC = re.compile(r"^\d{2}\.\d{3}[a-z]?$", re.IGNORECASE)
_QUEUE = StaffIndexQueue.__table__


def staff_category(grade_code: str) -> str:
    """cong_chuc, vien_chuc or khac (loại cán bộ) from the record's ngạch / chức danh code."""
    code = (grade_code or "").strip()
    if _CONG_CHUC.match(code):
        return "cong_chuc"
    if code.upper().startswith("V."):
        return "vien_chuc"
    return "khac"


# -- marking records pending ---------------------------------------------------------------------
def _queue_staff(session: Session, staff_ids: Iterable[int]) -> None:
    now = utcnow()
    rows = [{"staff_id": i, "queued_at": now} for i in sorted(set(staff_ids)) if i is not None]
    if rows:
        session.connection().execute(insert(_QUEUE), rows)


def _queue_subtrees(session: Session, unit_ids: Iterable[int]) -> None:
    """Every record managed in the subtree of these units."""
    conn = session.connection()
    for unit_id in sorted(set(unit_ids)):
        path = conn.execute(select(Unit.path).where(Unit.id == unit_id)).scalar()
        if not path:
            continue
        under = (select(Staff.id, literal(utcnow()))
                 .join(Unit, Staff.unit_id == Unit.id).where(Unit.path.like(f"{path}%")))
        conn.execute(insert(_QUEUE).from_select(["staff_id", "queued_at"], under))


def _queue_grades(session: Session, codes: Iterable[str]) -> None:
    codes = sorted(set(codes))
    if codes:
        holders = select(Staff.id, literal(utcnow())).where(Staff.grade_code.in_(codes))
        session.connection().execute(insert(_QUEUE).from_select(["staff_id", "queued_at"], holders))


@event.listens_for(Session, "after_flush")
def _changed_records(session: Session, _flush_context: Any) -> None:
    staff: set[int] = set()
    subtrees: set[int] = set()
    grades: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        changed = obj in session.new or obj in session.deleted or session.is_modified(obj, include_collections=False)
        if not changed:
            continue
        if isinstance(obj, Staff):
            if obj not in session.deleted:  # a deleted row takes its queue rows along (cascade)
                staff.add(obj.id)
        elif isinstance(obj, (StaffHistory, StatusChange, Assignment)):
            if obj.staff_id is not None:
                staff.add(obj.staff_id)
        elif isinstance(obj, Delegation):
            subtrees.add(obj.unit_id)
        elif isinstance(obj, Unit) and obj not in session.new:  # a new unit holds nobody yet
            subtrees.add(obj.id)
        elif isinstance(obj, CatalogEntry) and obj.catalog == NGACH:
            grades.add(obj.code)
    if staff:
        still_there = set(session.connection().execute(select(Staff.id).where(Staff.id.in_(staff))).scalars())
        _queue_staff(session, staff & still_there)
    _queue_subtrees(session, subtrees)
    _queue_grades(session, grades)


@event.listens_for(Session, "do_orm_execute")
def _bulk_updates(state: ORMExecuteState) -> None:
    """An ORM-enabled UPDATE of staff or delegations: queue the rows its WHERE picks, first."""
    if not state.is_update or state.bind_mapper is None:
        return
    entity = state.bind_mapper.class_
    where = state.statement.whereclause
    if entity is Staff:
        ids = state.session.execute(select(Staff.id).where(where) if where is not None else select(Staff.id))
        _queue_staff(state.session, ids.scalars())
    elif entity is Delegation:
        units = state.session.execute(select(Delegation.unit_id).where(where) if where is not None
                                      else select(Delegation.unit_id))
        _queue_subtrees(state.session, units.scalars())


# -- what a record's search document holds -------------------------------------------------------
def _day(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _line(label: str, *values: object) -> str:
    shown = ", ".join(nfc(str(v)).strip() for v in values if v not in (None, "") and str(v).strip())
    return f"{label}: {shown}." if shown else ""


def _status_label(code: str) -> str:
    try:
        return STATUS_LABELS[StaffStatus(code)]
    except ValueError:
        return code


def staff_docs(session: Session, staff_ids: list[int]) -> list[StaffDoc]:
    """Search documents of these staff records (missing ids are skipped), with their scope.

    A few queries for the whole batch (staff, units, histories, status changes, assignments,
    ngạch names), not one per record: `archive reindex` reads every record of the archive."""
    if not staff_ids:
        return []
    people = list(session.scalars(select(Staff).where(Staff.id.in_(staff_ids)).order_by(Staff.id)))
    if not people:
        return []
    ids = [p.id for p in people]
    units = {u.id: u for u in session.scalars(select(Unit))}
    grade_names = dict(session.execute(select(CatalogEntry.code, CatalogEntry.name)
                                       .where(CatalogEntry.catalog == NGACH)).all())
    decisions: dict[int, list[str]] = defaultdict(list)
    histories: dict[int, list[str]] = defaultdict(list)
    for staff_id, ref in session.execute(select(StatusChange.staff_id, StatusChange.decision_ref)
                                         .where(StatusChange.staff_id.in_(ids)).order_by(StatusChange.id)):
        decisions[staff_id].append(ref)
    for staff_id, ref in session.execute(select(Assignment.staff_id, Assignment.decision_ref)
                                         .where(Assignment.staff_id.in_(ids)).order_by(Assignment.id)):
        decisions[staff_id].append(ref)
    for h in session.scalars(select(StaffHistory).where(StaffHistory.staff_id.in_(ids)).order_by(StaffHistory.id)):
        histories[h.staff_id].append(h.summary)
        histories[h.staff_id].extend(str(v) for v in (h.details or {}).values())
    scopes: dict[int, tuple[str, ...]] = {}
    paths: dict[int, str] = {}
    docs = []
    for p in people:
        unit = units[p.unit_id]
        if unit.id not in scopes:
            scopes[unit.id] = scope_codes(session, unit)
            paths[unit.id] = " › ".join(u.name for u in unit_ancestry(session, unit))
        profile = p.profile or {}
        status = _status_label(p.status)
        lines = [
            _line("Ngày sinh", _day(p.birth_date)),
            _line("Nơi sinh", profile.get("birth_place")),
            _line("Quê quán", profile.get("hometown")),
            _line("Đơn vị", paths[unit.id]),
            _line("Trạng thái", status, f"từ ngày {_day(p.status_effective_date)}" if p.status_effective_date else "",
                  p.status_decision),
            _line("Ngạch", grade_names.get(p.grade_code, ""), p.grade_code),
            _line("Chức vụ", profile.get("position")),
            _line("Quyết định", *dict.fromkeys(d for d in decisions[p.id] if d)),
            _line("Quá trình", *dict.fromkeys(h for h in histories[p.id] if h)),
        ]
        other = tuple(n.strip() for n in re.split(r"[;,]", profile.get("other_names") or "") if n.strip())
        docs.append(StaffDoc(
            staff_code=p.code, full_name=p.full_name, status=p.status, other_names=other, unit=unit.code,
            text="\n".join(line for line in lines if line),
            birth_date=p.birth_date.isoformat() if p.birth_date else "",
            birth_year=p.birth_date.year if p.birth_date else None,
            status_date=p.status_effective_date.isoformat() if p.status_effective_date else "",
            grade=p.grade_code or "", category=staff_category(p.grade_code), scope_units=scopes[unit.id],
            restriction=p.restriction_level))
    return docs
