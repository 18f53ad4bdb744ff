"""Which backup sets to keep (chính sách lưu giữ): daily and monthly, never below the jurisdiction's floor.

Pure functions of the sets a target holds, so they are tested without a target. Defaults keep
the newest set of each of the last 35 days that have one and the newest *full* set of each of
the last 12 months that have one (ARCHIVE_BACKUP_KEEP_DAILY / _MONTHLY). Whatever the numbers,
the newest set and the newest verified one (passed `backup verify --read-data` or a drill) are
never let go, nor any set the active jurisdiction's floor still needs:

- TP.HCM, QĐ 51/2024/QĐ-UBND Điều 10 khoản 1: data "được sao lưu định kỳ hằng tháng, tối thiểu
  ba (ba) tháng nếu đã có phiên bản sao lưu mới" — a monthly set stays at least three months after
  a newer monthly set exists.
- national (TT 05/2025/TT-BNV as the issue cites it: daily incremental, monthly full, two copies),
  Hà Nội QĐ 6033/QĐ-UBND (2015) Điều 9 khoản 4, Lạng Sơn QĐ 570/QĐ-UBND (2022) Điều 9 khoản 2,
  Đà Nẵng QĐ 8060/QĐ-UBND (2012) Điều 8 khoản 9:
  they ask for regular (daily, monthly) backups and checks, not for a keeping time; their floor
  is at least one daily and one monthly set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from archive.errors import InvalidInput


@dataclass(frozen=True)
class SetSummary:
    set_id: str
    created: datetime  # timezone-aware
    kind: str  # "full" | "incremental"


@dataclass(frozen=True)
class KeepFloor:
    daily: int
    monthly: int
    months_after_newer: int  # a monthly set stays this many months after a newer monthly set exists
    source: str


FLOORS: dict[str, KeepFloor] = {
    "national": KeepFloor(1, 1, 0, "TT 05/2025/TT-BNV"),
    "tp-hcm": KeepFloor(1, 1, 3, "QĐ 51/2024/QĐ-UBND TP.HCM, Điều 10 khoản 1"),
    "ha-noi": KeepFloor(1, 1, 0, "QĐ 6033/QĐ-UBND (2015) Hà Nội, Điều 9 khoản 4"),
    "lang-son": KeepFloor(1, 1, 0, "QĐ 570/QĐ-UBND (2022) Lạng Sơn, Điều 9 khoản 2"),
    "da-nang": KeepFloor(1, 1, 0, "QĐ 8060/QĐ-UBND (2012) Đà Nẵng, Điều 8 khoản 9"),
}


def jurisdiction_of(backup_jurisdiction: str, profile: str) -> str:
    """The floor in force: ARCHIVE_BACKUP_JURISDICTION when set, else the jurisdiction profile's
    (ARCHIVE_PROFILE) when it has a floor of its own, else the national one."""
    if backup_jurisdiction:
        return backup_jurisdiction
    return profile if profile in FLOORS else "national"


def floor_for(jurisdiction: str) -> KeepFloor:
    try:
        return FLOORS[jurisdiction]
    except KeyError:
        raise InvalidInput(f"ARCHIVE_BACKUP_JURISDICTION phải là một trong: {', '.join(FLOORS)}.") from None


def _months_later(when: datetime, months: int) -> datetime:
    month0 = when.month - 1 + months
    year, month = when.year + month0 // 12, month0 % 12 + 1
    day = min(when.day, 28)  # "three months after" never needs a 31st that the month lacks
    return when.replace(year=year, month=month, day=day)


def keep_policy(sets: list[SetSummary], *, now: datetime, tz: tzinfo, daily: int, monthly: int,
                floor: KeepFloor, protected: set[str] = frozenset()) -> set[str]:  # type: ignore[assignment]
    """Ids of the sets to keep; the rest may be pruned."""
    if not sets:
        return set()
    newest_first = sorted(sets, key=lambda s: s.created, reverse=True)
    keep = {newest_first[0].set_id}
    verified = [s for s in newest_first if s.set_id in protected]
    if verified:
        keep.add(verified[0].set_id)
    days_seen: list = []
    for s in newest_first:
        day = s.created.astimezone(tz).date()
        if day not in days_seen:
            days_seen.append(day)
            if len(days_seen) <= max(daily, floor.daily):
                keep.add(s.set_id)
    fulls = [s for s in newest_first if s.kind == "full"]
    months_seen: list = []
    for s in fulls:
        local = s.created.astimezone(tz)
        month = (local.year, local.month)
        if month not in months_seen:
            months_seen.append(month)
            if len(months_seen) <= max(monthly, floor.monthly):
                keep.add(s.set_id)
    if floor.months_after_newer:
        for newer, older in zip(fulls, fulls[1:]):
            if now < _months_later(newer.created, floor.months_after_newer):
                keep.add(older.set_id)
    return keep
