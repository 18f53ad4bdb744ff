"""A stored object as a local file for the duration of a `with` block (OCR, rendering, packaging).

Readers such as pdfium and Pillow want a seekable file on disk; the object store gives a
stream. The copy is made in the caller's temp directory and removed however the block ends —
except when the process is killed: its name then says which process left it
(`<prefix><host>.<pid>.<random>`), so a janitor can remove leftovers of dead processes.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from storage.port import ObjectStore


@contextmanager
def local_copy(store: ObjectStore, key: str, tmp_dir: Path, *, prefix: str = "work-") -> Iterator[Path]:
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix=owned_prefix(prefix))
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out, store.open(key) as src:
            shutil.copyfileobj(src, out, 1 << 20)
        yield path
    finally:
        path.unlink(missing_ok=True)


def owned_prefix(prefix: str) -> str:
    """A temp-name prefix that names this process: `<prefix><host>.<pid>.`"""
    return f"{prefix}{socket.gethostname()}.{os.getpid()}."
