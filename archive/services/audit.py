"""Audit log (nhật ký): append with a keyed hash chain inside the caller's transaction; anchor; verify; query.

Appends lock the single audit_head row first (an UPDATE), which serialises writers on
PostgreSQL and SQLite alike, so the chain never forks.

Why keyed and anchored: a plain SHA-256 chain shows an edited row, but whoever can write the
database can also recompute every later hash, or cut the tail and move `audit_head` back.
So each entry's hash is an HMAC-SHA256 under a key kept outside the database (AuditKey,
`ARCHIVE_AUDIT_KEY` or the data dir's key file): without it no forged entry verifies. And the
head (seq, hash) is written now and then as a signed *anchor* into the object store's `audit`
namespace under COMPLIANCE retention (`audit_anchor` job, scheduled hourly): a log shorter than
an anchor, or different at an anchored entry, no longer matches what the store keeps.
Entries written before the chain was keyed (up to AuditKey.since_seq) stay a plain chain.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from archive.crypto import AuditKey
from archive.models import AuditEntry, AuditHead, utcnow
from storage import ObjectStore, Retention, RetentionMode

GENESIS = "0" * 64


def _canonical(seq: int, at: datetime, actor: str, ip: str, action: str, target_type: str, target_id: str,
               details: dict) -> str:
    return json.dumps(
        {"seq": seq, "at": at.isoformat(timespec="microseconds"), "actor": actor, "ip": ip, "action": action,
         "target_type": target_type, "target_id": target_id, "details": details},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )


def chain_hash(prev_hash: str, canonical: str, key: bytes | None = None) -> str:
    data = (prev_hash + canonical).encode("utf-8")
    if key is None:  # entries from before the chain was keyed
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _key_of(session: Session) -> AuditKey | None:
    return session.info.get("audit_key")


def append(session: Session, *, actor: str, action: str, ip: str = "", target_type: str = "",
           target_id: str | int = "", details: dict | None = None) -> None:
    """Add one entry to the chain in the caller's transaction (it commits with the change it records)."""
    # the head is locked, moved on and read in one statement (UPDATE … RETURNING): every audited
    # request — a search, a page view — holds this row until it commits, so round trips count
    seq, prev_hash = session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
                                     .returning(AuditHead.seq, AuditHead.hash)).one()
    at = utcnow()
    details = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))  # what the DB will return
    canonical = _canonical(seq, at, actor, ip, action, target_type, str(target_id), details)
    key = _key_of(session)
    h = chain_hash(prev_hash, canonical, key.key if key is not None and seq > key.since_seq else None)
    session.add(AuditEntry(seq=seq, at=at, actor=actor, ip=ip, action=action, target_type=target_type,
                           target_id=str(target_id), details=details, prev_hash=prev_hash, hash=h))
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=h))


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify(session: Session, *, anchors: Sequence["Anchor"] = (), batch: int = 1000) -> VerifyResult:
    """Walk the whole chain; report the first entry that was edited, removed or inserted, and
    any anchor the log no longer matches (a cut tail, a rewritten entry)."""
    key = _key_of(session)
    prev, expected_seq, checked = GENESIS, 1, 0
    last_id = 0
    sealed: dict[int, str] = {}
    trusted: list[Anchor] = []
    for a in anchors:
        if key is None or not a.valid(key):
            return VerifyResult(False, 0, a.seq, f"mốc nhật ký số {a.seq} trong kho lưu trữ không đúng chữ ký")
        trusted.append(a)
    wanted = {a.seq for a in trusted}
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
            keyed = key.key if key is not None and e.seq > key.since_seq else None
            if not hmac.compare_digest(chain_hash(prev, canonical, keyed), e.hash):
                return VerifyResult(False, checked, e.seq, f"mục số {e.seq} đã bị sửa")
            if e.seq in wanted:
                sealed[e.seq] = e.hash
            prev, expected_seq, checked = e.hash, expected_seq + 1, checked + 1
            last_id = e.id
    head = session.get(AuditHead, 1)
    if head is None or head.seq != checked or head.hash != prev:
        return VerifyResult(False, checked, checked + 1, "các mục cuối nhật ký đã bị xoá")
    for a in sorted(trusted, key=lambda a: a.seq):
        if a.seq not in sealed:
            return VerifyResult(False, checked, checked + 1,
                                f"nhật ký ngắn hơn mốc số {a.seq} đã lưu ngày {a.at[:10]}: các mục cuối đã bị cắt")
        if sealed[a.seq] != a.hash:
            return VerifyResult(False, checked, a.seq, f"mục số {a.seq} khác với mốc đã lưu: nhật ký đã bị viết lại")
    return VerifyResult(True, checked)


@dataclass(frozen=True)
class Anchor:
    """A signed head of the chain (mốc nhật ký), as kept in the object store."""

    seq: int
    hash: str
    at: str  # ISO time, UTC
    mac: str

    def _message(self) -> bytes:
        return f"audit-anchor:{self.seq}:{self.hash}:{self.at}".encode()

    @classmethod
    def sign(cls, key: AuditKey, seq: int, hash_: str, at: datetime) -> "Anchor":
        unsigned = cls(seq, hash_, at.isoformat(timespec="seconds"), "")
        return replace(unsigned, mac=hmac.new(key.key, unsigned._message(), hashlib.sha256).hexdigest())

    def valid(self, key: AuditKey) -> bool:
        expected = hmac.new(key.key, self._message(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.mac)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()


def write_anchor(session: Session, anchors: ObjectStore, *, retention_days: int) -> Anchor | None:
    """Seal the current head into the store under COMPLIANCE retention; None for an empty log."""
    key = _key_of(session)
    if key is None:
        raise ValueError("the audit chain has no key: anchors would prove nothing")
    head = session.get(AuditHead, 1)
    if head is None or head.seq == 0:
        return None
    anchor = Anchor.sign(key, head.seq, head.hash, datetime.now(timezone.utc))
    info = anchors.put_stream(io.BytesIO(anchor.to_json()), content_type="application/json")
    until = datetime.now(timezone.utc) + timedelta(days=retention_days)
    anchors.set_retention(info.key, Retention(RetentionMode.COMPLIANCE, until))
    return anchor


def read_anchors(anchors: ObjectStore) -> list[Anchor]:
    """Every anchor kept in the store (unreadable ones count as forged: their mac cannot match)."""
    out = []
    for object_key in anchors.list_keys():
        with anchors.open(object_key) as fh:
            raw = fh.read()
        try:
            d = json.loads(raw)
            out.append(Anchor(seq=int(d["seq"]), hash=str(d["hash"]), at=str(d["at"]), mac=str(d["mac"])))
        except (ValueError, KeyError, TypeError):
            out.append(Anchor(seq=0, hash="", at="", mac=""))
    return out


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
