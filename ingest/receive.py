"""Receive an upload: stream it to a temporary file, hashing as it goes, under a size limit."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ingest.errors import InvalidUpload

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ReceivedFile:
    path: Path
    sha256: str
    size: int


def receive_stream(stream: BinaryIO, *, tmp_dir: Path, max_bytes: int) -> ReceivedFile:
    """Copy `stream` to a new temp file in `tmp_dir`; the caller removes it (even on error)."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise InvalidUpload(
                        f"Tệp quá lớn: vượt giới hạn {max_bytes // (1024 * 1024)} MB."
                    )
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        os.unlink(name)
        raise
    if size == 0:
        os.unlink(name)
        raise InvalidUpload("Tệp rỗng (0 byte).")
    return ReceivedFile(path=Path(name), sha256=digest.hexdigest(), size=size)
