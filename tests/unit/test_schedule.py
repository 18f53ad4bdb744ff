"""What runs when: the schedule module read by Celery beat."""

from datetime import timedelta

import pytest
from celery.schedules import crontab

from archive.settings import Settings
from archive.work.celery_app import ENQUEUE_TASK, SWEEP_TASK, make_celery
from archive.work.schedule import Scheduled, ScheduleError, beat_schedule, effective_schedule, parse_when


def test_intervals_cron_lines_and_off_are_read():
    assert parse_when("every 15s") == timedelta(seconds=15)
    assert parse_when("every 10m") == timedelta(minutes=10)
    assert parse_when(" every  2h ") == timedelta(hours=2)
    nightly = parse_when("30 1 * * *")
    assert isinstance(nightly, crontab) and nightly.hour == {1} and nightly.minute == {30}
    assert parse_when("off") is None


@pytest.mark.parametrize("bad", ["every 0s", "every 5 days", "daily", "61 1 * * *", "* * *"])
def test_unreadable_entries_name_themselves(bad):
    with pytest.raises(ScheduleError, match="backup"):
        parse_when(bad, name="backup")


def test_overrides_replace_entries_by_name_and_unknown_names_are_refused():
    entries = (Scheduled("sweep", "sweep", "every 15s"), Scheduled("backup", "backup", "0 1 * * *"))
    out = effective_schedule(entries, {"backup": "off"})
    assert beat_schedule(out, sweep_task="S", enqueue_task="E") == {"sweep": {"task": "S", "schedule": timedelta(seconds=15)}}
    with pytest.raises(ScheduleError, match="fixity"):
        effective_schedule(entries, {"fixity": "0 3 * * *"})
    kinds = beat_schedule(entries, sweep_task="S", enqueue_task="E")
    assert kinds["backup"]["task"] == "E" and kinds["backup"]["args"] == ["backup"]


def test_beat_reads_the_schedule_in_the_configured_time_zone(tmp_path):
    s = Settings(data_dir=tmp_path, sweep_interval_seconds=7, schedule={"sweep": "every 30s"})
    app = make_celery(s)
    assert app.conf.timezone == "Asia/Ho_Chi_Minh"
    assert app.conf.beat_schedule["sweep"] == {"task": SWEEP_TASK, "schedule": timedelta(seconds=30)}
    assert app.conf.beat_schedule["audit_anchor"]["args"] == ["audit_anchor"]
    assert ENQUEUE_TASK in app.tasks and SWEEP_TASK in app.tasks
    assert make_celery(Settings(data_dir=tmp_path, timezone="UTC")).conf.timezone == "UTC"
