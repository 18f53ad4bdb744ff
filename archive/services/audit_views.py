"""What auditors (kiểm tra) may read of the audit log, and the chain check.

An auditor reads the entries their AUDIT scope and clearance cover — the log is filtered like
every record, in the query itself, so pages, offsets and counts never reach hidden entries.
Each entry is attributed to what it is about:

- **staff** (target a staff code): the record's current scope — its managing unit, that
  unit's ancestors, and through active delegations the delegate and its ancestors (as
  `access.scope_codes`) — and it must be within the auditor's clearance (độ hạn chế).
- **document** (target a document id): its staff member's record, as above (the document
  table says whose it is; for a document no longer there, the `staff` code in the details).
- **user** (target a username: logins, grants, resets, tokens) and entries that have no
  record as target (searches, audit browsing…), attributed to their **actor**: the account
  must lie wholly inside the auditor's scope — its home unit and the scope of every grant it
  was ever given — and its clearance must not exceed the auditor's. So an officer's search
  terms are read only by auditors who cover everything that officer could search.
- **unit** (target a unit code): the unit must lie in the auditor's subtree.
- **catalog**: visible to every auditor (the catalogs are readable by every user).
- Anything that cannot be attributed — the operator's CLI, a login attempt with an unknown
  name, a record that no longer exists — only to an auditor whose grant covers a root unit.

A record transferred away takes its history with it: entries follow the record's current
scope, as every read does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, String, and_, cast, false, not_, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from archive.context import Context
from archive.errors import InvalidInput
from archive.models import AuditEntry, Document, RoleGrant, Staff, Unit, User
from archive.services import audit
from archive.services.access import Action, Actor, require, staff_seen_from, subtree_ids

RECORD_TARGETS = ("staff", "document", "user", "unit", "catalog")
MAX_CLEARANCE = 2
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000  # deeper than any page a person reads; bounded so a huge offset is a 422, not a 500


def _filtered(stmt: Select, filters: dict) -> Select:
    """The log page's and the CSV export's filters (one place, so both show the same entries)."""
    if filters.get("actor"):
        stmt = stmt.where(AuditEntry.actor == filters["actor"])
    if filters.get("target_type"):
        stmt = stmt.where(AuditEntry.target_type == filters["target_type"])
    if filters.get("target_id"):
        stmt = stmt.where(AuditEntry.target_id == str(filters["target_id"]))
    if filters.get("action"):
        stmt = stmt.where(AuditEntry.action == filters["action"])
    if filters.get("since"):
        stmt = stmt.where(AuditEntry.at >= filters["since"])
    if filters.get("until"):
        stmt = stmt.where(AuditEntry.at < filters["until"])
    return stmt


def _visible(session: Session, actor: Actor) -> ColumnElement[bool]:
    """The SQL condition an entry meets when `actor` may read it (see the module's rule)."""
    if actor.is_system:
        return true()
    units = list(session.scalars(select(Unit).where(Unit.code.in_(actor.units_for(Action.AUDIT)))))
    if not units:
        return false()
    roots = set(session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))))
    covers_root = any(u.parent_id is None for u in units)
    if {u.id for u in units} >= roots and actor.clearance >= MAX_CLEARANCE:
        return true()  # the province's own auditor with full clearance: nothing to hide

    subtree = subtree_ids(units)
    staff_ok = staff_seen_from(units, actor.clearance)
    visible_staff_codes = select(Staff.code).where(staff_ok)
    visible_documents = select(cast(Document.id, String)).join(Staff, Document.staff_id == Staff.id).where(staff_ok)
    outside_grant = select(RoleGrant.user_id).where(RoleGrant.scope_unit_id.not_in(subtree))
    covered_users = select(User.username).where(User.unit_id.in_(subtree), User.clearance <= actor.clearance,
                                                User.id.not_in(outside_grant))
    unattributed = true() if covers_root else false()

    t, target = AuditEntry.target_type, AuditEntry.target_id
    document_gone = target.not_in(select(cast(Document.id, String)))
    recorded_staff = AuditEntry.details["staff"].as_string()
    return or_(
        and_(t == "staff", or_(target.in_(visible_staff_codes),
                               and_(unattributed, target.not_in(select(Staff.code))))),
        and_(t == "document", or_(target.in_(visible_documents),
                                  and_(document_gone, recorded_staff.in_(visible_staff_codes)),
                                  and_(unattributed, document_gone,
                                       or_(recorded_staff.is_(None), recorded_staff.not_in(select(Staff.code)))))),
        and_(t == "user", or_(target.in_(covered_users), and_(unattributed, target.not_in(select(User.username))))),
        and_(t == "unit", or_(target.in_(select(Unit.code).where(Unit.id.in_(subtree))),
                              and_(unattributed, target.not_in(select(Unit.code))))),
        t == "catalog",
        and_(not_(t.in_(RECORD_TARGETS)),
             or_(AuditEntry.actor.in_(covered_users),
                 and_(unattributed, AuditEntry.actor.not_in(select(User.username))))),
    )


def browse(c: Context, caller: Actor, *, actor: str | None = None, target_type: str | None = None,
           target_id: str | None = None, action: str | None = None, since: datetime | None = None,
           until: datetime | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
    """Entries the caller may read, filtered by actor (user), target, action and time; newest first."""
    require(caller, Action.AUDIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"Số mục mỗi trang phải từ 1 đến {MAX_LIMIT}.")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"Vị trí bắt đầu (offset) phải từ 0 đến {MAX_OFFSET:,}".replace(",", ".")
                           + "; hãy thu hẹp bằng bộ lọc thời gian hoặc người dùng.")
    filters = {"actor": actor, "target_type": target_type, "target_id": target_id, "action": action,
               "since": since, "until": until, "limit": limit, "offset": offset}
    with c.uow() as uow:
        s = uow.session
        stmt = _filtered(select(AuditEntry).where(_visible(s, caller)), filters)
        rows = s.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(limit).offset(offset))
        out = [{"seq": e.seq, "at": e.at.isoformat() + "Z", "actor": e.actor, "ip": e.ip, "action": e.action,
                "target_type": e.target_type, "target_id": e.target_id, "details": e.details} for e in rows]
        audit.append(s, actor=caller.name, ip=caller.ip, action="audit.browse",
                     details={k: v for k, v in filters.items() if v is not None})
        uow.commit()
    return out


def verify_chain(c: Context, actor: Actor) -> audit.VerifyResult:
    require(actor, Action.AUDIT)
    anchors = audit.read_anchors(c.audit_anchors)
    with c.uow() as uow:
        return audit.verify(uow.session, anchors=anchors)


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.rstrip("Z")) if value else None


# -- the log in words, and its export (issue 15: the auditor's view of the log) -----------------------

def visible_entries(session: Session, actor: Actor) -> ColumnElement[bool]:
    """The SQL condition of the entries `actor` may read (for log review and the export)."""
    return _visible(session, actor)


EXPORT_ACTION = "audit.export"
MAX_EXPORT_ROWS = 200_000  # a CSV Excel still opens; more: narrow the filters
EXPORT_BATCH = 2000
EXPORT_COLUMNS = ("Số thứ tự", "Thời điểm (giờ địa phương)", "Người thực hiện", "Địa chỉ IP", "Mã thao tác",
                  "Đối tượng", "Mã đối tượng", "Diễn giải", "Chi tiết (JSON)")


def export_csv(c: Context, caller: Actor, *, actor: str | None = None, target_type: str | None = None,
               target_id: str | None = None, action: str | None = None, since: datetime | None = None,
               until: datetime | None = None) -> tuple[bytes, int]:
    """The entries the caller may read, filtered as `browse`, as CSV (UTF-8 with BOM, so Excel reads the
    Vietnamese), oldest first, each with its sentence (audit_words); the export is itself audited."""
    import csv
    import io
    import json
    from zoneinfo import ZoneInfo
    from datetime import timezone

    from archive.services import audit_words

    require(caller, Action.AUDIT)
    since, until = (v.astimezone(timezone.utc).replace(tzinfo=None) if v is not None and v.tzinfo else v
                    for v in (since, until))
    if since and until and since >= until:
        raise InvalidInput("Ngày bắt đầu phải trước ngày kết thúc.")
    tz = ZoneInfo(c.settings.web_timezone)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    filters = {"actor": actor, "target_type": target_type, "target_id": target_id, "action": action,
               "since": since, "until": until}
    with c.uow() as uow:
        s = uow.session
        stmt = _filtered(select(AuditEntry).where(_visible(s, caller)), filters)
        rows, last = 0, 0
        while True:
            batch = list(s.scalars(stmt.where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(EXPORT_BATCH)))
            if not batch:
                break
            rows += len(batch)
            if rows > MAX_EXPORT_ROWS:
                raise InvalidInput(f"Kết quả có hơn {MAX_EXPORT_ROWS:,} mục".replace(",", ".")
                                   + "; hãy thu hẹp bằng bộ lọc thời gian, người dùng hoặc thao tác.")
            dicts = [{"actor": e.actor, "action": e.action, "target_type": e.target_type, "target_id": e.target_id,
                      "details": e.details} for e in batch]
            names = audit_words.names_for(s, dicts)
            for e, d in zip(batch, dicts):
                local = e.at.replace(tzinfo=timezone.utc).astimezone(tz)
                writer.writerow([e.seq, local.strftime("%d/%m/%Y %H:%M:%S"), e.actor, e.ip, e.action, e.target_type,
                                 e.target_id, audit_words.describe(d, names),
                                 json.dumps(e.details, ensure_ascii=False, sort_keys=True) if e.details else ""])
            last = batch[-1].seq
        audit.append(s, actor=caller.name, ip=caller.ip, action=EXPORT_ACTION,
                     details={**{k: v for k, v in filters.items() if v is not None}, "rows": rows})
        uow.commit()
    return out.getvalue().encode("utf-8"), rows


def in_words(c: Context, entries: list[dict], *, labels: dict[str, str] | None = None) -> list[str]:
    """Each entry (as `browse` returns it) as one Vietnamese sentence, people and files named."""
    from archive.services import audit_words

    with c.uow() as uow:
        names = audit_words.names_for(uow.session, entries)
    labels = labels or {}
    return [audit_words.describe(e, names, label=labels.get(e["action"])) for e in entries]
