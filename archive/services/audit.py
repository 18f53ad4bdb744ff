"""Audit log (nhật ký): append with a hash chain inside the caller's transaction; verify; query.

Appends lock the single audit_head row first (an UPDATE), which serialises writers on
PostgreSQL and SQLite alike, so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from archive.models import AuditEntry, AuditHead, utcnow

GENESIS = "0" * 64


def _canonical(seq: int, at: datetime, actor: str, ip: str, action: str, target_type: str, target_id: str,
               details: dict) -> str:
    return json.dumps(
        {"seq": seq, "at": at.isoformat(timespec="microseconds"), "actor": actor, "ip": ip, "action": action,
         "target_type": target_type, "target_id": target_id, "details": details},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )


def chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def append(session: Session, *, actor: str, action: str, ip: str = "", target_type: str = "",
           target_id: str | int = "", details: dict | None = None) -> None:
    """Add one entry to the chain in the caller's transaction (it commits with the change it records)."""
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)).scalar_one()
    at = utcnow()
    details = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))  # what the DB will return
    canonical = _canonical(head.seq, at, actor, ip, action, target_type, str(target_id), details)
    h = chain_hash(head.hash, canonical)
    session.add(AuditEntry(seq=head.seq, at=at, actor=actor, ip=ip, action=action, target_type=target_type,
                           target_id=str(target_id), details=details, prev_hash=head.hash, hash=h))
    head.hash = h


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify(session: Session, *, batch: int = 1000) -> VerifyResult:
    """Walk the whole chain; report the first entry that was edited, removed or inserted."""
    prev, expected_seq, checked = GENESIS, 1, 0
    last_id = 0
    while True:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)).all()
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, f"mục số {expected_seq} bị xoá hoặc chèn sai thứ tự")
            if e.prev_hash != prev:
                return VerifyResult(False, checked, e.seq, f"mục số {e.seq} không nối với mục trước")
            canonical = _canonical(e.seq, e.at, e.actor, e.ip, e.action, e.target_type, e.target_id, e.details)
            if chain_hash(prev, canonical) != e.hash:
                return VerifyResult(False, checked, e.seq, f"mục số {e.seq} đã bị sửa")
            prev, expected_seq, checked = e.hash, expected_seq + 1, checked + 1
            last_id = e.id
    head = session.get(AuditHead, 1)
    if head is None or head.seq != checked or head.hash != prev:
        return VerifyResult(False, checked, checked + 1, "các mục cuối nhật ký đã bị xoá")
    return VerifyResult(True, checked)


def query(session: Session, *, actor: str | None = None, target_type: str | None = None, target_id: str | None = None,
          since: datetime | None = None, until: datetime | None = None, action: str | None = None,
          limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    stmt = select(AuditEntry)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if target_type:
        stmt = stmt.where(AuditEntry.target_type == target_type)
    if target_id:
        stmt = stmt.where(AuditEntry.target_id == target_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return list(session.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(limit).offset(offset)))
