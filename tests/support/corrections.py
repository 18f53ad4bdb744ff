"""The small office the document-correction tests work in (issue 11: turn, merge, split,
reorder, withdraw): two units, three staff records, the archivist and the HR officer of one of
them, and uploads run through the inline queue."""

from __future__ import annotations

import hashlib
import io

from archive.services import accounts
from archive.services.access import SYSTEM
from archive.services.documents import get_document, ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import PASSWORD, make_user

# Orientation detection and the "almost no text" review never triggered: these tests are of the
# archivist's own corrections, which must work where detection cannot tell.
NO_AUTOMATIC_REVIEW = {"ocr_review_min_confidence": 0.0, "ocr_review_min_words": 0}


def without_automatic_review(settings):
    return settings.model_copy(update=NO_AUTOMATIC_REVIEW)


def make_office(c, *, auditor: bool = False):
    """PNV (NV001, NV002; luutru archivist, tochuc HR officer, kiemtra auditor if asked) and PYT (YT001)."""
    add_unit(c, SYSTEM, code="PNV", name="Phòng Nội vụ", parent_code="TINH")
    add_unit(c, SYSTEM, code="PYT", name="Phòng Y tế", parent_code="TINH")
    add_staff(c, SYSTEM, code="NV001", full_name="Đặng Thị Hồng Nhung", unit_code="PNV")
    add_staff(c, SYSTEM, code="NV002", full_name="Lê Văn Tám", unit_code="PNV")
    add_staff(c, SYSTEM, code="YT001", full_name="Phạm Thị Hoa", unit_code="PYT")
    make_user(c, "luutru", "archivist", "PNV")
    make_user(c, "tochuc", "hr_officer", "PNV")
    if auditor:
        make_user(c, "kiemtra", "auditor", "PNV")
    return c


def actor(c, username: str):
    """The Actor of `username`, logged in with the tests' password."""
    return accounts.authenticate(c, accounts.login(c, username, PASSWORD))


def upload(c, data: bytes, name: str, staff_code: str = "NV001", document_type: str = "khac"):
    """Upload as the system, run the queue, return the DocumentView."""
    out = ingest_upload(c, SYSTEM, staff_code=staff_code, stream=io.BytesIO(data), file_name=name,
                        document_type=document_type)
    c.queue.drain()
    return get_document(c, SYSTEM, out.document.id)


def stored_hash(c, sha256: str) -> str:
    """The SHA-256 of the original as the store holds it now."""
    h = hashlib.sha256()
    for chunk in c.store.iter_chunks(sha256):
        h.update(chunk)
    return h.hexdigest()
