"""Import a dossier package (nhập gói hồ sơ) made by another instance: a transfer from another
province, or to the archives.

Order, so that nothing is half-stored:
1. admin only (ADMINISTER somewhere) — before a zip is even unpacked;
2. `bagit` validates the whole bag — every payload and tag checksum, Payload-Oxum,
   completeness — and a bag that fails is refused naming its first failing file;
3. record.json is read against its schema (DossierRecord) and the CV models (StaffProfile,
   StaffSensitive, HistoryEntry); every file it names must be in the payload manifest with
   the SHA-256 and size record.json states;
4. the target unit (`unit_code`, else the unit with the source's code) must be in the admin's
   ADMINISTER scope, the record within their clearance, and its staff code free here;
5. the bytes go into the object store (originals) and its `derivatives` namespace (archival
   copies, and the bag's provenance tag files), each checked against its SHA-256 as it is
   written — content-addressed, so bytes put before a failed commit are harmless and reused by a
   retry (they are not removed: another record may hold the same bytes);
6. one transaction creates the staff record (sensitive fields encrypted with this instance's
   key), histories, status changes, one assignment to the target unit, the documents with their
   pages and descriptions, the archival derivatives, extract jobs for documents whose text was
   still pending, and the `dossier.import` audit entry. Documents whose pages came along go to
   `indexing`: the index consumer indexes them without OCR.

The source's audit entries are not spliced into this instance's HMAC chain: the import entry
names the bag, the source and the SHA-256 of the source's audit file, kept in the store.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from archive.context import Context
from archive.domain import EXTRACT_KIND, INDEX_KIND, DocumentState, StaffStatus
from archive.errors import Conflict, Forbidden, NotFound, shown
from archive.models import Assignment, Derivative, Document, Page, Staff, StaffHistory, StatusChange, Unit
from archive.services import audit, jobs
from archive.services.access import Action, Actor, check_unit, require
from archive.services.dossier_package import IMPORT_ACTION
from archive.services.dossier_package_bag import PackageRefused, bag_root, remove_tree, unzip_bag, validate_bag
from archive.services.dossier_package_record import DossierRecord, FilePart
from archive.services.staff_profile import HistoryEntry, StaffProfile, StaffSensitive, describe_errors

RECORD = "data/record.json"
MAX_RECORD_BYTES = 256 * 1024 * 1024  # the pages' text of a thick dossier; bounded before json.loads
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


@dataclass(frozen=True)
class ImportResult:
    staff_code: str
    unit_code: str
    documents: int
    source: str
    package: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _refuse_schema(exc: ValidationError, where: str = "record.json") -> PackageRefused:
    return PackageRefused(f"Tệp {where} của gói hồ sơ không đúng lược đồ: {describe_errors(exc.errors())}")


def read_checked_record(bag_dir: Path, entries: dict[str, dict]) -> DossierRecord:
    """record.json of a validated bag, against the schema and the manifest."""
    if RECORD not in entries:
        raise PackageRefused("Gói hồ sơ không có tệp data/record.json trong bảng kê.")
    path = bag_dir / RECORD
    if path.stat().st_size > MAX_RECORD_BYTES:
        raise PackageRefused("Tệp data/record.json của gói hồ sơ quá lớn.")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PackageRefused("Tệp data/record.json của gói hồ sơ không phải JSON UTF-8 hợp lệ.") from None
    try:
        record = DossierRecord.model_validate(data)
        StaffProfile.model_validate(record.staff.profile)
        StaffSensitive.model_validate(record.staff.sensitive)
        for h in record.history:
            HistoryEntry.model_validate(h.model_dump())
        StaffStatus(record.staff.status)
        for ch in record.status_changes:
            StaffStatus(ch.status)
    except ValidationError as exc:
        raise _refuse_schema(exc) from None
    except ValueError:
        raise PackageRefused("Tệp data/record.json của gói hồ sơ có trạng thái công tác không hợp lệ.") from None
    if not _CODE.fullmatch(record.staff.code):
        raise PackageRefused(f"Mã cán bộ “{shown(record.staff.code)}” trong gói hồ sơ không hợp lệ.")
    seen: set[tuple[str, int]] = set()
    numbers = {d.number for d in record.documents}
    for d in record.documents:
        if (d.original.sha256, d.part) in seen:  # a split-off part shares its original under another part number
            raise PackageRefused(f"Gói hồ sơ có hai tài liệu cùng nội dung (tài liệu số {d.number}).")
        seen.add((d.original.sha256, d.part))
        if any(p.from_document is not None and p.from_document not in numbers for p in d.pages):
            raise PackageRefused(f"Tài liệu số {d.number} của gói hồ sơ có trang đọc từ một tài liệu không có trong gói.")
        for f, prefix in ((d.original, "data/originals/"), (d.archival, "data/archival/")):
            if f is not None:
                _check_file(bag_dir, entries, f, prefix)
    return record


def _check_file(bag_dir: Path, entries: dict[str, dict], f: FilePart, prefix: str) -> None:
    """The file record.json names is in the payload manifest with the same SHA-256 and size."""
    if not f.path.startswith(prefix) or f.path not in entries:
        raise PackageRefused(f"Tệp {shown(f.path, 120)} mà record.json nêu không có trong bảng kê của gói hồ sơ.")
    if entries[f.path].get("sha256", "").lower() != f.sha256:
        raise PackageRefused(f"Tệp {f.path} có mã SHA-256 khác với mã ghi trong record.json.")
    if (bag_dir / f.path).stat().st_size != f.size:
        raise PackageRefused(f"Tệp {f.path} có kích thước khác với kích thước ghi trong record.json.")


def _target_unit(s, actor: Actor, unit_code: str | None, source_unit: str) -> Unit:  # noqa: ANN001
    code = unit_code or source_unit
    if not code:
        raise NotFound("Gói hồ sơ không ghi đơn vị nguồn; hãy chọn đơn vị nhận hồ sơ.")
    unit = s.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        if unit_code:
            raise NotFound(f"Không tìm thấy đơn vị có mã {shown(code)}.")
        raise NotFound(f"Hệ thống này không có đơn vị mã {shown(code)} như nơi gửi; hãy chọn đơn vị nhận hồ sơ.")
    return check_unit(s, actor, unit, Action.ADMINISTER)


def import_package(c: Context, actor: Actor, path: Path, *, unit_code: str | None = None) -> ImportResult:
    """Import the package at `path` (a bag directory, or a zipped bag)."""
    require(actor, Action.ADMINISTER)
    path = Path(path)
    work = None
    try:
        if path.is_file():
            c.settings.tmp_dir.mkdir(parents=True, exist_ok=True)
            work = c.settings.tmp_dir / f"package-in-{uuid.uuid4()}"
            work.mkdir()
            bag_dir = unzip_bag(path, work, max_bytes=c.settings.package_max_bytes)
        elif path.is_dir():
            bag_dir = bag_root(path)
        else:
            raise NotFound("Không tìm thấy gói hồ sơ cần nhập.")
        return _import_bag(c, actor, bag_dir, unit_code)
    finally:
        if work is not None:
            remove_tree(work)


def _import_bag(c: Context, actor: Actor, bag_dir: Path, unit_code: str | None) -> ImportResult:
    bag = validate_bag(bag_dir)  # FIRST: every checksum, before anything of the bag is believed
    entries = {k: v for k, v in bag.entries.items()}
    record = read_checked_record(bag_dir, entries)
    info = {k: (v[0] if isinstance(v, list) else v) for k, v in bag.info.items()}
    source, package = str(info.get("Source-Organization", "")), str(info.get("Internal-Sender-Identifier", ""))
    code = record.staff.code
    with c.uow() as uow:  # checks only; the writing transaction below checks again
        s = uow.session
        unit = _target_unit(s, actor, unit_code, str(info.get("Source-Unit-Code", "")))
        if record.staff.restriction_level > actor.clearance and not actor.is_system:
            raise Forbidden("Hồ sơ trong gói có độ hạn chế tiếp cận cao hơn mức tiếp cận của bạn.")
        if s.scalar(select(Staff.id).where(Staff.code == code)) is not None:
            raise Conflict(f"Mã cán bộ {code} đã có ở hệ thống này; gói hồ sơ không được nhập.")
        target_code = unit.code

    # Bytes first, each checked against its SHA-256 while written (see the module docstring).
    for d in record.documents:
        with open(bag_dir / d.original.path, "rb") as fh:
            c.store.put_stream(fh, content_type=d.original.content_type, expected_sha256=d.original.sha256)
        if d.archival is not None:
            with open(bag_dir / d.archival.path, "rb") as fh:
                c.derivatives.put_stream(fh, content_type=d.archival.content_type,
                                         expected_sha256=d.archival.sha256)
    provenance: dict[str, str] = {}
    for rel in sorted(bag.tagfile_entries()):
        if rel.startswith("provenance/") or rel == "bag-info.txt":
            name = rel if rel.startswith("provenance/") else "provenance/bag-info.txt"
            with open(bag_dir / rel, "rb") as fh:
                provenance[name] = c.derivatives.put_stream(fh, content_type="application/octet-stream").key

    extract: list[int] = []
    made: dict[int, Document] = {}  # package number → the new document
    with c.uow() as uow:
        s = uow.session
        unit = _target_unit(s, actor, target_code, "")
        st = record.staff
        staff = Staff(code=code, full_name=st.full_name, birth_date=st.birth_date, gender=st.gender, unit_id=unit.id,
                      status=st.status, status_effective_date=st.status_effective_date,
                      status_decision=st.status_decision, grade_code=st.grade_code,
                      restriction_level=st.restriction_level, profile=st.profile,
                      sensitive=c.cipher.encrypt(st.sensitive, aad=code), created_at=st.created_at)
        staff.history = [StaffHistory(kind=h.kind, from_date=h.from_date, to_date=h.to_date, summary=h.summary,
                                      details=h.details) for h in record.history]
        s.add(staff)
        s.flush()
        for ch in record.status_changes:
            s.add(StatusChange(staff_id=staff.id, status=ch.status, effective_date=ch.effective_date,
                               decision_ref=ch.decision_ref, recorded_at=ch.recorded_at, recorded_by=ch.recorded_by))
        s.add(Assignment(staff_id=staff.id, unit_id=unit.id, decision_ref=f"Nhận gói hồ sơ {package}"[:100]))
        for d in record.documents:
            state = {"extracted": DocumentState.INDEXING, "failed": DocumentState.FAILED}.get(
                d.text_state, DocumentState.QUEUED).value
            doc = Document(staff_id=staff.id, document_type=d.document_type, file_name=d.file_name,
                           content_type=d.original.content_type, sha256=d.original.sha256, size=d.original.size,
                           page_count=d.page_count, state=state, error=d.error, created_at=d.created_at,
                           description=d.description, part=d.part, withdrawn_at=d.withdrawn_at,
                           withdrawn_by=d.withdrawn_by or None, withdraw_reason=d.withdraw_reason or None)
            doc.pages = [Page(number=p.number, text=p.text, confidence=p.confidence, source=p.source,
                              rotation=p.rotation) for p in d.pages] if d.text_state == "extracted" else []
            s.add(doc)
            s.flush()
            made[d.number] = doc
            if state == DocumentState.QUEUED.value:
                extract.append(jobs.enqueue(s, EXTRACT_KIND, target_type="document", target_id=doc.id).id)
            if d.archival is not None:
                a = d.archival
                row = s.scalar(select(Derivative).where(Derivative.kind == "archival",
                                                        Derivative.source_sha256 == d.original.sha256,
                                                        Derivative.params == a.params))
                if row is None:  # an archival copy this instance made already of the same bytes is as good
                    s.add(Derivative(kind="archival", source_sha256=d.original.sha256, params=a.params,
                                     sha256=a.sha256, size=a.size, content_type=a.content_type,
                                     created_at=a.created_at))
        _link_page_sources(record, made)
        audit.append(s, actor=actor.name, ip=actor.ip, action=IMPORT_ACTION, target_type="staff", target_id=code,
                     details={"package": package, "source": source, "unit": unit.code,
                              "documents": len(record.documents), "payload_oxum": info.get("Payload-Oxum", ""),
                              "audit_entries_sha256": provenance.get("provenance/audit.jsonl", ""),
                              "provenance": provenance})
        try:
            uow.commit()
        except IntegrityError:
            raise Conflict(f"Mã cán bộ {code} đã có ở hệ thống này; gói hồ sơ không được nhập.") from None
    jobs.send_after_commit(c, [(job_id, EXTRACT_KIND) for job_id in extract])
    if c.queue is not None:
        c.queue.wake(INDEX_KIND)
    return ImportResult(staff_code=code, unit_code=target_code, documents=len(record.documents), source=source,
                        package=package)


def _link_page_sources(record: DossierRecord, made: dict[int, Document]) -> None:
    """Page references (issue 11): a page read from another document's original points at that
    document's new row, once every document of the package has one."""
    for d in record.documents:
        doc = made[d.number]
        rows = {p.number: p for p in doc.pages}
        for part in d.pages:
            if part.from_document is not None and part.number in rows:
                rows[part.number].source_document_id = made[part.from_document].id
                rows[part.number].source_page = part.from_page or part.number


def import_stream(c: Context, actor: Actor, stream, *, unit_code: str | None = None) -> ImportResult:  # noqa: ANN001
    """An uploaded zip (the API, the web form): admins only, checked before a byte is kept; written to a
    temporary file under `package_max_bytes`, imported, removed."""
    from ingest import receive_stream

    require(actor, Action.ADMINISTER)
    received = receive_stream(stream, tmp_dir=c.settings.tmp_dir, max_bytes=c.settings.package_max_bytes)
    try:
        return import_package(c, actor, received.path, unit_code=unit_code or None)
    finally:
        received.path.unlink(missing_ok=True)
