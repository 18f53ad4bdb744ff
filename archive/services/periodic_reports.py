"""Báo cáo định kỳ: the quantity and quality of the e-records per unit over a period, as PDF and XLSX.

A **period** is `2026-H1` (01/01–30/06), `2026-H2` (01/07–31/12), `2026-Q3` or `2026` (the year),
in ARCHIVE_WEB_TIMEZONE; numbers are counted up to the period's end, or today while it runs.
Per unit (each unit's own records, not its subtree's) the report counts: records (hồ sơ) held
and added, documents (tài liệu) held and added, pages (trang), and the deadlines due in the
period with the share met on time (archive.services.deadlines, the same rows as the Cảnh báo
page); above the table, the last good backup at the period's end (a `backup` job done with every
target, as archive.services.backup_status reads it) and the good runs within the period.

**More columns** (complete %, consistency findings, …) plug in without this module knowing
them: `register_metric(Metric(key, label, compute))`, where `compute(session, scope)` returns
{unit code: value} for the units of `scope` (a ReportScope: units, the period's UTC bounds).
The lead wires other rooms' metrics from a door or the bootstrap; nothing here imports them.

**When.** On demand (`make_report`: API, web form, CLI), and by the `periodic_report` job on the
active profile's report dates: from each [[report]]'s `opens` day (or ARCHIVE_REPORT_LEAD_DAYS
before its due day) until the due day, the period holding that due day is made once, for the
whole archive, in both formats. Each report is stored in the object store's `derivatives`
namespace under its SHA-256 (backed up with everything else) with a `periodic_reports` row.

**Scope.** A maker sees and counts only the units they may read; a report is listed for, and
downloaded by, those who may read every unit it covers. Making one is audited (`report.make`),
downloading too (`report.download`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import JobState
from archive.errors import InvalidInput, NotFound
from archive.jurisdiction import Profile, ReportDate
from archive.models import Document, Job, PeriodicReport, Staff, Unit
from archive.services import audit
from archive.services.access import Action, Actor, require
from archive.services.backup_status import BACKUP_KIND
from archive.services.deadline_rules import unit_rates
from archive.services.deadlines import deadline_report, local_date
from archive.services.office_calendar import active_profile
from archive.services.units import list_units

FORMATS = {"pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]))?$")


@dataclass(frozen=True)
class Period:
    code: str
    start: date
    end: date

    @property
    def label(self) -> str:
        year, _, part = self.code.partition("-")
        if not part:
            return f"Năm {year}"
        if part.startswith("H"):
            return f"{'6 tháng đầu năm' if part == 'H1' else '6 tháng cuối năm'} {year}"
        return f"Quý {part[1]} năm {year}"


def parse_period(text: str) -> Period:
    m = _PERIOD.match((text or "").strip().upper())
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise InvalidInput("Kỳ báo cáo phải có dạng 2026-H1, 2026-H2, 2026-Q3 hoặc 2026.")
    year, part = int(m.group(1)), m.group(2)
    if part is None:
        start, end = date(year, 1, 1), date(year, 12, 31)
    elif part.startswith("H"):
        start, end = (date(year, 1, 1), date(year, 6, 30)) if part == "H1" else (date(year, 7, 1), date(year, 12, 31))
    else:
        q = int(part[1])
        start = date(year, 3 * q - 2, 1)
        end = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
    return Period(m.group(0), start, end)


def period_of(day: date) -> Period:
    """The half-year holding `day` (what a submission due that day reports on)."""
    return parse_period(f"{day.year}-H{1 if day.month <= 6 else 2}")


def submission_for(profile: Profile, period: Period) -> tuple[ReportDate, date] | None:
    """The profile's submission (đợt báo cáo) due within the period, the latest if several."""
    dues = [(r, r.due_in(y)) for r in profile.reports for y in range(period.start.year, period.end.year + 1)]
    inside = [(r, d) for r, d in dues if period.start <= d <= period.end]
    return max(inside, key=lambda x: x[1]) if inside else None


def next_submission(profile: Profile, today: date) -> tuple[ReportDate, date, Period] | None:
    """The next submission day on or after today, with the period it reports on."""
    dues = [(r, r.due_in(y)) for r in profile.reports for y in (today.year, today.year + 1)]
    ahead = sorted(((r, d) for r, d in dues if d >= today), key=lambda x: x[1])
    if not ahead:
        return None
    r, d = ahead[0]
    return r, d, period_of(d)


@dataclass(frozen=True)
class ReportScope:
    """What a metric is asked about: the units (code → id) and the period's bounds in naive UTC."""

    units: dict[str, int]
    period: Period
    start_utc: datetime
    end_utc: datetime  # exclusive


@dataclass(frozen=True)
class Metric:
    key: str
    label: str  # the column's Vietnamese header
    compute: Callable[[Session, ReportScope], dict[str, object]]


EXTRA_METRICS: list[Metric] = []


def register_metric(metric: Metric) -> None:
    """Add a column to every report made from now on (complete %, consistency findings …)."""
    if any(m.key == metric.key for m in EXTRA_METRICS) or metric.key in {k for k, _ in BASE_COLUMNS}:
        raise ValueError(f"report metric {metric.key!r} is registered twice")
    EXTRA_METRICS.append(metric)


BASE_COLUMNS = (("records", "Hồ sơ"), ("records_new", "Hồ sơ mới"), ("documents", "Tài liệu"),
                ("documents_new", "Tài liệu mới"), ("pages", "Trang"), ("deadlines_due", "Hạn trong kỳ"),
                ("on_time_percent", "Đúng hạn (%)"))


@dataclass
class ReportData:
    period: Period
    title: str
    unit_code: str
    as_of: date
    profile_name: str
    due: date | None
    article: str
    columns: list[tuple[str, str]]
    rows: list[dict]                 # one per unit: code, name and each column's value
    total: dict
    backup_last_good: datetime | None
    backups_in_period: int
    made_at: datetime
    made_by: str
    scope_units: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"period": self.period.code, "period_label": self.period.label, "unit": self.unit_code,
                "title": self.title, "as_of": self.as_of.isoformat(), "profile": self.profile_name,
                "due": self.due.isoformat() if self.due else None, "article": self.article,
                "columns": [{"key": k, "label": label} for k, label in self.columns], "rows": self.rows,
                "total": self.total, "backup_last_good": self.backup_last_good.isoformat() + "Z"
                if self.backup_last_good else None, "backups_in_period": self.backups_in_period,
                "made_at": self.made_at.isoformat() + "Z", "made_by": self.made_by, "scope_units": self.scope_units}


def _utc(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)


def _staff_counts(s: Session, ids: list[int], end: datetime, start: datetime | None = None) -> dict[int, int]:
    """Records of each unit created before `end` (and on or after `start`)."""
    q = select(Staff.unit_id, func.count(Staff.id)).where(Staff.unit_id.in_(ids), Staff.created_at < end)
    if start is not None:
        q = q.where(Staff.created_at >= start)
    return {uid: int(n or 0) for uid, n in s.execute(q.group_by(Staff.unit_id))}


def _document_counts(s: Session, ids: list[int], end: datetime, start: datetime | None = None,
                     *, pages: bool = False) -> dict[int, int]:
    """Documents (or their pages) of each unit's records, uploaded before `end` (and on or after `start`)."""
    agg = func.sum(Document.page_count) if pages else func.count(Document.id)
    q = (select(Staff.unit_id, agg).join(Document, Document.staff_id == Staff.id)
         .where(Staff.unit_id.in_(ids), Document.created_at < end))
    if start is not None:
        q = q.where(Document.created_at >= start)
    return {uid: int(n or 0) for uid, n in s.execute(q.group_by(Staff.unit_id))}


def build_report(c: Context, actor: Actor, period: Period, *, unit: str = "",
                 profile: Profile | None = None) -> ReportData:
    """The numbers of a report (not stored): per visible unit (or `unit`'s subtree), over `period`."""
    require(actor, Action.READ)
    profile = profile or active_profile(c)
    zone = c.settings.web_timezone
    now = c.clock()
    today = local_date(now, zone)
    as_of = min(period.end, today)
    if period.start > today:
        raise InvalidInput("Kỳ báo cáo chưa bắt đầu.")
    visible = list_units(c, actor)
    if unit:
        chosen = next((v for v in visible if v.code == unit), None)
        if chosen is None:
            raise NotFound(f"Không tìm thấy đơn vị có mã {unit[:32]}.")
        visible = [v for v in visible if unit in v.path]
    if not visible:
        raise NotFound("Không có đơn vị nào trong phạm vi của bạn.")
    deadlines = deadline_report(c, actor, unit=unit, profile=profile)  # the Cảnh báo rows, same scope
    in_period = [r for r in deadlines.rows if period.start <= r.due <= period.end]
    rates = {u.unit_code: u for u in unit_rates(in_period)}
    start_utc, end_utc = _utc(period.start, zone), _utc(as_of + timedelta(days=1), zone)
    with c.uow() as uow:
        s = uow.session
        units = {u.code: u.id for u in s.scalars(select(Unit).where(Unit.code.in_([v.code for v in visible])))}
        ids = list(units.values())
        records, records_new = _staff_counts(s, ids, end_utc), _staff_counts(s, ids, end_utc, start_utc)
        docs, docs_new = _document_counts(s, ids, end_utc), _document_counts(s, ids, end_utc, start_utc)
        pages = _document_counts(s, ids, end_utc, pages=True)
        scope = ReportScope(units=units, period=period, start_utc=start_utc, end_utc=end_utc)
        extra = {m.key: m.compute(s, scope) for m in EXTRA_METRICS}
        good = [j.finished_at for j in s.scalars(select(Job).where(
            Job.kind == BACKUP_KIND, Job.state == JobState.DONE.value, Job.finished_at < end_utc))
            if (j.result or {}).get("ok")]
    rows = []
    for v in visible:
        uid = units[v.code]
        rate = rates.get(v.code)
        row = {"unit": v.code, "unit_name": v.name, "records": records.get(uid, 0),
               "records_new": records_new.get(uid, 0), "documents": docs.get(uid, 0),
               "documents_new": docs_new.get(uid, 0), "pages": pages.get(uid, 0),
               "deadlines_due": (rate.done_on_time + rate.done_late + rate.overdue) if rate else 0,
               "on_time_percent": rate.on_time_percent if rate else None}
        for m in EXTRA_METRICS:
            row[m.key] = extra[m.key].get(v.code)
        rows.append(row)
    total = {k: sum(r[k] for r in rows) for k in ("records", "records_new", "documents", "documents_new", "pages",
                                                  "deadlines_due")}
    met = sum(rates[v.code].done_on_time for v in visible if v.code in rates)
    total["on_time_percent"] = round(100 * met / total["deadlines_due"]) if total["deadlines_due"] else None
    sub = submission_for(profile, period)
    title = f"Báo cáo định kỳ hồ sơ điện tử — {period.label}"
    return ReportData(period=period, title=title, unit_code=unit, as_of=as_of, profile_name=profile.name,
                      due=sub[1] if sub else None, article=sub[0].article if sub else "",
                      columns=[*BASE_COLUMNS, *((m.key, m.label) for m in EXTRA_METRICS)], rows=rows, total=total,
                      backup_last_good=max(good, default=None),
                      backups_in_period=sum(1 for at in good if at >= start_utc),
                      made_at=now, made_by=actor.name, scope_units=sorted(v.code for v in visible))


def render(data: ReportData, fmt: str) -> bytes:
    from archive.services.report_documents import (  # matplotlib/openpyxl only when used
        render_pdf,
        render_xlsx,
    )

    check_format(fmt)
    return render_pdf(data) if fmt == "pdf" else render_xlsx(data)


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidInput("Định dạng báo cáo phải là pdf hoặc xlsx.")
    return fmt


@dataclass(frozen=True)
class ReportView:
    id: int
    period: str
    unit_code: str
    format: str
    size: int
    due_date: date | None
    article: str
    created_by: str
    created_at: datetime
    numbers: dict

    def to_dict(self) -> dict:
        return {"id": self.id, "period": self.period, "unit": self.unit_code, "format": self.format,
                "size": self.size, "due_date": self.due_date.isoformat() if self.due_date else None,
                "article": self.article, "created_by": self.created_by,
                "created_at": self.created_at.isoformat() + "Z", "total": self.numbers.get("total", {})}


def _view(r: PeriodicReport) -> ReportView:
    return ReportView(r.id, r.period, r.unit_code, r.format, r.size, r.due_date, r.article, r.created_by,
                      r.created_at, r.numbers or {})


def store(c: Context, data: ReportData, fmt: str, content: bytes) -> tuple[str, int]:
    """The bytes into the derivatives namespace (content-addressed: storing twice is a no-op)."""
    info = c.derivatives.put_stream(io.BytesIO(content), content_type=FORMATS[fmt])
    return info.key, info.size


def record(s: Session, data: ReportData, fmt: str, key: str, size: int, *, actor: Actor) -> PeriodicReport:
    row = PeriodicReport(period=data.period.code, unit_code=data.unit_code, format=fmt, sha256=key, size=size,
                         content_type=FORMATS[fmt], due_date=data.due, article=data.article,
                         numbers=data.to_dict(), created_by=actor.name, created_at=data.made_at)
    s.add(row)
    s.flush()
    audit.append(s, actor=actor.name, ip=actor.ip, action="report.make", target_type="report", target_id=row.id,
                 details={"period": data.period.code, "unit": data.unit_code, "format": fmt, "sha256": key})
    return row


def make_report(c: Context, actor: Actor, *, period: str, unit: str = "", fmt: str = "pdf") -> tuple[ReportView, bytes]:
    """Make, store and record one report now (on demand); its row and its bytes."""
    check_format(fmt)
    data = build_report(c, actor, parse_period(period), unit=unit)
    content = render(data, fmt)
    key, size = store(c, data, fmt, content)
    with c.uow() as uow:
        row = record(uow.session, data, fmt, key, size, actor=actor)
        view = _view(row)
        uow.commit()
    return view, content


def _readable(actor: Actor, visible: set[str], r: PeriodicReport) -> bool:
    return actor.is_system or set((r.numbers or {}).get("scope_units", ["?"])) <= visible


def list_reports(c: Context, actor: Actor, *, limit: int = 100) -> list[ReportView]:
    require(actor, Action.READ)
    visible = {v.code for v in list_units(c, actor)}
    with c.uow() as uow:
        rows = uow.session.scalars(select(PeriodicReport).order_by(PeriodicReport.id.desc()).limit(limit * 5)).all()
        return [_view(r) for r in rows if _readable(actor, visible, r)][:limit]


def open_report(c: Context, actor: Actor, report_id: int) -> tuple[ReportView, bytes]:
    """A stored report's bytes (audited); NotFound outside the actor's scope."""
    require(actor, Action.READ)
    visible = {v.code for v in list_units(c, actor)}
    with c.uow() as uow:
        s = uow.session
        r = s.get(PeriodicReport, report_id) if 0 < report_id < 2**31 else None  # past INTEGER: no report
        if r is None or not _readable(actor, visible, r):
            raise NotFound("Không tìm thấy báo cáo.")
        view, key = _view(r), r.sha256
        audit.append(s, actor=actor.name, ip=actor.ip, action="report.download", target_type="report",
                     target_id=r.id, details={"period": r.period, "format": r.format})
        uow.commit()
    with c.derivatives.open(key) as fh:
        return view, fh.read()


def file_name(view: ReportView) -> str:
    unit = f"-{view.unit_code}" if view.unit_code else ""
    return f"bao-cao-{view.period}{unit}-{view.id}.{view.format}"


def due_today(profile: Profile, today: date, lead_days: int) -> list[Period]:
    """Periods whose submission window (opens, or `lead_days` before the due day) holds today."""
    out = []
    for r in profile.reports:
        for year in (today.year, today.year + 1):
            d = r.due_in(year)
            opens = date(year, *r.opens) if r.opens else d - timedelta(days=lead_days)
            if opens <= today <= d:
                out.append(period_of(d))
    return list(dict.fromkeys(out))


def made_for(s: Session, period: Period, fmt: str) -> bool:
    return s.scalar(select(PeriodicReport.id).where(PeriodicReport.period == period.code, PeriodicReport.unit_code == "",
                                                    PeriodicReport.format == fmt).limit(1)) is not None
