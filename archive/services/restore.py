"""Restore (khôi phục), verification (kiểm tra) and the restore drill (diễn tập khôi phục) of backup sets.

- **restore** puts a set into an *empty* instance only: a database with rows, or a store holding an
  object the set does not have, is refused. Objects go first (each one hash-checked by the store
  as it is written; ones already there are skipped, so an interrupted restore just runs again),
  then the database (whose row counts must equal the manifest's), then the audit chain is
  verified against the anchors restored with it, and the search index is rebuilt from the
  database — the index is derived data, and rebuilding it is faster than shipping and checking a
  copy of it (timed in the report; bench/backup measures pages/s).
- **verify** checks a set where it lies: its manifest's MAC, its restic snapshot, the listing of
  every object copy; with `read_data`, every item and every copy is read back, opened and hashed
  (each damaged one is named) and restic re-reads its packs.
- **drill** restores the newest set into a scratch instance next to the live one, compares, and
  writes its report into the live audit log.

The audit key and the field keys are never in a set: the instance restored into must be given
the same ones (ARCHIVE_AUDIT_KEY / ARCHIVE_FIELD_KEYS, or the key files put back into the data
dir), and the restore checks them against the fingerprints the set recorded before it starts.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import make_url

from archive.context import Context
from archive.crypto import AuditKey
from archive.db import migrate
from archive.domain import DocumentState, JobState
from archive.errors import Conflict
from archive.models import Document, Job, Staff
from archive.services import audit, backup_objects
from archive.services.access import SYSTEM, Actor
from archive.services.backup_cipher import fingerprint_of
from archive.services.backup_database import dialect_of, non_empty_tables, restore_database, table_counts
from archive.services.backup_status import DRILL_ACTION, RESTORE_ACTION, VERIFY_ACTION, require_operator
from archive.services.backup_tools import KeepAlive
from archive.services.backups import (
    OBJECTS_FILE, Manifest, SetDamaged, backup_key, find_set, pick_target, resolve_source, restic_repo, stores_of,
)
from archive.services.search import search_pages
from storage import Retention, RetentionMode, owned_prefix

RebuildIndex = Callable[[Context], int]
OpenInstance = Callable[[Any], AbstractContextManager[Context]]  # settings → a context for that instance


class RestoreRefused(Conflict):
    """The instance to restore into is not empty, or lacks the keys the set needs (the message says which)."""


def _no_keep_alive() -> None:
    return None


def _dump(repo, manifest: Manifest, name: str, dest: Path, keep_alive: KeepAlive) -> None:  # noqa: ANN001
    """Write one item of the set's snapshot to `dest`, checking its SHA-256 against the manifest."""
    item, digest = manifest.item(name), hashlib.sha256()
    with open(dest, "wb") as out:
        def sink(chunk: bytes) -> None:
            digest.update(chunk)
            out.write(chunk)

        repo.dump(manifest.data["restic"]["snapshot"], f"/{name}", sink, keep_alive=keep_alive)
    if digest.hexdigest() != item["sha256"]:
        raise SetDamaged(f"{name} trong bộ sao lưu {manifest.set_id} không khớp mã SHA-256 của bản kê")


def _check_keys(c: Context, manifest: Manifest) -> None:
    """The audit and field keys given to this instance must be the ones the set was made with."""
    want = manifest.data["keys"]
    s = c.settings
    if not s.audit_key and not (s.data_dir / "keys" / "audit.key").exists():
        raise RestoreRefused("Cần khoá nhật ký của hệ thống cũ: đặt ARCHIVE_AUDIT_KEY hoặc chép tệp keys/audit.key "
                             "vào thư mục dữ liệu trước khi khôi phục.")
    if not s.field_keys and not (s.data_dir / "keys" / "field.key").exists():
        raise RestoreRefused("Cần khoá mã hoá trường nhạy cảm của hệ thống cũ: đặt ARCHIVE_FIELD_KEYS hoặc chép tệp "
                             "keys/field.key vào thư mục dữ liệu trước khi khôi phục.")
    key = AuditKey.from_spec(s.audit_key) if s.audit_key else AuditKey.from_spec(
        (s.data_dir / "keys" / "audit.key").read_text())
    if fingerprint_of(key.key, "audit") != want["audit"]:
        raise RestoreRefused("Khoá nhật ký (ARCHIVE_AUDIT_KEY) không phải khoá của hệ thống đã tạo bộ sao lưu này.")
    if key.since_seq != want["audit_since_seq"]:
        raise RestoreRefused(f"Khoá nhật ký phải ghi since={want['audit_since_seq']} như hệ thống cũ "
                             f"(đang là since={key.since_seq}).")
    have = {kid: fingerprint_of(raw, "field") for kid, raw in c.cipher.keys.items()}
    missing = [kid for kid, fp in want["field"].items() if have.get(kid) != fp]
    if missing:
        raise RestoreRefused(f"Thiếu khoá mã hoá trường nhạy cảm {', '.join(missing)} của hệ thống cũ "
                             "(ARCHIVE_FIELD_KEYS).")


@dataclass
class RestoreReport:
    set_id: str
    target: str
    counts: dict[str, int]
    counts_equal: bool
    objects_restored: int
    bytes_restored: int
    audit_ok: bool
    audit_checked: int
    audit_reason: str
    documents_indexed: int
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def restore_instance(c: Context, actor: Actor, *, source: str | None, set_id: str | None,
                     rebuild_index: RebuildIndex, keep_alive: KeepAlive = _no_keep_alive) -> RestoreReport:
    """Restore a set into this (empty) instance: objects, database, audit check, index rebuild."""
    if not actor.is_system:
        raise RestoreRefused("Chỉ người vận hành trên máy chủ (dòng lệnh) được khôi phục.")
    bkey = backup_key(c.settings)
    target = pick_target(c, source)
    manifest = find_set(target, bkey, set_id)
    made_from, into = manifest.data["database"]["dialect"], dialect_of(c.settings.database_url)
    if made_from != into:
        raise RestoreRefused(f"Bộ sao lưu chứa cơ sở dữ liệu {made_from}, nơi khôi phục dùng {into} "
                             "(ARCHIVE_DATABASE_URL): khôi phục vào cùng loại cơ sở dữ liệu.")
    entries = backup_objects.from_tsv(_read_item(c, target, bkey, manifest, OBJECTS_FILE, keep_alive))
    engine = create_engine(c.settings.database_url)
    try:
        rows = non_empty_tables(engine)
    finally:
        engine.dispose()
    if rows:
        listed = ", ".join(f"{t} ({n})" for t, n in sorted(rows.items())[:5])
        raise RestoreRefused(f"Cơ sở dữ liệu nơi khôi phục không trống ({listed}): chỉ khôi phục vào hệ thống trống.")
    stores = stores_of(c)
    in_set = {e.name for e in entries}
    for ns, store in stores.items():
        foreign = next((k for k in store.list_keys() if f"{ns}/{k}" not in in_set), None)
        if foreign is not None:
            raise RestoreRefused(f"Kho lưu trữ tệp nơi khôi phục không trống (có {ns}/{foreign} không thuộc bộ sao lưu): "
                                 "chỉ khôi phục vào hệ thống trống.")
    _check_keys(c, manifest)
    seconds: dict[str, float] = {}

    t0 = time.monotonic()
    retain = Retention(RetentionMode.COMPLIANCE,
                       datetime.now(timezone.utc) + timedelta(days=c.settings.audit_anchor_retention_days))

    def after_put(ns: str, key: str) -> None:
        if ns == "audit":  # anchors are kept undeletable, as audit.write_anchor keeps them
            stores[ns].set_retention(key, retain)

    restored, restored_bytes = backup_objects.restore_objects(stores, entries, target, bkey, keep_alive=keep_alive,
                                                              after_put=after_put)
    seconds["objects"] = round(time.monotonic() - t0, 3)

    t0 = time.monotonic()
    db = manifest.data["database"]
    work = Path(tempfile.mkdtemp(prefix=owned_prefix("restore-"), dir=c.settings.tmp_dir))
    try:
        repo = restic_repo(c, target, bkey)
        _dump(repo, manifest, db["file"], work / db["file"], keep_alive)
        restore_database(c.settings.database_url, work / db["file"], db["dialect"], keep_alive=keep_alive)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    engine = create_engine(c.settings.database_url)
    try:
        counts = table_counts(engine)
    finally:
        engine.dispose()
    migrate(c.settings.database_url)  # a set made by older code gets this code's schema
    seconds["database"] = round(time.monotonic() - t0, 3)

    with c.uow() as uow:
        s = uow.session
        job_id = manifest.data.get("job_id")
        if job_id is not None:  # the run that made this set was running when the snapshot was taken
            s.execute(update(Job).where(Job.id == job_id).values(
                state=JobState.DONE.value, lease_until=None, finished_at=datetime.fromisoformat(
                    manifest.data["finished"]).replace(tzinfo=None),
                result={"ok": True, "set": manifest.set_id, "restored": True}))
        uow.commit()
        verdict = audit.verify(s, anchors=audit.read_anchors(stores["audit"]))
    t0 = time.monotonic()
    indexed = rebuild_index(c)
    seconds["index"] = round(time.monotonic() - t0, 3)
    with c.uow() as uow:
        audit.append(uow.session, actor=actor.name, ip=actor.ip, action=RESTORE_ACTION, target_type="backup_set",
                     target_id=manifest.set_id, details={"target": target.label, "objects": restored,
                                                         "audit_ok": verdict.ok, "seconds": seconds})
        uow.commit()
    return RestoreReport(set_id=manifest.set_id, target=target.label, counts=counts,
                         counts_equal=counts == db["counts"], objects_restored=restored, bytes_restored=restored_bytes,
                         audit_ok=verdict.ok, audit_checked=verdict.checked, audit_reason=verdict.reason,
                         documents_indexed=indexed, seconds=seconds)


def _read_item(c: Context, target, bkey, manifest: Manifest, name: str, keep_alive: KeepAlive) -> bytes:  # noqa: ANN001
    with tempfile.TemporaryDirectory(prefix=owned_prefix("bkitem-"), dir=c.settings.tmp_dir) as tmp:
        path = Path(tmp) / name
        _dump(restic_repo(c, target, bkey), manifest, name, path, keep_alive)
        return path.read_bytes()


# -- verify ----------------------------------------------------------------------
@dataclass
class VerifyReport:
    set_id: str
    target: str
    read_data: bool
    ok: bool
    checked_objects: int
    problems: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify_set(c: Context, actor: Actor, *, source: str | None = None, set_id: str | None = None,
               read_data: bool = False, keep_alive: KeepAlive = _no_keep_alive) -> VerifyReport:
    """Check one set where it lies; every problem named (an item, an object copy, a restic pack)."""
    with c.uow() as uow:
        require_operator(uow.session, actor)
    bkey = backup_key(c.settings)
    target = pick_target(c, source)
    manifest = find_set(target, bkey, set_id)  # an unverifiable manifest is not a set: SetNotFound
    repo = restic_repo(c, target, bkey)
    problems: list[str] = []
    if manifest.data["restic"]["snapshot"] not in repo.snapshot_ids(keep_alive=keep_alive):
        problems.append(f"restic: thiếu ảnh chụp {manifest.data['restic']['snapshot']}")
        entries = []
    else:
        listing = b""
        try:
            listing = _read_item(c, target, bkey, manifest, OBJECTS_FILE, keep_alive)
        except Exception as exc:  # noqa: BLE001 - each damaged item is a finding, not a crash
            problems.append(f"{OBJECTS_FILE}: {exc}")
        others = [i["name"] for i in manifest.data["items"] if i["name"] != OBJECTS_FILE] if read_data else []
        for name in others:  # read back to a temporary file and hashed, never held in memory
            with tempfile.TemporaryDirectory(prefix=owned_prefix("bkitem-"), dir=c.settings.tmp_dir) as tmp:
                try:
                    _dump(repo, manifest, name, Path(tmp) / name, keep_alive)
                except Exception as exc:  # noqa: BLE001
                    problems.append(f"{name}: {exc}")
        entries = backup_objects.from_tsv(listing) if listing else []
    problems += [f"{n}: thiếu hoặc sai kích thước" for n in backup_objects.confirm_held(target, entries)]
    if read_data:
        found = backup_objects._parallel(entries, lambda e: backup_objects.copy_opens(target, bkey, e), keep_alive)
        problems += sorted(p for p in found if p)
        ok, said = repo.check(read_data=True, keep_alive=keep_alive)
        if not ok:
            problems.append(f"restic check --read-data: {said}")
    report = VerifyReport(set_id=manifest.set_id, target=target.label, read_data=read_data, ok=not problems,
                          checked_objects=len(entries), problems=problems)
    with c.uow() as uow:
        audit.append(uow.session, actor=actor.name, ip=actor.ip, action=VERIFY_ACTION, target_type="backup_set",
                     target_id=manifest.set_id, details={"set": manifest.set_id, "target": target.label,
                                                         "read_data": read_data, "ok": report.ok,
                                                         "problems": problems[:20]})
        uow.commit()
    return report


# -- drill -----------------------------------------------------------------------
@dataclass
class DrillReport:
    set_id: str
    target: str
    ok: bool
    checks: dict[str, bool]
    failures: list[str]
    restore: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _scratch_database(url: str, scratch: Path) -> tuple[str, Callable[[], None]]:
    """A database for the drill beside the live one: a file, or a new PostgreSQL database on the same server."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"sqlite:///{scratch / 'archive.db'}", lambda: None
    name = f"{u.database}_drill_{os.urandom(4).hex()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return u.set(database=name).render_as_string(hide_password=False), drop


def _field_spec(c: Context) -> str:
    import base64

    ordered = [c.cipher.active, *[k for k in c.cipher.keys if k != c.cipher.active]]
    return ",".join(f"{k}:{base64.b64encode(c.cipher.keys[k]).decode()}" for k in ordered)


def drill(c: Context, actor: Actor, *, source: str | None = None, set_id: str | None = None,
          open_instance: OpenInstance, rebuild_index: RebuildIndex,
          keep_alive: KeepAlive = _no_keep_alive) -> DrillReport:
    """Restore a set (the newest by default) into a scratch instance, compare, report into the audit log."""
    with c.uow() as uow:
        require_operator(uow.session, actor)
    bkey = backup_key(c.settings)
    source_url = resolve_source(c, source)
    target = pick_target(c, source_url)
    manifest = find_set(target, bkey, set_id)
    scratch = Path(tempfile.mkdtemp(prefix=owned_prefix("drill-"), dir=c.settings.tmp_dir))
    database_url, drop = _scratch_database(c.settings.database_url, scratch)
    failures: list[str] = []
    checks: dict[str, bool] = {}
    restored: dict[str, Any] = {}
    try:
        settings = c.settings.model_copy(update={
            "data_dir": scratch, "database_url": database_url, "storage_url": f"file://{scratch / 'objects'}",
            "search_url": f"tantivy://{scratch / 'index'}", "audit_key": c.audit_key.spec(),
            "field_keys": _field_spec(c)})
        with open_instance(settings) as scratch_ctx:
            report = restore_instance(scratch_ctx, SYSTEM, source=source_url, set_id=manifest.set_id,
                                      rebuild_index=rebuild_index, keep_alive=keep_alive)
            restored = report.to_dict()
            checks["counts"] = report.counts_equal
            checks["objects"] = report.objects_restored == manifest.data["objects"]["count"]
            checks["audit_chain"] = report.audit_ok
            checks["field_keys"], checks["search"] = _spot_checks(scratch_ctx, failures)
        if not checks["counts"]:
            failures.append("số dòng các bảng khác bản kê")
        if not checks["objects"]:
            failures.append(f"khôi phục {report.objects_restored}/{manifest.data['objects']['count']} tệp")
        if not checks["audit_chain"]:
            failures.append(f"chuỗi nhật ký: {report.audit_reason}")
    except Exception as exc:  # noqa: BLE001 - a drill that cannot restore has failed; that is its finding
        failures.append(f"{type(exc).__name__}: {exc}")
    finally:
        try:
            drop()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    ok = not failures and bool(checks) and all(checks.values())
    result = DrillReport(set_id=manifest.set_id, target=target.label, ok=ok, checks=checks, failures=failures,
                         restore=restored)
    with c.uow() as uow:
        audit.append(uow.session, actor=actor.name, ip=actor.ip, action=DRILL_ACTION, target_type="backup_set",
                     target_id=manifest.set_id, details={"set": manifest.set_id, "target": target.label, "ok": ok,
                                                         "checks": checks, "failures": failures[:20],
                                                         "seconds": restored.get("seconds", {})})
        uow.commit()
    return result


def _spot_checks(ctx: Context, failures: list[str]) -> tuple[bool, bool]:
    """Sensitive fields open with the field keys; each sampled document is found by its staff's name."""
    with ctx.uow() as uow:
        s = uow.session
        sealed = s.execute(select(Staff.code, Staff.sensitive).where(Staff.sensitive != "").limit(20)).all()
        sample = s.execute(select(Document.id, Staff.full_name).join(Staff, Document.staff_id == Staff.id)
                           .where(Document.state == DocumentState.INDEXED.value).order_by(Document.id).limit(5)).all()
    fields_ok = True
    for code, blob in sealed:
        try:
            ctx.cipher.decrypt(blob, aad=code)
        except Exception as exc:  # noqa: BLE001
            fields_ok = False
            failures.append(f"trường nhạy cảm của {code}: {exc}")
    search_ok = True
    for doc_id, name in sample:
        hits = search_pages(ctx, SYSTEM, f'"{name}"', limit=200, facets=()).hits
        if doc_id not in {h.document_id for h in hits}:
            search_ok = False
            failures.append(f"tìm \"{name}\" không thấy tài liệu #{doc_id}")
    return fields_ok, search_ok


__all__ = ["DrillReport", "RestoreRefused", "RestoreReport", "VerifyReport", "drill", "restore_instance",
           "verify_set"]
