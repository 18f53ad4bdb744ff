"""Helpers for the paper inventory tests: actors of the roles involved, two units, dossiers with documents."""

from __future__ import annotations

import io
import uuid

from archive.services.access import SYSTEM, Actor, Grant, Role
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.documents import born_digital_pdf

ARCHIVIST = Actor(name="van.thu", grants=(Grant(Role.ARCHIVIST, "Q1"),), clearance=2)
HR = Actor(name="to.chuc", grants=(Grant(Role.HR_OFFICER, "Q1"),), clearance=2)
AUDITOR = Actor(name="kiem.tra", grants=(Grant(Role.AUDITOR, "TINH"),), clearance=2)
OTHER_ARCHIVIST = Actor(name="van.thu.q2", grants=(Grant(Role.ARCHIVIST, "Q2"),), clearance=2)


def two_units(c) -> None:
    add_unit(c, SYSTEM, code="Q1", name="UBND Quận 1", parent_code="TINH")
    add_unit(c, SYSTEM, code="Q2", name="UBND Quận 2", parent_code="TINH")


def person(c, code: str, unit: str = "Q1", *, status: str = "dang_cong_tac", name: str = "Nguyễn Văn Bình",
           grade: str = "01.003") -> str:
    add_staff(c, SYSTEM, code=code, full_name=name, unit_code=unit, status=status, grade_code=grade)
    return code


def upload(c, code: str, document_type: str, pages: int = 1) -> int:
    data = born_digital_pdf([f"Văn bản {uuid.uuid4().hex[:8]}", "Ủy ban nhân dân"], pages=pages)
    out = ingest_upload(c, SYSTEM, staff_code=code, stream=io.BytesIO(data), file_name=f"{document_type}.pdf",
                        document_type=document_type)
    c.queue.drain()
    return out.document.id
