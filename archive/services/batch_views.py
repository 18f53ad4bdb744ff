"""Reading intake batches (xem lô tiếp nhận): one batch with its files, the list, the CSV report.

Split from `batches.py` (which makes batches); re-exported there. Who sees a batch: its creator,
the system (CLI), and for a consume folder's batch whoever may upload in that unit — NotFound
otherwise, never revealing that it exists. Reading the report is audited (`batch.report`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.errors import InvalidInput, NotFound
from archive.models import IntakeBatch, IntakeBatchFile
from archive.models.batches import FAILED, FILE_STATES
from archive.services import audit
from archive.services.access import Action, Actor


@dataclass(frozen=True)
class BatchFileView:
    id: int
    position: int
    path: str
    staff_code: str | None
    document_type: str | None
    state: str
    problem: str | None
    document_id: int | None
    parent_id: int | None
    pages: str | None
    details: dict


@dataclass(frozen=True)
class BatchView:
    id: int
    source: str
    name: str
    unit_code: str | None
    state: str
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]
    problems: list[str]
    files: list[BatchFileView] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["created_at"] = self.created_at.isoformat() + "Z"
        d["finished_at"] = self.finished_at.isoformat() + "Z" if self.finished_at else None
        return d




def visible(s: Session, actor: Actor, batch: IntakeBatch | None, batch_id: object = None) -> IntakeBatch:
    """The batch if the actor may see it; NotFound otherwise (never revealing that it exists)."""
    ok = batch is not None and (
        actor.is_system or (actor.user_id is not None and batch.created_by_user_id == actor.user_id)
        or (batch.unit_code is not None and _may_upload_in(s, actor, batch.unit_code)))
    if not ok:
        raise NotFound(f"Không tìm thấy lô tiếp nhận số {batch_id if batch_id is not None else ''}.".replace(" .", "."))
    return batch  # type: ignore[return-value]


def _may_upload_in(s: Session, actor: Actor, unit_code: str) -> bool:
    from archive.models import Unit
    from archive.services.access import check_unit

    try:
        check_unit(s, actor, s.scalar(select(Unit).where(Unit.code == unit_code)), Action.UPLOAD)
    except Exception:  # noqa: BLE001 — NotFound / Forbidden both mean: not theirs
        return False
    return True


def _counts(s: Session, batch_id: int) -> dict[str, int]:
    rows = dict(s.execute(select(IntakeBatchFile.state, func.count()).where(IntakeBatchFile.batch_id == batch_id)
                          .group_by(IntakeBatchFile.state)).all())
    counts = {state: int(rows.get(state, 0)) for state in FILE_STATES}
    counts["total"] = sum(counts.values())
    return counts


def _file_view(f: IntakeBatchFile) -> BatchFileView:
    return BatchFileView(id=f.id, position=f.position, path=f.path, staff_code=f.staff_code,
                         document_type=f.document_type, state=f.state, problem=f.problem, document_id=f.document_id,
                         parent_id=f.parent_id, pages=f.pages, details=dict(f.details or {}))


def _view(s: Session, b: IntakeBatch, *, with_files: bool) -> BatchView:
    files = []
    if with_files:
        files = [_file_view(f) for f in s.scalars(select(IntakeBatchFile).where(IntakeBatchFile.batch_id == b.id)
                                                  .order_by(IntakeBatchFile.position, IntakeBatchFile.id))]
    return BatchView(id=b.id, source=b.source, name=b.name, unit_code=b.unit_code, state=b.state,
                     created_by=b.created_by, created_at=b.created_at, finished_at=b.finished_at,
                     counts=_counts(s, b.id), problems=list(b.problems or []), files=files)


def _batch_id(batch_id: object) -> int:
    try:
        value = int(str(batch_id))
    except ValueError:
        raise NotFound(f"Không tìm thấy lô tiếp nhận số {str(batch_id)[:20]}.") from None
    if not 0 < value < 2**63:
        raise NotFound(f"Không tìm thấy lô tiếp nhận số {value}.")
    return value


def get_batch(c: Context, actor: Actor, batch_id: object) -> BatchView:
    bid = _batch_id(batch_id)
    with c.uow() as uow:
        s = uow.session
        return _view(s, visible(s, actor, s.get(IntakeBatch, bid), bid), with_files=True)


def list_batches(c: Context, actor: Actor, *, limit: int = 50) -> list[BatchView]:
    """The batches the actor may see, newest first."""
    if not 1 <= limit <= 500:
        raise InvalidInput("Số dòng phải từ 1 đến 500.")
    with c.uow() as uow:
        s = uow.session
        query = select(IntakeBatch).order_by(IntakeBatch.id.desc())
        if not actor.is_system:
            query = query.where((IntakeBatch.created_by_user_id == actor.user_id) | IntakeBatch.unit_code.is_not(None))
        out = []
        for b in s.scalars(query.limit(limit * 4)):
            if actor.is_system or b.created_by_user_id == actor.user_id or _may_upload_in(s, actor, b.unit_code):
                out.append(_view(s, b, with_files=False))
            if len(out) >= limit:
                break
        return out


def _text_cell(value: object) -> object:
    """Names come from the zip: a cell a spreadsheet would run as a formula is kept as text (CSV injection)."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


REPORT_COLUMNS = ("stt", "tep", "ma_can_bo", "loai_tai_lieu", "trang_thai", "tai_lieu", "trang", "ghi_chu")


def report_csv(c: Context, actor: Actor, batch_id: object) -> tuple[str, bytes]:
    """The batch's report (báo cáo lô) as CSV (UTF-8 with BOM, for Excel): one row per file."""
    view = get_batch(c, actor, batch_id)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(REPORT_COLUMNS)
    for f in view.files:
        w.writerow([_text_cell(v) for v in (f.position, f.path, f.staff_code or "", f.document_type or "", f.state,
                                            f.document_id or "", f.pages or "", f.problem or "")])
    for p in view.problems:
        w.writerow(["", "", "", "", FAILED, "", "", _text_cell(p)])
    with c.uow() as uow:
        audit.append(uow.session, actor=actor.name, ip=actor.ip, action="batch.report", target_type="batch",
                     target_id=view.id, details={"files": len(view.files)})
        uow.commit()
    return f"lo-tiep-nhan-{view.id}.csv", ("\ufeff" + buf.getvalue()).encode("utf-8")
