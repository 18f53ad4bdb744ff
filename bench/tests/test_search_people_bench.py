"""The people part of the search benchmark (issue 21): timed against the page search, through the API too.

Runs ``python -m bench.search`` on a tiny index like test_search_bench.py and checks what it
prints; never a duration.
"""

from __future__ import annotations

from bench.tests.test_search_bench import PAGES, QUERIES, _records, _summary, output  # noqa: F401 — the run


def test_people_are_timed_against_the_page_search_on_the_same_index(output: str) -> None:  # noqa: F811
    people = _records(output, "search_people")
    assert people["engine_p95_ms"]["queries"] == QUERIES and people["engine_p95_ms"]["staff"] == PAGES // 10
    assert "one_page_each_p95_ms" in people
    assert "× page search p95 of this run" in _summary(output, "search_people")


def test_people_through_the_api_are_the_people_the_engine_found(output: str) -> None:  # noqa: F811
    api = _records(output, "search_people_api")
    assert api["totals_equal_engine"]["value"] == QUERIES
    line = _summary(output, "search_people_api")
    assert "× the page API p95 of this run" in line and ("targets met" in line or "TARGET MISSED" in line)
