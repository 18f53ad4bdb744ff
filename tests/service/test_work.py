"""Background work as registered kinds: the one lease loop, follow-ups, the sweeper, the schedule."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from archive.bootstrap import build
from archive.domain import JobState
from archive.models import AuditEntry, Job, utcnow
from archive.services import jobs
from archive.services.access import SYSTEM
from archive.services.catalogs import seed_catalogs
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from archive.work import UnknownJobKind, default_registry, run_job, start_kind, sweep
from archive.work import leases
from tests.support.documents import born_digital_pdf
from tests.support.inline_queue import InlineQueue


@pytest.fixture
def c(settings):
    """An embedded archive whose registry also has the test kinds (tests.support.work_kinds)."""
    container = build(settings, queue=InlineQueue(), registry=default_registry(["tests.support.work_kinds"]))
    container.queue.bind(container)
    seed_catalogs(container)
    add_unit(container, SYSTEM, code="TINH", name="Ủy ban nhân dân tỉnh")
    yield container
    container.close()


def _job(c, kind: str, **payload) -> int:
    with c.uow() as uow:
        job = jobs.enqueue(uow.session, kind, target_type="test", target_id="t1", payload=payload)
        uow.commit()
        return job.id


def _row(c, job_id: int) -> SimpleNamespace:
    with c.uow() as uow:
        job = uow.session.get(Job, job_id)
        return SimpleNamespace(**{col.key: getattr(job, col.key) for col in Job.__table__.columns})


def _marks(c) -> int:
    with c.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "test.mark"))


def test_a_registered_kind_runs_once_its_effect_is_applied_once_and_cleanup_runs(c, tmp_path):
    job_id = _job(c, "test_mark", dir=str(tmp_path))
    assert run_job(c, c.registry, job_id, "w1") == "done"
    row = _row(c, job_id)
    assert (row.state, row.attempts, row.result) == ("done", 1, {"attempt": 1}) and row.finished_at is not None
    assert (tmp_path / "started-1").exists() and (tmp_path / "cleanup-1").exists()
    assert run_job(c, c.registry, job_id, "w2") == "skipped"  # a duplicate message does nothing
    assert _marks(c) == 1


def test_a_permanent_failure_fails_the_job_with_its_reason_and_still_cleans_up(c, tmp_path):
    job_id = _job(c, "test_mark", dir=str(tmp_path), fail=True)
    assert run_job(c, c.registry, job_id, "w1") == "failed"
    row = _row(c, job_id)
    assert (row.state, row.last_error) == ("failed", "Công việc thử nghiệm không thể chạy.")
    assert (tmp_path / "cleanup-1").exists() and _marks(c) == 0


def test_transient_failures_requeue_until_attempts_run_out(c):
    ok = _job(c, "test_flaky", failures=1)
    assert run_job(c, c.registry, ok, "w1") == "requeued"
    assert c.queue.sent == [(ok, "test_flaky")]  # sent again at once
    assert _row(c, ok).last_error == "ổ đĩa tạm thời không đọc được (lần 1)"
    c.queue.drain()
    assert (_row(c, ok).state, _row(c, ok).attempts) == ("done", 2)

    never = _job(c, "test_flaky", failures=99)
    for _ in range(c.settings.job_max_attempts):
        run_job(c, c.registry, never, "w1")
    c.queue.sent.clear()
    row = _row(c, never)
    assert (row.state, row.attempts) == ("failed", c.settings.job_max_attempts)
    assert run_job(c, c.registry, never, "w1") == "skipped"


def test_a_worker_that_stops_mid_run_loses_its_lease_to_the_sweeper_and_the_rerun_applies_once(c, tmp_path):
    job_id = _job(c, "test_mark", dir=str(tmp_path))
    stuck = leases.claim(c, c.registry, job_id, "dead-worker")  # claimed, then the worker "dies"
    assert stuck is not None and _row(c, job_id).state == "running"
    assert sweep(c, c.registry)["requeued"] == 0  # the lease is still valid

    later = utcnow() + timedelta(seconds=c.settings.job_lease_seconds + 1)
    c.clock = lambda: later
    assert sweep(c, c.registry)["requeued"] == 1
    assert _row(c, job_id).state == "queued" and c.queue.sent == [(job_id, "test_mark")]
    c.queue.drain()
    row = _row(c, job_id)
    assert (row.state, row.attempts) == ("done", 2)
    # the dead worker waking up cannot finish, renew or fail what is no longer its job
    from archive.work import Finish, LeaseLost

    assert leases.finish(c, c.registry, job_id, "dead-worker", Finish()) is None
    with pytest.raises(LeaseLost):
        leases.DbLease(c, job_id, "dead-worker").renew()
    leases.fail(c, c.registry, job_id, "dead-worker", "x")
    assert _row(c, job_id).state == "done" and _marks(c) == 1


def test_the_sweeper_resends_queued_jobs_whose_message_was_lost_and_wakes_the_index(c, tmp_path):
    job_id = _job(c, "test_mark", dir=str(tmp_path))  # recorded, never sent
    assert sweep(c, c.registry)["requeued"] == 0
    c.clock = lambda: utcnow() + timedelta(seconds=c.settings.job_requeue_after_seconds + 1)
    assert sweep(c, c.registry)["requeued"] == 1
    assert c.queue.sent == [(job_id, "test_mark")]


def test_a_follow_up_kind_runs_after_extract_on_the_same_document(c):
    add_staff(c, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="TINH")
    out = ingest_upload(c, SYSTEM, staff_code="NV001", stream=io.BytesIO(born_digital_pdf(["Trang một"], pages=2)),
                        file_name="cv.pdf")
    c.queue.drain()
    with c.uow() as uow:
        # (not the service's own follow-ups of an upload: retention, archival)
        rows = uow.session.execute(select(Job.kind, Job.target_type, Job.target_id, Job.state, Job.result)
                                   .where(Job.kind.in_(("extract", "test_after_extract"))).order_by(Job.id)).all()
    assert [tuple(r) for r in rows] == [
        ("extract", "document", str(out.document.id), "done", {"pages": 2}),
        ("test_after_extract", "document", str(out.document.id), "done", {"pages": [1, 2]}),
    ]


def test_start_kind_records_one_pass_at_a_time_and_refuses_unknown_kinds(c, tmp_path):
    first = start_kind(c, c.registry, "test_mark", payload={"dir": str(tmp_path)})
    assert first is not None and start_kind(c, c.registry, "test_mark", payload={"dir": str(tmp_path)}) is None
    c.queue.drain()
    assert _row(c, first).state == JobState.DONE.value
    with pytest.raises(UnknownJobKind):
        start_kind(c, c.registry, "no_such_kind")


def test_a_job_of_a_kind_this_process_does_not_know_is_left_alone(c, settings, tmp_path):
    job_id = _job(c, "test_mark", dir=str(tmp_path))
    plain = build(settings, queue=InlineQueue())  # no plug-ins: does not know test_mark
    try:
        assert run_job(plain, plain.registry, job_id, "w1") == "skipped"
        assert sweep(plain, plain.registry)["requeued"] == 0
    finally:
        plain.close()
    assert _row(c, job_id).state == "queued"


def test_the_sweeper_removes_temp_files_of_dead_processes_only(c):
    import os
    import socket
    import time as _time

    from storage import owned_prefix

    tmp = c.settings.tmp_dir
    dead = _dead_pid()
    host = socket.gethostname()
    left = tmp / f"work-{host}.{dead}.abc123"
    left.write_bytes(b"x" * 1024)
    left_dir = tmp / f"ocr-{host}.{dead}.zz"
    left_dir.mkdir()
    (left_dir / "page.pnm").write_bytes(b"P5")
    mine = tmp / f"{owned_prefix('work-')}keep"
    mine.write_bytes(b"in use")
    other_host = tmp / f"work-another-host.{dead}.keep"
    other_host.write_bytes(b"theirs")
    old_unowned, new_unowned = tmp / "legacy-file", tmp / "fresh-file"
    old_unowned.write_bytes(b"")
    new_unowned.write_bytes(b"")
    day_ago = _time.time() - 2 * 24 * 3600
    os.utime(old_unowned, (day_ago, day_ago))

    assert sweep(c, c.registry)["temp_removed"] == 3
    assert sorted(p.name for p in tmp.iterdir()) == sorted([mine.name, other_host.name, new_unowned.name])


def _dead_pid() -> int:
    import subprocess

    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_a_result_that_cannot_be_applied_is_given_back_not_left_running(c, tmp_path, monkeypatch):
    from archive.work import Finish
    from tests.support.work_kinds import MarkKind

    def broken_apply(self, ctx, job, lease):  # noqa: ANN001, ANN202
        def apply(session) -> None:  # noqa: ANN001
            raise RuntimeError("constraint violated")
        return Finish(apply=apply)

    monkeypatch.setattr(MarkKind, "run", broken_apply)
    job_id = _job(c, "test_mark", dir=str(tmp_path))
    assert run_job(c, c.registry, job_id, "w1") == "requeued"
    row = _row(c, job_id)
    assert (row.state, row.last_error) == ("queued", "RuntimeError: constraint violated")
