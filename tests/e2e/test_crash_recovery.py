"""Killing the OCR worker mid-document loses nothing and duplicates nothing."""

import signal

import pytest
from sqlalchemy import create_engine, text

from archive.serve import commands
from archive.settings import Settings
from tests.support.documents import rendered_page, scanned_pdf
from tests.support.processes import cli, cli_json, service_env, start, stop_group, wait_until

pytestmark = pytest.mark.slow


def test_worker_killed_during_ocr_is_recovered_without_loss_or_duplicates(tmp_path, tesseract):
    data = tmp_path / "data"
    env = service_env(data, job_lease_seconds=6, sweep_interval_seconds=1, job_requeue_after_seconds=60)
    assert cli(env, "init").returncode == 0
    cli_json(env, "staff", "add", "--code", "NV001", "--name", "Lê Thị Mai", "--unit", "TINH")
    pages = [rendered_page([f"Trang số {n}: quyết định điều động cán bộ mã trang{n}"])[0] for n in range(1, 5)]
    scan = tmp_path / "ho-so.pdf"
    scan.write_bytes(scanned_pdf(pages))

    s = Settings(data_dir=data)
    cmds = commands(s, host="127.0.0.1", port=0, ocr_workers=1)
    db = create_engine(s.database_url)

    def job():
        with db.connect() as conn:
            return conn.execute(text("select state, attempts from jobs where kind = 'extract'")).one_or_none()

    index_worker = start(cmds["index"], env, tmp_path / "index.log")
    beat = start(cmds["beat"], env, tmp_path / "beat.log")
    ocr = start(cmds["ocr"], env, tmp_path / "ocr1.log")
    ocr2 = None
    try:
        [doc] = cli_json(env, "ingest", str(scan), "--staff", "NV001")
        wait_until(lambda: (j := job()) and j.state == "running", 120, "the worker to claim the job")
        stop_group(ocr, signal.SIGKILL)  # crash mid-OCR: no chance to ack, release or write
        assert job().state == "running"

        ocr2 = start(cmds["ocr"], env, tmp_path / "ocr2.log")
        wait_until(lambda: cli_json(env, "doc", "show", str(doc["id"]))["state"] == "indexed", 240,
                   "the document to be indexed after recovery")
    finally:
        for p in (ocr2, index_worker, beat):
            if p is not None:
                stop_group(p)

    state, attempts = job()
    assert (state, attempts) == ("done", 2)
    with db.connect() as conn:
        assert conn.execute(text("select count(*) from documents")).scalar() == 1
        numbers = [r[0] for r in conn.execute(text("select number from pages order by number"))]
    assert numbers == [1, 2, 3, 4]
    hits = cli_json(env, "search", "trang3", "--group", "page")["hits"]
    assert [(h["document_id"], h["page"]) for h in hits] == [(doc["id"], 3)]
    assert cli_json(env, "search", "dieu dong", "--group", "page", "--limit", "50")["total"] == 4


def test_a_registered_job_kind_killed_mid_run_is_rerun_once_through_the_generic_task(tmp_path):
    """Any kind, not only extract: the generic Celery task runs it, SIGKILL loses the worker, the
    sweeper (beat) re-queues the expired lease, a second worker finishes it, the effect lands once."""
    from pathlib import Path

    from archive.bootstrap import build

    data, marks = tmp_path / "data", tmp_path / "marks"
    marks.mkdir()
    root = str(Path(__file__).resolve().parents[2])
    env = service_env(data, job_lease_seconds=4, sweep_interval_seconds=1, work_plugins="tests.support.work_kinds")
    env["PYTHONPATH"] = root
    assert cli(env, "init").returncode == 0
    s = Settings(data_dir=data, work_plugins="tests.support.work_kinds")
    cmds = commands(s, host="127.0.0.1", port=0, ocr_workers=1)
    db = create_engine(s.database_url)

    def job():
        with db.connect() as conn:
            return conn.execute(text("select state, attempts, worker from jobs where kind = 'test_mark'")).one_or_none()

    beat = start(cmds["beat"], env, tmp_path / "beat.log")
    index_worker = start(cmds["index"], env, tmp_path / "index.log")  # the sweeper's queue
    worker = start(cmds["ocr"], env, tmp_path / "w1.log")
    worker2 = None
    c = build(s)  # sends through Celery on the embedded broker, as the API would
    try:
        from archive.work import start_kind

        job_id = start_kind(c, c.registry, "test_mark", payload={"dir": str(marks), "hold_seconds": 300})
        assert job_id is not None
        wait_until(lambda: (marks / "started-1").exists(), 120, "the first worker to start the job")
        first_worker = job().worker
        stop_group(worker, signal.SIGKILL)  # mid-run: no ack, no cleanup, no finish
        assert job().state == "running" and not (marks / "cleanup-1").exists()

        worker2 = start(cmds["ocr"], env, tmp_path / "w2.log")
        wait_until(lambda: (marks / "started-2").exists(), 120, "the sweeper to hand the job to the second worker")
        (marks / "release").write_text("")
        wait_until(lambda: job().state == "done", 60, "the second attempt to finish")
    finally:
        c.close()
        for p in (worker2, index_worker, beat):
            if p is not None:
                stop_group(p)
    state, attempts, last_worker = job()
    assert (state, attempts) == ("done", 2) and last_worker != first_worker
    assert (marks / "cleanup-2").exists() and not (marks / "cleanup-1").exists()
    with db.connect() as conn:
        effects = conn.execute(text("select details from audit_log where action = 'test.mark'")).all()
    assert len(effects) == 1 and '"attempt": 2' in str(effects[0][0]).replace("'", '"')
