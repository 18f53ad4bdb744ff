"""Bulk intake benchmark: batch intake overhead per file against single uploads, and cover-sheet
detection time per page.

    python -m bench.batch_intake [--files 60] [--repeat 5] [--pages 12]

Intake: `--files` born-digital PDFs (distinct bytes, ~2 pages each) go into a fresh embedded
archive (SQLite, local store, no workers: extraction is not on the clock) twice, each time in a
fresh archive, alternating which goes first, best of `--repeat` (5):

- single: `documents.ingest_upload` once per file (what the upload page and `archive ingest` do);
- batch: the same files as a zip with a manifest: `batches.create_batch` (zip checks, manifest,
  staging in the store's intake namespace, rows) then `batch_processing.process_batch` (each file
  through `ingest_received`, rows updated) — seconds per file and the ratio (target ≤ 1.1×).

Cover sheets: a scanned stack at 200 dpi (cover + pages, rotated 2°, blurred) is split with
`ingest.cover_split.plan_split`; seconds per page (pages rasterised at 120 dpi, QR codes only).
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from bench.report import Summary, Target, emit, machine, stopwatch

BENCH = "batch_intake"
TARGET_RATIO = 1.1


def _archive(tmp: Path, n: int):
    from archive.bootstrap import build
    from archive.db import migrate
    from archive.services.access import SYSTEM
    from archive.services.catalogs import seed_catalogs
    from archive.services.staff import add_staff
    from archive.services.units import add_unit
    from archive.settings import Settings
    from archive.task_queue import NullQueue

    settings = Settings(data_dir=tmp / "data")
    settings.data_dir.mkdir(parents=True)
    migrate(settings.database_url)
    c = build(settings, queue=NullQueue())
    seed_catalogs(c)
    add_unit(c, SYSTEM, code="TINH", name="Ủy ban nhân dân tỉnh")
    for i in range(n):
        add_staff(c, SYSTEM, code=f"NV{i:04d}", full_name=f"Nguyễn Văn {i}", unit_code="TINH")
    return c


def _files(n: int) -> list[tuple[str, bytes]]:
    from tests.support.documents import born_digital_pdf

    return [(f"NV{i:04d}-syll.pdf", born_digital_pdf([f"SƠ YẾU LÝ LỊCH số {i}", "Họ và tên: Nguyễn Văn"], pages=2))
            for i in range(n)]


def _single(files: list[tuple[str, bytes]], n: int) -> tuple[float, float]:
    from archive.services.access import SYSTEM
    from archive.services.documents import ingest_upload

    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        c = _archive(Path(tmp), n)
        try:
            cpu = time.process_time()
            with stopwatch() as elapsed:
                for i, (name, data) in enumerate(files):
                    ingest_upload(c, SYSTEM, staff_code=f"NV{i:04d}", stream=io.BytesIO(data), file_name=name,
                                  document_type="so_yeu_ly_lich")
            return elapsed() / len(files), (time.process_time() - cpu) / len(files)
        finally:
            c.close()


def _batch(files: list[tuple[str, bytes]], n: int) -> tuple[float, float]:
    from archive.services import batches
    from archive.services.access import SYSTEM
    from archive.services.batch_processing import process_batch
    from tests.support.stacks import make_zip

    rows = ["tep,ma_can_bo,loai_tai_lieu"] + [f"{name},NV{i:04d},so_yeu_ly_lich" for i, (name, _) in enumerate(files)]
    members = {"manifest.csv": "\n".join(rows).encode(), **dict(files)}
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        c = _archive(Path(tmp), n)
        zip_path = Path(tmp) / "lo.zip"
        zip_path.write_bytes(make_zip(members))
        try:
            cpu = time.process_time()
            with stopwatch() as elapsed:
                view = batches.create_batch(c, SYSTEM, zip_path)
                assert process_batch(c, view.id)
            cpu = time.process_time() - cpu
            done = batches.get_batch(c, SYSTEM, view.id).counts["stored"]
            assert done == len(files), done
            return elapsed() / len(files), cpu / len(files)
        finally:
            c.close()


def _covers(pages: int) -> tuple[float, int]:
    from ingest.cover_split import plan_split
    from tests.support.stacks import scanned_stack

    per_part = max(1, pages // 2 - 1)
    stack = scanned_stack([("NV0001", "so_yeu_ly_lich", per_part), ("NV0002", "khac", per_part)], dpi=200)
    with tempfile.TemporaryDirectory(prefix="bench-cover-") as tmp:
        path = Path(tmp) / "stack.pdf"
        path.write_bytes(stack)
        t0 = time.perf_counter()
        plan = plan_split(path, "pdf")
        seconds = time.perf_counter() - t0
    assert len(plan.parts) == 2 and not plan.needs_review, plan
    return seconds / plan.page_count, plan.page_count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.batch_intake", description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", type=int, default=12)
    args = parser.parse_args(argv)
    emit(BENCH, "machine", None, **machine())
    files = _files(args.files)
    runs: dict[str, list[tuple[float, float]]] = {"single": [], "batch": []}
    for n in range(max(1, args.repeat)):  # alternating which goes first: the machine is shared
        for way in (("batch", "single") if n % 2 else ("single", "batch")):
            runs[way].append((_batch if way == "batch" else _single)(files, args.files))
    single, batch = [w for w, _ in runs["single"]], [w for w, _ in runs["batch"]]
    best_single, best_batch = min(single), min(batch)
    ratio = best_batch / best_single
    median_ratio = statistics.median(batch) / statistics.median(single)
    # CPU seconds (this process): on a shared machine the wall time is mostly other people's fsyncs
    cpu_single, cpu_batch = (statistics.median(c for _, c in runs[w]) for w in ("single", "batch"))
    emit(BENCH, "single_upload_s_per_file", round(best_single, 4), "s", runs=[round(s, 4) for s in single],
         cpu_median=round(cpu_single, 4))
    emit(BENCH, "batch_s_per_file", round(best_batch, 4), "s", runs=[round(b, 4) for b in batch],
         ratio_to_single=round(ratio, 3), median_ratio_to_single=round(median_ratio, 3), files=args.files,
         cpu_median=round(cpu_batch, 4), cpu_ratio_to_single=round(cpu_batch / cpu_single, 3))
    per_page, count = _covers(args.pages)
    emit(BENCH, "cover_detection_s_per_page", round(per_page, 4), "s", pages=count, dpi=200, raster_dpi=120)
    Summary(BENCH, f"batch {best_batch * 1000:,.1f} ms/file = {ratio:.2f}× single uploads "
                   f"({best_single * 1000:,.1f} ms/file; medians {median_ratio:.2f}×; CPU medians "
                   f"{cpu_batch / cpu_single:.2f}×); "
                   f"cover detection {per_page * 1000:,.0f} ms/page",
            [Target("batch / single per file", round(ratio, 3), TARGET_RATIO, "<=", "×")]).print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
