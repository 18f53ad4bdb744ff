"""Excel import of staff records (nhập hồ sơ cán bộ từ Excel): mapping, dry run, apply.

1. `plan_import` reads the file (staff_import_read: legacy TCVN3/VNI text already Unicode NFC),
   maps its columns (a saved template, a given mapping, or guessed from the headers) and
   stores a run with its plan: per row create / update (which fields) / unchanged / conflict /
   problem. Nothing in the records changes, nothing is audited.
2. `apply_import` recomputes the plan against the records as they are now and writes it, one
   transaction per chunk of rows; one audit entry for the run plus one per created or changed
   record (before/after, sensitive values masked, as staff.update_staff does).

Idempotent: a row whose values equal the record's is unchanged. Never overwriting an edit
made in the system: per imported record we keep a hash of each value the last import wrote
(StaffImportFingerprint); a field whose current value hashes differently was edited since
(or, for a record never imported, already holds another value) → a conflict, kept as it is.
Scope: admins and HR officers (Action.CREATE / UPDATE) import rows of units in their scope
only; a row outside it is a problem, never a partial write.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from archive.context import Context
from archive.domain import INDEX_KIND
from archive.errors import Conflict, InvalidInput, NotFound, shown
from archive.models import utcnow
from archive.models.staff_import import StaffImportRun, StaffImportTemplate
from archive.services import audit
from archive.services.access import Action, Actor, require
from archive.services.staff_import_fields import BY_KEY, FIELDS, guess_mapping
from archive.services.staff_import_plan import RowPlan, _Planner
from archive.services.staff_import_read import Sheet, read_sheet

CHUNK = 500
MAX_BYTES = 30 * 1024 * 1024
ACTIONS = ("create", "update", "unchanged", "conflict", "problem")


@dataclass(frozen=True)
class RunView:
    id: int
    file_name: str
    state: str
    template: str
    mapping: dict
    counts: dict
    rows: list[dict]

    def to_dict(self) -> dict:
        return dict(self.__dict__)


# -- templates --------------------------------------------------------------------------------

def _require_importer(actor: Actor) -> None:
    require(actor, Action.CREATE)
    require(actor, Action.UPDATE)


def _checked_mapping(mapping: object) -> dict[str, str]:
    if not isinstance(mapping, dict) or not mapping:
        raise InvalidInput("Cần ánh xạ ít nhất một cột sang trường hồ sơ.")
    out: dict[str, str] = {}
    for header, key in mapping.items():
        if not isinstance(header, str) or not isinstance(key, str) or (key and key not in BY_KEY):
            raise InvalidInput(f"Trường đích không hợp lệ: {shown(key)}.")
        if key and key in out.values():
            raise InvalidInput(f"Trường {BY_KEY[key].label} được ánh xạ từ hai cột.")
        out[" ".join(header.split())] = key
    if "code" not in out.values():
        raise InvalidInput("Phải có cột Mã cán bộ (trường code) để nhập.")
    return out


def save_template(c: Context, actor: Actor, name: str, mapping: dict) -> dict:
    _require_importer(actor)
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise InvalidInput("Tên mẫu ánh xạ không được trống, tối đa 100 ký tự.")
    mapping = _checked_mapping(mapping)
    with c.uow() as uow:
        s = uow.session
        t = s.scalar(select(StaffImportTemplate).where(StaffImportTemplate.name == name))
        before = dict(t.mapping) if t else None
        if t is None:
            t = StaffImportTemplate(name=name)
            s.add(t)
        t.mapping, t.updated_by = mapping, actor.name
        audit.append(s, actor=actor.name, ip=actor.ip, action="staff_import.template", target_type="import_template",
                     target_id=name, details={"before": before, "after": mapping})
        uow.commit()
    return {"name": name, "mapping": mapping}


def list_templates(c: Context, actor: Actor) -> list[dict]:
    _require_importer(actor)
    with c.uow() as uow:
        rows = uow.session.scalars(select(StaffImportTemplate).order_by(StaffImportTemplate.name))
        return [{"name": t.name, "mapping": dict(t.mapping)} for t in rows]


def _template(s, name: str) -> dict[str, str]:
    t = s.scalar(select(StaffImportTemplate).where(StaffImportTemplate.name == name))
    if t is None:
        raise NotFound(f"Không có mẫu ánh xạ {shown(name)}.")
    return dict(t.mapping)


# -- reading and planning ---------------------------------------------------------------------

def read_upload(data: bytes, file_name: str) -> Sheet:
    if not data:
        raise InvalidInput("Tệp tải lên trống.")
    if len(data) > MAX_BYTES:
        raise InvalidInput("Tệp bảng tính quá lớn (tối đa 30 MB).")
    return read_sheet(data, file_name)


def preview(data: bytes, file_name: str) -> tuple[list[str], dict[str, str]]:
    """The file's headers and the mapping guessed from them (for the web's column selects)."""
    sheet = read_upload(data, file_name)
    return sheet.headers, guess_mapping(sheet.headers)


def _payload(sheet: Sheet) -> dict:
    """The sheet as JSON (dates as ISO text), to plan again under another mapping and to apply."""
    def plain(v: object) -> object:
        return v.isoformat()[:10] if isinstance(v, date) else v

    return {"headers": sheet.headers, "first_row": sheet.first_row,
            "rows": [[plain(cell.value) for cell in row] for row in sheet.rows]}


def _raw_rows(payload: dict, mapping: dict[str, str]) -> list[tuple[int, dict]]:
    headers = payload["headers"]
    missing = [h for h, k in mapping.items() if k and h not in headers]
    if missing:
        raise InvalidInput(f"Tệp không có cột “{shown(missing[0])}” của ánh xạ.")
    cols = {headers.index(h): k for h, k in mapping.items() if k}
    out = []
    for i, cells in enumerate(payload["rows"]):
        raw = {}
        for col, key in cols.items():
            v = cells[col] if col < len(cells) else None
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            raw[key] = v
        if raw:
            out.append((payload["first_row"] + i, raw))
    return out


def _full_mapping(headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Every header of the file, mapped or "" (left out), in the file's order."""
    return {**{h: mapping.get(h, "") for h in headers if h}, **{h: k for h, k in mapping.items() if k}}


def _seal(c: Context, payload: dict) -> str:
    token = secrets.token_hex(8)
    return token + ":" + c.cipher.encrypt(payload, aad=f"staff-import:{token}")


def _unseal(c: Context, run: StaffImportRun) -> dict:
    token, _, blob = run.payload.partition(":")
    return c.cipher.decrypt(blob, aad=f"staff-import:{token}")


def _run_for(s, actor: Actor, run_id: int) -> StaffImportRun:
    run = s.get(StaffImportRun, run_id)
    if run is None or run.created_by != actor.name and not actor.is_system:
        raise NotFound("Không tìm thấy lần nhập này.")
    return run


def plan_import(c: Context, actor: Actor, data: bytes, file_name: str, *, mapping: dict | None = None,
                template: str = "") -> RunView:
    """The dry run (nhập thử): read, map, plan; stored as a run to apply later. Records unchanged."""
    _require_importer(actor)
    sheet = read_upload(data, file_name)
    payload = _payload(sheet)
    with c.uow() as uow:
        s = uow.session
        if mapping:
            chosen = _checked_mapping(mapping)
        elif template:
            chosen = _checked_mapping(_template(s, template))
        else:
            chosen = _checked_mapping({h: k for h, k in guess_mapping(sheet.headers).items() if k})
        rows = _raw_rows(payload, chosen)
        if not rows:
            raise InvalidInput("Tệp không có dòng dữ liệu nào.")
        plans = _Planner(c, s, actor).plan(rows, write=False)
        run = StaffImportRun(file_name=(file_name or "")[-255:], file_sha256=hashlib.sha256(data).hexdigest(),
                             template=template if not mapping else "",
                             mapping=_full_mapping(sheet.headers, chosen), state="planned",
                             created_by=actor.name, rows_total=len(rows), payload=_seal(c, payload),
                             plan=[p.to_dict() for p in plans])
        _count(run, plans)
        s.add(run)
        uow.commit()
        return _view(run)


def remap(c: Context, actor: Actor, run_id: int, mapping: dict) -> RunView:
    """Plan a stored run again under another column mapping (the web's selects)."""
    _require_importer(actor)
    chosen = _checked_mapping({h: k for h, k in mapping.items() if k})
    with c.uow() as uow:
        s = uow.session
        run = _run_for(s, actor, run_id)
        if run.state != "planned":
            raise Conflict("Lần nhập này đã được thực hiện; hãy tải tệp lên lại để nhập thử lần mới.")
        payload = _unseal(c, run)
        rows = _raw_rows(payload, chosen)
        plans = _Planner(c, s, actor).plan(rows, write=False)
        run.mapping, run.template, run.rows_total = _full_mapping(payload["headers"], chosen), "", len(rows)
        run.plan = [p.to_dict() for p in plans]
        _count(run, plans)
        uow.commit()
        return _view(run)


def get_run(c: Context, actor: Actor, run_id: int) -> RunView:
    _require_importer(actor)
    with c.uow() as uow:
        return _view(_run_for(uow.session, actor, run_id))


def apply_import(c: Context, actor: Actor, run_id: int) -> RunView:
    """Write a planned run: its rows are planned again against the records as they are now."""
    _require_importer(actor)
    with c.uow() as uow:
        run = _run_for(uow.session, actor, run_id)
        if run.state != "planned":
            raise Conflict("Lần nhập này đã được thực hiện; hãy tải tệp lên lại để nhập thử lần mới.")
        rows = _raw_rows(_unseal(c, run), {h: k for h, k in run.mapping.items() if k})
        # one apply at a time: a second click (or a second API call) finds the run taken
        taken = uow.session.execute(update(StaffImportRun).where(StaffImportRun.id == run_id,
                                                                 StaffImportRun.state == "planned")
                                    .values(state="applying"))
        if taken.rowcount != 1:
            raise Conflict("Lần nhập này đã được thực hiện; hãy tải tệp lên lại để nhập thử lần mới.")
        uow.commit()
    plans: list[RowPlan] = []
    try:
        for start in range(0, len(rows), CHUNK):
            with c.uow() as uow:
                plans += _Planner(c, uow.session, actor, run_id=run_id).plan(rows[start:start + CHUNK], write=True)
                uow.commit()
    except BaseException:  # chunks written stay written (applying again finds them unchanged)
        with c.uow() as uow:
            uow.session.execute(update(StaffImportRun).where(StaffImportRun.id == run_id).values(state="planned"))
            uow.commit()
        raise
    with c.uow() as uow:
        s = uow.session
        run = s.get(StaffImportRun, run_id)
        run.state, run.applied_at, run.plan, run.payload = "applied", utcnow(), [p.to_dict() for p in plans], ""
        _count(run, plans)
        audit.append(s, actor=actor.name, ip=actor.ip, action="staff_import.apply", target_type="staff_import",
                     target_id=run_id, details={"file": run.file_name, "sha256": run.file_sha256,
                                                **_view(run).counts})
        uow.commit()
        view = _view(run)
    if c.queue is not None and (view.counts["create"] or view.counts["update"] or view.counts["conflict"]):
        c.queue.wake(INDEX_KIND)
    return view


def _count(run: StaffImportRun, plans: list[RowPlan]) -> None:
    n = {a: sum(1 for p in plans if p.action == a) for a in ACTIONS}
    run.created_count, run.updated_count, run.unchanged_count = n["create"], n["update"], n["unchanged"]
    run.conflict_count, run.problem_count = n["conflict"], n["problem"]


def _view(run: StaffImportRun) -> RunView:
    counts = {"rows": run.rows_total, "create": run.created_count, "update": run.updated_count,
              "unchanged": run.unchanged_count, "conflict": run.conflict_count, "problem": run.problem_count}
    return RunView(id=run.id, file_name=run.file_name, state=run.state, template=run.template,
                   mapping=dict(run.mapping), counts=counts, rows=list(run.plan))


def field_choices() -> list[tuple[str, str]]:
    """(key, Vietnamese label) of every field a column may fill, in form order."""
    return [(f.key, f.label) for f in FIELDS]
