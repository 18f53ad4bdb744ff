"""Helpers for the retention, legal hold and disposition tests: an archive on a real MinIO bucket,
actors of the roles involved, and a dossier with one uploaded document."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from archive.bootstrap import Container, build
from archive.db import migrate
from archive.services.access import SYSTEM, Actor, Grant, Role
from archive.services.catalogs import seed_catalogs
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from archive.settings import Settings
from tests.support.documents import born_digital_pdf
from tests.support.inline_queue import InlineQueue

ADMIN_A = Actor(name="admin.a", grants=(Grant(Role.ADMIN, "TINH"),), clearance=2)
ADMIN_B = Actor(name="admin.b", grants=(Grant(Role.ADMIN, "TINH"),), clearance=2)
AUDITOR = Actor(name="kiem.tra", grants=(Grant(Role.AUDITOR, "TINH"),), clearance=2)
ARCHIVIST = Actor(name="van.thu", grants=(Grant(Role.ARCHIVIST, "TINH"),), clearance=2)


def s3_bucket_url(s3_url: str, prefix: str = "ret") -> str:
    return urlunparse(urlparse(s3_url)._replace(netloc=f"{prefix}-{uuid.uuid4().hex[:16]}"))


def archive_on(tmp_path: Path, storage_url: str = "") -> Container:
    """An embedded archive (SQLite, tantivy) whose object store is `storage_url` (default: local files)."""
    s = Settings(data_dir=tmp_path / "data", storage_url=storage_url)
    s.data_dir.mkdir(parents=True)
    migrate(s.database_url)
    c = build(s, queue=InlineQueue())
    c.queue.bind(c)
    seed_catalogs(c)
    add_unit(c, SYSTEM, code="TINH", name="Ủy ban nhân dân tỉnh")
    return c


def add_person(c: Container, code: str = "NV001", *, status: str = "dang_cong_tac") -> str:
    add_staff(c, SYSTEM, code=code, full_name="Nguyễn Văn Bình", unit_code="TINH", status=status)
    return code


def upload(c: Container, staff_code: str, document_type: str, *, label: str = "") -> int:
    """One born-digital PDF into the dossier; its jobs are run. The document id."""
    data = born_digital_pdf([f"Quyết định số {uuid.uuid4().hex[:8]} {label}", "Ủy ban nhân dân tỉnh"])
    out = ingest_upload(c, SYSTEM, staff_code=staff_code, stream=io.BytesIO(data), file_name=f"{document_type}.pdf",
                        document_type=document_type)
    c.queue.drain()
    return out.document.id
