"""Generations of one tantivy index on disk: which directory is live, and switching it atomically.

    <root>/LIVE          the live generation's name, e.g. "gen-000002" (no newline needed)
    <root>/gen-000002/   a complete tantivy index + SCHEMA_VERSION: the live one
    <root>/gen-000003/   being filled by an open rebuild (not named by LIVE: nobody reads it)
    <root>/.generations.lock   flock'ed while a generation is allocated or switched

A rebuild fills a new generation directory; its commit writes LIVE through a temporary file,
fsync and rename — atomic, so every process sees either the old name or the new one — and
then removes older generations. Each process stats LIVE before each search or write (one
stat call) and opens the generation it names when it changed, so the API process picks up a
rebuild made by `archive reindex` on its next request. Removing a generation that another
process still has open is safe on Linux: its mmapped files stay readable until unmapped; its
next reload fails, and the reader then finds LIVE changed and reads the new generation.

An index directory in the layout from before generations (tantivy files and SCHEMA_VERSION in
the root itself, no LIVE) is generation 0, named LEGACY and read in place; the first commit
moves the index to gen-000001 and removes the root's tantivy files (only those, by name).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from search.port import SearchError
from search.tantivy_schema import MARKER

POINTER = "LIVE"
LEGACY = "."  # generation 0: the root directory itself
_LOCK = ".generations.lock"
_GENERATION = re.compile(r"gen-(\d{6,})")
# What tantivy (and the adapter's marker) put in an index directory: segment files are
# "<32 hex>.<ext>" or "<32 hex>.<opstamp>.del".
_LEGACY_FILES = re.compile(rf"meta\.json|\.managed\.json|\.tantivy-(meta|writer)\.lock|{re.escape(MARKER)}"
                           r"|[0-9a-f]{32}(\.\d+)?\.[a-z]+")

Stamp = tuple[int, int, int] | None


def generation_number(name: str) -> int:
    """0 for LEGACY, N for gen-N."""
    if name == LEGACY:
        return 0
    m = _GENERATION.fullmatch(name)
    if m is None:
        raise ValueError(f"not a generation name: {name!r}")
    return int(m.group(1))


class Generations:
    """The generation directories under one index root and the pointer naming the live one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pointer = root / POINTER

    def path(self, name: str) -> Path:
        return self.root if name == LEGACY else self.root / name

    def stamp(self) -> Stamp:
        """Changes whenever LIVE is replaced (a new inode each time): cheap enough for every call."""
        try:
            st = os.stat(self.pointer)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def live(self) -> str | None:
        """The live generation's name; LEGACY for an index from before generations; None for none."""
        try:
            return self.pointer.read_text().strip()
        except FileNotFoundError:
            pass
        if (self.root / "meta.json").exists() or (self.root / MARKER).exists():
            return LEGACY
        return None

    def numbers(self) -> list[int]:
        """Numbers of every gen-N directory present, live, in progress or left by a crash."""
        return sorted(int(m.group(1)) for p in self.root.iterdir()
                      if p.is_dir() and (m := _GENERATION.fullmatch(p.name)))

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise allocation and switching between processes (released if the process dies)."""
        self.root.mkdir(parents=True, exist_ok=True)  # a rebuild recreates a root that was deleted
        with open(self.root / _LOCK, "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def allocate(self) -> str:
        """Create the directory of a new generation, numbered above every one present."""
        with self.locked():
            numbers = self.numbers()
            name = f"gen-{(numbers[-1] if numbers else 0) + 1:06d}"
            (self.root / name).mkdir()
            return name

    def initialise(self, create: Callable[[Path], None]) -> str:
        """The live generation, creating a first one with `create(path)` if there is none yet
        (two processes opening a new index at once make it once)."""
        with self.locked():
            live = self.live()
            if live is not None:
                return live
        name = self.allocate()
        create(self.path(name))
        with self.locked():
            live = self.live()
            if live is not None:  # another process got there first: use its generation
                shutil.rmtree(self.path(name), ignore_errors=True)
                return live
            self._write_pointer(name)
        return name

    def switch(self, name: str) -> None:
        """Make `name` live for every process (then the caller removes the older ones)."""
        with self.locked():
            current = self.live()
            if current is not None and generation_number(current) > generation_number(name):
                raise SearchError(f"tantivy index {self.root}: {current} is live already, newer than {name}")
            self._write_pointer(name)

    def _write_pointer(self, name: str) -> None:
        tmp = self.root / f".{POINTER}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            f.write(name)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.pointer)
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the rename itself survives a power cut
        finally:
            os.close(dir_fd)

    def remove_older(self, name: str) -> None:
        """Delete generations older than `name` (and generation 0's files in the root). An older
        one still being filled by a rebuild that outlived this one fails on its next write."""
        keep = generation_number(name)
        for number in self.numbers():
            if number < keep:
                remove(self.root / f"gen-{number:06d}")
        if keep > 0:
            for p in self.root.iterdir():
                if p.is_file() and _LEGACY_FILES.fullmatch(p.name):
                    p.unlink(missing_ok=True)


def remove(path: Path) -> None:
    """Delete a generation directory. A reader elsewhere may recreate a lock file in it while it
    goes, so try twice and leave what remains to the next switch (it is older still then)."""
    for _ in range(2):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
