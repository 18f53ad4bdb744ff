"""Tiện ích cảnh báo: retirement coming, salary step due, contract ending — from what the records hold.

Only people still working (trạng thái đang công tác) are warned about. Three rules:

- **retirement** (nghỉ hưu): the birth date and gender give the last working day
  (archive.services.retirement_age, NĐ 135/2020 Điều 4); warned when it is at most
  ARCHIVE_WARN_RETIREMENT_MONTHS months away (6 by default: NĐ 46/2010/NĐ-CP Điều 2 khoản 1 asks
  the office to tell the person in writing six months ahead) — or already past while the record
  still says đang công tác.
- **salary_step** (nâng bậc lương thường xuyên): the current step's ngày hưởng is the latest of
  the CV's "ngày hưởng" (profile `salary_effective_date`, with `salary_step`) and the newest
  diễn biến lương row's `from_date` (its `details["bac"]` as the step when given); the next step
  is due 36 or 24 months later by the grade's loại (archive.services.salary_step); warned when
  due within ARCHIVE_WARN_SALARY_STEP_DAYS days, or overdue.
- **contract_end** (hết hạn hợp đồng): the CV's `contract_end_date` (a profile key added for
  this: the record had no contract field) within ARCHIVE_WARN_CONTRACT_DAYS days, or past.

Each warning has a `key` (rule, record, due day) that stays the same day after day, so
notifications are de-duplicated on it (archive.services.notifications); a new step or a
renewed contract gives a new due day, hence a new key.

Scope: `list_warnings` sees the records the caller may read (as the Cảnh báo hạn dashboard);
one audit entry per call (`warnings.list`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from archive.context import Context
from archive.domain import StaffStatus
from archive.errors import InvalidInput
from archive.models import Staff, StaffHistory, Unit
from archive.services import audit, retirement_age, salary_step
from archive.services.access import Action, Actor, require
from archive.services.deadlines import local_date, staff_in_view
from archive.services.staff_profile import HistoryKind
from archive.settings import Settings

KINDS = {"retirement": "Sắp đến tuổi nghỉ hưu", "salary_step": "Đến hạn nâng bậc lương thường xuyên",
         "contract_end": "Sắp hết hạn hợp đồng"}
CONTRACT_ARTICLE = "Hồ sơ: ngày hết hạn hợp đồng"


@dataclass(frozen=True)
class Warning:
    """One warning about one record: what is coming, on which day, from which rule."""

    key: str
    kind: str
    staff_id: int
    staff_code: str
    staff_name: str
    unit_code: str
    unit_name: str
    due: date
    detail: str
    article: str
    overdue: bool = False

    @property
    def title(self) -> str:
        return f"{KINDS[self.kind]}: {self.staff_name} ({self.staff_code})"

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("staff_id")
        return {**d, "due": self.due.isoformat(), "title": self.title, "label": KINDS[self.kind]}


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _months_ahead(day: date, months: int) -> date:
    return salary_step.add_months(day, months)


def current_step(profile: dict, salary_rows: list[StaffHistory]) -> tuple[date, int | None] | None:
    """The ngày hưởng and bậc of the step held now: the CV's, or a newer diễn biến lương row's."""
    since, step = _as_date(profile.get("salary_effective_date")), _int(profile.get("salary_step"))
    for row in salary_rows:
        if row.from_date is not None and (since is None or row.from_date > since):
            since, step = row.from_date, _int((row.details or {}).get("bac"))
    return (since, step) if since is not None else None


def warnings_for(st: Staff, unit: Unit, salary_rows: list[StaffHistory], *, today: date,
                 settings: Settings) -> list[Warning]:
    """The warnings one record gives today (pure but for reading the rows handed in)."""
    if st.status != StaffStatus.DANG_CONG_TAC.value:
        return []
    out: list[Warning] = []

    def warn(kind: str, due: date, detail: str, article: str) -> None:
        out.append(Warning(key=f"{kind}:{st.code}:{due.isoformat()}", kind=kind, staff_id=st.id, staff_code=st.code,
                           staff_name=st.full_name, unit_code=unit.code, unit_name=unit.name, due=due, detail=detail,
                           article=article, overdue=due < today))

    if st.birth_date is not None and st.gender in (retirement_age.MALE, retirement_age.FEMALE):
        r = retirement_age.retirement(st.birth_date, st.gender)
        if r.last_day <= _months_ahead(today, settings.warn_retirement_months):
            warn("retirement", r.last_day,
                 f"Đủ {r.age_text} vào tháng {r.reached[1]:02d}/{r.reached[0]}; nghỉ hưu từ ngày "
                 f"{r.pension_from:%d/%m/%Y}.", f"{retirement_age.ARTICLE} khoản 2, khoản 4")
    step = current_step(st.profile or {}, salary_rows)
    if step is not None and st.grade_code:
        due = salary_step.next_step(st.grade_code, step[0], step[1])
        if due is not None and due.due <= today + timedelta(days=settings.warn_salary_step_days):
            held = f"bậc {due.step} " if due.step else ""
            warn("salary_step", due.due,
                 f"Giữ {held}từ ngày {due.since:%d/%m/%Y}, ngạch loại {due.category}: đủ {due.months} tháng vào "
                 f"ngày {due.due:%d/%m/%Y}.", salary_step.ARTICLE)
    contract_end = _as_date((st.profile or {}).get("contract_end_date"))
    if contract_end is not None and contract_end <= today + timedelta(days=settings.warn_contract_days):
        warn("contract_end", contract_end, f"Hợp đồng hết hạn ngày {contract_end:%d/%m/%Y}.", CONTRACT_ARTICLE)
    return out


def collect(s: Session, cond: ColumnElement[bool], *, today: date, settings: Settings) -> list[Warning]:
    """Every warning of the records meeting `cond`, soonest first."""
    rows = s.execute(select(Staff, Unit).join(Unit, Staff.unit_id == Unit.id)
                     .where(cond, Staff.status == StaffStatus.DANG_CONG_TAC.value)).all()
    if not rows:
        return []
    salary: dict[int, list[StaffHistory]] = {}
    for h in s.scalars(select(StaffHistory).where(StaffHistory.kind == HistoryKind.SALARY.value,
                                                  StaffHistory.staff_id.in_([st.id for st, _u in rows]))):
        salary.setdefault(h.staff_id, []).append(h)
    out = [w for st, u in rows for w in warnings_for(st, u, salary.get(st.id, []), today=today, settings=settings)]
    out.sort(key=lambda w: (w.due, w.kind, w.unit_code, w.staff_code))
    return out


def list_warnings(c: Context, actor: Actor, *, kind: str = "", unit: str = "") -> list[Warning]:
    """The warnings of the records the actor may read (`unit`: that unit's subtree; `kind`: one rule)."""
    require(actor, Action.READ)
    if kind and kind not in KINDS:
        raise InvalidInput(f"Loại cảnh báo không hợp lệ; chọn một trong: {', '.join(KINDS)}.")
    today = local_date(c.clock(), c.settings.web_timezone)
    with c.uow() as uow:
        s = uow.session
        cond = staff_in_view(s, actor, unit)
        found = [w for w in collect(s, cond, today=today, settings=c.settings) if not kind or w.kind == kind]
        audit.append(s, actor=actor.name, ip=actor.ip, action="warnings.list", target_type="warnings",
                     details={"kind": kind, "unit": unit, "rows": len(found)})
        uow.commit()
    return found
