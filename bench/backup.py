"""Backup benchmark: a full set, a night with no changes, a restore and its index rebuild, vs a plain copy.

    python -m bench.backup [--size-mb 4096] [--pages 20000] [--large]   # --large: 12 GB, 100k pages

An embedded archive (SQLite, local object store) is filled off the clock: `--size-mb` of scans
(random bytes, incompressible like JPEG and CCITT pages, 0.2–3 MB each) as the originals of
documents whose `--pages` page texts come from bench.corpus.pages. Then, each on the clock:

- anchor: a plain copy of the same files (the object files and the database file), one file at
  a time with fsync, to the same file system — what any backup must at least do;
- full: `run_backup` into a `file://` target on the same file system (SQLite online backup,
  every object read, hashed, sealed, written with fsync, restic snapshot of the database, the
  manifest) — MB/s and the ratio to the anchor;
- nightly: the same run again with nothing changed (an incremental set copying no object) — its
  time as a share of the full run's (target ≤ 5 %);
- restore: `restore_instance` into an empty data dir (objects opened, hash-checked by the store,
  written; database put back; audit chain verified) — MB/s against a plain copy back;
- rebuild: the index rebuilt from the restored database as part of the restore — pages/s.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
from pathlib import Path

from bench.report import Summary, Target, emit, machine, stopwatch

BENCH = "backup"
MB = 1_000_000
TARGET_NIGHTLY_SHARE = 0.05


def _objects(total_bytes: int, seed: int) -> list[int]:
    """Sizes of scans adding up to about `total_bytes` (log-uniform 0.2–3 MB)."""
    rng, sizes, done = random.Random(seed), [], 0
    while done < total_bytes:
        size = int(200_000 * (15 ** rng.random()))
        sizes.append(size)
        done += size
    return sizes


def fill(data_dir: Path, *, total_bytes: int, pages: int, seed: int) -> tuple[int, int]:
    """An embedded archive with the objects and page rows; (object bytes, pages)."""
    from datetime import date

    from sqlalchemy import insert

    from archive.bootstrap import build
    from archive.db import migrate
    from archive.domain import DocumentState
    from archive.models import Document, Page, Staff, Unit
    from archive.settings import Settings
    from archive.task_queue import NullQueue
    from bench.corpus.pages import iter_pages
    from bench.reindex import page_docs

    settings = Settings(data_dir=data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.database_url)
    c = build(settings, queue=NullQueue())
    docs = page_docs(iter_pages(seed, pages))
    sizes = _objects(total_bytes, seed)
    keys: list[tuple[str, int]] = []
    for size in sizes:  # urandom straight into the store (a link into place, no second copy)
        info = c.store.put_stream(_Random(size))
        keys.append((info.key, size))
    units: dict[str, tuple[int, str]] = {}
    staff: dict[str, int] = {}
    unit_rows, staff_rows, doc_rows, page_rows = [], [], {}, []
    used: dict[str, set[str]] = {}
    next_key: dict[str, int] = {}
    for d in docs:
        parent = None
        for code in d.scope_units:
            if code not in units:
                uid = len(units) + 1
                path = f"{parent[1] if parent else '/'}{uid}/"
                units[code] = (uid, path)
                unit_rows.append(dict(id=uid, code=code, name=code, parent_id=parent[0] if parent else None, path=path))
            parent = units[code]
        if d.staff_code not in staff:
            staff[d.staff_code] = len(staff) + 1
            staff_rows.append(dict(id=staff[d.staff_code], code=d.staff_code, full_name=d.staff_name,
                                   birth_date=date.fromisoformat(d.birth_date) if d.birth_date else None,
                                   unit_id=units[d.scope_units[-1]][0], status=d.status, grade_code=d.grade,
                                   restriction_level=0, profile={}))
        if d.document_id not in doc_rows:  # scans are shared round-robin, never twice in one dossier
            pick = next_key.get(d.staff_code, 0) or len(doc_rows)
            while keys[pick % len(keys)][0] in used.setdefault(d.staff_code, set()):
                pick += 1
            next_key[d.staff_code] = pick + 1
            key, size = keys[pick % len(keys)]
            used[d.staff_code].add(key)
            doc_rows[d.document_id] = dict(id=d.document_id, staff_id=staff[d.staff_code], document_type=d.document_type,
                                           file_name=f"{d.document_id}.pdf", content_type="application/pdf",
                                           sha256=key, size=size, page_count=0, state=DocumentState.INDEXED.value)
        doc_rows[d.document_id]["page_count"] += 1
        page_rows.append(dict(document_id=d.document_id, number=d.page, text=d.text, confidence=90.0,
                              source="text_layer"))
    with c.uow() as uow:
        for model, rows in ((Unit, unit_rows), (Staff, staff_rows), (Document, list(doc_rows.values())),
                            (Page, page_rows)):
            for start in range(0, len(rows), 20_000):
                uow.session.execute(insert(model), rows[start:start + 20_000])
        uow.commit()
    c.close()
    return sum(sizes), len(docs)


class _Random:
    """`size` random bytes as a stream (incompressible, as scans are)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return os.urandom(n)


def plain_copy(files: list[Path], dest: Path) -> int:
    """The anchor: copy each file, fsync it; bytes copied."""
    dest.mkdir(parents=True)
    total = 0
    for i, src in enumerate(files):
        out = dest / f"{i:07d}"
        with open(src, "rb") as fin, open(out, "wb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
            fout.flush()
            os.fsync(fout.fileno())
        total += out.stat().st_size
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.backup", description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=None, help="object bytes (default 4096; 12288 with --large)")
    parser.add_argument("--pages", type=int, default=None, help="page texts (default 20,000; 100,000 with --large)")
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    size_mb = args.size_mb or (12288 if args.large else 4096)
    pages = args.pages or (100_000 if args.large else 20_000)

    from archive.bootstrap import build
    from archive.services.access import SYSTEM
    from archive.services.backup_cipher import new_key_spec
    from archive.services.backup_tools import ToolMissing, find_tool
    from archive.services.backups import run_backup
    from archive.services.restore import restore_instance
    from archive.settings import Settings
    from archive.task_queue import NullQueue
    from archive.work.kinds.index import reindex_all

    emit(BENCH, "machine", None, **machine())
    try:
        find_tool("restic", "restic")
    except ToolMissing as exc:
        print(f"SUMMARY {BENCH}: not measured — {exc}", flush=True)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
        root = Path(tmp)
        data = root / "data"
        object_bytes, page_count = fill(data, total_bytes=size_mb * MB, pages=pages, seed=args.seed)
        files = [p for p in (data / "objects" / "objects").rglob("*") if p.is_file()] + [data / "archive.db"]
        data_bytes = sum(p.stat().st_size for p in files)
        emit(BENCH, "corpus", round(data_bytes / MB, 1), "MB", objects=len(files) - 1, pages=page_count,
             database_mb=round((data / "archive.db").stat().st_size / MB, 1))

        with stopwatch() as elapsed:
            plain_copy(files, root / "plain")
        copy_rate = data_bytes / MB / elapsed()
        emit(BENCH, "plain_copy_mb_per_s", round(copy_rate, 1), "MB/s", seconds=round(elapsed(), 2))

        backup_settings = dict(backup_targets=f"file://{root / 'target'}", backup_key=new_key_spec())
        c = build(Settings(data_dir=data, **backup_settings), queue=NullQueue())
        try:
            with stopwatch() as full_time:
                full = run_backup(c, actor_name="bench")
            assert full.ok, full.targets
            full_rate = data_bytes / MB / full_time()
            emit(BENCH, "full_backup_mb_per_s", round(full_rate, 1), "MB/s", seconds=round(full_time(), 2),
                 ratio_to_plain_copy=round(full_rate / copy_rate, 3), kind=full.targets[0].kind,
                 database_seconds=full.database_seconds)
            with stopwatch() as nightly_time:
                nightly = run_backup(c, actor_name="bench")
            assert nightly.ok and nightly.targets[0].objects_added == 0, nightly.targets
            share = nightly_time() / full_time()
            emit(BENCH, "nightly_no_change_seconds", round(nightly_time(), 2), "s", share_of_full=round(share, 4),
                 kind=nightly.targets[0].kind)
        finally:
            c.close()

        with stopwatch() as back_time:
            plain_copy(sorted((root / "plain").iterdir()), root / "plain-back")
        back_rate = data_bytes / MB / back_time()
        restored_dir = root / "restored"
        shutil.copytree(data / "keys", restored_dir / "keys")  # the operator's copy of the keys
        c = build(Settings(data_dir=restored_dir, **backup_settings), queue=NullQueue())
        try:
            with stopwatch() as restore_time:
                report = restore_instance(c, SYSTEM, source=None, set_id=None, rebuild_index=reindex_all)
        finally:
            c.close()
        assert report.counts_equal and report.audit_ok, report
        restore_rate = data_bytes / MB / restore_time()
        objects_rate = object_bytes / MB / report.seconds["objects"]
        rebuild_rate = page_count / report.seconds["index"]
        emit(BENCH, "restore_mb_per_s", round(restore_rate, 1), "MB/s", seconds=round(restore_time(), 2),
             ratio_to_plain_copy=round(restore_rate / back_rate, 3), plain_copy_back_mb_per_s=round(back_rate, 1),
             objects_mb_per_s=round(objects_rate, 1), **{f"{k}_seconds": v for k, v in report.seconds.items()})
        emit(BENCH, "index_rebuild_pages_per_s", round(rebuild_rate), "pages/s", pages=page_count,
             seconds=report.seconds["index"])

    Summary(
        BENCH,
        f"full backup {full_rate:,.0f} MB/s = {full_rate / copy_rate:.2f}× a plain copy ({copy_rate:,.0f} MB/s, "
        f"{data_bytes / MB:,.0f} MB); night without changes {nightly_time():.1f} s = {share:.1%} of the full run; "
        f"restore {restore_rate:,.0f} MB/s = {restore_rate / back_rate:.2f}× a plain copy back, "
        f"index rebuilt at {rebuild_rate:,.0f} pages/s ({page_count:,} pages)",
        [Target("night without changes / full run", share, TARGET_NIGHTLY_SHARE, "<=")],
    ).print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
