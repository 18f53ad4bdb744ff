"""Bulk intake through its doors: `archive ingest-batch` / `batch` / `cover-sheet` and the API
(zip upload, batch, report, review, cover sheets), scoped, with Vietnamese refusals that keep nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from archive.app import create_app
from archive.models import Document, IntakeBatch
from archive.services.access import SYSTEM
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import logged_in, make_user
from tests.support.documents import born_digital_pdf
from tests.support.processes import cli, service_env
from tests.support.stacks import make_zip

TYPES = ("so_yeu_ly_lich", "quyet_dinh_nang_luong")
CODES = ("NV001", "NV002", "NV003")


@pytest.fixture
def c(container):
    add_unit(container, SYSTEM, code="PNV", name="Phòng Nội vụ", parent_code="TINH")
    add_unit(container, SYSTEM, code="PYT", name="Phòng Y tế", parent_code="TINH")
    for n, code in enumerate(CODES):
        add_staff(container, SYSTEM, code=code, full_name=f"Nguyễn Văn {'ABC'[n]}", unit_code="PNV")
    make_user(container, "vanthu", "archivist", "PNV")
    make_user(container, "ngoai", "archivist", "PYT")
    return container


def _zip(tmp_path, *, tag: str = "") -> bytes:
    members, rows = {}, ["tep,ma_can_bo,loai_tai_lieu"]
    for code in CODES:
        for t in TYPES:
            members[f"{code}-{t}.pdf"] = born_digital_pdf([f"{tag} Hồ sơ {code}", t])
            rows.append(f"{code}-{t}.pdf,{code},{t}")
    members["manifest.csv"] = "\n".join(rows).encode()
    return make_zip(members)


def _docs(c) -> set[tuple[str, str]]:
    with c.uow() as uow:
        return {(d.staff.code, d.document_type) for d in uow.session.scalars(select(Document))}


def test_cli_ingests_a_zip_with_wait_shows_reports_and_prints_cover_sheets(c, tmp_path):
    env = service_env(c.settings.data_dir)
    z = tmp_path / "lo.zip"
    z.write_bytes(_zip(tmp_path))
    r = cli(env, "ingest-batch", str(z), "--wait", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    view = json.loads(r.stdout)
    assert view["state"] == "done" and view["counts"]["stored"] == 6
    assert _docs(c) == {(code, t) for code in CODES for t in TYPES}
    shown = cli(env, "batch", "show", str(view["id"]))
    assert shown.returncode == 0 and "6 đã lưu" in shown.stdout and "đã lưu → tài liệu #" in shown.stdout
    out = tmp_path / "bao-cao.csv"
    rep = cli(env, "batch", "report", str(view["id"]), "--out", str(out))
    assert rep.returncode == 0 and out.read_bytes().decode("utf-8-sig").count("stored") == 6
    pdf = tmp_path / "bia.pdf"
    cov = cli(env, "cover-sheet", "NV001", "NV002", "--type", "so_yeu_ly_lich", "--out", str(pdf))
    assert cov.returncode == 0 and pdf.read_bytes().startswith(b"%PDF") and "2 tờ bìa" in cov.stdout
    bad_type = cli(env, "cover-sheet", "NV001", "--type", "khong_co", "--out", str(tmp_path / "x.pdf"))
    assert bad_type.returncode == 1 and "không có trong danh mục" in bad_type.stderr


def test_cli_refuses_an_unsafe_zip_in_vietnamese_and_keeps_nothing(c, tmp_path):
    env = service_env(c.settings.data_dir)
    z = tmp_path / "xau.zip"
    z.write_bytes(make_zip({"NV001/khac/a.pdf": born_digital_pdf(["a"]), "../../thoat.pdf": b"%PDF-1.4"}))
    r = cli(env, "ingest-batch", str(z))
    assert r.returncode == 1 and "tên tệp không an toàn" in r.stderr and "Traceback" not in r.stderr
    missing = cli(env, "batch", "show", "424242")
    assert missing.returncode == 1 and "Không tìm thấy lô tiếp nhận số 424242." in missing.stderr
    with c.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(IntakeBatch)) == 0
    assert _docs(c) == set()


def test_api_takes_a_zip_files_it_in_scope_and_serves_the_batch_report_and_cover_sheets(c, tmp_path):
    app = create_app(container=c)
    archivist, outsider = logged_in(app, "vanthu"), logged_in(app, "ngoai")
    r = archivist.post("/api/v1/batches", files={"file": ("lo.zip", _zip(tmp_path), "application/zip")})
    assert r.status_code == 201, r.text
    batch_id = r.json()["id"]
    c.queue.drain()
    view = archivist.get(f"/api/v1/batches/{batch_id}").json()
    assert view["state"] == "done" and view["counts"]["stored"] == 6 and view["created_by"] == "vanthu"
    assert outsider.get(f"/api/v1/batches/{batch_id}").status_code == 404  # another's batch: not revealed
    assert [b["id"] for b in archivist.get("/api/v1/batches").json()] == [batch_id]
    assert outsider.get("/api/v1/batches").json() == []
    rep = archivist.get(f"/api/v1/batches/{batch_id}/report.csv")
    assert rep.status_code == 200 and rep.headers["content-type"].startswith("text/csv")
    pdf = archivist.get("/api/v1/cover-sheets", params={"staff": ["NV001", "NV003"], "document_type": "khac"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # outside the archivist's unit the files are listed as failures, not filed
    r = outsider.post("/api/v1/batches", files={"file": ("lo2.zip", _zip(tmp_path, tag="2"), "application/zip")})
    c.queue.drain()
    other = outsider.get(f"/api/v1/batches/{r.json()['id']}").json()
    assert other["counts"]["failed"] == 6 and "không tìm thấy cán bộ có mã" in other["files"][0]["problem"]
    assert outsider.get("/api/v1/cover-sheets", params={"staff": ["NV001"], "document_type": "khac"}).status_code == 404
    assert archivist.get("/api/v1/batches/review").json() == []


def test_api_refuses_a_traversal_zip_a_bomb_and_a_non_zip_with_422_and_nothing_kept(c, tmp_path):
    from tests.support.stacks import bomb_zip

    archivist = logged_in(create_app(container=c), "vanthu")
    for name, data, words in [("x.zip", make_zip({"/etc/x.pdf": b"%PDF"}), "tên tệp không an toàn"),
                              ("bom.zip", bomb_zip(64 * 1024 * 1024), "bom giải nén"),
                              ("lo.pdf", born_digital_pdf(["a"]), "tệp nén .zip")]:
        r = archivist.post("/api/v1/batches", files={"file": (name, data, "application/zip")})
        assert r.status_code == 422 and words in r.json()["detail"], r.text
    with c.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(IntakeBatch)) == 0
    assert list(c.store.namespace("intake").list_keys()) == []


def test_a_batch_whose_process_is_sigkilled_midway_resumes_and_files_each_file_once(c, tmp_path):
    import signal
    import time

    from archive.models import IntakeBatchFile, Job
    from archive.work import run_job
    from tests.support.processes import ARCHIVE, start, stop_group, wait_until

    members, rows = {}, ["tep,ma_can_bo,loai_tai_lieu"]
    for i in range(40):
        code = CODES[i % 3]
        members[f"{i:02d}.pdf"] = born_digital_pdf([f"Tài liệu {i} của {code}", "lô bị ngắt"])
        rows.append(f"{i:02d}.pdf,{code},khac")
    members["manifest.csv"] = "\n".join(rows).encode()
    z = tmp_path / "lo-ngat.zip"
    z.write_bytes(make_zip(members))
    env = service_env(c.settings.data_dir, job_lease_seconds="2")
    proc = start([ARCHIVE, "ingest-batch", str(z), "--wait"], env, tmp_path / "cli.log")

    def stored() -> int:
        with c.uow() as uow:
            return uow.session.scalar(select(func.count()).select_from(IntakeBatchFile)
                                      .where(IntakeBatchFile.state == "stored"))

    try:
        wait_until(lambda: stored() >= 3, timeout=120, what="three files stored", interval=0.05)
    finally:
        stop_group(proc, signal.SIGKILL)  # the whole process, mid-batch
    at_kill = stored()
    assert 3 <= at_kill < 40
    with c.uow() as uow:
        job = uow.session.scalar(select(Job).where(Job.kind == "batch"))
        job_id, state = job.id, job.state
    assert state == "running"
    time.sleep(2.5)  # its lease runs out, as the sweeper would see
    assert run_job(c, c.registry, job_id, worker_id="after-restart") == "done"
    with c.uow() as uow:
        s = uow.session
        files = list(s.scalars(select(IntakeBatchFile)))
        assert sorted(f.state for f in files) == ["stored"] * 40
        assert len({f.document_id for f in files}) == 40
        assert s.scalar(select(func.count()).select_from(Document)) == 40  # each file once, none twice
