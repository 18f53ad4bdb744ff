"""What the load test counts: latency samples and errors per kind of request, and their report.

Thread-safe (each virtual user is a thread). Percentiles are nearest-rank, as every other
benchmark here (bench.report.percentile); throughput is requests per second of the timed window.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import percentile


@dataclass
class KindStats:
    samples_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: Counter = field(default_factory=Counter)  # "503", "ReadTimeout", …


class Recorder:
    """Collects one sample per request; `errors` are non-2xx answers and transport failures."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.kinds: dict[str, KindStats] = {}

    def record(self, kind: str, ms: float, *, error: str | None = None) -> None:
        with self._lock:
            stats = self.kinds.setdefault(kind, KindStats())
            stats.samples_ms.append(ms)
            if error is not None:
                stats.errors += 1
                stats.error_kinds[error] += 1

    @property
    def requests(self) -> int:
        with self._lock:
            return sum(len(s.samples_ms) for s in self.kinds.values())

    @property
    def errors(self) -> int:
        with self._lock:
            return sum(s.errors for s in self.kinds.values())


@dataclass(frozen=True)
class KindSummary:
    kind: str
    count: int
    per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    error_kinds: dict[str, int]


def summarize(recorder: Recorder, seconds: float, *, anchors: str = "engine_") -> list[KindSummary]:
    """One line per kind, in name order, plus `all` over every request through the API (the
    anchor's kinds, named `anchors`…, are the engine asked directly and stay out of it)."""
    out = []
    every: list[float] = []
    errors, error_kinds = 0, Counter()
    for kind in sorted(recorder.kinds):
        s = recorder.kinds[kind]
        out.append(_line(kind, s.samples_ms, seconds, s.errors, dict(s.error_kinds)))
        if kind.startswith(anchors):
            continue
        every += s.samples_ms
        errors += s.errors
        error_kinds.update(s.error_kinds)
    out.append(_line("all", every, seconds, errors, dict(error_kinds)))  # the API's requests
    return out


def _line(kind: str, samples: list[float], seconds: float, errors: int, error_kinds: dict[str, int]) -> KindSummary:
    return KindSummary(kind, len(samples), len(samples) / seconds if seconds > 0 else 0.0,
                       percentile(samples, 50), percentile(samples, 95), percentile(samples, 99),
                       errors, error_kinds)


def markdown_table(rows: list[KindSummary]) -> str:
    lines = ["| kind | requests | per s | p50 ms | p95 ms | p99 ms | errors |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        errs = str(r.errors) + (f" ({', '.join(f'{k}×{v}' for k, v in sorted(r.error_kinds.items()))})" if r.errors else "")
        lines.append(f"| {r.kind} | {r.count:,} | {r.per_s:.1f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {errs} |")
    return "\n".join(lines)


def prepend_section(results: Path, section: str) -> None:
    """Put `section` at the top of bench/RESULTS.md (newest first), under its title and preamble."""
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n\n"
    at = text.find("\n## ")
    head, rest = (text, "") if at < 0 else (text[: at + 1], text[at + 1 :])
    results.write_text(head.rstrip("\n") + "\n\n" + section.strip("\n") + "\n\n" + rest, encoding="utf-8")
