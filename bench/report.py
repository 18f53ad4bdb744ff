"""How every benchmark reports: JSON lines of measurements, then one summary line.

A measurement line is ``{"bench": …, "metric": …, "value": …, "unit": …, …}``. The summary
line starts with ``SUMMARY <bench>:``, gives the ratio to the benchmark's anchor, and says
``targets met`` or ``TARGET MISSED: …`` — benchmarks print, they never assert.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any


def emit(bench: str, metric: str, value: float | int | str | None, unit: str = "", **extra: Any) -> None:
    """Print one measurement as a JSON line (flushed, so a long run shows progress)."""
    record: dict[str, Any] = {"bench": bench, "metric": metric, "value": value, "unit": unit, **extra}
    print(json.dumps(record, ensure_ascii=False), flush=True)


@dataclass(frozen=True)
class Target:
    """A goal from bench/README.md: ``value`` compared to ``goal`` by ``op`` (">=" or "<=")."""

    name: str
    value: float | None
    goal: float
    op: str = ">="
    unit: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.goal if self.op == ">=" else self.value <= self.goal

    def describe(self) -> str:
        shown = "n/a" if self.value is None else f"{_fmt(self.value)}{self.unit}"
        return f"{self.name} {shown} (target {self.op} {self.goal:g}{self.unit})"


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


@dataclass
class Summary:
    bench: str
    headline: str  # the ratio to the anchor, in words
    targets: list[Target] = field(default_factory=list)

    def line(self) -> str:
        missed = [t for t in self.targets if t.met is False]
        unmeasured = [t for t in self.targets if t.met is None]
        if not self.targets:
            verdict = "comparison only, no target"
        elif missed:
            verdict = "TARGET MISSED: " + "; ".join(t.describe() for t in missed)
        elif unmeasured:
            verdict = "not measured: " + "; ".join(t.name for t in unmeasured)
        else:
            verdict = "targets met: " + "; ".join(t.describe() for t in self.targets)
        return f"SUMMARY {self.bench}: {self.headline} — {verdict}"

    def print(self) -> None:
        print(self.line(), flush=True)


def not_yet_measured(bench: str, reason: str) -> None:
    """The slot for a benchmark that cannot run yet; says why instead of a number."""
    emit(bench, "status", "not yet measured", reason=reason)
    print(f"SUMMARY {bench}: not yet measured — {reason}", flush=True)


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """``with stopwatch() as elapsed: …`` then ``elapsed()`` in seconds (frozen at exit)."""
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile, q in 0…100."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def emit_percentiles(bench: str, name: str, samples: list[float], **extra: Any) -> dict[int, float]:
    """Print ``<name>_p50/p95/p99_ms`` lines for latency samples in ms; return {50, 95, 99}."""
    stats = {q: percentile(samples, q) for q in (50, 95, 99)}
    for q, value in stats.items():
        emit(bench, f"{name}_p{q}_ms", round(value, 2), "ms", **extra)
    return stats


def rss_bytes(pid: int | str = "self") -> int:
    """Resident set size of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    mem_gb = 0.0
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            mem_gb = int(f.readline().split()[1]) / 1024**2
    except OSError:
        pass
    tesseract = "absent"
    if shutil.which("tesseract"):
        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
        tesseract = (out.stdout or out.stderr).splitlines()[0].strip()
    return {
        "load_average_1m": round(os.getloadavg()[0], 2),  # other work on the machine skews timings
        "cpu": cpu,
        "cores": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gb": round(mem_gb, 1),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "tesseract": tesseract,
        "tantivy": _version("tantivy"),
        "pillow": _version("pillow"),
        "rapidfuzz": _version("rapidfuzz"),
    }
