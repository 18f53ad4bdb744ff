"""`consume`: the watched scan folders (thư mục quét chung), one per unit, like paperless-ngx's consume dir.

No target; scheduled every minute (`work/schedule.py`, name "consume"); does nothing unless
ARCHIVE_CONSUME_DIR is set. Layout: `ARCHIVE_CONSUME_DIR/<mã đơn vị>/` — what a scanner saves
there (a long PDF per stack, split at its cover sheets; or folders `<mã cán bộ>/<loại>/<tệp>`;
or a .zip with its manifest) becomes a batch of that unit once every file in it has been
unchanged for ARCHIVE_CONSUME_STABLE_SECONDS. Files are first moved (a rename, same disk) into
`<unit>/.dang-xu-ly/<time>/`, so a second pass never takes them twice; after the batch is
recorded (its bytes staged in the object store) they move to `<unit>/done/<batch id>/`, or to
`<unit>/failed/<time>/` with `LOI.txt` saying why in Vietnamese. A pass killed half-way leaves
its `.dang-xu-ly/` folder, which the next pass takes first (a batch recorded just before the
kill is then recorded again: its files end as duplicates, never stored twice). The batch files
as the unit's archivist would: staff outside the unit's subtree are refused.
Touches: the consume folders, the batches it records (`services.batches.create_batch`).
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from archive import error_table
from archive.context import Context
from archive.models import Unit
from archive.services import batches
from archive.services.access import Actor, Grant, Role
from archive.work.contract import Finish, JobInfo, JobKind, Lease

CONSUME_KIND = "consume"
WORKING, DONE, FAILED = ".dang-xu-ly", "done", "failed"


def _stable_files(unit_dir: Path, stable_seconds: int) -> list[Path] | None:
    """Every file waiting in the unit's folder, or None while any of them is still being written."""
    now = time.time()
    found = []
    for p in unit_dir.rglob("*"):
        rel = p.relative_to(unit_dir).parts
        if rel[0] in (WORKING, DONE, FAILED) or any(part.startswith(".") for part in rel):
            continue
        if p.is_file() and not p.is_symlink():
            if now - p.stat().st_mtime < stable_seconds:
                return None
            found.append(p)
    return found


def _move_in(unit_dir: Path, files: list[Path]) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    work = unit_dir / WORKING / stamp
    for p in files:
        target = work / p.relative_to(unit_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        p.rename(target)
    for d in sorted((d for d in unit_dir.iterdir() if d.is_dir() and d.name not in (WORKING, DONE, FAILED)),
                    reverse=True):
        _prune_empty(d)
    return work


def _prune_empty(d: Path) -> None:
    for sub in sorted((p for p in d.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        try:
            sub.rmdir()
        except OSError:
            pass
    try:
        d.rmdir()
    except OSError:
        pass


def consume_unit(ctx: Context, unit_code: str, work: Path) -> dict:
    """One working folder of a unit into batches (a .zip each, the rest together); moved to done/ or failed/."""
    unit_dir = work.parent.parent
    actor = Actor(name=f"consume:{unit_code}", grants=(Grant(Role.ARCHIVIST, unit_code),), clearance=2)
    made, failed = [], []
    zips = sorted(p for p in work.rglob("*.zip") if p.is_file())
    rest = [p for p in work.rglob("*") if p.is_file() and p.suffix.lower() != ".zip"]
    sources = [(z, z.name) for z in zips] + ([(work, f"{unit_code}-{work.name}")] if rest else [])
    for source, name in sources:
        try:
            view = batches.create_batch(ctx, actor, source, source="consume", name=name, unit_code=unit_code)
            dest = unit_dir / DONE / str(view.id)
            made.append(view.id)
        except Exception as exc:
            rule = error_table.rule_for(exc)
            if rule is None or rule.http_status >= 500:
                raise  # a bug or an engine down: the pass is retried, the files wait in .dang-xu-ly/
            dest = unit_dir / FAILED / work.name
            dest.mkdir(parents=True, exist_ok=True)
            with open(dest / "LOI.txt", "a", encoding="utf-8") as fh:
                fh.write(f"{name}: {error_table.message(exc)}\n")
            failed.append(name)
        dest.mkdir(parents=True, exist_ok=True)
        if source == work:
            for p in list(work.iterdir()):
                if not (p.is_file() and p.suffix.lower() == ".zip"):
                    p.rename(dest / p.name)
        else:
            source.rename(dest / source.name)
    shutil.rmtree(work, ignore_errors=True)
    return {"batches": made, "failed": failed}


class ConsumeKind(JobKind):
    name = CONSUME_KIND
    queue = "work"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        root = ctx.settings.consume_dir
        if root is None or not Path(root).is_dir():
            return Finish(result={"batches": [], "configured": root is not None})
        with ctx.uow() as uow:
            units = set(uow.session.scalars(select(Unit.code)))
        made: list[int] = []
        failed: list[str] = []
        for unit_dir in sorted(p for p in Path(root).iterdir() if p.is_dir() and p.name in units):
            works = sorted(p for p in (unit_dir / WORKING).glob("*") if p.is_dir()) \
                if (unit_dir / WORKING).is_dir() else []  # left by a pass that was killed: taken first
            files = _stable_files(unit_dir, ctx.settings.consume_stable_seconds)
            if files:
                works.append(_move_in(unit_dir, files))
            for work in works:
                out = consume_unit(ctx, unit_dir.name, work)
                made += out["batches"]
                failed += out["failed"]
                lease.renew()
        return Finish(result={"batches": made, "failed": failed})
