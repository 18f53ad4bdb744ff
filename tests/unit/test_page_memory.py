"""Page-sized arrays are reused from page to page, not faulted in afresh (ingest.page_memory)."""

from __future__ import annotations

import resource
import sys

import numpy as np
import pytest

from ingest.page_memory import keep_page_memory


def _faults_of_a_page_s_arrays() -> int:
    """Minor faults of preparing a page: four page-sized arrays alive at once, then freed."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    arrays = [np.ones((3508, 2480), dtype=np.uint8) for _ in range(4)]  # A4 at 300 dpi, every byte touched
    del arrays
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc tuning is Linux-only")
def test_after_the_first_page_the_next_pages_arrays_cost_no_fresh_memory():
    assert keep_page_memory() and keep_page_memory()  # once, and harmless again
    _faults_of_a_page_s_arrays()
    # untuned, glibc gives the 35 MB back on free and every page faults ~2,300 pages in again
    assert _faults_of_a_page_s_arrays() < 100
