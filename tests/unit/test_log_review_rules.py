"""The log-review rules on plain rows (pure): bursts of failed logins, bulk exports per day, off-hours and
days off, and record views far above the day's median — each reported once with a Vietnamese sentence."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from archive.services.log_review import Thresholds, find_alerts
from archive.working_days import WorkingCalendar

TH = Thresholds(failed_logins=3, failed_window_minutes=10, exports_per_day=4, views_factor=3.0, views_min=5,
                day_start=time(7, 30), day_end=time(17, 0), tz="Asia/Ho_Chi_Minh")
CAL = WorkingCalendar({})
MON_10H = datetime(2026, 11, 30, 3, 0)  # Monday 30/11/2026 10:00 in Việt Nam


def _kinds(rows):
    return sorted((a.kind, a.subject, a.count) for a in find_alerts(rows, TH, CAL))


def test_failed_logins_within_the_window_alert_once_and_slow_ones_do_not() -> None:
    burst = [(MON_10H + timedelta(minutes=m), "nv.a", "10.0.0.1", "login.failure") for m in (0, 2, 4, 6)]
    slow = [(MON_10H + timedelta(minutes=m), "nv.b", "10.0.0.2", "login.failure") for m in (0, 20, 40)]
    assert _kinds(burst + slow) == [("failed_logins", "IP 10.0.0.1", 4), ("failed_logins", "nv.a", 4)]


def test_bulk_exports_count_per_user_and_local_day() -> None:
    rows = [(MON_10H + timedelta(minutes=m), "nv.a", "", a) for m, a in
            enumerate(("export", "document.download", "dossier.export", "audit.export"))]
    rows += [(MON_10H, "nv.b", "", "export")] * 3
    assert _kinds(rows) == [("bulk_exports", "nv.a", 4)]


def test_off_hours_and_days_off_but_not_the_operator() -> None:
    rows = [(datetime(2026, 11, 30, 0, 15), "nv.a", "", "staff.view"),   # 07:15 local: before opening
            (datetime(2026, 11, 30, 10, 0), "nv.a", "", "staff.view"),   # 17:00 local: closed
            (datetime(2026, 11, 29, 3, 0), "nv.b", "", "search"),        # Sunday 10:00
            (datetime(2026, 11, 30, 15, 0), "cli:root", "", "staff.create"),
            (MON_10H, "nv.c", "", "staff.view")]
    alerts = find_alerts(rows, TH, CAL)
    assert sorted((a.kind, a.subject, a.count) for a in alerts) == [("off_hours", "nv.a", 2), ("off_hours", "nv.b", 1)]
    assert "vào ngày nghỉ ngày 29/11/2026" in next(a.text for a in alerts if a.subject == "nv.b")


def test_views_far_above_the_days_median_alert() -> None:
    rows = [(MON_10H, u, "", "staff.view") for u, n in (("nv.a", 2), ("nv.b", 2), ("nv.c", 3), ("nv.d", 12))
            for _ in range(n)]
    alerts = [a for a in find_alerts(rows, TH, CAL) if a.kind == "many_views"]
    assert [(a.subject, a.count) for a in alerts] == [("nv.d", 12)]
    assert "trung vị" in alerts[0].text and alerts[0].key == "many_views:nv.d:2026-11-30"
