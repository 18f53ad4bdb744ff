"""Audited requests arrive together (eight people searching at once): every append locks, moves on
and reads the chain's head in one statement, so concurrent writers never fork the chain — on
SQLite and on the real PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from archive.bootstrap import build
from archive.db import migrate
from archive.models import AuditEntry, AuditHead
from archive.services import audit
from archive.services.access import SYSTEM
from archive.services.audit_views import verify_chain
from archive.settings import Settings
from tests.support.inline_queue import InlineQueue

THREADS, EACH = 8, 25


def _append_together(c) -> None:
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with c.uow() as uow:
                    audit.append(uow.session, actor=f"hr{k}", action="search", target_type="search",
                                 details={"q": f"Nguyễn Văn {k}-{i}", "total": i})
                    uow.commit()
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def _check(c, before: int) -> None:
    with c.uow() as uow:
        s = uow.session
        seqs = list(s.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))
        head = s.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
        last = s.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).one()
        searches = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "search"))
    assert seqs == list(range(1, before + THREADS * EACH + 1))  # no gap, no seq twice
    assert tuple(head) == tuple(last)
    assert searches == THREADS * EACH
    result = verify_chain(c, SYSTEM)
    assert result.ok, result
    assert result.checked == before + THREADS * EACH


def _count(c) -> int:
    with c.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEntry))


def test_eight_writers_at_once_leave_one_unbroken_chain_on_sqlite(container):
    before = _count(container)
    _append_together(container)
    _check(container, before)


@pytest.mark.engines
def test_eight_writers_at_once_leave_one_unbroken_chain_on_postgresql(tmp_path, request):
    from tests.support.databases import fresh_postgres_database

    settings = Settings(data_dir=tmp_path / "pg-data",
                        database_url=fresh_postgres_database(request.getfixturevalue("postgres_url")))
    settings.data_dir.mkdir(parents=True)
    migrate(settings.database_url)
    c = build(settings, queue=InlineQueue())
    try:
        before = _count(c)
        _append_together(c)
        _check(c, before)
    finally:
        c.close()
