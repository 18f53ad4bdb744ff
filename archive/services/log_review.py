"""Log review (rà soát nhật ký): alerts over a period of the audit log.

QĐ 6033/2015/QĐ-UBND Hà Nội, Điều 8 khoản 2 điểm c: "Thường xuyên thực hiện việc theo dõi bản ghi
nhật ký hệ thống và các sự kiện khác có liên quan để đánh giá, báo cáo các rủi ro và mức độ nghiêm
trọng các rủi ro đó … do sự truy cập trái phép, sử dụng trái phép …". Four findings, each with
settings (ARCHIVE_LOG_REVIEW_*, defaults in archive/settings.py):

- **failed_logins**: at least N failed logins (login.failure, login.locked) of one account, or
  from one IP address, within M minutes;
- **bulk_exports**: at least N downloads or exports (EXPORT_ACTIONS) by one user in one local day;
- **off_hours**: a user's actions outside working hours — before ARCHIVE_WORK_DAY_START or from
  ARCHIVE_WORK_DAY_END (local time, ARCHIVE_TIMEZONE) on a working day, or at any time on a day
  off (archive/working_days.py with the office's swap days) — one alert per user and day;
- **many_views**: a user viewing more records in a day than k × the median of the users who
  viewed any that day (and at least a floor, so a quiet day does not alarm).

`review` reads only the entries the caller may read (audit_views: the auditor's scope), so an
auditor is alerted about their scope only. The daily job `log_review` (archive/work/kinds/
log_review.py) records yesterday's alerts as `log_alerts` rows, keyed so a finding is recorded
once however often the pass runs; the page marks an alert recorded when its row exists.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.errors import InvalidInput
from archive.models import AuditEntry, LogAlert
from archive.services import audit
from archive.services.access import SYSTEM, Action, Actor, require
from archive.services.audit_views import visible_entries
from archive.services.office_calendar import calendar_of

KINDS = {
    "failed_logins": "Đăng nhập sai nhiều lần",
    "bulk_exports": "Tải xuống, xuất dữ liệu hàng loạt",
    "off_hours": "Truy cập ngoài giờ làm việc",
    "many_views": "Xem hồ sơ nhiều bất thường",
}
FAILED_LOGIN_ACTIONS = ("login.failure", "login.locked")
EXPORT_ACTIONS = ("export", "document.download", "document.archival_download", "dossier.export", "audit.export",
                  "campaign.report")
VIEW_ACTIONS = ("staff.view", "document.view")
MAX_PERIOD_DAYS = 93
MAX_ENTRIES = 500_000  # a review reads at most this many entries (a quarter of a busy province's log)


@dataclass(frozen=True)
class Alert:
    kind: str
    subject: str          # the account, or "IP 1.2.3.4"
    first_at: datetime    # naive UTC
    last_at: datetime
    count: int
    text: str             # one Vietnamese sentence
    key: str              # what de-duplicates a recorded alert
    details: dict = field(default_factory=dict)
    recorded: bool = False

    def to_dict(self) -> dict:
        d = asdict(self)
        d["first_at"] = self.first_at.isoformat() + "Z"
        d["last_at"] = self.last_at.isoformat() + "Z"
        d["label"] = KINDS[self.kind]
        return d


@dataclass(frozen=True)
class Thresholds:
    failed_logins: int
    failed_window_minutes: int
    exports_per_day: int
    views_factor: float
    views_min: int
    day_start: time
    day_end: time
    tz: str

    @classmethod
    def of(cls, c: Context) -> "Thresholds":
        s = c.settings
        return cls(s.log_review_failed_logins, s.log_review_failed_window_minutes, s.log_review_exports_per_day,
                   s.log_review_views_factor, s.log_review_views_min, _hhmm(s.work_day_start),
                   _hhmm(s.work_day_end), s.timezone)


def _hhmm(value: str) -> time:
    h, m = value.split(":")
    return time(int(h), int(m))


def _is_person(actor: str) -> bool:
    return bool(actor) and actor != "system" and not actor.startswith(("system:", "cli:", "job:"))


def _bursts(times: list[datetime], n: int, window: timedelta) -> list[tuple[int, int]]:
    """Index ranges [i, j] where at least n events fall within `window` (each burst reported once)."""
    out, i = [], 0
    while i + n - 1 < len(times):
        if times[i + n - 1] - times[i] <= window:
            j = i + n - 1
            while j + 1 < len(times) and times[j + 1] - times[j - n + 2] <= window:
                j += 1
            out.append((i, j))
            i = j + 1
        else:
            i += 1
    return out


def _fmt(at: datetime, tz: ZoneInfo) -> str:
    return at.replace(tzinfo=timezone.utc).astimezone(tz).strftime("%H:%M %d/%m/%Y")


def find_alerts(rows: list[tuple[datetime, str, str, str]], th: Thresholds, calendar) -> list[Alert]:  # noqa: ANN001
    """Alerts in (at UTC, actor, ip, action) rows, oldest first; pure (the calendar says the days off)."""
    tz = ZoneInfo(th.tz)
    out: list[Alert] = []
    local = [(at, at.replace(tzinfo=timezone.utc).astimezone(tz), actor, ip, action) for at, actor, ip, action in rows]

    failed: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    exports: dict[tuple[str, date], list[datetime]] = defaultdict(list)
    off: dict[tuple[str, date], list[datetime]] = defaultdict(list)
    views: dict[date, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for at, lt, actor, ip, action in local:
        if action in FAILED_LOGIN_ACTIONS:
            failed[("user", actor)].append(at)
            if ip:
                failed[("ip", ip)].append(at)
        if not _is_person(actor):
            continue
        day = lt.date()
        if action in EXPORT_ACTIONS:
            exports[(actor, day)].append(at)
        if action in VIEW_ACTIONS:
            views[day][actor].append(at)
        if action not in FAILED_LOGIN_ACTIONS and (
                not calendar.is_working_day(day) or not th.day_start <= lt.time() < th.day_end):
            off[(actor, day)].append(at)

    window = timedelta(minutes=th.failed_window_minutes)
    for (by, subject), times in sorted(failed.items()):
        for i, j in _bursts(sorted(times), th.failed_logins, window):
            who = f"tài khoản {subject}" if by == "user" else f"địa chỉ IP {subject}"
            n = j - i + 1
            out.append(Alert("failed_logins", subject if by == "user" else f"IP {subject}", times[i], times[j], n,
                             f"{n} lần đăng nhập sai của {who} trong vòng {th.failed_window_minutes} phút, "
                             f"từ {_fmt(times[i], tz)} đến {_fmt(times[j], tz)}.",
                             f"failed_logins:{by}:{subject}:{times[i]:%Y%m%d%H%M%S}",
                             {"by": by, "threshold": th.failed_logins, "minutes": th.failed_window_minutes}))
    for (actor, day), times in sorted(exports.items()):
        if len(times) >= th.exports_per_day:
            out.append(Alert("bulk_exports", actor, min(times), max(times), len(times),
                             f"Tài khoản {actor} đã tải xuống hoặc xuất dữ liệu {len(times)} lần trong ngày "
                             f"{day:%d/%m/%Y} (ngưỡng cảnh báo {th.exports_per_day} lần một ngày).",
                             f"bulk_exports:{actor}:{day.isoformat()}", {"day": day.isoformat(),
                                                                         "threshold": th.exports_per_day}))
    for (actor, day), times in sorted(off.items()):
        working = calendar.is_working_day(day)
        when = (f"ngoài giờ làm việc ({th.day_start:%H:%M}–{th.day_end:%H:%M})" if working
                else "vào ngày nghỉ")
        out.append(Alert("off_hours", actor, min(times), max(times), len(times),
                         f"Tài khoản {actor} đã thao tác {len(times)} lần {when} ngày {day:%d/%m/%Y}, "
                         f"lần đầu lúc {_fmt(min(times), tz)}.",
                         f"off_hours:{actor}:{day.isoformat()}", {"day": day.isoformat(), "working_day": working}))
    for day, by_user in sorted(views.items()):
        median = statistics.median(len(v) for v in by_user.values())
        for actor, times in sorted(by_user.items()):
            n = len(times)
            if n >= th.views_min and n > th.views_factor * median:
                out.append(Alert("many_views", actor, min(times), max(times), n,
                                 f"Tài khoản {actor} đã xem hồ sơ, tài liệu {n} lần trong ngày {day:%d/%m/%Y}, "
                                 f"nhiều hơn {th.views_factor:g} lần trung vị của những người cùng xem "
                                 f"({median:g} lần).",
                                 f"many_views:{actor}:{day.isoformat()}", {"day": day.isoformat(), "median": median,
                                                                           "factor": th.views_factor}))
    return sorted(out, key=lambda a: (a.first_at, a.kind, a.subject))


def _rows(s: Session, actor: Actor, since: datetime, until: datetime) -> list[tuple[datetime, str, str, str]]:
    stmt = (select(AuditEntry.at, AuditEntry.actor, AuditEntry.ip, AuditEntry.action)
            .where(visible_entries(s, actor), AuditEntry.at >= since, AuditEntry.at < until)
            .order_by(AuditEntry.seq).limit(MAX_ENTRIES))
    return [tuple(r) for r in s.execute(stmt)]  # type: ignore[misc]


def _period(since: datetime | None, until: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    until = until or now
    since = since or until - timedelta(days=7)
    if since >= until:
        raise InvalidInput("Ngày bắt đầu phải trước ngày kết thúc.")
    if until - since > timedelta(days=MAX_PERIOD_DAYS):
        raise InvalidInput(f"Mỗi lần rà soát nhật ký tối đa {MAX_PERIOD_DAYS} ngày; hãy chọn khoảng ngắn hơn.")
    return since, until


def review(c: Context, actor: Actor, *, since: datetime | None = None, until: datetime | None = None,
           kind: str | None = None) -> list[Alert]:
    """Alerts over [since, until) (UTC; default the last 7 days) from the entries the caller may read; audited."""
    require(actor, Action.AUDIT)
    if kind and kind not in KINDS:
        raise InvalidInput("Loại cảnh báo không có; chọn một trong: " + ", ".join(KINDS) + ".")
    since, until = _period(since, until, c.clock())
    with c.uow() as uow:
        s = uow.session
        alerts = find_alerts(_rows(s, actor, since, until), Thresholds.of(c), calendar_of(s))
        if kind:
            alerts = [a for a in alerts if a.kind == kind]
        recorded = set(s.scalars(select(LogAlert.key).where(LogAlert.key.in_([a.key for a in alerts])))) \
            if alerts else set()
        alerts = [Alert(**{**asdict(a), "recorded": a.key in recorded}) for a in alerts]
        audit.append(s, actor=actor.name, ip=actor.ip, action="audit.alerts",
                     details={"since": since, "until": until, "kind": kind, "alerts": len(alerts)})
        uow.commit()
    return alerts


def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """[00:00, 24:00) of a local day, as naive UTC."""
    z = ZoneInfo(tz)
    start = datetime.combine(day, time(0), z).astimezone(timezone.utc).replace(tzinfo=None)
    return start, start + timedelta(days=1)


def alerts_of_day(c: Context, day: date) -> list[Alert]:
    """Every alert of one local day over the whole log (for the daily pass; not audited, touches nothing)."""
    since, until = local_day_bounds(day, c.settings.timezone)
    with c.uow() as uow:
        s = uow.session
        return find_alerts(_rows(s, SYSTEM, since, until), Thresholds.of(c), calendar_of(s))


def record(session: Session, alerts: list[Alert], *, now: datetime) -> int:
    """Insert the alerts not yet recorded (by key), in the caller's transaction; how many were new."""
    if not alerts:
        return 0
    known = set(session.scalars(select(LogAlert.key).where(LogAlert.key.in_([a.key for a in alerts]))))
    new = [a for a in alerts if a.key not in known]
    for a in new:
        session.add(LogAlert(key=a.key, kind=a.kind, subject=a.subject, first_at=a.first_at, last_at=a.last_at,
                             count=a.count, details={**a.details, "text": a.text}, recorded_at=now))
    return len(new)


def yesterday(c: Context) -> date:
    return (c.clock().replace(tzinfo=timezone.utc).astimezone(ZoneInfo(c.settings.timezone)) - timedelta(days=1)).date()
