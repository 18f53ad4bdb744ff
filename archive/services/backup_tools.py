"""The programs a backup runs — restic, pg_dump, pg_restore — found on the machine and run with a heartbeat.

Each runs as a child process while the caller's `keep_alive` is called about once a second
(the job's lease renewal): a lost lease (LeaseLost) or Ctrl-C kills the child instead of
leaving it writing behind our back. Secrets reach them only through the environment
(RESTIC_PASSWORD, PGPASSWORD), never the command line, which every local user can read.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Callable, Sequence

from archive.errors import ArchiveError
from archive.services.backup_targets import ResticLocation
from storage import StorageError

KeepAlive = Callable[[], None]


class ToolMissing(ArchiveError):
    """A program the backup needs is not installed (the message says which package has it)."""


class ToolFailed(StorageError):
    """A backup program ended with an error (its last lines are in the message)."""


def find_tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None and name.startswith("pg_"):
        # Debian keeps the newest client in /usr/lib/postgresql/<major>/bin as well
        versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                          key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
        found = str(versions[-1]) if versions else None
    if found is None:
        raise ToolMissing(f"Chưa cài chương trình {name} (gói Debian {package}: `apt-get install {package}`).")
    return found


def run_tool(argv: Sequence[str], *, env: dict[str, str], what: str, keep_alive: KeepAlive,
             cwd: Path | None = None, sink: Callable[[bytes], None] | None = None) -> bytes:
    """Run to the end; stdout goes to `sink` chunk by chunk, or is returned. ToolFailed on a non-zero exit."""
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
                                env={**os.environ, **env}, cwd=cwd)
        chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=16)

        def pump() -> None:
            assert proc.stdout is not None
            for chunk in iter(lambda: proc.stdout.read(1 << 20), b""):  # type: ignore[union-attr]
                chunks.put(chunk)
            chunks.put(None)

        reader = threading.Thread(target=pump, name=f"{what}-stdout", daemon=True)
        reader.start()
        collected: list[bytes] = []
        try:
            while True:
                try:
                    chunk = chunks.get(timeout=1.0)
                except queue.Empty:
                    keep_alive()
                    continue
                if chunk is None:
                    break
                sink(chunk) if sink is not None else collected.append(chunk)
            while proc.poll() is None:
                try:
                    proc.wait(timeout=1.0)
                except subprocess.TimeoutExpired:
                    keep_alive()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            reader.join(timeout=5)
        if proc.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace").strip().splitlines()[-6:]
            raise ToolFailed(f"{what} thất bại (mã {proc.returncode}): " + " | ".join(tail))
    return b"".join(collected)


class ResticRepo:
    """One target's restic repository: encrypted, deduplicated snapshots of the small, changing part of a set."""

    def __init__(self, location: ResticLocation, *, password: str, cache_dir: Path, label: str) -> None:
        self.binary = find_tool("restic", "restic")
        self.label = label
        self.options = list(location.options)
        self.env = {**location.env, "RESTIC_REPOSITORY": location.repository, "RESTIC_PASSWORD": password,
                    "RESTIC_CACHE_DIR": str(cache_dir), "RESTIC_PROGRESS_FPS": "0.2"}

    def _run(self, *args: str, keep_alive: KeepAlive, cwd: Path | None = None,
             sink: Callable[[bytes], None] | None = None) -> bytes:
        return run_tool([self.binary, *self.options, *args], env=self.env, cwd=cwd, sink=sink,
                        keep_alive=keep_alive, what=f"restic {args[0]} ({self.label})")

    def ensure(self, exists: bool, *, keep_alive: KeepAlive) -> None:
        """Create the repository on first use. (A lock a killed run left is stale — its process is gone —
        and restic passes over stale locks itself; an `unlock` each night would cost a key derivation.)"""
        if not exists:
            self._run("init", keep_alive=keep_alive)

    def backup(self, cwd: Path, files: Sequence[str], *, tags: Sequence[str], force: bool,
               keep_alive: KeepAlive) -> str:
        """Snapshot `files` (names relative to cwd, so they sit at the snapshot's root); its id."""
        args = ["backup", "--json", "--host", "archive", *[f"--tag={t}" for t in tags]]
        if force:
            args.append("--force")  # a full set re-reads every file instead of trusting the parent snapshot
        out = self._run(*args, "--", *files, keep_alive=keep_alive, cwd=cwd)
        for line in reversed(out.decode("utf-8", "replace").splitlines()):
            if '"summary"' in line:
                return str(json.loads(line)["snapshot_id"])
        raise ToolFailed(f"restic backup ({self.label}) không trả về mã ảnh chụp")

    def snapshot_ids(self, *, keep_alive: KeepAlive) -> set[str]:
        out = self._run("snapshots", "--json", keep_alive=keep_alive)
        found = set()
        for snap in json.loads(out or b"[]"):
            found.add(snap["id"])
            found.add(snap.get("short_id") or snap["id"][:8])
        return found

    def dump(self, snapshot: str, path: str, sink: Callable[[bytes], None], *, keep_alive: KeepAlive) -> None:
        self._run("dump", snapshot, path, sink=sink, keep_alive=keep_alive)

    def check(self, *, read_data: bool, keep_alive: KeepAlive) -> tuple[bool, str]:
        """restic's own check (with --read-data: every pack re-read and hashed); (ok, what it said)."""
        args = ["check", "--read-data"] if read_data else ["check"]
        try:
            out = self._run(*args, keep_alive=keep_alive)
        except ToolFailed as exc:
            return False, str(exc)
        return True, out.decode("utf-8", "replace").strip().splitlines()[-1:][0] if out.strip() else "ok"

    def forget(self, snapshots: Sequence[str], *, keep_alive: KeepAlive) -> None:
        if snapshots:
            self._run("forget", "--prune", *snapshots, keep_alive=keep_alive)
