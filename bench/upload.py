"""Upload benchmark slot: 1 GB through the API — RSS growth and throughput vs a plain copy.

    python -m bench.upload [--size-mb 1024]

Measured now: the anchor, a plain streamed copy of the same bytes (read 1 MiB, write, fsync),
in this process, with its RSS growth. Not yet measured: the upload through the API
(``POST /documents`` streaming into the object store), which the lead wires once the API and
its test server are settled; until then the summary says so instead of inventing a number.
Targets: RSS growth < 64 MB and ≥ 80 % of plain-copy throughput.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench.report import emit, machine, not_yet_measured, rss_bytes, stopwatch

BENCH = "upload"
CHUNK = 1024 * 1024


def write_source(path: Path, size: int) -> None:
    """Incompressible bytes, so no layer below can cheat (1 MiB of randomness repeated)."""
    block = os.urandom(CHUNK)
    with open(path, "wb") as f:
        for _ in range(size // CHUNK):
            f.write(block)


def plain_copy(src: Path, dst: Path) -> tuple[float, int]:
    """Seconds and RSS growth (bytes) of a streamed copy with fsync — the anchor."""
    before = rss_bytes()
    peak = before
    with stopwatch() as elapsed, open(src, "rb") as r, open(dst, "wb") as w:
        while chunk := r.read(CHUNK):
            w.write(chunk)
            peak = max(peak, rss_bytes()) if w.tell() % (64 * CHUNK) == 0 else peak
        w.flush()
        os.fsync(w.fileno())
    return elapsed(), peak - before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.upload", description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args(argv)
    size = args.size_mb * CHUNK
    emit(BENCH, "machine", None, **machine())
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        src, dst = Path(tmp) / "source.bin", Path(tmp) / "copy.bin"
        write_source(src, size)
        seconds, growth = plain_copy(src, dst)
    emit(BENCH, "plain_copy_mb_per_s", round(size / CHUNK / seconds, 1), "MB/s", size_mb=args.size_mb,
         rss_growth_mb=round(growth / CHUNK, 1))
    not_yet_measured(BENCH, f"API upload of {args.size_mb} MB (RSS growth < 64 MB, ≥ 80 % of the plain copy's "
                            f"{size / CHUNK / seconds:.0f} MB/s) — the lead wires POST /documents here")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
