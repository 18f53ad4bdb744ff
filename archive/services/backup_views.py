"""What people see of the backups: every target's sets, newest first, and the admin page's overview.

Reads the manifests on the targets (a target that cannot be read says why instead of hiding
the others) and, from the database, the last runs, checks and drill (backup_status).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from archive.context import Context
from archive.services.access import Actor
from archive.services.backup_cipher import BackupKeyError
from archive.services.backup_status import (
    BackupStatus, CheckRecord, backup_status, checks_by_set, require_operator, target_urls,
)
from archive.services.backups import Manifest, backup_key, open_targets, pick_target, read_sets
from storage import StorageError


@dataclass(frozen=True)
class SetView:
    target: str
    set_id: str
    kind: str
    started: datetime
    duration_seconds: float
    size_bytes: int  # objects + database snapshot + settings + list
    objects: int
    objects_added: int
    bytes_added: int
    previous: str | None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "started": self.started.isoformat()}


def set_view(m: Manifest) -> SetView:
    d = m.data
    return SetView(target=d["target"], set_id=m.set_id, kind=m.kind, started=m.created,
                   duration_seconds=d["duration_seconds"],
                   size_bytes=d["objects"]["bytes"] + sum(i["size"] for i in d["items"]), objects=d["objects"]["count"],
                   objects_added=d["objects"]["added"], bytes_added=d["objects"]["added_bytes"], previous=d["previous"])


@dataclass(frozen=True)
class TargetSets:
    target: str
    sets: list[SetView]
    error: str | None = None
    unreadable: list[str] = field(default_factory=list)  # manifests whose MAC does not verify


def list_sets(c: Context, actor: Actor, *, source: str | None = None) -> list[TargetSets]:
    """Every target's complete sets, newest first (a target that cannot be read says why)."""
    with c.uow() as uow:
        require_operator(uow.session, actor)
    key = backup_key(c.settings)
    targets = [pick_target(c, source)] if source else open_targets(c)
    out = []
    for target in targets:
        try:
            sets, bad = read_sets(target, key)
        except StorageError as exc:
            out.append(TargetSets(target.label, [], error=str(exc)))
            continue
        out.append(TargetSets(target.label, [set_view(m) for m in reversed(sets)], unreadable=bad))
    return out


@dataclass(frozen=True)
class Overview:
    """What the admin page "Sao lưu" shows."""

    status: BackupStatus
    targets: list[TargetSets]
    checks: dict[tuple[str, str], CheckRecord]
    key_error: str | None  # the backup key is missing or malformed: sets cannot be read


def overview(c: Context, actor: Actor, *, runs: int = 10) -> Overview:
    with c.uow() as uow:
        require_operator(uow.session, actor)
    status = backup_status(c, runs=runs)
    targets: list[TargetSets] = []
    key_error = None
    if target_urls(c.settings):
        try:
            targets = list_sets(c, actor)
        except BackupKeyError as exc:
            key_error = str(exc)
        except StorageError as exc:
            key_error = str(exc)
    return Overview(status=status, targets=targets, checks=checks_by_set(c), key_error=key_error)
