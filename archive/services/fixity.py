"""Fixity cycle (chu kỳ kiểm tra tính toàn vẹn): re-hash every stored object on a schedule, repair from backups.

Holdings are the objects of three store namespaces — originals, derivatives, audit anchors
(the names a backup set uses, backups.NAMESPACES). Each has a `fixity_objects` row; a pass
(`run_pass`, the `fixity` job kind, hourly) first *discovers* objects that have none (from the
documents and derivatives tables and the store's own listing — so a newly uploaded document is
due at once and checked by the next pass), then checks what is due, oldest first, until its
time budget is spent; the rest waits for the next pass.

Why every object is checked within ARCHIVE_FIXITY_CYCLE_DAYS: a checked object is next due
after 5/6 of the cycle (25 of 30 days), so a backlog of up to a sixth of the cycle still meets
it; the hourly schedule with ARCHIVE_FIXITY_PASS_SECONDS per pass reads
`cycle_days × 24 × pass_seconds × rate` bytes per cycle — `fixity_views.status` says whether
the holdings fit (and shows anything overdue).

A check streams the object and compares its SHA-256 with its key (keys are the hash). A
mismatch or a missing object is logged as a warning, recorded, and repaired: a backup target
holding the copy `<namespace>/<key>` is opened, its plaintext must hash to the key (the store's
replace_damaged checks it again before writing), then the object is re-checked. What cannot be
repaired stays "Lỗi toàn vẹn" (`damaged_since`) on the admin page, the document and /health
until a later pass (daily) repairs it. Objects that are missing because they were removed on
purpose (no document or derivative row names them any more) are retired, not alerted.

Check results are committed per batch as the pass goes, not at the job's end: each one is a
fact (this object hashed so at that moment), and a pass killed half-way keeps what it checked.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from archive.context import Context
from archive.models import Derivative, Document
from archive.models.fixity import MISMATCH, MISSING, OK, REPAIRED, FixityEvent, FixityObject
from storage import ObjectCorrupted, ObjectIntact, ObjectNotFound, ObjectStore, StorageError

log = logging.getLogger(__name__)

FIXITY_KIND = "fixity"
RETIRED = "retired"
# store namespaces that are holdings: name (as in a backup set) → the Context attribute that opens it
NAMESPACES = {"originals": "store", "derivatives": "derivatives", "audit": "audit_anchors"}
READ_SIZE = 4 << 20  # large reads: hashlib releases the GIL on them, so a thread per core hashes in parallel
BATCH = 200          # rows fetched, and results committed, at a time
BURST_SECONDS = 1.0  # the throttle lets a pass catch up at most this much after a pause
RETRY_DAMAGED = timedelta(days=1)  # an object that could not be repaired is tried again daily


def recheck_after(cycle_days: int) -> timedelta:
    """When a checked object is due again: 5/6 of the cycle, leaving a sixth for backlog."""
    return timedelta(days=cycle_days) * 5 / 6


def stores(c: Context) -> dict[str, ObjectStore]:
    return {name: getattr(c, attr) for name, attr in NAMESPACES.items()}


# -- hashing ----------------------------------------------------------------------------------

class Throttle:
    """At most `mbps` MB/s over every thread of a pass (0: no limit), so users do not feel the pass."""

    def __init__(self, mbps: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = mbps * 1e6
        self.clock, self.sleep = clock, sleep
        self.start = clock()
        self.sent = 0
        self.lock = threading.Lock()

    def __call__(self, n: int) -> None:
        if self.rate <= 0:
            return
        with self.lock:
            now = self.clock()
            idle = now - (self.start + self.sent / self.rate)
            if idle > BURST_SECONDS:  # time spent not reading (a slow object, the database) is not saved up
                self.start += idle - BURST_SECONDS
            self.sent += n
            delay = self.start + self.sent / self.rate - now
        if delay > 0:
            self.sleep(delay)


def hash_object(store: ObjectStore, key: str, throttle: Callable[[int], None] = lambda n: None) -> tuple[str | None, int]:
    """(SHA-256 of the stored bytes, bytes read), or (None, 0) when the object is missing."""
    try:
        fh = store.open(key)
    except ObjectNotFound:
        return None, 0
    digest, total = hashlib.sha256(), 0
    try:
        if isinstance(fh, io.BufferedReader):  # the local store: straight into one buffer, no copies
            buf = bytearray(READ_SIZE)
            view = memoryview(buf)
            while n := fh.readinto(buf):
                digest.update(view[:n])
                total += n
                throttle(n)
        else:
            while chunk := fh.read(READ_SIZE):
                digest.update(chunk)
                total += len(chunk)
                throttle(len(chunk))
    finally:
        fh.close()
        getattr(fh, "release_conn", lambda: None)()
    return digest.hexdigest(), total


# -- discovery ----------------------------------------------------------------------------------

def schedule_object(session: Session, namespace: str, key: str, *, size: int, now: datetime) -> None:
    """A row for an object not seen before, due now (its first check); a retired one comes back."""
    row = session.scalar(select(FixityObject).where(FixityObject.namespace == namespace, FixityObject.key == key))
    if row is None:
        session.add(FixityObject(namespace=namespace, key=key, size=size, first_seen=now, next_due_at=now))
    elif row.retired_at is not None:
        row.retired_at, row.next_due_at = None, now


def discover(c: Context) -> int:
    """Rows for every object the tables or the store name that has none yet; how many were added."""
    now = c.clock()
    found: dict[tuple[str, str], int] = {}
    with c.uow() as uow:
        s = uow.session
        known = {(ns, key): retired is not None for ns, key, retired in
                 s.execute(select(FixityObject.namespace, FixityObject.key, FixityObject.retired_at))}
        for sha, size in s.execute(select(Document.sha256, Document.size)):
            found[("originals", sha)] = int(size or 0)
        for sha, size in s.execute(select(Derivative.sha256, Derivative.size)):
            found[("derivatives", sha)] = int(size or 0)
    for namespace, store in stores(c).items():
        for key in store.list_keys():
            found.setdefault((namespace, key), 0)
    new = [(ns_key, size) for ns_key, size in found.items() if known.get(ns_key, True)]
    for start in range(0, len(new), BATCH):
        with c.uow() as uow:
            for (namespace, key), size in new[start:start + BATCH]:
                schedule_object(uow.session, namespace, key, size=size, now=now)
            uow.commit()
    return len(new)


# -- repair -----------------------------------------------------------------------------------------


def repair(c: Context, namespace: str, key: str, *, content_type: str | None = None) -> tuple[bool, str]:
    """Put the object back from the first backup target whose copy hashes to the key; (repaired, what happened)."""
    from archive.errors import ArchiveError
    from archive.services.backup_cipher import SealBroken, open_sealed
    from archive.services.backup_objects import ChunkReader
    from archive.services.backup_status import target_urls
    from archive.services.backup_targets import open_target, redact
    from archive.services.backups import backup_key

    urls = target_urls(c.settings)
    if not urls:
        return False, "chưa cấu hình nơi sao lưu (ARCHIVE_BACKUP_TARGETS) để lấy bản sao"
    try:
        bkey = backup_key(c.settings)
    except ArchiveError as exc:
        return False, str(exc)
    store, name, problems = stores(c)[namespace], f"{namespace}/{key}", []
    for url in urls:
        label = redact(url)
        try:
            target = open_target(url, retention_days=c.settings.backup_object_retention_days)
            with target.open_copy(name) as fh:
                store.replace_damaged(key, ChunkReader(open_sealed(fh, bkey, name)),  # type: ignore[arg-type]
                                      content_type=content_type)
        except ObjectIntact:
            return True, "tệp đã nguyên vẹn trở lại trước khi sửa"
        except (SealBroken, ObjectCorrupted) as exc:
            problems.append(f"{label}: bản sao hỏng ({exc})")
            continue
        except StorageError as exc:  # TargetUnavailable (no copy there, target down) or the store refused
            problems.append(f"{label}: {exc}")
            continue
        if store.verify(key):
            return True, f"đã sửa từ bản sao lưu ở {label}"
        problems.append(f"{label}: sau khi sửa, tệp vẫn không khớp")
    return False, "không sửa được: " + "; ".join(problems)


# -- checking ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """One object's check (and repair): what is recorded."""

    object_id: int
    namespace: str
    key: str
    result: str        # ok | mismatch | missing | repaired | retired
    found: str | None  # mismatch | missing when something was wrong, else None
    bytes_read: int
    duration_ms: int
    detail: str = ""


def _still_named(s: Session, namespace: str, key: str) -> bool:
    """Whether a row still names the object (else its absence is a removal, not a loss)."""
    if namespace == "originals":
        return s.scalar(select(Document.id).where(Document.sha256 == key).limit(1)) is not None
    if namespace == "derivatives":
        return s.scalar(select(Derivative.id).where(Derivative.sha256 == key).limit(1)) is not None
    return True  # audit anchors are never removed on purpose before their retention ends


def _content_type(s: Session, namespace: str, key: str) -> str | None:
    model = Document if namespace == "originals" else Derivative if namespace == "derivatives" else None
    if model is None:
        return "application/json"
    return s.scalar(select(model.content_type).where(model.sha256 == key).limit(1))


def check_one(c: Context, row_id: int, namespace: str, key: str,
              throttle: Callable[[int], None] = lambda n: None) -> Outcome:
    """Hash one object against its key (the repair, when needed, is `settle`'s)."""
    started = time.monotonic()
    try:
        digest, n = hash_object(stores(c)[namespace], key, throttle)
    except StorageError as exc:  # unreadable: as good as missing for the archive
        digest, n = None, 0
        log.warning("fixity: %s/%s unreadable: %s", namespace, key, exc)
    ms = int((time.monotonic() - started) * 1000)
    if digest == key:
        return Outcome(row_id, namespace, key, OK, None, n, ms)
    found = MISSING if digest is None else MISMATCH
    detail = "không còn trong kho" if digest is None else f"mã SHA-256 đọc được {digest}"
    return Outcome(row_id, namespace, key, found, found, n, ms, detail)


def settle(c: Context, o: Outcome) -> Outcome:
    """A failed check: retire a removed object, else warn and try to repair (and re-check)."""
    if o.found is None:
        return o
    with c.uow() as uow:
        named = _still_named(uow.session, o.namespace, o.key)
        content_type = _content_type(uow.session, o.namespace, o.key)
    if o.found == MISSING and not named:
        return Outcome(o.object_id, o.namespace, o.key, RETIRED, None, 0, o.duration_ms, "đã gỡ khỏi lưu trữ")
    log.warning("fixity: %s/%s %s (%s) — repairing from a backup", o.namespace, o.key, o.found, o.detail)
    repaired, how = repair(c, o.namespace, o.key, content_type=content_type)
    if repaired and check_one(c, o.object_id, o.namespace, o.key).result == OK:
        log.warning("fixity: %s/%s repaired: %s", o.namespace, o.key, how)
        return Outcome(o.object_id, o.namespace, o.key, REPAIRED, o.found, o.bytes_read, o.duration_ms,
                       f"{o.detail}; {how}")
    log.warning("fixity: %s/%s NOT repaired: %s", o.namespace, o.key, how)
    return Outcome(o.object_id, o.namespace, o.key, o.found, o.found, o.bytes_read, o.duration_ms,
                   f"{o.detail}; {how}")


def record(s: Session, outcomes: list[Outcome], *, by: str, job_id: int | None, now: datetime,
           cycle_days: int) -> None:
    """Each outcome onto its row (schedule, state) and as events, in the caller's transaction."""
    for o in outcomes:
        row = s.get(FixityObject, o.object_id)
        if row is None:
            continue
        if o.result == RETIRED:
            row.retired_at = now
        else:
            row.last_checked_at, row.last_result = now, o.result
            if o.bytes_read:
                row.size = o.bytes_read
            if o.result in (OK, REPAIRED):
                row.damaged_since, row.next_due_at = None, now + recheck_after(cycle_days)
            else:
                row.damaged_since, row.next_due_at = row.damaged_since or now, now + RETRY_DAMAGED
        if o.found and o.result == REPAIRED:  # what was found, then the repair
            s.add(FixityEvent(object_id=o.object_id, at=now, result=o.found, by=by, job_id=job_id,
                              duration_ms=o.duration_ms, bytes_read=o.bytes_read, detail=o.detail.split("; ")[0]))
        s.add(FixityEvent(object_id=o.object_id, at=now, result=o.result, by=by, job_id=job_id,
                          duration_ms=o.duration_ms, bytes_read=o.bytes_read, detail=o.detail))


# -- the pass ---------------------------------------------------------------------------------------

@dataclass
class PassReport:
    discovered: int = 0
    checked: int = 0
    ok: int = 0
    repaired: int = 0
    failed: int = 0
    retired: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    remaining_due: int = 0
    failures: list[dict] = field(default_factory=list)  # namespace, key, result, detail

    @property
    def mb_per_s(self) -> float:
        return self.bytes_read / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def to_result(self) -> dict:
        return {"discovered": self.discovered, "checked": self.checked, "ok": self.ok, "repaired": self.repaired,
                "failed": self.failed, "retired": self.retired, "bytes_read": self.bytes_read,
                "seconds": round(self.seconds, 3), "mb_per_s": round(self.mb_per_s, 1),
                "remaining_due": self.remaining_due, "failures": self.failures[:50]}


def _due(c: Context, now: datetime, limit: int, after: tuple[datetime, int] | None) -> list[tuple]:
    """The next `limit` rows due by `now`, oldest first; `after` = (next_due_at, id) of the last row taken,
    so a row whose result could not be written is not taken twice (a checked row is no longer due anyway)."""
    with c.uow() as uow:
        q = (select(FixityObject.id, FixityObject.namespace, FixityObject.key, FixityObject.next_due_at)
             .where(FixityObject.retired_at.is_(None), FixityObject.next_due_at <= now)
             .order_by(FixityObject.next_due_at, FixityObject.id).limit(limit))
        if after is not None:
            q = q.where((FixityObject.next_due_at > after[0])
                        | ((FixityObject.next_due_at == after[0]) & (FixityObject.id > after[1])))
        return [tuple(r) for r in uow.session.execute(q)]


def count_due(c: Context) -> int:
    with c.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(FixityObject).where(
            FixityObject.retired_at.is_(None), FixityObject.next_due_at <= c.clock())) or 0)


def run_pass(c: Context, *, by: str, job_id: int | None = None, keep_alive: Callable[[], None] = lambda: None,
             budget_seconds: float | None = None, limit: int | None = None, threads: int | None = None) -> PassReport:
    """Discover new objects, then check everything due (oldest first) within the budget."""
    s = c.settings
    report, started = PassReport(), time.monotonic()
    report.discovered = discover(c)
    budget = s.fixity_pass_seconds if budget_seconds is None else budget_seconds
    throttle = Throttle(s.fixity_max_mbps)
    now = c.clock()
    after: tuple[datetime, int] | None = None
    with ThreadPoolExecutor(max_workers=threads or s.fixity_threads, thread_name_prefix="fixity") as pool:
        while time.monotonic() - started < budget and (limit is None or report.checked < limit):
            size = BATCH if limit is None else min(BATCH, limit - report.checked)
            rows = _due(c, now, size, after)
            if not rows:
                break
            after = (rows[-1][3], rows[-1][0])
            pending: set[Future] = {pool.submit(check_one, c, rid, ns, key, throttle) for rid, ns, key, _ in rows}
            outcomes: list[Outcome] = []
            while pending:
                done, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
                keep_alive()
                outcomes += [f.result() for f in done]
            outcomes = [settle(c, o) for o in outcomes]
            keep_alive()
            with c.uow() as uow:
                record(uow.session, outcomes, by=by, job_id=job_id, now=c.clock(), cycle_days=s.fixity_cycle_days)
                uow.commit()
            for o in outcomes:
                report.checked += o.result != RETIRED
                report.bytes_read += o.bytes_read
                report.ok += o.result == OK
                report.repaired += o.result == REPAIRED
                report.retired += o.result == RETIRED
                if o.result in (MISMATCH, MISSING):
                    report.failed += 1
                if o.found:
                    report.failures.append({"namespace": o.namespace, "key": o.key, "result": o.result,
                                            "found": o.found, "detail": o.detail})
    report.seconds = time.monotonic() - started
    report.remaining_due = count_due(c)
    return report


def mark_due_now(c: Context) -> int:
    """Every holding due now (`archive fixity run --all`: a full pass on demand, e.g. after a restore)."""
    with c.uow() as uow:
        n = uow.session.execute(update(FixityObject).where(FixityObject.retired_at.is_(None))
                                .values(next_due_at=c.clock())).rowcount
        uow.commit()
    return int(n or 0)
