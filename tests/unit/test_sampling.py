"""The sample of a sampling audit: reproducible for a seed, stratified by unit, every stratum drawn, n or %."""

from __future__ import annotations

import pytest

from archive.errors import InvalidInput
from archive.services.sampling import allocate, draw

POPULATION = [(f"A{n:03d}", "A") for n in range(60)] + [(f"B{n:03d}", "B") for n in range(30)] + \
             [(f"C{n:03d}", "C") for n in range(9)] + [("D000", "D")]


def test_the_same_seed_and_population_give_the_same_sample_in_any_order() -> None:
    one = draw(POPULATION, seed="2026-12-01", size=10)
    two = draw(list(reversed(POPULATION)), seed="2026-12-01", size=10)
    assert one.codes == two.codes and len(one.codes) == 10
    assert draw(POPULATION, seed="khác", size=10).codes != one.codes


def test_allocation_is_proportional_with_at_least_one_per_stratum() -> None:
    d = draw(POPULATION, seed=7, size=10)
    assert d.allocation == {"A": (60, 5), "B": (30, 3), "C": (9, 1), "D": (1, 1)}
    assert all(n >= 1 for _, n in d.allocation.values())
    for stratum, (_, n) in d.allocation.items():
        assert sum(1 for code in d.codes if code.startswith(stratum)) == n


def test_every_non_empty_stratum_is_drawn_even_when_n_is_small() -> None:
    d = draw(POPULATION, seed=1, size=2)
    assert {code[0] for code in d.codes} == {"A", "B", "C", "D"}


def test_percent_rounds_up_and_never_exceeds_the_population() -> None:
    assert draw(POPULATION, seed=1, percent=10).requested == 10
    assert draw(POPULATION, seed=1, percent=1).requested == 1
    whole = draw(POPULATION, seed=1, percent=100)
    assert sorted(whole.codes) == sorted(c for c, _ in POPULATION)
    assert len(draw(POPULATION, seed=1, size=1000).codes) == 100


def test_allocate_distributes_the_remainder_by_largest_fraction() -> None:
    assert allocate({"A": 45, "B": 37, "C": 18}, 10) == {"A": 4, "B": 4, "C": 2}  # 4.5, 3.7, 1.8
    assert sum(allocate({"A": 50, "B": 50}, 7).values()) == 7


@pytest.mark.parametrize("kwargs", [{}, {"size": 0}, {"percent": 0}, {"percent": 150}, {"size": 3, "percent": 5}])
def test_a_bad_size_is_refused_in_vietnamese(kwargs) -> None:
    with pytest.raises(InvalidInput):
        draw(POPULATION, seed=1, **kwargs)


def test_an_empty_population_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Không có hồ sơ"):
        draw([], seed=1, size=1)
