"""Intake batches: a zip with a manifest files each document right; bad entries are listed; a batch
interrupted midway resumes and files each file once; a stack is split at its cover sheets."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from archive.models import AuditEntry, Document, IntakeBatchFile, Job
from archive.services import batches
from archive.services.access import SYSTEM
from archive.services.batch_processing import (
    assign_reviewed,
    process_batch,
    review_list,
)
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from tests.support.documents import born_digital_pdf
from tests.support.stacks import make_zip, scanned_stack

STAFF = {"NV001": "Nguyễn Văn An", "NV002": "Trần Thị Bình", "NV003": "Lê Hoàng Cường"}
TYPES = ("so_yeu_ly_lich", "quyet_dinh_nang_luong")


@pytest.fixture
def c(container):
    for code, name in STAFF.items():
        add_staff(container, SYSTEM, code=code, full_name=name, unit_code="TINH")
    return container


def _pdf(code: str, doc_type: str) -> bytes:
    return born_digital_pdf([f"Hồ sơ {code}", f"Loại {doc_type}"])


def _zip_3x2(tmp_path, extra_rows: str = "", extra_files: dict | None = None):
    members, rows = {}, ["tệp,mã cán bộ,loại tài liệu,ghi chú"]
    for code in STAFF:
        for t in TYPES:
            name = f"scans/{code}-{t}.pdf"
            members[name] = _pdf(code, t)
            rows.append(f"{name},{code},{t},lô 1")
    members["manifest.csv"] = ("\n".join(rows) + "\n" + extra_rows).encode("utf-8")
    members.update(extra_files or {})
    path = tmp_path / "lo-1.zip"
    path.write_bytes(make_zip(members))
    return path


def _files(c, batch_id):
    return batches.get_batch(c, SYSTEM, batch_id).files


def _documents(c):
    with c.uow() as uow:
        return [(d.staff.code, d.document_type, d.file_name) for d in uow.session.scalars(select(Document))]


def test_a_zip_of_three_dossiers_by_two_documents_with_a_manifest_files_each_document_right(c, tmp_path):
    view = batches.create_batch(c, SYSTEM, _zip_3x2(tmp_path))
    assert view.counts["pending"] == 6 and view.counts["total"] == 6 and view.name == "lo-1.zip"
    c.queue.drain()
    view = batches.get_batch(c, SYSTEM, view.id)
    assert view.state == "done" and view.counts["stored"] == 6
    assert sorted(_documents(c)) == sorted((code, t, f"{code}-{t}.pdf") for code in STAFF for t in TYPES)
    assert all(f.details == {"ghi chú": "lô 1"} for f in view.files)
    name, csv = batches.report_csv(c, SYSTEM, view.id)
    lines = csv.decode("utf-8-sig").splitlines()
    assert name == f"lo-tiep-nhan-{view.id}.csv" and len(lines) == 7 and lines[1].split(",")[4] == "stored"
    with c.uow() as uow:
        actions = list(uow.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "batch")))
    assert actions.count("batch.create") == 1 and actions.count("batch.finish") == 1


def test_bad_entries_are_listed_and_do_not_stop_the_others(c, tmp_path):
    extra = ("scans/x.pdf,NV999,khac,\n"        # unknown staff code
             "scans/y.pdf,NV001,khong_co,\n"    # unknown type
             "scans/mat.pdf,NV001,khac,\n")     # named, missing
    path = _zip_3x2(tmp_path, extra, {"scans/x.pdf": _pdf("x", "k"), "scans/y.pdf": _pdf("y", "k"),
                                      "scans/thua.pdf": _pdf("thua", "k")})
    view = batches.create_batch(c, SYSTEM, path)
    c.queue.drain()
    view = batches.get_batch(c, SYSTEM, view.id)
    assert view.counts["stored"] == 6 and view.counts["failed"] == 4
    problems = sorted(f.problem for f in view.files if f.state == "failed")
    assert problems == sorted([
        "Tệp scans/x.pdf: không tìm thấy cán bộ có mã NV999.",
        "Tệp scans/y.pdf: loại tài liệu “khong_co” không có trong danh mục loại tài liệu.",
        "Dòng 10: tệp scans/mat.pdf có trong bảng kê nhưng không có trong lô.",
        "Tệp scans/thua.pdf có trong lô nhưng bảng kê không ghi.",
    ])
    assert len(_documents(c)) == 6


def test_a_batch_stopped_midway_resumes_and_ends_with_each_file_once(c, tmp_path):
    view = batches.create_batch(c, SYSTEM, _zip_3x2(tmp_path))
    sent = [job_id for job_id, kind in c.queue.sent if kind == "batch"]
    c.queue.sent.clear()  # the worker that got the message stops after two files (a real SIGKILL: tests/e2e)
    assert process_batch(c, view.id, limit=2) is False
    assert [f.state for f in _files(c, view.id)] == ["stored"] * 2 + ["pending"] * 4
    with c.uow() as uow:  # each stored row holds its document, committed together
        rows = list(uow.session.scalars(select(IntakeBatchFile).where(IntakeBatchFile.state == "stored")))
        assert all(uow.session.get(Document, r.document_id).sha256 == r.sha256 for r in rows)
    from archive.work import run_job
    assert run_job(c, c.registry, sent[0], worker_id="restarted") == "done"
    files = _files(c, view.id)
    assert [f.state for f in files] == ["stored"] * 6
    assert len({f.document_id for f in files}) == 6 and len(_documents(c)) == 6
    with c.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Job).where(Job.kind == "extract")) == 6
    assert batches.get_batch(c, SYSTEM, view.id).state == "done"


def test_a_file_already_in_the_dossier_before_the_batch_is_a_duplicate(c, tmp_path):
    import zipfile

    path = _zip_3x2(tmp_path)
    with zipfile.ZipFile(path) as z:  # the very bytes the batch holds
        data = z.read(f"scans/NV002-{TYPES[0]}.pdf")
    ingest_upload(c, SYSTEM, staff_code="NV002", stream=io.BytesIO(data), file_name="truoc.pdf")
    view = batches.create_batch(c, SYSTEM, path)
    c.queue.drain()
    files = {f.path: f for f in batches.get_batch(c, SYSTEM, view.id).files}
    dup = files[f"scans/NV002-{TYPES[0]}.pdf"]
    assert dup.state == "duplicate" and "đã có tài liệu này" in dup.problem
    assert sum(f.state == "stored" for f in files.values()) == 5 and len(_documents(c)) == 6


def test_the_same_bytes_twice_for_a_dossier_are_a_duplicate_not_a_second_document(c, tmp_path):
    data = _pdf("NV001", "khac")
    path = tmp_path / "lo.zip"
    path.write_bytes(make_zip({"NV001/khac/a.pdf": data, "NV001/khac/b.pdf": data}))
    view = batches.create_batch(c, SYSTEM, path)
    c.queue.drain()
    states = [f.state for f in batches.get_batch(c, SYSTEM, view.id).files]
    assert sorted(states) == ["duplicate", "stored"] and len(_documents(c)) == 1


def test_a_folder_with_the_convention_is_a_batch_too(c, tmp_path):
    root = tmp_path / "lo"
    (root / "NV002" / "khac").mkdir(parents=True)
    (root / "NV002" / "khac" / "a.pdf").write_bytes(_pdf("NV002", "khac"))
    (root / "NV002" / "le.pdf").write_bytes(_pdf("NV002", "le"))
    view = batches.create_batch(c, SYSTEM, root)
    c.queue.drain()
    view = batches.get_batch(c, SYSTEM, view.id)
    assert (view.counts["stored"], view.counts["failed"]) == (1, 1)
    assert _documents(c) == [("NV002", "khac", "a.pdf")]


def test_a_stack_with_cover_sheets_becomes_two_documents_in_two_dossiers_without_the_covers(c, tmp_path):
    stack = scanned_stack([("NV001", "so_yeu_ly_lich", 2), ("NV002", "quyet_dinh_nang_luong", 1)], dpi=200)
    lone = scanned_stack([1], dpi=200)  # no cover sheet first: to review, not guessed
    path = tmp_path / "quet.zip"
    path.write_bytes(make_zip({"tap-1.pdf": stack, "tap-2.pdf": lone}))
    view = batches.create_batch(c, SYSTEM, path)
    c.queue.drain()
    view = batches.get_batch(c, SYSTEM, view.id)
    by_state = {f.path: f.state for f in view.files}
    assert by_state == {"tap-1.pdf": "split", "tap-2.pdf": "needs_review", "tap-1-phan-1.pdf": "stored",
                        "tap-1-phan-2.pdf": "stored"}
    with c.uow() as uow:
        docs = {(d.staff.code, d.document_type): d.page_count for d in uow.session.scalars(select(Document))}
    assert docs == {("NV001", "so_yeu_ly_lich"): 2, ("NV002", "quyet_dinh_nang_luong"): 1}
    # the review list shows the stack; an archivist assigns it and it is filed
    (batch_id, _name, f), = review_list(c, SYSTEM)
    assert batch_id == view.id and f.path == "tap-2.pdf"
    assign_reviewed(c, SYSTEM, view.id, f.id, staff_code="NV003", document_type="khac")
    c.queue.drain()
    assert {f.path: f.state for f in batches.get_batch(c, SYSTEM, view.id).files}["tap-2.pdf"] == "stored"
    assert review_list(c, SYSTEM) == []


def test_a_units_consume_folder_becomes_a_batch_once_its_files_are_stable(c, tmp_path):
    import os
    import time

    from archive.work import start_kind

    root = tmp_path / "consume"
    unit = root / "TINH"
    (unit / "NV001" / "khac").mkdir(parents=True)
    (unit / "NV001" / "khac" / "a.pdf").write_bytes(_pdf("NV001", "consume"))
    (unit / "tap.pdf").write_bytes(scanned_stack([("NV002", "so_yeu_ly_lich", 1)], dpi=200))
    (root / "KHONG_CO").mkdir()  # not a unit: left alone
    (root / "KHONG_CO" / "x.pdf").write_bytes(b"%PDF")
    c.settings.consume_dir = root
    c.settings.consume_stable_seconds = 30
    start_kind(c, c.registry, "consume")
    c.queue.drain()
    assert batches.list_batches(c, SYSTEM) == []  # still being written (mtime just now): not taken
    old = time.time() - 60
    for p in unit.rglob("*.pdf"):
        os.utime(p, (old, old))
    start_kind(c, c.registry, "consume")
    c.queue.drain()
    (view,) = batches.list_batches(c, SYSTEM)
    assert (view.source, view.unit_code, view.counts["stored"], view.counts["split"]) == ("consume", "TINH", 2, 1)
    assert sorted(_documents(c))[:2] == [("NV001", "khac", "a.pdf"), ("NV002", "so_yeu_ly_lich", "tap-phan-1.pdf")]
    assert (unit / "done" / str(view.id) / "tap.pdf").is_file()
    assert (unit / "done" / str(view.id) / "NV001" / "khac" / "a.pdf").is_file()
    assert not (unit / "tap.pdf").exists() and not (unit / "NV001").exists()
    assert (root / "KHONG_CO" / "x.pdf").exists()
    start_kind(c, c.registry, "consume")  # nothing new: nothing more
    c.queue.drain()
    assert len(batches.list_batches(c, SYSTEM)) == 1


def test_a_refused_zip_in_a_consume_folder_goes_to_failed_with_its_reason(c, tmp_path):
    from archive.work import start_kind

    root = tmp_path / "consume"
    (root / "TINH").mkdir(parents=True)
    (root / "TINH" / "xau.zip").write_bytes(make_zip({"../thoat.pdf": b"%PDF"}))
    c.settings.consume_dir = root
    c.settings.consume_stable_seconds = 0
    start_kind(c, c.registry, "consume")
    c.queue.drain()
    (failed,) = (root / "TINH" / "failed").iterdir()
    assert (failed / "xau.zip").is_file() and "tên tệp không an toàn" in (failed / "LOI.txt").read_text("utf-8")
    assert batches.list_batches(c, SYSTEM) == []


def test_the_report_keeps_a_formula_like_file_name_as_text(c, tmp_path):
    path = tmp_path / "lo.zip"
    path.write_bytes(make_zip({"=HYPERLINK(1).pdf": _pdf("NV001", "f")}))
    view = batches.create_batch(c, SYSTEM, path)
    _name, data = batches.report_csv(c, SYSTEM, view.id)
    assert ",'=HYPERLINK(1).pdf," in data.decode("utf-8-sig")
