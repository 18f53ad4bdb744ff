"""The fixity benchmark runs end to end on a few MB and reports both rates and the ratio; it never looks at a rate."""

from __future__ import annotations

import contextlib
import io
import json

from bench import fixity as fixity_bench


def test_fixity_bench_reports_the_pass_against_sha256sum_over_the_same_files() -> None:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert fixity_bench.main(["--size-mb", "4", "--repeat", "1"]) == 0
    out = buffer.getvalue()
    rows = {r["metric"]: r for r in (json.loads(line) for line in out.splitlines() if line.startswith("{"))}
    assert rows["corpus"]["objects"] >= 1
    assert "ratio_to_sha256sum" in rows["fixity_pass_mb_per_s"] and rows["fixity_pass_mb_per_s"]["throttle"] == "off"
    assert rows["sha256sum_mb_per_s"]["unit"] == "MB/s"
    [summary] = [line for line in out.splitlines() if line.startswith("SUMMARY fixity:")]
    assert "sha256sum" in summary and ("targets met" in summary or "TARGET MISSED" in summary)
