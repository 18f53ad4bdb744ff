"""Fixity benchmark: a fixity pass over the local store, against `sha256sum` over the same files.

    python -m bench.fixity [--size-mb 512] [--threads N] [--repeat 3]

An embedded archive (SQLite, local object store) is filled off the clock with `--size-mb` of
scans (random bytes, 0.2–3 MB each, as bench.backup makes them), and the pass discovers them
once (off the clock). Then, alternately `--repeat` times, each on the clock and best of the
runs kept (both read from the page cache, warmed by one untimed sha256sum first):

- anchor: `sha256sum` over every object file (one process, as an operator would check them);
- pass: `run_pass` with every holding due and the throttle off (ARCHIVE_FIXITY_MAX_MBPS=0) —
  each object opened through the store, hashed in 4 MiB reads on ARCHIVE_FIXITY_THREADS
  threads, every result recorded in the database — MB/s and the ratio to the anchor
  (target ≥ 0.9×).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import tempfile
from pathlib import Path

from bench.report import Summary, Target, emit, machine, stopwatch

BENCH = "fixity"
MB = 1_000_000
TARGET_RATIO = 0.9


class _Random:
    """`size` random bytes as a stream (incompressible, as scans are)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return os.urandom(n)


def _sha256sum(files: list[Path]) -> int:
    """The anchor: sha256sum over the files (in argument batches); bytes hashed."""
    for start in range(0, len(files), 500):
        subprocess.run(["sha256sum", "--", *map(str, files[start:start + 500])], check=True,
                       stdout=subprocess.DEVNULL)
    return sum(f.stat().st_size for f in files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fixity", description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=512)
    parser.add_argument("--threads", type=int, default=None, help="default: ARCHIVE_FIXITY_THREADS (2)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)

    from archive.bootstrap import build
    from archive.db import migrate
    from archive.services.fixity import discover, mark_due_now, run_pass
    from archive.settings import Settings
    from archive.task_queue import NullQueue

    emit(BENCH, "machine", None, **machine())
    with tempfile.TemporaryDirectory(prefix="bench-fixity-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", fixity_max_mbps=0)
        settings.data_dir.mkdir(parents=True)
        migrate(settings.database_url)
        c = build(settings, queue=NullQueue())
        rng, total = random.Random(args.seed), 0
        while total < args.size_mb * MB:
            size = int(200_000 * (15 ** rng.random()))
            c.store.put_stream(_Random(size))  # type: ignore[arg-type]
            total += size
        files = sorted(p for p in (Path(tmp) / "data" / "objects" / "objects").glob("*/*/*"))
        discover(c)
        emit(BENCH, "corpus", round(total / MB, 1), "MB", objects=len(files))
        _sha256sum(files)  # warm the page cache: both runs then read from memory
        anchor, passes = [], []
        for _ in range(max(1, args.repeat)):
            with stopwatch() as elapsed:
                hashed = _sha256sum(files)
            anchor.append(hashed / MB / elapsed())
            mark_due_now(c)
            report = run_pass(c, by="bench", threads=args.threads, budget_seconds=10**9)
            assert report.checked == len(files) and report.failed == 0, report.to_result()
            passes.append(report.mb_per_s)
        c.close()
    best_anchor, best_pass = max(anchor), max(passes)
    ratio = best_pass / best_anchor
    emit(BENCH, "sha256sum_mb_per_s", round(best_anchor, 1), "MB/s", runs=[round(a, 1) for a in anchor])
    emit(BENCH, "fixity_pass_mb_per_s", round(best_pass, 1), "MB/s", runs=[round(p, 1) for p in passes],
         ratio_to_sha256sum=round(ratio, 3), threads=args.threads or settings.fixity_threads, throttle="off")
    Summary(BENCH, f"fixity pass {best_pass:,.0f} MB/s = {ratio:.2f}× sha256sum ({best_anchor:,.0f} MB/s)",
            [Target("ratio to sha256sum", round(ratio, 3), TARGET_RATIO, ">=", "×")]).print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
