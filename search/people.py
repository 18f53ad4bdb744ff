"""Assembling people from documents, the same for every adapter (one hit per person).

An adapter finds, for the people of one results page, their fields (from their record, or
from any page of theirs: both carry them), how many of their pages match, whether their
record matched, and their best pages; these helpers turn that into PersonHits and count
people in facets, so that every engine answers with the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Hashable, TypeVar

from search.highlight import excerpt
from search.port import PageMatch, PersonHit

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

# A person has one status, so with status faceted the people under each status add up to the
# total: adapters then count people per facet value only, not once more in total.
TOTAL_FACET = "status"


def total_from_facets(facets: Mapping[str, Mapping[str, int]]) -> int | None:
    """People in total from the status facet's people counts; None when status is not faceted."""
    return sum(facets[TOTAL_FACET].values()) if TOTAL_FACET in facets else None


# What a person hit shows of the person (adapters read these from the record or any page).
HIT_FIELDS = ("staff_code", "full_name", "status", "unit", "birth_date", "grade", "category", "status_date")


@dataclass
class Seen:
    """A document among the top hits: its engine address, score and whether it is the record."""

    address: Any
    score: float
    is_record: bool


@dataclass
class Person:
    """What an adapter gathered about one person on the results page."""

    key: Hashable
    seen: list[Seen] = field(default_factory=list)
    match_count: int = 0
    record_matched: bool = False

    @property
    def score(self) -> float:
        return self.seen[0].score if self.seen else 0.0

    @property
    def representative(self) -> Seen:
        """The record if it is among the hits (its fields are the freshest), else the best page."""
        return next((s for s in self.seen if s.is_record), self.seen[0])

    def best_pages(self, n: int) -> list[Seen]:
        return [s for s in self.seen if not s.is_record][:n]


def group_in_order(keyed: Iterable[tuple[K, T]]) -> dict[K, list[T]]:
    """Items grouped by key, groups in the order their first item came (best first)."""
    out: dict[K, list[T]] = {}
    for key, item in keyed:
        out.setdefault(key, []).append(item)
    return out


def page_match(document_id: int, page: int, score: float, document_type: str, text: str,
               terms: frozenset[str]) -> PageMatch:
    return PageMatch(document_id=int(document_id), page=int(page), score=float(score), document_type=document_type,
                     snippet=excerpt(text, terms))


def person_hit(fields: Mapping[str, str], *, score: float, match_count: int, record_matched: bool,
               matched: Iterable[PageMatch]) -> PersonHit:
    return PersonHit(**{f: fields.get(f, "") or "" for f in HIT_FIELDS}, score=float(score),
                     match_count=int(match_count), record_matched=bool(record_matched), matched=tuple(matched))
