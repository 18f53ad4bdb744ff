"""The fixity cycle (kiểm tra tính toàn vẹn) through the services, on the embedded archive (local store).

Real objects (born-digital PDFs, a rendered page image, an audit anchor), real damage (a byte
flipped in the stored file, a file removed), real repair from a backup target that a backup's
own object copier filled.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from archive.errors import Forbidden, NotFound
from archive.models import AuditEntry, Derivative
from archive.models.fixity import FixityEvent, FixityObject
from archive.services.access import SYSTEM, Actor, Grant, Role
from archive.services.documents import get_document, ingest_upload
from archive.services.fixity import count_due, run_pass
from archive.services.fixity_views import check_document, csv_rows, file_states, health, status
from archive.work import run_job, start_kind
from tests.support.documents import born_digital_pdf
from tests.support.fixity import back_up_objects, corpus, flip_a_byte, local_object_path

AUDITOR_TINH = Actor(name="kt-tinh", grants=(Grant(Role.AUDITOR, "TINH"),))
AUDITOR_Q2 = Actor(name="kt-q2", grants=(Grant(Role.AUDITOR, "Q2"),))


def _rows(c) -> dict[tuple[str, str], FixityObject]:  # noqa: ANN001
    with c.uow() as uow:
        rows = list(uow.session.scalars(select(FixityObject)))
        uow.session.expunge_all()  # plain values after the transaction ends
        return {(r.namespace, r.key): r for r in rows}


def test_a_pass_checks_every_holding_of_every_namespace(container) -> None:
    c = container
    ids = corpus(c)
    report = run_pass(c, by="test")
    rows = _rows(c)
    namespaces = {ns for ns, _ in rows}
    assert namespaces == {"originals", "derivatives", "audit"}
    expected = sum(len(list(s.list_keys())) for s in (c.store, c.derivatives, c.audit_anchors))
    assert report.checked == report.ok == len(rows) == expected and report.failed == 0
    assert all(r.last_result == "ok" and r.last_checked_at is not None for r in rows.values())
    assert report.bytes_read == sum(r.size for r in rows.values()) > 0
    st = status(c, SYSTEM)
    assert (st.objects, st.checked_in_cycle, st.coverage_pct, st.overdue, st.damaged) == (expected, expected, 100.0, 0, [])
    assert not file_states(c, [(ids[0], get_document(c, SYSTEM, ids[0]).sha256)])[ids[0]].integrity_error


def test_a_flipped_byte_is_found_marked_and_repaired_from_a_backup_then_rechecked(container, tmp_path, caplog) -> None:
    c = container
    ids = corpus(c)
    back_up_objects(c, tmp_path / "backup")
    run_pass(c, by="test")
    doc = get_document(c, SYSTEM, ids[1])
    with c.uow() as uow:  # and a derivative (the page image), damaged too
        thumb = uow.session.scalar(select(Derivative.sha256).where(Derivative.kind == "page_image"))
    flip_a_byte(local_object_path(c, "originals", doc.sha256))
    flip_a_byte(local_object_path(c, "derivatives", thumb), at=10)
    assert not c.store.verify(doc.sha256)
    with caplog.at_level(logging.WARNING, logger="archive.services.fixity"):
        report = run_pass(c, by="test", budget_seconds=600)
        assert report.checked == 0  # nothing is due yet: the damage waits for its turn …
        c.clock = lambda: _later(days=26)
        report = run_pass(c, by="test")  # … which comes within the cycle
    assert (report.repaired, report.failed) == (2, 0)
    assert c.store.verify(doc.sha256) and c.derivatives.verify(thumb)
    assert any("mismatch" in r.getMessage() and doc.sha256 in r.getMessage() for r in caplog.records)
    with c.uow() as uow:
        row = uow.session.scalar(select(FixityObject).where(FixityObject.key == doc.sha256))
        events = [e.result for e in uow.session.scalars(
            select(FixityEvent).where(FixityEvent.object_id == row.id).order_by(FixityEvent.id))]
        assert (row.last_result, row.damaged_since) == ("repaired", None)
    assert events == ["ok", "mismatch", "repaired"]
    st = status(c, SYSTEM)
    assert st.damaged == [] and {e.key for e in st.repairs} == {doc.sha256, thumb}
    assert {e.key for e in st.failures} == {doc.sha256, thumb}
    assert ids[1] in next(e for e in st.repairs if e.key == doc.sha256).documents
    assert health(c)["repairs_total"] == 2 and health(c)["damaged"] == 0


def _later(*, days: int):  # noqa: ANN202
    from archive.models import utcnow

    return utcnow() + timedelta(days=days)


def test_a_missing_original_without_a_backup_is_an_integrity_error_everywhere(container, caplog) -> None:
    c = container
    ids = corpus(c)
    run_pass(c, by="test")
    doc = get_document(c, SYSTEM, ids[0])
    path = local_object_path(c, "originals", doc.sha256)
    path.chmod(0o644)
    path.unlink()
    with caplog.at_level(logging.WARNING, logger="archive.services.fixity"):
        state = check_document(c, SYSTEM, ids[0])  # "Kiểm tra tệp": now, not at the next pass
    assert state.integrity_error and state.damaged and state.last_result == "missing"
    assert any("NOT repaired" in r.getMessage() for r in caplog.records)
    st = status(c, SYSTEM)
    assert [(d.key, d.result, d.documents) for d in st.damaged] == [(doc.sha256, "missing", [ids[0]])]
    assert health(c)["damaged"] == 1 and health(c)["failures_total"] == 1
    csv_text = "".join(csv_rows(c, SYSTEM))
    line = next(line for line in csv_text.splitlines() if doc.sha256 in line)
    assert "integrity_error" in line and line.endswith(str(ids[0]))
    # the pass tries again a day later, not every hour
    with c.uow() as uow:
        row = uow.session.scalar(select(FixityObject).where(FixityObject.key == doc.sha256))
        assert row.next_due_at > row.last_checked_at + timedelta(hours=23)


def test_a_newly_ingested_document_is_scheduled_for_its_first_check(container) -> None:
    c = container
    corpus(c, documents=1)
    run_pass(c, by="test")
    before = status(c, SYSTEM).objects
    pdf = born_digital_pdf(["SƠ YẾU LÝ LỊCH", "Họ và tên: Lê Văn Cường."])
    new = ingest_upload(c, SYSTEM, staff_code="NV002", stream=io.BytesIO(pdf), file_name="syll.pdf",
                        document_type="khac").document
    c.queue.drain()
    # the hourly job finds it, due at once, and checks it in the same pass
    assert run_job(c, c.registry, start_kind(c, c.registry, "fixity"), "test") == "done"
    row = _rows(c)[("originals", new.sha256)]
    assert row.last_result == "ok" and row.first_seen <= row.last_checked_at
    # what the pipeline made from it (text layers, archival copy) are holdings too; equal bytes are one object
    holdings = len(list(c.store.list_keys())) + len(list(c.derivatives.list_keys())) + len(list(c.audit_anchors.list_keys()))
    assert status(c, SYSTEM).objects == holdings > before + 1
    with c.uow() as uow:
        assert uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "fixity.run")) is not None


def test_coverage_counts_only_checks_within_the_cycle_and_a_budgeted_pass_continues_next_time(container) -> None:
    c = container
    corpus(c, documents=4)
    total = len(list(c.store.list_keys())) + len(list(c.derivatives.list_keys())) + len(list(c.audit_anchors.list_keys()))
    first = run_pass(c, by="test", limit=3)  # over budget: the rest stays due
    st = status(c, SYSTEM)
    assert first.checked == 3 and first.remaining_due == total - 3
    assert st.checked_in_cycle == 3 and st.coverage_pct == round(100 * 3 / total, 2) and st.overdue == 0
    second = run_pass(c, by="test")
    assert second.checked == total - 3 and status(c, SYSTEM).coverage_pct == 100.0
    c.clock = lambda: _later(days=31)  # a month with no pass: nothing was checked within the cycle
    st = status(c, SYSTEM)
    assert (st.coverage_pct, st.overdue, st.due_now) == (0.0, total, total)
    assert count_due(c) == total


def test_a_derivative_removed_on_purpose_is_retired_not_alerted(container) -> None:
    c = container
    corpus(c, documents=1)
    run_pass(c, by="test")
    with c.uow() as uow:
        d = uow.session.scalar(select(Derivative).where(Derivative.kind == "page_image"))
        key = d.sha256
        uow.session.delete(d)
        uow.commit()
    path = local_object_path(c, "derivatives", key)  # gone as a disposition would remove it (locks aside)
    path.chmod(0o644)
    path.unlink()
    c.clock = lambda: _later(days=26)
    report = run_pass(c, by="test")
    assert (report.retired, report.failed) == (1, 0)
    assert status(c, SYSTEM).damaged == [] and _rows(c)[("derivatives", key)].retired_at is not None


def test_a_document_check_is_scoped_like_viewing_it_and_audited(container) -> None:
    c = container
    ids = corpus(c)
    nv001_doc = ids[0]  # NV001 is in Q1
    with pytest.raises(NotFound):
        check_document(c, AUDITOR_Q2, nv001_doc)
    state = check_document(c, AUDITOR_TINH, nv001_doc)
    assert state.last_result == "ok" and state.last_checked_at is not None and len(state.sha256) == 64
    with c.uow() as uow:
        entry = uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "document.fixity_check"))
        assert entry.actor == "kt-tinh" and entry.target_id == str(nv001_doc) and entry.details["result"] == "ok"
    with pytest.raises(Forbidden):  # the report spans every unit: a district auditor may not read it
        status(c, AUDITOR_Q2)
    assert status(c, AUDITOR_TINH).objects >= 1
