"""What runs when (lịch chạy): the one schedule of background work, read by Celery beat.

Each entry names a task — the sweeper, or a job kind to record and run (a nightly backup, a
fixity pass, deadline warnings, as those kinds arrive) — and when: `every 15s` / `every 10m`
/ `every 2h`, or a cron line `minute hour day month weekday` read in ARCHIVE_TIMEZONE
(Asia/Ho_Chi_Minh unless set). ARCHIVE_SCHEDULE overrides entries by name, as JSON:
`{"sweep": "every 30s", "backup": "30 1 * * *", "fixity": "off"}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta

from celery.schedules import crontab

SWEEP = "sweep"


@dataclass(frozen=True)
class Scheduled:
    """One line of the schedule: `task` is SWEEP or the name of a job kind to record and run."""

    name: str
    task: str
    when: str


def default_schedule(sweep_interval_seconds: int) -> tuple[Scheduled, ...]:
    return (
        Scheduled("sweep", SWEEP, f"every {sweep_interval_seconds}s"),  # repair lost work (leases, messages)
        Scheduled("audit_anchor", "audit_anchor", "7 * * * *"),  # seal the audit chain's head, hourly
        Scheduled("backup", "backup", "30 1 * * *"),  # nightly set; a target's first of the month is full
        Scheduled("fixity", "fixity", "41 * * * *"),  # hourly fixity pass (ARCHIVE_FIXITY_PASS_SECONDS each)
        Scheduled("retention", "retention", "15 3 1 * *"),  # monthly: extend vĩnh viễn locks, fix missing ones
        Scheduled("disposition_propose", "disposition_propose", "45 3 * * 1"),  # weekly list of ended terms
        Scheduled("log_review", "log_review", "20 0 * * *"),  # daily: record yesterday's log-review alerts
        Scheduled("warnings", "warnings", "30 6 * * *"),  # daily warnings → notifications (then their e-mail)
        Scheduled("periodic_report", "periodic_report", "15 6 * * *"),  # daily: make a report whose window opened
        Scheduled("annual_update", "annual_update", "40 6 * * *"),  # daily: phiếu bổ sung lý lịch opens, reminders
        Scheduled("consume", "consume", "every 1m"),  # watched scan folders → batches (ARCHIVE_CONSUME_DIR)
    )


class ScheduleError(ValueError):
    """A schedule entry that cannot be read (named in the message)."""


_EVERY = re.compile(r"^every\s+(\d+)\s*(s|m|h)$")
_UNIT = {"s": 1, "m": 60, "h": 3600}


def parse_when(when: str, *, name: str = "") -> timedelta | crontab | None:
    """`every N(s|m|h)` → an interval, a five-field cron line → crontab, `off` → None."""
    text = " ".join(when.split()).lower()
    if text == "off":
        return None
    if m := _EVERY.match(text):
        seconds = int(m.group(1)) * _UNIT[m.group(2)]
        if seconds <= 0:
            raise ScheduleError(f"lịch '{name}': khoảng thời gian phải lớn hơn 0 ({when!r})")
        return timedelta(seconds=seconds)
    fields = text.split(" ")
    if len(fields) != 5:
        raise ScheduleError(f"lịch '{name}': cần 'every 15s' hoặc dòng cron 5 trường, nhận được {when!r}")
    minute, hour, day, month, weekday = fields
    try:
        return crontab(minute=minute, hour=hour, day_of_month=day, month_of_year=month, day_of_week=weekday)
    except ValueError as exc:
        raise ScheduleError(f"lịch '{name}': dòng cron không hợp lệ {when!r}: {exc}") from None


def effective_schedule(entries: tuple[Scheduled, ...], overrides: dict[str, str]) -> tuple[Scheduled, ...]:
    unknown = set(overrides) - {e.name for e in entries}
    if unknown:
        raise ScheduleError(f"ARCHIVE_SCHEDULE nêu lịch không có: {', '.join(sorted(unknown))}")
    return tuple(replace(e, when=overrides.get(e.name, e.when)) for e in entries)


def beat_schedule(entries: tuple[Scheduled, ...], *, sweep_task: str, enqueue_task: str) -> dict[str, dict]:
    """Celery's beat_schedule for these entries (entries that are `off` are left out)."""
    out: dict[str, dict] = {}
    for e in entries:
        when = parse_when(e.when, name=e.name)
        if when is None:
            continue
        if e.task == SWEEP:
            out[e.name] = {"task": sweep_task, "schedule": when}
        else:
            out[e.name] = {"task": enqueue_task, "schedule": when, "args": [e.task]}
    return out
