"""Jurisdiction profiles (quy định địa phương): each office's deadlines, report dates and switches, as data.

One TOML file per regulation in `archive/profiles/` (ARCHIVE_PROFILE names it; `neutral`
when unset). Every rule carries the article it comes from, so what the service enforces can
be checked against the text of the decision. A profile is read once and validated here: an
unknown event, a negative term or a missing article is an error naming the file, not a
deadline silently skipped.

Events are what starts a term (the decision's effective date, or the day a step was done);
`due()` counts the term on a WorkingCalendar (archive.working_days) as the article says —
"ngày làm việc" in working days, "ngày" in calendar days.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from archive.working_days import DayUnit, WorkingCalendar

PROFILE_DIR = Path(__file__).with_name("profiles")
DEFAULT_PROFILE = "neutral"

# Event code → what happened, as the regulations word it. A rule's term runs from its date.
EVENTS: dict[str, str] = {
    "recruitment": "Có quyết định tuyển dụng, tiếp nhận (hoặc chuẩn y, hợp đồng)",
    "paper_received": "Có hồ sơ giấy tờ hợp lệ của người mới",
    "state_change": "Văn bản thay đổi thông tin từ cơ quan quản lý (bổ nhiệm, điều động, nâng lương, khen thưởng, kỷ luật…) có hiệu lực",
    "change_paper_received": "Có hồ sơ giấy hợp lệ về thông tin thay đổi",
    "personal_change": "Phát sinh thay đổi thông tin cá nhân",
    "declared_change": "Cá nhân ký số hoàn thành cập nhật thông tin thay đổi",
    "move_within_unit": "Quyết định điều động đến bộ phận mới trong cùng đơn vị có hiệu lực",
    "transfer_between_units": "Quyết định điều động, luân chuyển sang cơ quan, đơn vị khác có hiệu lực",
    "transfer_out": "Quyết định chuyển ra ngoài phạm vi quản lý (khối Đảng, ngoài tỉnh, thành phố) có hiệu lực",
    "leaving": "Quyết định nghỉ hưu, thôi việc, chấm dứt hợp đồng có hiệu lực, hoặc nhận giấy chứng tử",
    "account_issued": "Được cấp tài khoản",
    "declared": "Cá nhân ký số hoàn thành kê khai hồ sơ",
    "verified": "Bộ phận tổ chức cán bộ ký số xác thực hồ sơ",
}
ACCOUNT_MODELS = {"per_unit": "Mỗi đơn vị một tài khoản", "per_person": "Mỗi người một tài khoản"}
BACKUP_CADENCES = {"daily": "hằng ngày", "monthly": "hằng tháng"}


class ProfileError(ValueError):
    """A profile that cannot be used (named in the message)."""


@dataclass(frozen=True)
class DeadlineRule:
    """One term of a regulation: after `event`, do `action` within `days` (working or calendar)."""

    id: str
    event: str
    action: str
    days: int
    unit: DayUnit
    article: str
    needs_document: bool = False  # done only once the change's document is uploaded too

    @property
    def unit_text(self) -> str:
        return "ngày làm việc" if self.unit is DayUnit.WORKING else "ngày"


@dataclass(frozen=True)
class ReportDate:
    """A periodic report's submission window: due on MM-DD (opens on MM-DD when the article gives one)."""

    period: str
    due: tuple[int, int]
    article: str
    opens: tuple[int, int] | None = None
    due_text: str = ""

    def due_in(self, year: int) -> date:
        return date(year, *self.due)


@dataclass(frozen=True)
class Profile:
    code: str
    name: str
    regulation: str
    rules: tuple[DeadlineRule, ...]
    reports: tuple[ReportDate, ...]
    account_model: str
    declare_verify_approve: bool
    backup_cadence: str
    backup_source: str
    backup_keep_months_min: int = 0
    account_model_article: str = ""
    notes: tuple[tuple[str, str], ...] = ()  # other articles the service honours: (key, article)

    def rules_for(self, event: str) -> tuple[DeadlineRule, ...]:
        return tuple(r for r in self.rules if r.event == event)

    def rule(self, rule_id: str) -> DeadlineRule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise ProfileError(f"quy định '{self.code}' không có hạn '{rule_id}'")


def due(rule: DeadlineRule, event_date: date, calendar: WorkingCalendar) -> date:
    """The last day to do what the rule asks, for an event on `event_date`."""
    return calendar.add(event_date, rule.days, rule.unit)


def _month_day(value: Any, where: str) -> tuple[int, int]:
    try:
        month, day = (int(p) for p in str(value).split("-"))
        date(2000, month, day)  # a leap year: 02-29 is allowed
    except ValueError:
        raise ProfileError(f"{where}: ngày '{value}' phải có dạng MM-DD") from None
    return month, day


_RULE_KEYS = {"id", "event", "action", "days", "unit", "article", "needs_document"}


def _rule(raw: dict[str, Any], where: str) -> DeadlineRule:
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise ProfileError(f"{where}: khoá không biết {sorted(unknown)}")
    for key in ("id", "event", "action", "days", "unit", "article"):
        if key not in raw or raw[key] in ("", None):
            raise ProfileError(f"{where}: thiếu '{key}'")
    if raw["event"] not in EVENTS:
        raise ProfileError(f"{where}: sự kiện '{raw['event']}' không có trong danh sách")
    if not isinstance(raw["days"], int) or raw["days"] < 0:
        raise ProfileError(f"{where}: số ngày phải là số nguyên không âm")
    try:
        unit = DayUnit(raw["unit"])
    except ValueError:
        raise ProfileError(f"{where}: đơn vị '{raw['unit']}' phải là 'working' hoặc 'calendar'") from None
    return DeadlineRule(id=str(raw["id"]), event=raw["event"], action=str(raw["action"]), days=raw["days"],
                        unit=unit, article=str(raw["article"]), needs_document=bool(raw.get("needs_document")))


def parse_profile(data: dict[str, Any], source: str) -> Profile:
    """A Profile from a profile file's parsed TOML; ProfileError naming `source` otherwise."""
    for key in ("code", "name"):
        if not data.get(key):
            raise ProfileError(f"{source}: thiếu '{key}'")
    rules = tuple(_rule(r, f"{source} [[rule]] {i + 1}") for i, r in enumerate(data.get("rule", [])))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ProfileError(f"{source}: hai hạn trùng mã")
    reports = []
    for i, r in enumerate(data.get("report", [])):
        where = f"{source} [[report]] {i + 1}"
        if not r.get("article") or not r.get("due"):
            raise ProfileError(f"{where}: cần 'due' và 'article'")
        reports.append(ReportDate(period=str(r.get("period", "")), due=_month_day(r["due"], where),
                                  opens=_month_day(r["opens"], where) if r.get("opens") else None,
                                  article=str(r["article"]), due_text=str(r.get("due_text", ""))))
    account_model = data.get("account_model", "per_person")
    if account_model not in ACCOUNT_MODELS:
        raise ProfileError(f"{source}: account_model '{account_model}' không hợp lệ")
    backup = data.get("backup", {})
    cadence = backup.get("cadence", "daily")
    if cadence not in BACKUP_CADENCES:
        raise ProfileError(f"{source}: backup.cadence '{cadence}' không hợp lệ")
    notes = tuple(sorted((k[: -len("_article")], str(v)) for k, v in data.items()
                         if k.endswith("_article") and k != "account_model_article"))
    return Profile(code=str(data["code"]), name=str(data["name"]), regulation=str(data.get("regulation", "")),
                   rules=rules, reports=tuple(reports), account_model=account_model,
                   declare_verify_approve=bool(data.get("declare_verify_approve", False)),
                   backup_cadence=cadence, backup_source=str(backup.get("source", "")),
                   backup_keep_months_min=int(backup.get("keep_months_min", 0)),
                   account_model_article=str(data.get("account_model_article", "")), notes=notes)


def available_profiles() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in PROFILE_DIR.glob("*.toml")))


@lru_cache(maxsize=16)
def load_profile(code: str = DEFAULT_PROFILE) -> Profile:
    """The profile named `code` (a file in archive/profiles/); ProfileError when there is none."""
    code = code or DEFAULT_PROFILE
    if code not in available_profiles():
        raise ProfileError(f"không có quy định '{code}' (có: {', '.join(available_profiles())})")
    path = PROFILE_DIR / f"{code}.toml"
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path.name}: không đọc được ({exc})") from None
    profile = parse_profile(data, path.name)
    if profile.code != code:
        raise ProfileError(f"{path.name}: code '{profile.code}' khác tên tệp")
    return profile
