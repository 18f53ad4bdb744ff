"""Filing a batch's files one by one (xử lý lô), resumable after any interruption.

`process_batch` is what the `batch` job runs. For each pending file, in order:

- a file with a dossier and type: its target is checked by the rules of `documents.check_upload`
  in the transaction that picks it (the catalog of types read once per run, not once per file),
  then the staged bytes go through `documents.ingest_received` — the one ingest path — and the
  row becomes `stored` with its
  document id in the same transaction as the document (an ORM flush listener adds the row's
  UPDATE to the document's insert, see `_row_with_its_document`). A run killed at any moment
  leaves each file pending without a document or stored with it; a re-run takes the pending
  ones. The same bytes already in that dossier (content-addressed, unique per staff) are a
  `duplicate`, never a second document. No other commit per file: a batch costs what single
  uploads cost, plus staging.
- a file without a target (a scanned stack): split at its cover sheets (`ingest.cover_split`):
  the parts are staged and become pending rows of their own (pages noted), the stack's row
  `split` — in one transaction; a stack whose first page is not a cover sheet goes to
  `needs_review` (Cần xem lại), never guessed. An archivist can then assign it a dossier and a
  type (`assign_reviewed`), which makes it pending again and re-queues the batch.

Bad files (invalid PDF, unknown code…) fail with a Vietnamese reason; others go on. Anything
else (the database or store down) propagates: the job is given back and runs again.
"""

from __future__ import annotations

import tempfile
import threading
import zipfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from archive.context import Context
from archive.errors import ArchiveError, InvalidInput, NotFound, shown
from archive.models import Document, IntakeBatch, IntakeBatchFile, Staff, User, utcnow
from archive.models.batches import (
    BATCH_DONE,
    BATCH_RUNNING,
    DUPLICATE,
    FAILED,
    NEEDS_REVIEW,
    PENDING,
    SPLIT,
    STORED,
)
from archive.services import audit, catalogs, documents, jobs
from archive.services.access import Action, Actor, Grant, Role, check_staff
from archive.services.batch_manifest import normal_path
from archive.services.batches import BATCH_KIND, INTAKE_NAMESPACE, get_batch, staff_by_code, visible
from ingest import InvalidUpload, ReceivedFile, receive_stream
from ingest.cover_split import plan_split, write_part
from storage import local_copy
from storage.local_copy import owned_prefix

REVIEW_MESSAGE = "Trang đầu của tập quét không phải tờ bìa phân tách; cần chọn hồ sơ và loại tài liệu."


def document_type_codes(c: Context) -> set[str]:
    return {e.code for e in catalogs.list_catalog(c, documents.DOCUMENT_TYPES)}


def target_problem(s: Session, actor: Actor, path: str, staff_code: str | None, document_type: str | None,
                   types: set[str], staff: dict[str, Staff] | None = None) -> str | None:
    """Why a file cannot go to (staff_code, document_type), in one sentence; None when it can.
    `staff`: the records already read by code (a whole batch's in one query), else read here."""
    problem, _ = check_target(s, actor, path, staff_code, document_type, types, staff)
    return problem


def check_target(s: Session, actor: Actor, path: str, staff_code: str | None, document_type: str | None,
                 types: set[str], staff: dict[str, Staff] | None = None) -> tuple[str | None, Staff | None]:
    """(why not, None) or (None, the dossier's record): the rules of documents.check_upload, with
    the catalog of types read once by the caller (once per batch run, not once per file)."""
    name = normal_path(path)
    if not staff_code:
        return f"Tệp {name}: thiếu mã cán bộ.", None
    if not document_type:
        return f"Tệp {name}: thiếu loại tài liệu.", None
    if document_type not in types:
        return f"Tệp {name}: loại tài liệu “{shown(document_type)}” không có trong danh mục loại tài liệu.", None
    record = staff.get(staff_code) if staff is not None else s.scalar(select(Staff).where(Staff.code == staff_code))
    try:
        return None, check_staff(s, actor, record, Action.UPLOAD)
    except NotFound:
        return f"Tệp {name}: không tìm thấy cán bộ có mã {shown(staff_code)}.", None
    except ArchiveError:
        return f"Tệp {name}: không có quyền tải tài liệu lên hồ sơ {shown(staff_code)}.", None


def batch_actor(s: Session, batch: IntakeBatch) -> Actor:
    """Who files the batch: its creator as they are now (a revoked account or grant files nothing more)."""
    if batch.source == "consume" and batch.unit_code:
        return Actor(name=batch.created_by, grants=(Grant(Role.ARCHIVIST, batch.unit_code),), clearance=2)
    if batch.created_by_user_id is None:
        return Actor(name=batch.created_by, clearance=2, is_system=True)
    from archive.models import Unit

    now = utcnow()
    user = s.get(User, batch.created_by_user_id)
    if user is None or user.revoked_at is not None or (user.expires_at and user.expires_at <= now):
        return Actor(name=batch.created_by)  # no grants: every file fails with "no permission"
    active = [g for g in user.grants if g.revoked_at is None and (g.expires_at is None or g.expires_at > now)]
    codes = dict(s.execute(select(Unit.id, Unit.code).where(Unit.id.in_({g.scope_unit_id for g in active}))).all())
    return Actor(name=user.username, grants=tuple(Grant(Role(g.role), codes[g.scope_unit_id]) for g in active),
                 clearance=user.clearance, user_id=user.id, staff_id=user.staff_id)


def _kind_of(path: Path) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return None


def _finish_file(c: Context, file_id: int, **values: object) -> None:
    with c.uow() as uow:
        f = uow.session.get(IntakeBatchFile, file_id)
        if f.state != PENDING:  # another run on the same batch got there first
            return
        for k, v in values.items():
            setattr(f, k, v)
        f.finished_at = utcnow()
        uow.commit()


class _Sources:
    """Where a run reads its files: the batch's staged zip (copied to local disk once per run) or a
    file's own staged object. `received` gives the bytes as ingest wants them: a temp file hashed
    while written — checked against the hash recorded when the batch was made."""

    def __init__(self, c: Context, batch_id: int) -> None:
        self.c, self.batch_id, self.stack, self.zip = c, batch_id, ExitStack(), None
        self.intake = c.store.namespace(INTAKE_NAMESPACE)

    def _zip(self) -> zipfile.ZipFile:
        if self.zip is None:
            with self.c.uow() as uow:
                key = uow.session.get(IntakeBatch, self.batch_id).source_sha256
            path = self.stack.enter_context(local_copy(self.intake, key or "", self.c.settings.tmp_dir,
                                                       prefix="batch-zip-"))
            self.zip = self.stack.enter_context(zipfile.ZipFile(path))
        return self.zip

    def received(self, f: _Next) -> ReceivedFile:
        s = self.c.settings
        opened = self._zip().open(f.member) if f.member else self.intake.open(f.sha256 or "")
        with opened as src:
            received = receive_stream(src, tmp_dir=s.tmp_dir, max_bytes=s.max_upload_bytes)
        if received.sha256 != f.sha256:
            received.path.unlink(missing_ok=True)
            raise InvalidInput("nội dung tệp đã thay đổi so với lúc nhận lô.")
        return received

    def close(self) -> None:
        self.stack.close()


_filing = threading.local()  # the batch file whose document this thread is committing, if any


@event.listens_for(Session, "after_flush")
def _row_with_its_document(session: Session, _flush_context: object) -> None:
    """The batch file's row becomes `stored` in the very transaction that inserts its document.

    `documents.ingest_received` owns that transaction; rather than a second path to it, this
    listener (a no-op unless this thread is filing a batch file) adds the row's UPDATE to the flush
    that gives the document its id. Committed together or rolled back together: a run killed at
    any moment leaves the file either pending with no document, or stored with it."""
    expected = getattr(_filing, "file", None)
    if expected is None:
        return
    file_id, staff_id, sha256 = expected
    for obj in session.new:
        if isinstance(obj, Document) and obj.staff_id == staff_id and obj.sha256 == sha256 and obj.id:
            now = utcnow()
            session.connection().execute(
                update(IntakeBatchFile).where(IntakeBatchFile.id == file_id, IntakeBatchFile.state == PENDING)
                .values(state=STORED, document_id=obj.id, problem=None, started_at=now, finished_at=now))
            _filing.written = obj.id


def _file_one(c: Context, actor: Actor, f: _Next, target: documents.UploadTarget | str,
              sources: _Sources) -> dict | None:
    """One file with a target (checked when it was picked; a string says why it cannot go there),
    through the one ingest path. None when its row was written with the document; otherwise the
    row's new values, applied by the caller with the next pick."""
    if isinstance(target, str):
        return {"state": FAILED, "problem": target}
    name = normal_path(f.path)
    try:
        received = sources.received(f)
        _filing.file, _filing.written = (f.id, target.staff_id, f.sha256), None
        try:  # ingest_received takes the temp file over: stored or removed
            outcome = documents.ingest_received(c, actor, target=target, received=received,
                                                file_name=name.rsplit("/", 1)[-1])
        finally:
            _filing.file = None
    except (InvalidUpload, ArchiveError) as exc:
        return {"state": FAILED, "problem": f"Tệp {name}: {exc}"}
    if outcome.created and _filing.written == outcome.document.id:
        return None
    if outcome.created:  # pragma: no cover — the listener always sees the insert; kept for safety
        return {"state": STORED, "document_id": outcome.document.id, "problem": None}
    # the same bytes were in this dossier before this file (never this file's own: that commits stored)
    return {"state": DUPLICATE, "document_id": outcome.document.id,
            "problem": f"Tệp {name}: hồ sơ {f.staff_code} đã có tài liệu này (tài liệu số {outcome.document.id})."}


def _split_one(c: Context, f: _Next, sources: _Sources) -> None:
    """A stack: cut at its cover sheets into new pending rows, or to the review list."""
    intake = c.store.namespace(INTAKE_NAMESPACE)
    name = normal_path(f.path)
    try:
        received = sources.received(f)
    except (InvalidUpload, ArchiveError) as exc:
        _finish_file(c, f.id, state=FAILED, problem=f"Tệp {name}: {exc}")
        return
    work = received.path
    try:
        kind = _kind_of(work)
        if kind is None:
            _finish_file(c, f.id, state=NEEDS_REVIEW, problem=f"Tệp {name}: chưa có hồ sơ và loại tài liệu "
                                                               "(chỉ tách được tập quét PDF hoặc TIFF).")
            return
        try:
            plan = plan_split(work, kind)
        except Exception:  # noqa: BLE001 — an unreadable scan is the file's problem, not the batch's
            _finish_file(c, f.id, state=FAILED, problem=f"Tệp {name}: không đọc được tập quét.")
            return
        if plan.needs_review:
            _finish_file(c, f.id, state=NEEDS_REVIEW, problem=REVIEW_MESSAGE)
            return
        parts = []
        for n, part in enumerate(plan.parts, start=1):
            with tempfile.TemporaryDirectory(dir=c.settings.tmp_dir, prefix=owned_prefix("batch-part-")) as tmp:
                out = Path(tmp) / f"part.{kind}"
                write_part(work, kind, part.pages, out)
                with open(out, "rb") as fh:
                    info = intake.put_stream(fh)
            stem, dot, ext = name.rpartition(".")
            parts.append((part, info, f"{stem or ext}-phan-{n}.{ext if dot else kind}"))
    finally:
        work.unlink(missing_ok=True)
    types = document_type_codes(c)
    with c.uow() as uow:
        s = uow.session
        actor = batch_actor(s, s.get(IntakeBatch, f.batch_id))
        row = s.get(IntakeBatchFile, f.id)
        if row.state != PENDING:  # another run on the same batch split it already
            return
        for part, info, part_name in parts:
            problem = target_problem(s, actor, part_name, part.staff_code, part.document_type, types)
            s.add(IntakeBatchFile(batch_id=f.batch_id, position=f.position, path=part_name,
                                  staff_code=part.staff_code, document_type=part.document_type, details={},
                                  sha256=info.key, size=info.size, member=None,
                                  state=FAILED if problem else PENDING,
                                  problem=problem, parent_id=f.id, pages=part.label))
        row.state = SPLIT
        row.problem = None
        row.details = {**(row.details or {}), "covers": len(plan.covers), "parts": len(parts)}
        row.finished_at = utcnow()
        uow.commit()


@dataclass(frozen=True)
class _Next:
    """The file a run takes next, read in the transaction that marked it started."""

    id: int
    batch_id: int
    position: int
    path: str
    staff_code: str | None
    document_type: str | None
    sha256: str | None
    size: int
    member: str | None


ACTOR_REFRESH = 50  # files between two re-reads of the actor (a revoked grant stops the run soon) and the types


PICK = 25  # pending files read per transaction: their rows stay pending until each one is filed


Picked = tuple[_Next, "documents.UploadTarget | str | None"]


def _apply_and_pick(c: Context, batch_id: int, done: list[tuple[int, dict]], *, pick: int,
                    actor: Actor | None, types: set[str]) -> tuple[list[Picked], Actor | None]:
    """One transaction: the outcomes not written with a document (failed, duplicate) written, and the
    next `pick` pending files read, in order; each with a dossier and a type checked as
    documents.check_upload checks an upload — the target, or why not — with their records read in one
    query. A run killed after this leaves those files pending: the next run takes them again."""
    with c.uow() as uow:
        s = uow.session
        for file_id, values in done:
            row = s.get(IntakeBatchFile, file_id)
            if row.state == PENDING:  # a second run on the same batch may have filed it meanwhile
                for k, v in values.items():
                    setattr(row, k, v)
                row.finished_at = utcnow()
        rows = s.scalars(select(IntakeBatchFile).where(IntakeBatchFile.batch_id == batch_id,
                                                       IntakeBatchFile.state == PENDING)
                         .order_by(IntakeBatchFile.position, IntakeBatchFile.id).limit(pick)).all() if pick else []
        picked: list[Picked] = []
        if rows:
            actor = actor or batch_actor(s, s.get(IntakeBatch, batch_id))
            staff = staff_by_code(s, {f.staff_code for f in rows if f.staff_code})
        for f in rows:
            nxt = _Next(id=f.id, batch_id=f.batch_id, position=f.position, path=f.path, staff_code=f.staff_code,
                        document_type=f.document_type, sha256=f.sha256, size=f.size, member=f.member)
            target: documents.UploadTarget | str | None = None
            if nxt.staff_code is not None:
                problem, record = check_target(s, actor, nxt.path, nxt.staff_code, nxt.document_type, types, staff)
                target = problem or documents.UploadTarget(staff_id=record.id, staff_code=nxt.staff_code,
                                                           document_type=str(nxt.document_type))
            picked.append((nxt, target))
        if done:
            uow.commit()
        return picked, actor


def process_batch(c: Context, batch_id: int, *, limit: int | None = None,
                  heartbeat: Callable[[], None] | None = None) -> bool:
    """File the batch's pending files (at most `limit` of them); True when none is left pending."""
    with c.uow() as uow:
        batch = uow.session.get(IntakeBatch, batch_id)
        if batch is None:
            raise NotFound(f"Không tìm thấy lô tiếp nhận số {batch_id}.")
        batch.state = BATCH_RUNNING
        uow.commit()
    done: list[tuple[int, dict]] = []
    count = 0
    sources = _Sources(c, batch_id)
    actor: Actor | None = None
    types: set[str] = set()
    refreshed: int | None = None
    try:
        while True:
            room = PICK if limit is None else max(0, min(PICK, limit - count))
            if room and (refreshed is None or count - refreshed >= ACTOR_REFRESH):
                actor, types, refreshed = None, document_type_codes(c), count  # re-read now and then, not per file
            picked, actor = _apply_and_pick(c, batch_id, done, pick=room, actor=actor, types=types)
            done = []
            if not picked:
                break
            for f, target in picked:
                if f.staff_code is None:
                    _split_one(c, f, sources)
                else:
                    values = _file_one(c, actor, f, target, sources)
                    if values is not None:
                        done.append((f.id, values))
                count += 1
                if heartbeat is not None:
                    heartbeat()
                if f.staff_code is None:  # its parts are new pending rows at its position: they come next
                    break
    finally:
        sources.close()
    with c.uow() as uow:
        return uow.session.scalar(select(IntakeBatchFile.id).where(
            IntakeBatchFile.batch_id == batch_id, IntakeBatchFile.state == PENDING).limit(1)) is None


def finish_batch(s: Session, batch_id: int) -> None:
    """Mark the batch done (in the job's finishing transaction) and audit it."""
    batch = s.get(IntakeBatch, batch_id)
    if batch is None:
        return
    batch.state = BATCH_DONE
    batch.finished_at = utcnow()
    counts: dict[str, int] = {}
    for state in s.scalars(select(IntakeBatchFile.state).where(IntakeBatchFile.batch_id == batch_id)):
        counts[state] = counts.get(state, 0) + 1
    audit.append(s, actor="system:batch", action="batch.finish", target_type="batch", target_id=batch_id,
                 details=counts)


def review_list(c: Context, actor: Actor, *, limit: int = 200) -> list[tuple[int, str, object]]:
    """Cần xem lại: stacks without a first cover sheet in the batches the actor sees (batch id, name, file)."""
    from archive.services.batches import list_batches

    out = []
    for b in list_batches(c, actor, limit=200):
        if b.counts.get(NEEDS_REVIEW):
            view = get_batch(c, actor, b.id)
            out += [(b.id, b.name, f) for f in view.files if f.state == NEEDS_REVIEW]
        if len(out) >= limit:
            break
    return out[:limit]


def assign_reviewed(c: Context, actor: Actor, batch_id: object, file_id: int, *, staff_code: str,
                    document_type: str) -> None:
    """A stack from the review list assigned a dossier and a type by an archivist: filed as one document."""
    view = get_batch(c, actor, batch_id)
    if not any(f.id == file_id and f.state == NEEDS_REVIEW for f in view.files):
        raise NotFound(f"Không tìm thấy tệp số {file_id} cần xem lại trong lô {view.id}.")
    types = document_type_codes(c)
    with c.uow() as uow:
        s = uow.session
        batch = visible(s, actor, s.get(IntakeBatch, view.id), view.id)
        f = s.get(IntakeBatchFile, file_id)
        problem = target_problem(s, actor, f.path, staff_code.strip(), document_type, types)
        if problem:
            raise InvalidInput(problem)
        f.staff_code, f.document_type, f.state, f.problem = staff_code.strip(), document_type, PENDING, None
        f.started_at = None
        batch.state = "pending"
        job = jobs.enqueue(s, BATCH_KIND, target_type="batch", target_id=batch.id)
        batch.job_id = job.id
        audit.append(s, actor=actor.name, ip=actor.ip, action="batch.assign", target_type="batch",
                     target_id=batch.id, details={"file": file_id, "staff": f.staff_code, "type": document_type})
        uow.commit()
        job_id = job.id
    jobs.send_after_commit(c, [(job_id, BATCH_KIND)])
