"""Filing a batch picks its pending files several at a time (batch_processing.PICK) and checks their
targets when it picks them: more files than one pick are filed once each, in order, across a stop;
a target that changed after the batch was made is refused at filing time, the others go on."""

from __future__ import annotations

from sqlalchemy import select

from archive.models import Document, Staff
from archive.services import batches
from archive.services.access import SYSTEM
from archive.services.batch_processing import PICK, process_batch
from archive.services.staff import add_staff
from tests.support.documents import born_digital_pdf
from tests.support.stacks import make_zip

TYPE = "so_yeu_ly_lich"


def _batch_zip(tmp_path, count: int, *, extra_rows: tuple[str, ...] = ()):
    members, rows = {}, ["tệp,mã cán bộ,loại tài liệu"]
    for i in range(count):
        name = f"scans/{i:03d}.pdf"
        members[name] = born_digital_pdf([f"Tệp số {i}", f"Cán bộ NV{i % 3:03d}"])
        rows.append(f"{name},NV{i % 3:03d},{TYPE}")
    rows += extra_rows
    members["manifest.csv"] = "\n".join(rows).encode("utf-8")
    path = tmp_path / "lo.zip"
    path.write_bytes(make_zip(members))
    return path


def _staff(c) -> None:
    for i, name in enumerate(("Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường")):
        add_staff(c, SYSTEM, code=f"NV{i:03d}", full_name=name, unit_code="TINH")


def test_more_files_than_one_pick_are_filed_once_each_in_order_across_a_stop(container, tmp_path):
    _staff(container)
    count = PICK * 2 + 7
    view = batches.create_batch(container, SYSTEM, _batch_zip(tmp_path, count))
    assert view.counts["pending"] == count
    assert process_batch(container, view.id, limit=PICK + 3) is False  # stopped inside the second pick
    states = [f.state for f in batches.get_batch(container, SYSTEM, view.id).files]
    assert states == ["stored"] * (PICK + 3) + ["pending"] * (count - PICK - 3)
    assert process_batch(container, view.id) is True
    files = batches.get_batch(container, SYSTEM, view.id).files
    assert [f.state for f in files] == ["stored"] * count
    ids = [f.document_id for f in files]
    assert ids == sorted(ids) and len(set(ids)) == count  # in the batch's order, none twice
    with container.uow() as uow:
        assert len(list(uow.session.scalars(select(Document.id)))) == count


def test_a_dossier_changed_after_the_batch_was_made_is_refused_at_filing_and_the_others_go_on(container, tmp_path):
    _staff(container)
    view = batches.create_batch(container, SYSTEM, _batch_zip(tmp_path, 6))
    assert view.counts["pending"] == 6
    with container.uow() as uow:  # the record's code changes between the batch and its filing
        uow.session.scalar(select(Staff).where(Staff.code == "NV002")).code = "NV902"
        uow.commit()
    assert process_batch(container, view.id) is True
    files = batches.get_batch(container, SYSTEM, view.id).files
    failed = [f for f in files if f.state == "failed"]
    assert [f.path for f in failed] == ["scans/002.pdf", "scans/005.pdf"]
    assert all(f.problem == f"Tệp {f.path}: không tìm thấy cán bộ có mã NV002." for f in failed)
    assert sum(f.state == "stored" for f in files) == 4 and all(f.document_id is None for f in failed)
    with container.uow() as uow:
        assert len(list(uow.session.scalars(select(Document.id)))) == 4
