"""veraPDF, the PDF/A validator, for tests: one JVM call validates many files (~5 s start-up).

The jar comes from `python -m scripts.engines install` (scripts/engines/verapdf.py) or
ARCHIVE_TEST_VERAPDF_JAR. Without it a developer's run skips, CI (CI=true) fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.engines import verapdf as engine


@dataclass(frozen=True)
class Verdict:
    compliant: bool
    failed_rules: tuple[str, ...]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: veraPDF tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def find_jar() -> Path:
    configured = os.environ.get("ARCHIVE_TEST_VERAPDF_JAR")
    jar = Path(configured) if configured else engine.jar()
    if not jar.is_file():
        _unavailable(f"veraPDF jar not found at {jar} (python -m scripts.engines install --only verapdf)")
    if shutil.which("java") is None:
        _unavailable("java is not installed (veraPDF needs Java 17)")
    return jar


def validate(jar: Path, files: list[Path], flavour: str = "2b") -> dict[Path, Verdict]:
    """Each file's verdict, from one veraPDF run over all of them."""
    proc = subprocess.run(["java", "-jar", str(jar), "-f", flavour, "--format", "json", *map(str, files)],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"veraPDF exited {proc.returncode}: {proc.stderr[-2000:]}")
    report = json.loads(proc.stdout)
    out: dict[Path, Verdict] = {}
    for job in report["report"]["jobs"]:
        name = Path(job["itemDetails"]["name"])
        results = job.get("validationResult") or []
        results = results if isinstance(results, list) else [results]
        if not results:
            out[name] = Verdict(False, ("veraPDF could not parse the file",))
            continue
        failed = tuple(f"{r.get('clause')}-{r.get('testNumber')}" for res in results
                       for r in (res.get("details", {}).get("ruleSummaries") or []) if r.get("ruleStatus") == "FAILED")
        out[name] = Verdict(all(res.get("compliant") for res in results), failed)
    return out
