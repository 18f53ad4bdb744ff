"""The backup benchmark runs end to end on a few MB and reports every measure; it never looks at a rate."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil

import pytest

from bench import backup as backup_bench


def test_backup_run_reports_full_nightly_restore_and_rebuild_against_a_plain_copy() -> None:
    if shutil.which("restic") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("restic is not installed (run `make setup`)")
        pytest.skip("restic is not installed (run `make setup`)")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert backup_bench.main(["--size-mb", "6", "--pages", "300"]) == 0
    out = buffer.getvalue()
    rows = {r["metric"]: r for r in (json.loads(line) for line in out.splitlines() if line.startswith("{"))}
    assert rows["full_backup_mb_per_s"]["kind"] == "full" and "ratio_to_plain_copy" in rows["full_backup_mb_per_s"]
    assert rows["nightly_no_change_seconds"]["kind"] == "incremental"
    assert {"objects_seconds", "database_seconds", "index_seconds"} <= set(rows["restore_mb_per_s"])
    assert rows["index_rebuild_pages_per_s"]["pages"] == 300
    [summary] = [line for line in out.splitlines() if line.startswith("SUMMARY backup:")]
    assert "plain copy" in summary and ("targets met" in summary or "TARGET MISSED" in summary)
