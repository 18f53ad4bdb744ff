"""The archival benchmark runs end to end on two pages and reports both CPU figures and the share."""

from __future__ import annotations

import contextlib
import io
import json
import shutil

import pytest

from bench import archival as archival_bench


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_archival_bench_reports_the_copy_cpu_as_a_share_of_the_ocr_cpu() -> None:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert archival_bench.main(["--pages", "2"]) == 0
    out = buffer.getvalue()
    rows = {r["metric"]: r for r in (json.loads(line) for line in out.splitlines() if line.startswith("{"))}
    assert rows["ocr_cpu_s_per_page"]["value"] > 0 and rows["archival_cpu_s_per_page"]["value"] > 0
    assert rows["archival_share_of_ocr_cpu"]["target"] == 0.05
    [summary] = [line for line in out.splitlines() if line.startswith("SUMMARY archival:")]
    assert "targets met" in summary or "TARGET MISSED" in summary
