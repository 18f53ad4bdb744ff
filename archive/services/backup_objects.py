"""Object copies of a backup: only the keys a target lacks go, sealed; read back, they must hash to their key.

Objects are content-addressed and never change, so "the target has `originals/<sha256>`" means
it has those bytes — an incremental set copies only names missing from the target's listing,
and a full set also reads back every copy the target claims to have and writes again any that
no longer opens to its key. Copies stream through a few threads (network and fsync latency, not
CPU, bound them); the caller's thread keeps the job's lease alive meanwhile.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterable, Iterator

from archive.services.backup_cipher import BackupKey, SealBroken, SealingReader, open_sealed, plain_size, sealed_size
from archive.services.backup_targets import BackupTarget, TargetUnavailable
from archive.services.backup_tools import KeepAlive
from storage import ObjectCorrupted, ObjectStore

COPY_THREADS = 4


@dataclass(frozen=True)
class ObjectEntry:
    """One line of a set's object list: namespace, key (its SHA-256), size in bytes."""

    namespace: str
    key: str
    size: int

    @property
    def name(self) -> str:
        return f"{self.namespace}/{self.key}"


def to_tsv(entries: Iterable[ObjectEntry]) -> bytes:
    return "".join(f"{e.namespace}\t{e.key}\t{e.size}\n" for e in sorted(entries, key=lambda e: e.name)).encode()


def from_tsv(data: bytes) -> list[ObjectEntry]:
    out = []
    for line in data.decode().splitlines():
        namespace, key, size = line.split("\t")
        out.append(ObjectEntry(namespace, key, int(size)))
    return out


def _parallel(items: list, work: Callable, keep_alive: KeepAlive) -> list:  # noqa: ANN001
    """work(item) for every item on a few threads; the first error cancels the rest and is raised."""
    results = []
    with ThreadPoolExecutor(max_workers=COPY_THREADS, thread_name_prefix="backup-copy") as pool:
        pending: set[Future] = {pool.submit(work, item) for item in items}
        try:
            while pending:
                done, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
                keep_alive()
                for fut in done:
                    results.append(fut.result())
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    return results


def _copy(store: ObjectStore, namespace: str, key: str, target: BackupTarget, bkey: BackupKey) -> ObjectEntry:
    name = f"{namespace}/{key}"
    size = store.stat(key).size
    with store.open(key) as source:
        sealed = SealingReader(source, bkey, name)

        def check() -> None:  # before the copy is committed: a damaged original is never backed up as good
            if sealed.digest.hexdigest() != key or sealed.plain_bytes != size:
                raise ObjectCorrupted(f"bản gốc {name} trong kho không còn khớp mã SHA-256 của nó")

        target.put_copy(name, sealed, sealed_size(size), check)
    return ObjectEntry(namespace, key, size)


def copy_opens(target: BackupTarget, bkey: BackupKey, entry: ObjectEntry) -> str | None:
    """None when the target's copy opens and hashes to its key; else what is wrong with it."""
    digest, size = hashlib.sha256(), 0
    try:
        with target.open_copy(entry.name) as fh:
            for chunk in open_sealed(fh, bkey, entry.name):
                digest.update(chunk)
                size += len(chunk)
    except SealBroken as exc:
        return str(exc)
    except TargetUnavailable as exc:
        return str(exc)
    if digest.hexdigest() != entry.key or size != entry.size:
        return f"{entry.name}: nội dung không khớp mã SHA-256"
    return None


@dataclass(frozen=True)
class CopyResult:
    entries: list[ObjectEntry]  # every object of the set, with its size
    added: int
    added_bytes: int
    repaired: int


def copy_missing(sources: dict[str, ObjectStore], keys: dict[str, list[str]], target: BackupTarget,
                 bkey: BackupKey, *, full: bool, keep_alive: KeepAlive) -> CopyResult:
    """Bring the target up to `keys` (namespace → keys); with `full`, re-check every copy it already has."""
    held = target.list_copies()
    entries: list[ObjectEntry] = []
    missing: list[tuple[str, str]] = []
    for namespace, names in keys.items():
        for key in names:
            sealed = held.get(f"{namespace}/{key}")
            size = plain_size(sealed) if sealed is not None else None
            if size is None:
                missing.append((namespace, key))
            else:
                entries.append(ObjectEntry(namespace, key, size))
    repaired = 0
    if full and entries:
        checked = _parallel(entries, lambda e: (e, copy_opens(target, bkey, e)), keep_alive)
        broken = {e.name for e, problem in checked if problem}
        missing += [(e.namespace, e.key) for e in entries if e.name in broken]
        entries = [e for e in entries if e.name not in broken]
        repaired = len(broken)
    added = _parallel(missing, lambda nk: _copy(sources[nk[0]], nk[0], nk[1], target, bkey), keep_alive)
    return CopyResult(entries=entries + added, added=len(added) - repaired, added_bytes=sum(e.size for e in added),
                      repaired=repaired)


def confirm_held(target: BackupTarget, entries: list[ObjectEntry]) -> list[str]:
    """Names the target's listing lacks, or holds at another size (the quick check of every set)."""
    target.sync()
    held = target.list_copies()
    return [e.name for e in entries if held.get(e.name) != sealed_size(e.size)]


class ChunkReader:
    """A read(n) stream over an iterator of byte chunks (what ObjectStore.put_stream reads)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._buffer = chunks, b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._buffer) < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if n < 0:
            n = len(self._buffer)
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out


def restore_objects(stores: dict[str, ObjectStore], entries: list[ObjectEntry], target: BackupTarget,
                    bkey: BackupKey, *, keep_alive: KeepAlive,
                    after_put: Callable[[str, str], None] = lambda ns, key: None) -> tuple[int, int]:
    """Put every listed object back into its store (hash-checked by the store); (objects, bytes) written.

    Objects already in the store are skipped, so an interrupted restore can simply run again."""

    def one(e: ObjectEntry) -> tuple[bool, int]:
        store = stores[e.namespace]
        if store.exists(e.key):
            return False, 0
        with target.open_copy(e.name) as fh:
            stream: BinaryIO = ChunkReader(open_sealed(fh, bkey, e.name))  # type: ignore[assignment]
            store.put_stream(stream, expected_sha256=e.key)
        after_put(e.namespace, e.key)
        return True, e.size

    written = [size for put, size in _parallel(entries, one, keep_alive) if put]
    return len(written), sum(written)
