"""Export a dossier as a BagIt package (xuất gói hồ sơ) for a transfer to another archive.

Who: an actor who may both download the record's originals and read its sensitive fields
(admins, cán bộ tổ chức in scope, within their clearance) — the package holds the originals
and the sensitive fields in clear, so it is handed over like the paper dossier. Every export
is audited before a byte is written (as downloads are).

What (docs/dossier-package.md): the payload `data/` is the record — record.json, originals,
archival copies, mets.xml — and is the same for the same record on any instance; the tag
files `provenance/` are this instance's custody — its audit entries for the record, its
assignments, its PREMIS events — plus, carried unchanged, the provenance of every package the
record was imported from (kept in the object store by the import, named in its audit entry).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import String, cast, or_, select

from archive.context import Context
from archive.errors import ArchiveError, Conflict, Forbidden, InvalidInput
from archive.models import Assignment, AuditEntry, Document, Unit
from archive.services import audit, mets
from archive.services.access import Action, Actor, check_staff, unit_ancestry
from archive.services.dossier_package_bag import BagWriter, remove_tree, zip_bag
from archive.services.dossier_package_record import read_record
from archive.services.staff import load_staff
from storage import ObjectStore

EXPORT_ACTION, IMPORT_ACTION = "dossier.export", "dossier.import"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    staff_code: str
    documents: int
    payload_files: int
    payload_bytes: int

    def to_dict(self) -> dict:
        return {"path": str(self.path), "staff_code": self.staff_code, "documents": self.documents,
                "payload_files": self.payload_files, "payload_bytes": self.payload_bytes}


def _entry_dict(e: AuditEntry) -> dict:
    return {"seq": e.seq, "at": e.at.isoformat(timespec="microseconds") + "Z", "actor": e.actor, "ip": e.ip,
            "action": e.action, "target_type": e.target_type, "target_id": e.target_id, "details": e.details,
            "prev_hash": e.prev_hash, "hash": e.hash}


def record_entries(s, staff_code: str, staff_id: int) -> list[AuditEntry]:  # noqa: ANN001
    """This instance's audit entries about the record: the staff code, or one of its documents."""
    doc_ids = select(cast(Document.id, String)).where(Document.staff_id == staff_id)
    return list(s.scalars(select(AuditEntry).where(or_(
        (AuditEntry.target_type == "staff") & (AuditEntry.target_id == staff_code),
        (AuditEntry.target_type == "document") & AuditEntry.target_id.in_(doc_ids),
    )).order_by(AuditEntry.seq)))


def check_exporter(s, actor: Actor, staff_code: str):  # noqa: ANN001, ANN201
    """The record, if the actor may export it (download + read sensitive fields, in scope)."""
    staff = check_staff(s, actor, load_staff(s, staff_code), Action.DOWNLOAD)
    try:
        check_staff(s, actor, staff, Action.READ_SENSITIVE)
    except Forbidden:
        raise Forbidden("Gói hồ sơ chứa cả tệp gốc và thông tin nhạy cảm: chỉ người được xem thông tin nhạy cảm "
                        "của hồ sơ này mới xuất được gói.") from None
    return staff


def may_export(c: Context, actor: Actor, staff_code: str) -> bool:
    """For the doors: show the export button or not."""
    try:
        with c.uow() as uow:
            check_exporter(uow.session, actor, staff_code)
        return True
    except ArchiveError:  # any refusal hides the button; the export itself explains why
        return False


def export_dossier(c: Context, actor: Actor, staff_code: str, out: Path, *, as_zip: bool = False) -> ExportResult:
    """Write the package of `staff_code` to `out` (a new directory, or a new .zip with as_zip)."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput("Nơi ghi gói hồ sơ đã có dữ liệu; hãy chọn một thư mục hoặc tên tệp mới.")
    if not out.parent.is_dir():
        raise InvalidInput("Thư mục chứa nơi ghi gói hồ sơ không tồn tại.")
    with c.uow() as uow:
        s = uow.session
        staff = check_exporter(s, actor, staff_code)
        record, files = read_record(s, c.cipher, staff)
        entries = [_entry_dict(e) for e in record_entries(s, staff.code, staff.id)]
        chain = unit_ancestry(s, staff.unit)
        organization = chain[0].name if chain else staff.unit.name
        units = {u.id: u.code for u in s.scalars(select(Unit))}
        custody = {
            "organization": organization,
            "unit": {"code": staff.unit.code, "name": staff.unit.name, "path": [u.code for u in chain]},
            "assignments": [{"unit_code": units.get(a.unit_id), "from": a.from_at.isoformat() + "Z",
                             "to": a.to_at.isoformat() + "Z" if a.to_at else None, "decision": a.decision_ref,
                             "effective_date": a.effective_date.isoformat() if a.effective_date else None}
                            for a in s.scalars(select(Assignment).where(Assignment.staff_id == staff.id)
                                               .order_by(Assignment.id))],
        }
        carried = [e["details"].get("provenance") or {} for e in entries if e["action"] == IMPORT_ACTION]
        export_id = str(uuid.uuid4())
        audit.append(s, actor=actor.name, ip=actor.ip, action=EXPORT_ACTION, target_type="staff",
                     target_id=staff.code, details={"package": export_id, "documents": len(record.documents),
                                                    "zip": as_zip})
        uow.commit()
        exported_at = c.clock()
    c.settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    work = c.settings.tmp_dir / f"package-{export_id}"
    bag_dir = work / f"ho-so-{staff.code}"
    bag_dir.mkdir(parents=True)
    try:
        w = BagWriter(bag_dir)
        record_bytes = record.to_json_bytes()
        record_sha, _ = w.add_payload_bytes("data/record.json", record_bytes)
        for rel, where, key in files:
            store: ObjectStore = c.store if where == "store" else c.derivatives
            with store.open(key) as fh:
                sha, _size = w.add_payload(rel, fh)
            if sha != key:
                raise Conflict(f"Bản lưu của tệp {rel.rsplit('/', 1)[-1]} không còn khớp mã SHA-256 của nó; "
                               "hãy khôi phục tệp từ bản sao lưu trước khi xuất gói hồ sơ.")
        w.add_payload_bytes("data/mets.xml", mets.record_mets(record, record_sha256=record_sha))
        w.add_tag("provenance/audit.jsonl", "".join(
            json.dumps(e, ensure_ascii=False, sort_keys=True, default=str) + "\n" for e in entries).encode())
        w.add_tag("provenance/custody.json",
                  (json.dumps(custody, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode())
        w.add_tag("provenance/events.xml", mets.custody_events(entries, organization=organization,
                                                               exported_at=exported_at, exporter=actor.name))
        for k, provenance in enumerate(carried, start=1):
            for rel, key in sorted(provenance.items()):
                with c.derivatives.open(key) as fh:
                    w.add_tag(f"provenance/imported-{k}/{rel.removeprefix('provenance/')}", fh.read())
        w.finish({"Source-Organization": organization, "Source-Unit-Code": staff.unit.code,
                  "Contact-Name": actor.name, "External-Identifier": staff.code,
                  "External-Description": f"Gói hồ sơ cán bộ {staff.code} (BagIt, lược đồ {record.schema_})",
                  "Internal-Sender-Identifier": export_id}, bagging_date=exported_at.date())
        if as_zip:
            tmp_zip = out.with_name(f".{out.name}.{export_id}.tmp")
            zip_bag(bag_dir, tmp_zip)
            os.replace(tmp_zip, out)
        else:
            if out.exists():
                out.rmdir()
            os.replace(bag_dir, out) if _same_fs(bag_dir, out) else _copy_tree(bag_dir, out)
    finally:
        remove_tree(work)
        if as_zip:
            Path(out.with_name(f".{out.name}.{export_id}.tmp")).unlink(missing_ok=True)
    return ExportResult(path=out, staff_code=staff.code, documents=len(record.documents),
                        payload_files=len(w.payload), payload_bytes=sum(sz for _h, sz in w.payload.values()))


def _same_fs(a: Path, b: Path) -> bool:
    return os.stat(a).st_dev == os.stat(b.parent if b.parent.exists() else b.parent.parent).st_dev


def _copy_tree(src: Path, dst: Path) -> None:
    import shutil

    shutil.copytree(src, dst)


__all__ = ["EXPORT_ACTION", "IMPORT_ACTION", "ExportResult", "export_dossier", "may_export"]


def export_zip_file(c: Context, actor: Actor, staff_code: str) -> tuple[Path, str]:
    """The package as a temporary zip under the tmp dir, for a download (the door removes it after
    sending), and the name to give it."""
    c.settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    path = c.settings.tmp_dir / f"package-out-{uuid.uuid4()}.zip"
    result = export_dossier(c, actor, staff_code, path, as_zip=True)
    return result.path, f"ho-so-{result.staff_code}.zip"
