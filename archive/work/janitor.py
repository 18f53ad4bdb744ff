"""Temp files left by killed processes (dọn tệp tạm): removed by the sweeper and at start-up.

Work files in the data dir's tmp/ are named `<kind>-<host>.<pid>.<random>` (storage.owned_prefix):
one whose host is this one and whose process is gone was left by a kill -9 and can go. A
file whose name names no owner (older versions, other tools) goes once it is older than a
day. Files of live processes and of other hosts are never touched (with several hosts,
each host's own sweeper or start-up cleans its own).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import time
from pathlib import Path

_OWNED = re.compile(r"^[a-z]+-(?P<host>[^.]+(?:\.[^.]+)*?)\.(?P<pid>\d+)\.")
UNOWNED_MAX_AGE_SECONDS = 24 * 3600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, someone else's
        return True
    return True


def _leftover(entry: Path, host: str, now: float) -> bool:
    m = _OWNED.match(entry.name)
    if m is not None:
        return m.group("host") == host and not _alive(int(m.group("pid")))
    try:
        return now - entry.lstat().st_mtime > UNOWNED_MAX_AGE_SECONDS
    except FileNotFoundError:
        return False


def clean_temp(tmp_dir: Path) -> int:
    """Remove leftovers of dead processes under `tmp_dir`; returns how many entries went."""
    if not tmp_dir.is_dir():
        return 0
    host, now, removed = socket.gethostname(), time.time(), 0
    for entry in tmp_dir.iterdir():
        if not _leftover(entry, host, now):
            continue
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed
