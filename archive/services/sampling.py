"""Drawing the sample of a sampling audit (chọn mẫu ngẫu nhiên phân tầng): pure, reproducible.

The population is a list of (staff code, stratum) — the stratum is the unit that manages the
record. The sample size is `size` records or `percent` of the population (rounded up). It is
spread over the strata in proportion to their size (largest remainder), but every non-empty
stratum gets at least one record, so a small unit is never left out of a campaign (what that
costs is taken back from the most over-served strata; only when fewer records are asked than
there are strata is the sample larger: one per stratum). Within each stratum the records
are drawn with `random.Random(seed)`, strata and members in sorted order: the same seed and the
same population always give the same sample, on any machine.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from archive.errors import InvalidInput


@dataclass(frozen=True)
class Draw:
    """The sample and how it was allocated: stratum → (population, drawn)."""

    codes: tuple[str, ...]
    allocation: dict[str, tuple[int, int]]
    requested: int


def requested_size(population: int, *, size: int | None = None, percent: float | None = None) -> int:
    """How many records were asked for (before the one-per-stratum floor), at most the population."""
    if (size is None) == (percent is None):
        raise InvalidInput("Cần chọn cỡ mẫu theo số hồ sơ hoặc theo tỷ lệ phần trăm (chỉ một trong hai).")
    if size is not None:
        if size < 1:
            raise InvalidInput("Cỡ mẫu phải từ 1 hồ sơ trở lên.")
        return min(size, population)
    if not 0 < percent <= 100:  # type: ignore[operator]
        raise InvalidInput("Tỷ lệ chọn mẫu phải lớn hơn 0% và không quá 100%.")
    return min(population, max(1, math.ceil(population * percent / 100 - 1e-9)))  # type: ignore[operator]


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Proportional allocation of `n` over strata of `sizes` (largest remainder), at least one each."""
    total = sum(sizes.values())
    strata = sorted(k for k, v in sizes.items() if v > 0)
    quotas = {k: n * sizes[k] / total for k in strata}
    out = {k: min(sizes[k], max(1, math.floor(quotas[k]))) for k in strata}
    # hand out what is left by the largest fractional part (ties: the larger stratum, then the name)
    order = sorted(strata, key=lambda k: (-(quotas[k] - math.floor(quotas[k])), -sizes[k], k))
    while sum(out.values()) < n:
        grew = False
        for k in order:
            if sum(out.values()) >= n:
                break
            if out[k] < sizes[k]:
                out[k] += 1
                grew = True
        if not grew:
            break
    # the one-per-stratum floor may have overshot: take back from the most over-served strata
    while sum(out.values()) > n:
        over = [k for k in strata if out[k] > 1]
        if not over:
            break  # fewer records asked than strata: one each
        out[min(over, key=lambda k: (quotas[k] - out[k], -sizes[k], k))] -= 1
    return out


def draw(population: Iterable[tuple[str, str]], *, seed: str | int, size: int | None = None,
         percent: float | None = None) -> Draw:
    """The stratified random sample of `population` ((code, stratum) pairs) for this seed."""
    by_stratum: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for code, stratum in population:
        if code in seen:
            continue
        seen.add(code)
        by_stratum[stratum].append(code)
    if not seen:
        raise InvalidInput("Không có hồ sơ nào trong phạm vi đã chọn để lấy mẫu.")
    n = requested_size(len(seen), size=size, percent=percent)
    counts = allocate({k: len(v) for k, v in by_stratum.items()}, n)
    rng = random.Random(str(seed))
    chosen: list[str] = []
    for stratum in sorted(counts):
        members = sorted(by_stratum[stratum])
        chosen += rng.sample(members, counts[stratum])
    return Draw(tuple(sorted(chosen)), {k: (len(by_stratum[k]), counts[k]) for k in sorted(counts)}, n)
