"""Intake batches (lô tiếp nhận): hundreds of scans at once, from a folder, a zip or a consume folder.

A batch is durable rows (`intake_batches`, `intake_batch_files`, migration 0013) plus one job of
kind `batch` that files them one by one (`batch_processing.process_batch`). Creating a batch:

1. the caller may upload somewhere (Action.UPLOAD) — before a byte is unpacked;
2. a zip is checked whole by `zip_intake` (names, links, member count, expanded size, ratio):
   refused → nothing staged, no row;
3. the manifest (CSV/XLSX) or the folder convention says where each file goes
   (`batch_manifest`); bad rows, missing and unnamed files are listed, never fatal;
4. each file's bytes are staged in the object store's `intake` namespace (content-addressed, so
   any worker host can file them and a second staging of the same bytes is free);
5. one transaction: the batch, its files (pending, or failed with the reason), the `batch` job
   and the audit entry `batch.create`; the job is sent after commit.

Who sees a batch: its creator; the system (CLI); for a consume folder's batch, whoever may
upload in that unit. Every document goes through `documents.ingest_received`, the one path.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select

from archive.context import Context
from archive.errors import InvalidInput, NotFound
from archive.models import IntakeBatch, IntakeBatchFile, Staff
from archive.models.batches import FAILED, NEEDS_REVIEW, PENDING
from archive.services import audit, jobs
from archive.services.access import Action, Actor, require
from archive.services.batch_manifest import (
    Entry,
    ManifestUnreadable,
    Plan,
    find_manifest,
    is_ignored,
    normal_path,
    plan_batch,
)
from archive.services.batch_views import (  # noqa: F401 — reading batches, re-exported here
    BatchFileView,
    BatchView,
    get_batch,
    list_batches,
    report_csv,
    visible,
)
from archive.services.zip_intake import ZipLimits, iter_members, open_zip
from ingest import TooLarge, receive_stream
from search import nfc

BATCH_KIND = "batch"
INTAKE_NAMESPACE = "intake"  # staged bytes of batch files, until they are filed
MAX_PROBLEMS = 1000


def limits_of(c: Context) -> ZipLimits:
    s = c.settings
    return ZipLimits(max_members=s.batch_max_members, max_bytes=s.batch_max_bytes, max_ratio=s.batch_max_ratio)


class _Bounded:
    """A file's stream that stops at the upload limit (one scan may be no bigger than an upload)."""

    def __init__(self, src: BinaryIO, limit: int) -> None:
        self.src, self.left, self.limit = src, limit, limit

    def read(self, n: int = 1 << 20) -> bytes:
        chunk = self.src.read(n if n and n > 0 else 1 << 20)
        self.left -= len(chunk)
        if self.left < 0:
            raise TooLarge("Tệp vượt quá dung lượng tối đa của một lần tải lên.")
        return chunk


def _walk(root: Path) -> tuple[list[str], list[str]]:
    """Relative names of the regular files under `root`, and the links found (never followed)."""
    files, links = [], []
    for here, dirs, names in os.walk(root, followlinks=False):
        for d in list(dirs):
            if (Path(here) / d).is_symlink():
                links.append((Path(here) / d).relative_to(root).as_posix())
                dirs.remove(d)
        for name in names:
            p = Path(here) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                links.append(rel)
            elif p.is_file():
                files.append(rel)
    return sorted(files), sorted(links)


def create_batch(c: Context, actor: Actor, path: Path, *, manifest: Path | None = None, source: str = "cli",
                 name: str | None = None, unit_code: str | None = None) -> BatchView:
    """A batch of the files in `path` (a folder, or a .zip), with `manifest` or the one it holds."""
    require(actor, Action.UPLOAD)
    path = Path(path)
    if not path.exists():
        raise NotFound("Không tìm thấy thư mục hoặc tệp nén của lô.")
    store = c.store.namespace(INTAKE_NAMESPACE)
    if path.is_dir():
        files, links = _walk(path)
        zf, members = None, None
    else:
        zf, members = open_zip(path, limits_of(c))
        files, links = [m.name for m in members], []
    try:
        files = [f for f in files if not is_ignored(normal_path(f))]
        manifest_data = _manifest(path, zf, files, manifest)
        if manifest_data is not None and manifest is None:
            files = [f for f in files if f != manifest_data[0]]
        try:
            plan = plan_batch(files, manifest_data)
        except ManifestUnreadable as exc:
            raise InvalidInput(str(exc)) from None
        written: list[str] = []
        try:
            staged = _stage(c, store, path, zf, members, plan.entries, written)
            zip_key = None
            if zf is not None:  # the zip itself, once: one durable write for the whole batch
                with open(path, "rb") as fh:
                    info = store.put_stream(fh, content_type="application/zip")
                if info.created:
                    written.append(info.key)
                zip_key = info.key
        except BaseException:
            release_staged(c, written)  # a zip that turns out bad half-way leaves nothing staged
            raise
    finally:
        if zf is not None:
            zf.close()
    return _record(c, actor, plan, staged, links, source=source, name=name or path.name, unit_code=unit_code,
                   zip_key=zip_key)


def _manifest(path: Path, zf, files: list[str], given: Path | None) -> tuple[str, bytes] | None:
    if given is not None:
        if not Path(given).is_file():
            raise NotFound("Không tìm thấy tệp bảng kê.")
        if Path(given).stat().st_size > 64 * 1024 * 1024:
            raise InvalidInput("Bảng kê quá lớn (quá 64 MB).")
        return Path(given).name, Path(given).read_bytes()
    inside = find_manifest(files)
    if inside is None:
        return None
    if zf is not None:
        info = zf.getinfo(inside)
        if info.file_size > 64 * 1024 * 1024:
            raise InvalidInput("Bảng kê quá lớn (quá 64 MB).")
        return inside, zf.read(inside)
    return inside, (path / inside).read_bytes()


@dataclass
class _Staged:
    entry: Entry
    sha256: str | None = None
    size: int = 0
    problem: str | None = None
    member: str | None = None  # read from the staged zip when filed


def _hash(stream: BinaryIO) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    while chunk := stream.read(1 << 20):
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size


def _stage(c: Context, store, path: Path, zf, members, entries: list[Entry],
           written: list[str]) -> list[_Staged]:
    """Each entry's bytes hashed (a zip member: read from the zip, staged whole by the caller) or staged
    into the intake namespace (a folder's file); a file too big is a failed row, not a failed batch."""
    limit = c.settings.max_upload_bytes
    wanted = {e.path: e for e in entries}
    out: dict[str, _Staged] = {}

    def put(entry: Entry, stream: BinaryIO) -> None:
        try:
            info = store.put_stream(_Bounded(stream, limit))
            if info.created:
                written.append(info.key)
            out[entry.path] = _Staged(entry, info.key, info.size)
        except TooLarge as exc:
            out[entry.path] = _Staged(entry, problem=f"Tệp {normal_path(entry.path)}: {exc}")

    if zf is not None:
        for member, stream in iter_members(zf, [m for m in members if m.name in wanted]):
            entry = wanted[member.name]
            try:
                sha256, size = _hash(_Bounded(stream, limit))
                out[entry.path] = _Staged(entry, sha256, size, member=member.name)
            except TooLarge as exc:
                out[entry.path] = _Staged(entry, problem=f"Tệp {normal_path(entry.path)}: {exc}")
    else:
        for entry in entries:
            with open(path / entry.path, "rb") as fh:
                put(entry, fh)
    return [out[e.path] for e in entries]


def release_staged(c: Context, keys: list[str]) -> int:
    """Remove staged objects no batch file still waiting (pending, needs review) refers to."""
    if not keys:
        return 0
    store = c.store.namespace(INTAKE_NAMESPACE)
    waiting = (PENDING, NEEDS_REVIEW)
    with c.uow() as uow:
        s = uow.session
        wanted = set(s.scalars(select(IntakeBatchFile.sha256).where(
            IntakeBatchFile.sha256.in_(set(keys)), IntakeBatchFile.member.is_(None),
            IntakeBatchFile.state.in_(waiting))))
        wanted |= set(s.scalars(select(IntakeBatch.source_sha256).join(
            IntakeBatchFile, IntakeBatchFile.batch_id == IntakeBatch.id).where(
            IntakeBatch.source_sha256.in_(set(keys)), IntakeBatchFile.member.is_not(None),
            IntakeBatchFile.state.in_(waiting))))
    removed = 0
    for key in set(keys) - wanted:
        try:
            store.delete(key)
            removed += 1
        except Exception:  # noqa: BLE001 — already gone, or a store that refuses: harmless leftovers
            pass
    return removed


def release_batch(c: Context, batch_id: int) -> int:
    """After a batch is filed: its staged copies are no longer needed (the originals are stored)."""
    with c.uow() as uow:
        keys = [k for k in uow.session.scalars(select(IntakeBatchFile.sha256).where(
            IntakeBatchFile.batch_id == batch_id, IntakeBatchFile.sha256.is_not(None),
            IntakeBatchFile.member.is_(None)))]
        zip_key = uow.session.scalar(select(IntakeBatch.source_sha256).where(IntakeBatch.id == batch_id))
    return release_staged(c, keys + ([zip_key] if zip_key else []))


def staff_by_code(s, codes: set[str]) -> dict[str, Staff]:  # noqa: ANN001
    """The batch's dossiers read in a few queries, not one per file (chunks: SQLite's parameter limit)."""
    wanted, out = sorted(codes), {}
    for i in range(0, len(wanted), 500):
        out |= {r.code: r for r in s.scalars(select(Staff).where(Staff.code.in_(wanted[i:i + 500])))}
    return out


def _record(c: Context, actor: Actor, plan: Plan, staged: list[_Staged], links: list[str], *, source: str,
            name: str, unit_code: str | None, zip_key: str | None) -> BatchView:
    from archive.services.batch_processing import document_type_codes, target_problem

    types = document_type_codes(c)
    with c.uow() as uow:
        s = uow.session
        batch = IntakeBatch(source=source, name=nfc(name)[:255], unit_code=unit_code, state="pending",
                            created_by=actor.name[:100], created_by_user_id=actor.user_id, problems=[],
                            source_sha256=zip_key)
        s.add(batch)
        s.flush()
        position = 0
        problems: list[str] = []
        staff = staff_by_code(s, {item.entry.staff_code for item in staged if item.entry.staff_code})
        for item in staged:
            position += 1
            e = item.entry
            problem = item.problem or (target_problem(s, actor, e.path, e.staff_code, e.document_type, types, staff)
                                       if e.staff_code else None)
            s.add(IntakeBatchFile(batch_id=batch.id, position=position, path=nfc(e.path)[:1000],
                                  staff_code=e.staff_code, document_type=e.document_type, details=e.details,
                                  sha256=item.sha256, size=item.size, member=item.member,
                                  state=FAILED if problem else PENDING, problem=problem))
        for p in plan.problems:
            if p.path:
                position += 1
                s.add(IntakeBatchFile(batch_id=batch.id, position=position, path=nfc(p.path)[:1000], details={},
                                      size=0, state=FAILED, problem=p.message))
            else:
                problems.append(p.message)
        for link in links:
            position += 1
            s.add(IntakeBatchFile(batch_id=batch.id, position=position, path=nfc(link)[:1000], details={}, size=0,
                                  state=FAILED, problem=f"Tệp {link} là liên kết tượng trưng, không được nhận."))
        batch.problems = problems[:MAX_PROBLEMS]
        job = jobs.enqueue(s, BATCH_KIND, target_type="batch", target_id=batch.id)
        batch.job_id = job.id
        audit.append(s, actor=actor.name, ip=actor.ip, action="batch.create", target_type="batch",
                     target_id=batch.id, details={"name": batch.name, "source": source, "files": position,
                                                  **({"unit": unit_code} if unit_code else {})})
        uow.commit()
        batch_id, job_id = batch.id, job.id
    jobs.send_after_commit(c, [(job_id, BATCH_KIND)])
    return get_batch(c, actor, batch_id)


def create_batch_from_upload(c: Context, actor: Actor, stream: BinaryIO, *, file_name: str | None,
                             source: str) -> BatchView:
    """An uploaded zip (API, web): permission first, then written to a temp file under the upload limit."""
    require(actor, Action.UPLOAD)
    if not (file_name or "").lower().endswith(".zip"):
        raise InvalidInput("Lô tải lên phải là một tệp nén .zip.")
    received = receive_stream(stream, tmp_dir=c.settings.tmp_dir, max_bytes=c.settings.max_upload_bytes)
    try:
        return create_batch(c, actor, received.path, source=source, name=Path(file_name or "lo.zip").name)
    finally:
        received.path.unlink(missing_ok=True)
