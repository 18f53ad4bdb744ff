"""Upload temp files name their process, so a kill -9'd server's partial upload goes at the next
start (clean_temp) instead of after a day; a live process's upload stays."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from archive.work.janitor import clean_temp
from ingest import TooLarge
from ingest.receive import Receiver, receive_stream

ROOT = Path(__file__).resolve().parents[2]

_HALF_UPLOAD = """
import sys, time
from pathlib import Path
from ingest.receive import Receiver
r = Receiver(tmp_dir=Path(sys.argv[1]), max_bytes=1 << 30)
r.write(b"%PDF-1.7 " + b"x" * 100_000)
print(r.path, flush=True)
time.sleep(60)
"""


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_an_upload_temp_file_names_this_host_and_process(tmp_path):
    receiver = Receiver(tmp_dir=tmp_path, max_bytes=1024)
    try:
        assert receiver.path.name.startswith(f"upload-{socket.gethostname()}.{os.getpid()}.")
        assert clean_temp(tmp_path) == 0 and receiver.path.exists(), "a live process's upload stays"
    finally:
        receiver.abort()


def test_the_partial_upload_of_a_killed_process_is_removed_by_clean_temp(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", _HALF_UPLOAD, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True)
    try:
        partial = Path(child.stdout.readline().strip())
        assert partial.exists() and partial.parent == tmp_path
        assert clean_temp(tmp_path) == 0 and partial.exists(), "still receiving: kept"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert clean_temp(tmp_path) == 1
    assert not partial.exists()


def test_a_leftover_named_like_a_dead_process_upload_goes_and_a_live_one_stays(tmp_path):
    host = socket.gethostname()
    dead = tmp_path / f"upload-{host}.{_dead_pid()}.k3j2h1"
    live = tmp_path / f"upload-{host}.{os.getpid()}.a1b2c3"
    elsewhere = tmp_path / f"upload-may-khac.{_dead_pid()}.zz"  # another host's: its own start-up cleans it
    for p in (dead, live, elsewhere):
        p.write_bytes(b"partial")
    assert clean_temp(tmp_path) == 1
    assert not dead.exists() and live.exists() and elsewhere.exists()


def test_a_finished_upload_is_handed_over_and_an_aborted_one_leaves_nothing(tmp_path):
    import io

    received = receive_stream(io.BytesIO(b"%PDF-1.7 data"), tmp_dir=tmp_path, max_bytes=1024)
    assert received.path.exists() and received.size == 13
    received.path.unlink()
    with pytest.raises(TooLarge):
        receive_stream(io.BytesIO(b"x" * 4096), tmp_dir=tmp_path, max_bytes=1024)
    assert list(tmp_path.iterdir()) == []
