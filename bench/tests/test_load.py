"""The load test's harness: its statistics, its RESULTS.md section, and a short run end to end.

The end-to-end run is the same traffic as `make load`, ten seconds against the embedded stack
(SQLite, tantivy, file-system broker) with a small corpus. No test looks at a duration or a rate;
they check that requests of every kind were made and answered, and that errors are counted.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
from pathlib import Path

import pytest

from bench import load, load_files
from bench.load_stats import Recorder, markdown_table, prepend_section, summarize
from bench.report import percentile
from ingest import validate_file


def test_summary_counts_requests_errors_and_percentiles_per_kind() -> None:
    rec = Recorder()
    for ms in range(1, 101):  # 1 … 100 ms
        rec.record("search_people", float(ms))
    rec.record("upload", 40.0)
    rec.record("upload", 900.0, error="503")
    rec.record("upload", 30_000.0, error="ReadTimeout")
    rows = {r.kind: r for r in summarize(rec, seconds=10.0)}
    people = rows["search_people"]
    samples = [float(ms) for ms in range(1, 101)]  # the benchmarks' one nearest-rank definition
    assert (people.count, people.errors) == (100, 0)
    assert (people.p50_ms, people.p95_ms, people.p99_ms) == tuple(percentile(samples, q) for q in (50, 95, 99))
    assert 94 <= people.p95_ms <= 96 and people.p50_ms in (50.0, 51.0)
    assert people.per_s == pytest.approx(10.0)
    assert rows["upload"].errors == 2 and rows["upload"].error_kinds == {"503": 1, "ReadTimeout": 1}
    assert rows["all"].count == 103 and rows["all"].errors == 2
    rec.record("engine_people", 5.0)  # the anchor: shown on its own line, not counted as API traffic
    rows = {r.kind: r for r in summarize(rec, seconds=10.0)}
    assert rows["engine_people"].count == 1 and rows["all"].count == 103
    table = markdown_table(list(rows.values()))
    assert "| upload | 3 | 0.3 |" in table and "503×1" in table and "ReadTimeout×1" in table


def test_results_section_goes_on_top_under_the_preamble(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\nNewest first.\n\n## Older run\n\nfigures\n", encoding="utf-8")
    prepend_section(results, "## Load test, now\n\n| a |\n")
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n\nNewest first.\n\n## Load test, now\n")
    assert text.index("## Load test, now") < text.index("## Older run")
    assert text.endswith("## Older run\n\nfigures\n")


def test_uploaded_files_are_valid_and_never_the_same_twice(tmp_path: Path) -> None:
    rng = random.Random(3)
    bodies = [load_files.text_pdf(rng, "vanthu-01", 1), load_files.text_pdf(rng, "vanthu-01", 2), load_files.scan_png(rng, "vanthu-01", 3)]
    assert len(set(bodies)) == 3  # a repeated file would be a duplicate upload, not new work
    for name, body in zip(("a.pdf", "b.pdf", "c.png"), bodies):
        path = tmp_path / name
        path.write_bytes(body)
        checked = validate_file(path, max_pages=500, max_image_pixels=120_000_000)
        assert checked.page_count == 1


@pytest.mark.slow
def test_a_short_run_against_the_embedded_stack_answers_every_kind_without_error(tmp_path: Path) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        summary = load.run(tmp_path, duration=10, pages=1000, hr=2, archivists=1, think=0.3, max_requests=2000,
                           settle=60, seed=2, embedded=True, results=None)
    lines = [json.loads(ln) for ln in out.getvalue().splitlines() if ln.startswith("{")]
    by_kind = {ln["metric"]: ln for ln in lines if ln.get("unit") == "requests"}
    for kind in ("search_people", "search_pages", "upload", "page_view", "all"):
        assert by_kind.get(kind, {}).get("value", 0) > 0, f"no {kind} request was made: {sorted(by_kind)}"
    assert by_kind["all"]["errors"] == 0, by_kind["all"]["error_kinds"]
    searchable = next(ln for ln in lines if ln["metric"] == "uploads_searchable")
    assert searchable["value"] == searchable["of"] > 0
    assert summary.line().startswith("SUMMARY load:")
