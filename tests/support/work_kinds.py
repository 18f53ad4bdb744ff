"""Job kinds that only tests register (ARCHIVE_WORK_PLUGINS=tests.support.work_kinds, or register()).

- `test_mark` writes `started-<attempt>` into payload["dir"], then holds (renewing its lease)
  until a `release` file appears there; its one database effect is an audit entry
  `test.mark`, applied with the job's completion — so a run killed half-way and re-run must
  leave exactly one. `cleanup` writes `cleanup-<attempt>`.
- `test_after_extract` is a follow-up of `extract`: it records how many pages its document has.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import select

from archive.models import Page
from archive.services import audit
from archive.work import Finish, JobKind, PermanentFailure, Registry


class MarkKind(JobKind):
    name = "test_mark"
    queue = "work"

    def run(self, ctx, job, lease):  # noqa: ANN001, ANN201
        marks = Path(job.payload["dir"])
        (marks / f"started-{job.attempts}").write_text(str(os.getpid()))
        if job.payload.get("fail"):
            raise PermanentFailure("Công việc thử nghiệm không thể chạy.")
        deadline = time.monotonic() + float(job.payload.get("hold_seconds", 0))
        while not (marks / "release").exists() and time.monotonic() < deadline:
            lease.renew()
            time.sleep(0.2)

        def apply(session) -> None:  # noqa: ANN001
            audit.append(session, actor="system:test", action="test.mark", target_type="test",
                         target_id=job.target_id or "", details={"attempt": job.attempts})

        return Finish(apply=apply, result={"attempt": job.attempts})

    def cleanup(self, ctx, job) -> None:  # noqa: ANN001
        (Path(job.payload["dir"]) / f"cleanup-{job.attempts}").write_text("")


class FlakyKind(JobKind):
    """Fails with a transient error on its first payload["failures"] attempts."""

    name = "test_flaky"

    def run(self, ctx, job, lease):  # noqa: ANN001, ANN201
        if job.attempts <= int(job.payload.get("failures", 0)):
            raise OSError(f"ổ đĩa tạm thời không đọc được (lần {job.attempts})")
        return Finish(result={"attempt": job.attempts})


class AfterExtractKind(JobKind):
    name = "test_after_extract"

    def run(self, ctx, job, lease):  # noqa: ANN001, ANN201
        with ctx.uow() as uow:
            pages = list(uow.session.scalars(select(Page.number).where(Page.document_id == job.document_id)))
        return Finish(result={"pages": pages})


def register(registry: Registry) -> None:
    registry.add(MarkKind())
    registry.add(FlakyKind())
    registry.add(AfterExtractKind())
    registry.then("extract", AfterExtractKind.name)
