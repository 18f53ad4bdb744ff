"""The audit chain is keyed and anchored: forgeries by whoever can write the database are found.

The attacks are made the way a database owner would: plain SQL on the tables, with every
hash recomputed and `audit_head` moved to match — only the key (outside the database) and
the anchors (in the object store, under retention) are out of their reach.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text

from archive.crypto import AuditKey
from archive.models import AuditEntry, AuditHead
from archive.services import audit
from archive.services.access import SYSTEM, cli_actor
from archive.services.audit_views import verify_chain
from archive.services.units import add_unit
from archive.work import run_job, start_kind
from storage import RetentionLocked


def _entries(c, n: int) -> None:
    for i in range(n):
        add_unit(c, SYSTEM, code=f"PX{i}", name=f"Phường {i}", parent_code="TINH")


def _anchor(c) -> None:
    job_id = start_kind(c, c.registry, "audit_anchor")
    assert run_job(c, c.registry, job_id, "w") == "done"


def _rechain_plain(c, from_seq: int = 1) -> None:
    """Recompute every hash from `from_seq` on with plain SHA-256 (all an attacker without the key can do)."""
    with c.uow() as uow:
        s = uow.session
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        prev = audit.GENESIS
        for e in rows:
            if e.seq >= from_seq:
                canonical = audit._canonical(e.seq, e.at, e.actor, e.ip, e.action, e.target_type, e.target_id,
                                             e.details)
                e.prev_hash, e.hash = prev, hashlib.sha256((prev + canonical).encode()).hexdigest()
            prev = e.hash
        head = s.get(AuditHead, 1)
        head.seq, head.hash = rows[-1].seq, prev
        uow.commit()


def test_a_fresh_log_verifies_and_the_anchor_job_seals_its_head_under_retention(container):
    _entries(container, 3)
    _anchor(container)
    [key] = list(container.audit_anchors.list_keys())
    [anchor] = audit.read_anchors(container.audit_anchors)
    with container.uow() as uow:
        assert (anchor.seq, anchor.hash) == (uow.session.get(AuditHead, 1).seq, uow.session.get(AuditHead, 1).hash)
    with pytest.raises(RetentionLocked):
        container.audit_anchors.delete(key)
    assert verify_chain(container, cli_actor()).ok


def test_an_edit_that_recomputes_every_later_hash_is_found(container):
    _entries(container, 4)
    with container.uow() as uow:
        uow.session.execute(text("UPDATE audit_log SET details = '{\"code\": \"GIA\"}' WHERE seq = 3"))
        uow.commit()
    _rechain_plain(container)
    r = verify_chain(container, cli_actor())
    assert not r.ok and r.first_bad_seq == 1  # not one entry carries the keyed hash any more


def test_a_cut_tail_with_the_head_moved_back_is_found_through_the_anchor(container):
    _entries(container, 5)
    _anchor(container)
    with container.uow() as uow:
        last = uow.session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
        keep = last - 3
        uow.session.execute(text("DELETE FROM audit_log WHERE seq > :k"), {"k": keep})
        kept_hash = uow.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == keep))
        uow.session.execute(text("UPDATE audit_head SET seq = :k, hash = :h WHERE id = 1"), {"k": keep, "h": kept_hash})
        uow.commit()
    with container.uow() as uow:
        assert audit.verify(uow.session).ok  # the chain alone looks whole: the anchor is what tells
    r = verify_chain(container, cli_actor())
    assert not r.ok and "bị cắt" in r.reason


def test_a_forged_anchor_is_reported(container):
    _entries(container, 2)
    forged = audit.Anchor.sign(AuditKey(key=b"k" * 32), 1, "0" * 64, datetime.now(timezone.utc))
    container.audit_anchors.put_stream(io.BytesIO(forged.to_json()))
    r = verify_chain(container, cli_actor())
    assert not r.ok and "chữ ký" in r.reason


def test_entries_from_before_the_chain_was_keyed_still_verify_as_a_plain_chain(settings):
    """An upgraded installation: the key is made when the log already has entries."""
    from archive.bootstrap import build
    from tests.support.inline_queue import InlineQueue

    legacy = build(settings, queue=InlineQueue())
    legacy.__dict__["audit_key"] = None  # the old code: no key on the sessions
    legacy.queue.bind(legacy)
    add_unit(legacy, SYSTEM, code="TINH", name="Tỉnh")
    add_unit(legacy, SYSTEM, code="Q1", name="Quận 1", parent_code="TINH")
    legacy.close()

    upgraded = build(settings, queue=InlineQueue())
    upgraded.queue.bind(upgraded)
    assert upgraded.audit_key.since_seq == 2
    add_unit(upgraded, SYSTEM, code="Q2", name="Quận 2", parent_code="TINH")
    assert verify_chain(upgraded, cli_actor()).ok
    with upgraded.uow() as uow:
        third = uow.session.scalar(select(AuditEntry).where(AuditEntry.seq == 3))
        canonical = audit._canonical(third.seq, third.at, third.actor, third.ip, third.action, third.target_type,
                                     third.target_id, third.details)
        assert third.hash == audit.chain_hash(third.prev_hash, canonical, upgraded.audit_key.key)
    upgraded.close()
