"""search.text normalises text without loading a search engine (what ingest imports)."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("statement", [
    "import search.text",
    "import search",
    "from search import nfc, PageDoc, SearchQuery, Snippet, open_index",
])
def test_importing_the_text_module_or_the_package_door_loads_no_engine(statement: str) -> None:
    done = _run(f"{statement}\nimport sys\n"
                "engines = [m for m in sys.modules if m.split('.')[0] in ('tantivy', 'elasticsearch')]\n"
                "assert not engines, engines")
    assert done.returncode == 0, done.stderr


def test_the_documented_command_holds() -> None:
    done = _run("import search.text, sys; assert 'tantivy' not in sys.modules")
    assert done.returncode == 0, done.stderr


def test_fold_is_still_exported_by_the_door_and_loads_tantivy_only_then() -> None:
    done = _run("import sys, search; assert 'tantivy' not in sys.modules; from search import fold; "
                "assert fold('Đặng Thị Ánh') == 'dang thi anh' and 'tantivy' in sys.modules")
    assert done.returncode == 0, done.stderr


def test_nfc_composes_decomposed_text_and_is_the_one_vietnamese_uses() -> None:
    from search import text, vietnamese

    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Ân")
    assert text.nfc(decomposed) == "Nguyễn Văn Ân"
    assert vietnamese.nfc is text.nfc
