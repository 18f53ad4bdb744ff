"""The record inside a dossier package (gói hồ sơ): `data/record.json`, its schema, and how it is read
from and written to the database.

What is in it is the *record* — what travels with a dossier from one archive to another:
the staff fields (sensitive ones in clear: the package is handled as the record itself), CV
histories, status changes, and every document with its pages (text, confidence, source), its
TT 05/2025 description and, when there is one, its archival copy. What belongs to one
instance's custody — database ids, the managing unit, assignments, states of the index, the
audit log — is not: it lives in the bag's tag files (`provenance/`, docs/dossier-package.md).
So the same record exported by two instances gives the same bytes: sorted keys, fixed order
(by creation), no export time.

The JSON schema (`archive/schemas/dossier-record.schema.json`) is generated from the models
here (`schema_json()`); tests keep the file and the models equal.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.crypto import FieldCipher
from archive.domain import DocumentState
from archive.models import Derivative, Document, Page, Staff, StaffHistory, StatusChange
from search import nfc

SCHEMA_ID = "cbccvc-dossier-record/1"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schemas" / "dossier-record.schema.json"
ARCHIVAL_KIND, ARCHIVAL_PARAMS = "archival", "pdfa-2b"  # the PDF/A-2b archival copy (bản lưu trữ)
_UNSAFE = set('<>:"/\\|?*%') | {"\x7f"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StaffPart(_Strict):
    """Thông tin cán bộ: the record's own fields."""

    code: str = Field(max_length=32, description="mã cán bộ")
    full_name: str = Field(max_length=200, description="họ và tên")
    birth_date: date | None = None
    gender: str = Field("", max_length=8)
    status: str = Field(max_length=32, description="trạng thái công tác (archive.domain.StaffStatus)")
    status_effective_date: date | None = None
    status_decision: str = Field("", max_length=100)
    grade_code: str = Field("", max_length=16, description="mã ngạch / chức danh nghề nghiệp")
    restriction_level: int = Field(0, ge=0, le=2, description="độ hạn chế tiếp cận")
    profile: dict[str, Any] = Field(default_factory=dict, description="Mẫu 2C fields (StaffProfile)")
    sensitive: dict[str, Any] = Field(default_factory=dict, description="trường nhạy cảm, in clear (StaffSensitive)")
    created_at: datetime = Field(description="when the record was first created, UTC")


class HistoryPart(_Strict):
    kind: str = Field(max_length=32, description="quá trình công tác, lương, đào tạo … (HistoryKind)")
    from_date: date | None = None
    to_date: date | None = None
    summary: str = ""
    details: dict[str, Any] = Field(default_factory=dict)


class StatusChangePart(_Strict):
    status: str = Field(max_length=32)
    effective_date: date | None = None
    decision_ref: str = Field("", max_length=100)
    recorded_at: datetime
    recorded_by: str = Field("", max_length=100)


class PagePart(_Strict):
    number: int = Field(ge=1)
    text: str
    confidence: float
    source: str = Field(max_length=16, description="text_layer or ocr")
    # page references (issue 11): a merged, split or reordered page is read from another page of an original
    from_document: int | None = Field(None, ge=1, description="number (in this package) of the document whose "
                                      "original the page is read from; none: this document's own")
    from_page: int | None = Field(None, ge=1, description="page of that original; none: the page's own number")
    rotation: Literal[0, 90, 180, 270] = Field(0, description="turn applied before reading, degrees clockwise")


class FilePart(_Strict):
    path: str = Field(description="path of the file inside the bag, e.g. data/originals/001-so-yeu.pdf")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    content_type: str = Field(max_length=100)


class ArchivalPart(FilePart):
    params: str = Field(ARCHIVAL_PARAMS, max_length=200, description="canonical parameters, e.g. pdfa-2b")
    created_at: datetime = Field(description="when the archival copy was made (PREMIS migration event), UTC")


class DocumentPart(_Strict):
    number: int = Field(ge=1, description="1, 2, … in the order the documents were added")
    part: int = Field(0, ge=0, description="0; n for the n-th part split off a document with the same original")
    withdrawn_at: datetime | None = Field(None, description="thu hồi: when, UTC (a withdrawn document is kept, unsearched)")
    withdrawn_by: str = Field("", max_length=100)
    withdraw_reason: str = ""
    document_type: str = Field(max_length=64, description="loại tài liệu (catalog code)")
    file_name: str = Field(max_length=255)
    page_count: int = Field(0, ge=0)
    created_at: datetime = Field(description="ingest time (ngày tiếp nhận), UTC")
    text_state: Literal["extracted", "pending", "failed"] = Field(
        description="extracted: pages below are the text; pending: to be extracted; failed: see error")
    error: str | None = None
    description: dict[str, Any] = Field(default_factory=dict, description="mô tả tài liệu, TT 05/2025/TT-BNV")
    original: FilePart
    archival: ArchivalPart | None = None
    pages: list[PagePart] = Field(default_factory=list)


class DossierRecord(_Strict):
    """Hồ sơ cán bộ as carried in a package: data/record.json."""

    schema_: Literal["cbccvc-dossier-record/1"] = Field(SCHEMA_ID, alias="schema")
    staff: StaffPart
    history: list[HistoryPart] = Field(default_factory=list)
    status_changes: list[StatusChangePart] = Field(default_factory=list)
    documents: list[DocumentPart] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def to_json_bytes(self) -> bytes:
        data = self.model_dump(mode="json", by_alias=True)
        return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def schema_json() -> str:
    """The JSON schema of record.json, as kept in archive/schemas/."""
    schema = DossierRecord.model_json_schema(by_alias=True)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
    return json.dumps(schema, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def safe_file_name(name: str, limit: int = 100) -> str:
    """A name for a file inside the bag: NFC Vietnamese kept, no separators, controls or characters
    that Windows or the BagIt manifest format would choke on; the extension kept when cut short."""
    name = "".join("_" if ch in _UNSAFE or unicodedata.category(ch)[0] in "CZ" and ch != " " else ch
                   for ch in nfc(name or ""))
    name = "-".join(name.split()).strip(".-") or "tai-lieu"
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        keep = dot + ext if stem and len(ext) <= 10 else ""
        name = name[:limit - len(keep)] + keep
    return name


def text_state(state: str) -> str:
    if state in (DocumentState.INDEXING.value, DocumentState.INDEXED.value):
        return "extracted"
    if state == DocumentState.FAILED.value:
        return "failed"
    return "pending"


def read_record(s: Session, cipher: FieldCipher, staff: Staff) -> tuple[DossierRecord, list[tuple[str, str, str]]]:
    """The record of `staff`, and the files it names: (bag path, namespace "store"|"derivatives", key)."""
    history = s.scalars(select(StaffHistory).where(StaffHistory.staff_id == staff.id).order_by(StaffHistory.id))
    changes = s.scalars(select(StatusChange).where(StatusChange.staff_id == staff.id).order_by(StatusChange.id))
    docs = s.scalars(select(Document).where(Document.staff_id == staff.id).order_by(Document.id)).all()
    files: list[tuple[str, str, str]] = []
    parts = []
    numbers = {d.id: n for n, d in enumerate(docs, start=1)}
    for n, d in enumerate(docs, start=1):
        original = FilePart(path=f"data/originals/{n:03d}-{safe_file_name(d.file_name)}", sha256=d.sha256,
                            size=d.size, content_type=d.content_type)
        files.append((original.path, "store", d.sha256))
        row = s.scalar(select(Derivative).where(Derivative.kind == ARCHIVAL_KIND, Derivative.source_sha256 == d.sha256,
                                                Derivative.params == (  # a split-off part (issue 11): its own copy
                                                    f"{ARCHIVAL_PARAMS};part={d.part}" if d.part else ARCHIVAL_PARAMS)))
        archival = None
        if row is not None:
            archival = ArchivalPart(path=f"data/archival/{n:03d}.pdf", sha256=row.sha256, size=row.size,
                                    content_type=row.content_type, params=row.params, created_at=row.created_at)
            files.append((archival.path, "derivatives", row.sha256))
        state = text_state(d.state)
        pages = s.scalars(select(Page).where(Page.document_id == d.id).order_by(Page.number)) \
            if state == "extracted" else []
        parts.append(DocumentPart(
            number=n, part=d.part or 0, withdrawn_at=d.withdrawn_at, withdrawn_by=d.withdrawn_by or "",
            withdraw_reason=d.withdraw_reason or "",
            document_type=d.document_type, file_name=d.file_name, page_count=d.page_count,
            created_at=d.created_at, text_state=state, error=d.error if state == "failed" else None,
            description=dict(d.description or {}), original=original, archival=archival,
            pages=[_page_part(p, numbers) for p in pages]))
    record = DossierRecord(
        staff=StaffPart(code=staff.code, full_name=staff.full_name, birth_date=staff.birth_date, gender=staff.gender,
                        status=staff.status, status_effective_date=staff.status_effective_date,
                        status_decision=staff.status_decision, grade_code=staff.grade_code,
                        restriction_level=staff.restriction_level, profile=dict(staff.profile or {}),
                        sensitive=cipher.decrypt(staff.sensitive, aad=staff.code), created_at=staff.created_at),
        history=[HistoryPart(kind=h.kind, from_date=h.from_date, to_date=h.to_date, summary=h.summary,
                             details=dict(h.details or {})) for h in history],
        status_changes=[StatusChangePart(status=c.status, effective_date=c.effective_date, decision_ref=c.decision_ref,
                                         recorded_at=c.recorded_at, recorded_by=c.recorded_by) for c in changes],
        documents=parts)
    return record, files


def _page_part(p: Page, numbers: dict[int, int]) -> PagePart:
    """A page with where it is read from; a source outside this dossier (a page list never spans two
    dossiers, but a move could make one) leaves the page as its text, read from this document's own original."""
    from_document = numbers.get(p.source_document_id) if p.source_document_id is not None else None
    return PagePart(number=p.number, text=p.text, confidence=p.confidence, source=p.source,
                    from_document=from_document, from_page=p.source_page if from_document else None,
                    rotation=p.rotation or 0)
