"""What auditors (kiểm tra) may read of the audit log, and the chain check."""

from __future__ import annotations

from datetime import datetime

from archive.context import Context
from archive.services import audit
from archive.services.access import Action, Actor, require


def browse(c: Context, caller: Actor, **filters: object) -> list[dict]:
    """Entries filtered by actor (user), target, action and time; newest first."""
    actor = caller
    require(actor, Action.AUDIT)
    with c.uow() as uow:
        rows = audit.query(uow.session, **filters)  # type: ignore[arg-type]
        out = [{"seq": e.seq, "at": e.at.isoformat() + "Z", "actor": e.actor, "ip": e.ip, "action": e.action,
                "target_type": e.target_type, "target_id": e.target_id, "details": e.details} for e in rows]
        audit.append(uow.session, actor=actor.name, ip=actor.ip, action="audit.browse",
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
