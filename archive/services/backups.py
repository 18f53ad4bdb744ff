"""Backups (sao lưu): a set of the whole archive into every configured target, kept by policy.

A **set** is, on each target: a consistent database snapshot, the settings a restore needs (no
secret), the list of every object with its size, and the object copies the target lacked — and,
last, its manifest (the SHA-256 and size of every item, the row count of every table, the
previous set), written whole and MAC'd with the backup key. A run killed half-way leaves no
manifest, so no set that claims to be complete. The database snapshot, settings and object list
go into the target's restic repository (encrypted, deduplicated across nights, `check
--read-data`, `forget`); the objects, immutable and content-addressed, are copied by name
(backup_objects): at province scale only the new ones move each night.

Order matters for the audit chain: the audit anchors are listed *before* the database snapshot,
so no anchor in a set is newer than the log it seals; every other object is listed *after* it,
so every object the snapshot's rows name is in the set.

Kinds: the first set of each month on a target (in ARCHIVE_TIMEZONE) is **full** — every copy the
target holds is read back and re-written if it no longer opens to its key, and restic re-reads
every file — the others are **incremental**. Each set stands alone (its list names every object),
so any kept set restores without the ones before it.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from archive.context import Context
from archive.errors import InvalidInput, NotFound
from archive.services import backup_objects
from archive.services.backup_cipher import BackupKey, BackupKeyError, fingerprint_of
from archive.services.backup_database import DatabaseSnapshot, snapshot_database
from archive.services.backup_policy import SetSummary, floor_for, jurisdiction_of, keep_policy
from archive.services.backup_status import BACKUP_KIND, target_urls
from archive.services.backup_targets import BackupTarget, TargetUnavailable, open_target, redact
from archive.services.backup_tools import KeepAlive, ResticRepo, ToolFailed, ToolMissing, find_tool
from storage import ObjectStore, StorageError, owned_prefix

FORMAT = "cbccvc-backup/1"
# store namespaces a set holds: name in the set → the Context attribute that opens it
NAMESPACES = {"originals": "store", "derivatives": "derivatives", "audit": "audit_anchors"}
SETTINGS_FILE, OBJECTS_FILE = "settings.json", "objects.tsv"
# settings a restore needs to know (never a secret: no keys, no passwords, no URLs with credentials)
RESTORE_SETTINGS = ("root_unit_code", "root_unit_name", "timezone", "web_timezone", "ocr_language", "ocr_dpi",
                    "max_upload_bytes", "max_pages", "audit_anchor_retention_days", "backup_jurisdiction")


class BackupNotConfigured(InvalidInput):
    """No target, or no key, for a backup (the message says which setting)."""


class SetNotFound(NotFound):
    pass


class SetDamaged(StorageError):
    """An item of a set does not match its manifest (a restore stops; verify reports it)."""


def check_ready(c: Context) -> list[BackupTarget]:
    """The targets, once the key and the programs a run needs are there (else the error saying what to set up)."""
    targets, _ = open_targets(c), backup_key(c.settings)
    find_tool("restic", "restic")
    if c.settings.database_url.startswith("postgresql"):
        find_tool("pg_dump", "postgresql-client-15")
    return targets


def backup_key(settings: Any) -> BackupKey:
    if not settings.backup_key:
        raise BackupKeyError("Chưa đặt khoá sao lưu ARCHIVE_BACKUP_KEY (tạo bằng `archive backup key`, "
                             "cất ở nơi khác máy chủ và nơi sao lưu).")
    return BackupKey.from_spec(settings.backup_key)


def open_targets(c: Context) -> list[BackupTarget]:
    urls = target_urls(c.settings)
    if not urls:
        raise BackupNotConfigured("Chưa cấu hình nơi sao lưu: đặt ARCHIVE_BACKUP_TARGETS (nên có hai nơi).")
    return [open_target(u, retention_days=c.settings.backup_object_retention_days) for u in urls]


def resolve_source(c: Context, source: str | None) -> str:
    """`--from`: a target URL, or the position (1, 2, …) of one in ARCHIVE_BACKUP_TARGETS; the first by default."""
    urls = target_urls(c.settings)
    if source and source.isdigit():
        if not 1 <= int(source) <= len(urls):
            raise InvalidInput(f"ARCHIVE_BACKUP_TARGETS có {len(urls)} nơi sao lưu, không có nơi số {source}.")
        return urls[int(source) - 1]
    if source:
        return next((u for u in urls if redact(u) == source), source)  # a label as pages show it: the real URL
    if not urls:
        raise BackupNotConfigured("Cần --from (nơi sao lưu) hoặc ARCHIVE_BACKUP_TARGETS.")
    return urls[0]


def pick_target(c: Context, source: str | None) -> BackupTarget:
    return open_target(resolve_source(c, source), retention_days=c.settings.backup_object_retention_days)


def restic_repo(c: Context, target: BackupTarget, key: BackupKey) -> ResticRepo:
    cache = c.settings.data_dir / "cache" / "restic"
    cache.mkdir(parents=True, exist_ok=True)
    return ResticRepo(target.restic(), password=key.restic_password, cache_dir=cache, label=target.label)


def stores_of(c: Context) -> dict[str, ObjectStore]:
    return {name: getattr(c, attr) for name, attr in NAMESPACES.items()}


def key_fingerprints(c: Context) -> dict[str, Any]:
    """What a set records of the audit and field keys: fingerprints and ids, so a restore can check them."""
    return {"audit": fingerprint_of(c.audit_key.key, "audit"), "audit_since_seq": c.audit_key.since_seq,
            "field": {kid: fingerprint_of(raw, "field") for kid, raw in c.cipher.keys.items()}}


# -- manifests -------------------------------------------------------------------
@dataclass(frozen=True)
class Manifest:
    """The manifest of one set on one target (bản kê bộ sao lưu); `data` is the JSON as written."""

    data: dict[str, Any]

    @property
    def set_id(self) -> str:
        return self.data["set"]

    @property
    def kind(self) -> str:
        return self.data["kind"]

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.data["started"])

    def item(self, name: str) -> dict[str, Any]:
        return next(i for i in self.data["items"] if i["name"] == name)

    def to_bytes(self, key: BackupKey) -> bytes:
        body = {k: v for k, v in self.data.items() if k != "mac"}
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        return json.dumps({**body, "mac": key.mac(canonical)}, sort_keys=True, ensure_ascii=False, indent=1).encode()

    @classmethod
    def parse(cls, raw: bytes, key: BackupKey) -> "Manifest":
        """The manifest, or ValueError when it is unreadable or its MAC does not match this key."""
        data = json.loads(raw)
        body = {k: v for k, v in data.items() if k != "mac"}
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        if data.get("format") != FORMAT or data.get("mac") != key.mac(canonical):
            raise ValueError("manifest MAC does not match the backup key")
        return cls(data)


def read_sets(target: BackupTarget, key: BackupKey) -> tuple[list[Manifest], list[str]]:
    """The target's complete sets, oldest first, and the names of manifests that do not verify."""
    good, bad = [], []
    for set_id in target.list_sets():
        try:
            good.append(Manifest.parse(target.read_set(set_id), key))
        except (ValueError, KeyError):
            bad.append(set_id)
    return good, bad


def find_set(target: BackupTarget, key: BackupKey, set_id: str | None) -> Manifest:
    sets, bad = read_sets(target, key)
    if (bad and not sets) or set_id in bad:
        raise BackupKeyError(f"Bản kê ở {target.label} không khớp khoá sao lưu: ARCHIVE_BACKUP_KEY không phải "
                             "khoá đã tạo các bộ này, hoặc bản kê đã bị sửa.")
    if set_id is None:
        if not sets:
            raise SetNotFound(f"{target.label} chưa có bộ sao lưu hoàn chỉnh nào.")
        return sets[-1]
    for m in sets:
        if m.set_id == set_id:
            return m
    raise SetNotFound(f"Không có bộ sao lưu {set_id} ở {target.label}.")


# -- a run -----------------------------------------------------------------------
@dataclass
class TargetOutcome:
    target: str
    ok: bool
    set_id: str | None = None
    kind: str | None = None
    error: str | None = None
    duration_seconds: float = 0.0
    objects: int = 0
    objects_bytes: int = 0
    objects_added: int = 0
    bytes_added: int = 0
    repaired: int = 0
    pruned: list[str] = field(default_factory=list)


@dataclass
class RunReport:
    set_id: str
    targets: list[TargetOutcome]
    warnings: list[str]
    database_seconds: float

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.targets)

    def to_result(self) -> dict[str, Any]:
        return {"ok": self.ok, "set": self.set_id, "warnings": self.warnings, "database_seconds": self.database_seconds,
                "targets": [asdict(t) for t in self.targets]}


def new_set_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def _local_month(c: Context, when: datetime) -> tuple[int, int]:
    local = when.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(c.settings.timezone))
    return local.year, local.month


def run_backup(c: Context, *, actor_name: str, full: bool | None = None, job_id: int | None = None,
               protected: set[str] | None = None, keep_alive: KeepAlive = lambda: None) -> RunReport:
    """Make one set on every target; a target that fails is reported and the others still get theirs."""
    targets, key = check_ready(c), backup_key(c.settings)
    started = c.clock()
    set_id = new_set_id(started)
    warnings = [] if len(targets) > 1 else ["Chỉ có một nơi sao lưu: nên cấu hình ít nhất hai (TT 05/2025/TT-BNV)."]
    stage = c.settings.tmp_dir / f"{owned_prefix('backup-')}{set_id}"
    stage.mkdir(parents=True)
    try:
        stores = stores_of(c)
        keys: dict[str, list[str]] = {"audit": sorted(stores["audit"].list_keys())}  # before the snapshot
        t0 = time.monotonic()
        db = snapshot_database(c.settings.database_url, stage, keep_alive=keep_alive)
        database_seconds = round(time.monotonic() - t0, 3)
        keys.update({ns: sorted(stores[ns].list_keys()) for ns in NAMESPACES if ns != "audit"})
        settings_doc = {"settings": {k: getattr(c.settings, k) for k in RESTORE_SETTINGS},
                        "database": db.dialect, "revision": db.revision, "keys": key_fingerprints(c),
                        "storage": c.settings.storage_url.split(":", 1)[0],
                        "search": c.settings.search_url.split(":", 1)[0]}
        (stage / SETTINGS_FILE).write_text(json.dumps(settings_doc, ensure_ascii=False, indent=1, default=str))
        outcomes = []
        for target in targets:
            outcomes.append(_back_up_to(c, target, key, stores, keys, db, stage, set_id=set_id, started=started,
                                        full=full, job_id=job_id, actor_name=actor_name, protected=protected or set(),
                                        keep_alive=keep_alive))
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return RunReport(set_id=set_id, targets=outcomes, warnings=warnings, database_seconds=database_seconds)


def _back_up_to(c: Context, target: BackupTarget, key: BackupKey, stores: dict[str, ObjectStore],
                keys: dict[str, list[str]], db: DatabaseSnapshot, stage: Path, *, set_id: str, started: datetime,
                full: bool | None, job_id: int | None, actor_name: str, protected: set[str],
                keep_alive: KeepAlive) -> TargetOutcome:
    t0 = time.monotonic()
    outcome = TargetOutcome(target=target.label, ok=False, set_id=set_id)
    try:
        target.open_checked()
        repo = restic_repo(c, target, key)
        repo.ensure(target.has_restic_repo(), keep_alive=keep_alive)
        earlier, _ = read_sets(target, key)
        month = _local_month(c, started)
        monthly_full_done = any(m.kind == "full" and _local_month(c, m.created.replace(tzinfo=None)) == month
                                for m in earlier)
        is_full = bool(full) if full is not None else not monthly_full_done
        copied = backup_objects.copy_missing(stores, keys, target, key, full=is_full, keep_alive=keep_alive)
        lacking = backup_objects.confirm_held(target, copied.entries)
        if lacking:
            raise TargetUnavailable(f"{target.label}: sau khi chép vẫn thiếu {len(lacking)} bản sao, ví dụ {lacking[0]}")
        listing = backup_objects.to_tsv(copied.entries)
        (stage / OBJECTS_FILE).write_bytes(listing)
        files = [db.file.name, SETTINGS_FILE, OBJECTS_FILE]
        snapshot = repo.backup(stage, files, tags=[f"set:{set_id}", f"kind:{'full' if is_full else 'incremental'}"],
                               force=is_full, keep_alive=keep_alive)
        items = [_item(stage / f) for f in files]
        by_ns = {ns: sum(1 for e in copied.entries if e.namespace == ns) for ns in NAMESPACES}
        manifest = Manifest({
            "format": FORMAT, "set": set_id, "kind": "full" if is_full else "incremental",
            "previous": earlier[-1].set_id if earlier else None, "job_id": job_id, "actor": actor_name,
            "started": started.replace(tzinfo=timezone.utc).isoformat(), "finished": datetime.now(timezone.utc).isoformat(),
            "duration_seconds": round(time.monotonic() - t0, 3), "target": target.label,
            "database": {"dialect": db.dialect, "file": db.file.name, "revision": db.revision, "counts": db.counts},
            "items": items, "restic": {"snapshot": snapshot},
            "objects": {"count": len(copied.entries), "bytes": sum(e.size for e in copied.entries),
                        "namespaces": by_ns, "added": copied.added, "added_bytes": copied.added_bytes,
                        "repaired": copied.repaired},
            "keys": {"backup": key.fingerprint, **key_fingerprints(c)},
        })
        target.write_set(set_id, manifest.to_bytes(key))  # last: from here on the set exists
        outcome.pruned = prune(c, target, repo, key, protected=protected | {set_id}, keep_alive=keep_alive)
        outcome.ok, outcome.kind = True, manifest.kind
        outcome.objects, outcome.objects_bytes = len(copied.entries), manifest.data["objects"]["bytes"]
        outcome.objects_added, outcome.bytes_added, outcome.repaired = copied.added, copied.added_bytes, copied.repaired
    except (StorageError, ToolMissing, OSError, ValueError) as exc:
        outcome.error = str(exc) or type(exc).__name__
    outcome.duration_seconds = round(time.monotonic() - t0, 3)
    return outcome


def _item(path: Path) -> dict[str, Any]:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return {"name": path.name, "sha256": digest.hexdigest(), "size": path.stat().st_size}


def prune(c: Context, target: BackupTarget, repo: ResticRepo, key: BackupKey, *, protected: set[str],
          keep_alive: KeepAlive) -> list[str]:
    """Remove the sets the keep policy lets go: the manifest first (the set stops existing), then its snapshot.

    Object copies are never removed: the archive keeps its originals for ever, and a copy may belong
    to any kept set."""
    sets, _ = read_sets(target, key)
    summaries = [SetSummary(m.set_id, m.created, m.kind) for m in sets]
    keep = keep_policy(summaries, now=datetime.now(timezone.utc), tz=ZoneInfo(c.settings.timezone),
                       daily=c.settings.backup_keep_daily, monthly=c.settings.backup_keep_monthly,
                       floor=floor_for(jurisdiction_of(c.settings.backup_jurisdiction, c.settings.profile)), protected=protected)
    gone = [m for m in sets if m.set_id not in keep]
    for m in gone:
        target.delete_set(m.set_id)
    try:
        repo.forget([m.data["restic"]["snapshot"] for m in gone], keep_alive=keep_alive)
    except ToolFailed:
        pass  # the sets are gone already; an unreferenced snapshot is removed by the next prune
    return [m.set_id for m in gone]


__all__ = ["BACKUP_KIND", "BackupNotConfigured", "Manifest", "RunReport", "SetDamaged", "SetNotFound", "TargetOutcome",
           "backup_key", "check_ready", "find_set", "open_targets", "pick_target", "read_sets", "redact",
           "resolve_source", "run_backup", "target_urls"]
