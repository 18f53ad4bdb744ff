"""The search benchmark runs end to end on a tiny index: engine, HTTP API, Elasticsearch slot.

These tests check what the benchmark prints and that the API found what the engine found;
they never look at a duration.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from bench import search as search_bench
from bench.corpus.pages import ROOT_UNIT_CODE, iter_pages

PAGES, QUERIES = 300, 12


def _records(out: str, bench: str) -> dict[str, dict]:
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {r["metric"]: r for r in rows if r["bench"] == bench}


def _summary(out: str, bench: str) -> str:
    lines = [line for line in out.splitlines() if line.startswith(f"SUMMARY {bench}:")]
    assert len(lines) == 1, out
    return lines[0]


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One run of ``python -m bench.search`` on 300 pages, 12 queries, no Elasticsearch."""
    saved = os.environ.pop(search_bench.ES_URL_VARIABLE, None)
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            code = search_bench.main(["--pages", str(PAGES), "--queries", str(QUERIES),
                                      "--index-dir", str(tmp_path_factory.mktemp("bench") / "index")])
    finally:
        if saved is not None:
            os.environ[search_bench.ES_URL_VARIABLE] = saved
    assert code == 0
    return buffer.getvalue()


def test_pages_carry_the_root_scope_and_their_unit_path() -> None:
    pages = list(iter_pages(1, 120, pool_staff=20))  # 20 staff: more than one round over the pool
    assert pages == list(iter_pages(1, 120, pool_staff=20))
    for p in pages:
        assert p.scope_units[0] == ROOT_UNIT_CODE
        assert p.scope_units[-1].startswith(p.scope_units[-2] + ".")  # the unit sits under its department
        assert p.grade


def test_api_searches_through_a_real_server_and_finds_what_the_engine_finds(output: str) -> None:
    api = _records(output, "search_api")
    assert api["api_p95_ms"]["queries"] == QUERIES and api["api_p95_ms"]["pages"] == PAGES
    assert api["mean_hits_total"]["value"] > 0
    assert api["totals_equal_engine"]["value"] == QUERIES  # the admin's scope covers every page


def test_api_summary_gives_the_ratio_to_the_engine_and_the_target(output: str) -> None:
    line = _summary(output, "search_api")
    assert "× engine p95 of this run" in line
    assert "targets met" in line or "TARGET MISSED" in line


def test_elasticsearch_says_why_it_was_not_measured(output: str) -> None:
    assert "not measured: ARCHIVE_TEST_ELASTICSEARCH_URL not set" in _summary(output, "search_es")


@pytest.mark.engines
def test_elasticsearch_is_filled_searched_and_dropped(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                     elasticsearch_url: str) -> None:
    # elasticsearch_url (tests/support/engines.py): the session's real ES — skips locally
    # when none can be started, fails under CI=true
    names = search_bench.ensure_index(tmp_path / "index", seed=1, pages=PAGES)
    queries = search_bench.make_queries(1, names, QUERIES)
    search_bench.measure_es(elasticsearch_url, queries, seed=1, pages=PAGES)
    out = capsys.readouterr().out
    es = _records(out, "search_es")
    assert es["index_built"]["value"] == PAGES
    assert es["mean_hits_total"]["value"] > 0
    assert "Elasticsearch engine p50" in _summary(out, "search_es")
