"""Dossier packages in tests: fresh embedded instances (each its own data dir, keys and database) and a
real dossier on them — a CV with histories and sensitive fields, born-digital PDFs run through the
real pipeline, a TT 05/2025 description and an archival copy."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from archive.bootstrap import Container, build
from archive.db import migrate
from archive.models import Derivative, Document
from archive.services.access import SYSTEM
from archive.services.catalogs import seed_catalogs
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.staff_lifecycle import change_status
from archive.services.units import add_unit
from archive.settings import Settings
from tests.support.documents import CV_LINES, born_digital_pdf
from tests.support.inline_queue import InlineQueue

ARCHIVAL_PDF_LINES = ["BẢN LƯU TRỮ PDF/A", "Sơ yếu lý lịch — bản sao lưu trữ"]


def fresh_instance(root: Path, *, units: tuple[tuple[str, str, str | None], ...] = ()) -> Container:
    """A new archive under `root` with the province TINH and the given (code, name, parent) units."""
    s = Settings(data_dir=root / "data", archival_copies=False)  # the archival copy is made by the test itself
    s.data_dir.mkdir(parents=True)
    migrate(s.database_url)
    c = build(s, queue=InlineQueue())
    c.queue.bind(c)
    seed_catalogs(c)
    add_unit(c, SYSTEM, code="TINH", name="Ủy ban nhân dân tỉnh")
    for code, name, parent in units:
        add_unit(c, SYSTEM, code=code, name=name, parent_code=parent)
    return c


def add_archival_copy(c: Container, source_sha256: str, pdf: bytes) -> str:
    """What the PDF/A engineer's `archival` job records: the copy's bytes in `derivatives`, and its row."""
    import io

    info = c.derivatives.put_stream(io.BytesIO(pdf), content_type="application/pdf")
    with c.uow() as uow:
        uow.session.add(Derivative(kind="archival", source_sha256=source_sha256, params="pdfa-2b", sha256=info.key,
                                   size=info.size, content_type="application/pdf"))
        uow.commit()
    return info.key


def make_dossier(c: Container, code: str = "NV100", unit: str = "TINH") -> dict:
    """A record with two processed documents (the first with a description and an archival copy)."""
    add_staff(c, SYSTEM, code=code, full_name="Đặng Thị Hồng Nhung", unit_code=unit, birth_date=date(1968, 11, 3),
              gender="nu", grade_code="01.003", restriction_level=1,
              profile={"birth_place": "xã Tân Phú, huyện Đức Hòa, tỉnh Long An", "position": "Phó Trưởng phòng"},
              sensitive={"id_number": "079168001234", "ethnicity": "01"},
              history=[{"kind": "qua_trinh_cong_tac", "from_date": "1990-08-15", "to_date": "2023-06-30",
                        "summary": "Phòng Tài chính huyện Đức Hòa", "details": {"chuc_vu": "kế toán"}}])
    change_status(c, SYSTEM, code, status="nghi_huu", effective_date=date(2023, 12, 1),
                  decision_ref="215/QĐ-UBND ngày 01/11/2023")
    docs = []
    for name, lines in (("Sơ yếu lý lịch.pdf", CV_LINES), ("Quyết định nghỉ hưu 215.pdf",
                                                             ["QUYẾT ĐỊNH về việc nghỉ hưu", "Bà Đặng Thị Hồng Nhung"])):
        import io

        out = ingest_upload(c, SYSTEM, staff_code=code, stream=io.BytesIO(born_digital_pdf(lines)), file_name=name,
                            document_type="khac")
        docs.append(out.document)
    c.queue.drain()
    first = docs[0]
    with c.uow() as uow:
        doc = uow.session.get(Document, first.id)
        doc.description = {"so_ky_hieu": "01/SYLL", "trich_yeu": "Sơ yếu lý lịch cán bộ, công chức",
                           "ngay_thang_nam": "1990-08-15"}
        uow.commit()
    archival = add_archival_copy(c, first.sha256, born_digital_pdf(ARCHIVAL_PDF_LINES))
    return {"code": code, "documents": docs, "archival_sha256": archival}


def counts(c: Container, code: str) -> dict:
    """What an import left behind for `code` (all zero after a refused one)."""
    from archive.models import Job, Page, Staff

    with c.uow() as uow:
        s = uow.session
        staff = s.scalar(select(Staff).where(Staff.code == code))
        if staff is None:
            return {"staff": 0, "documents": 0, "pages": 0, "jobs": s.query(Job).count()}
        doc_ids = [d.id for d in s.scalars(select(Document).where(Document.staff_id == staff.id))]
        return {"staff": 1, "documents": len(doc_ids),
                "pages": s.query(Page).filter(Page.document_id.in_(doc_ids)).count(), "jobs": s.query(Job).count()}
