"""Receive an upload: stream it to a temporary file, hashing as it goes, under a size limit.

`Receiver` is push-based so that both a blocking reader (`receive_stream`) and an async
request body can feed it; either way the bytes are written once and hashed while written.
The temp file's name names its process (`upload-<host>.<pid>.…`, storage.owned_prefix), so
the janitor removes a killed server's partial upload at the next start, not a day later.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ingest.errors import InvalidUpload, TooLarge
from storage import owned_prefix

_CHUNK = 1 << 20
# Start writing back what has arrived every this many bytes, without waiting for it: the disk
# works during the transfer instead of after it, so the final fsync (the file must be durable
# before the upload is acknowledged) has little left to do. posix_fadvise(DONTNEED) starts
# writeback of the range's dirty pages on Linux and returns; fdatasync here would block the
# writer (and so the receiving) for every batch.
_WRITEBACK_EVERY = 16 << 20  # at 64 MiB the final fsync still waited ~0.8 s per GB


def size_text(n: int) -> str:
    """A byte count as people read it: "256 MB", "1,5 MB", "977 KB"."""
    if n >= 1 << 20:
        return f"{n / (1 << 20):.4g} MB".replace(".", ",")
    return f"{max(1, round(n / 1024))} KB"


@dataclass(frozen=True)
class ReceivedFile:
    path: Path
    sha256: str
    size: int


class Receiver:
    """Write chunks to a new temp file in `tmp_dir`; `finish()` hands the file over, `abort()` removes it."""

    def __init__(self, *, tmp_dir: Path, max_bytes: int) -> None:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix=owned_prefix("upload-"))
        self._file = os.fdopen(fd, "wb")
        self.path = Path(name)
        self._digest = hashlib.sha256()
        self._max = max_bytes
        self.size = 0
        self._synced = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self._max:
            self.abort()
            raise TooLarge(f"Tệp quá lớn: vượt giới hạn {size_text(self._max)}.")
        self._digest.update(chunk)
        self._file.write(chunk)
        if self.size - self._synced >= _WRITEBACK_EVERY and hasattr(os, "posix_fadvise"):
            self._file.flush()
            os.posix_fadvise(self._file.fileno(), self._synced, self.size - self._synced, os.POSIX_FADV_DONTNEED)
            self._synced = self.size

    def finish(self) -> ReceivedFile:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        if self.size == 0:
            self.abort()
            raise InvalidUpload("Tệp rỗng (0 byte).")
        return ReceivedFile(path=self.path, sha256=self._digest.hexdigest(), size=self.size)

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)


def receive_stream(stream: BinaryIO, *, tmp_dir: Path, max_bytes: int) -> ReceivedFile:
    """Copy `stream` to a new temp file in `tmp_dir`; the caller removes it (even on error)."""
    receiver = Receiver(tmp_dir=tmp_dir, max_bytes=max_bytes)
    try:
        while chunk := stream.read(_CHUNK):
            receiver.write(chunk)
        return receiver.finish()
    except BaseException:
        receiver.abort()
        raise
