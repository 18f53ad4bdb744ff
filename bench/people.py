"""Staff records for the search benchmarks: the corpus' pages regrouped into N people, one record each.

The page corpus (bench.corpus.pages) writes a new person every few pages (~4.3 pages each).
Issue 21 asks for 10k people at 100k pages and 100k at 1M — ten pages a person — so each
page is handed to one of N people (by a hash of its corpus staff code, so a corpus person's
documents stay together) and takes that person's identity: code, name, status, unit, scope,
birth date, ngạch (the page text keeps its words, and with them the term statistics). Every
person gets a StaffDoc as archive.services.record_index builds them: names, code, and the
record's other fields as text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from bench.corpus.pages import SyntheticPage
from bench.corpus.staff import STATUS_LABELS

PAGES_PER_PERSON = 10


def _slot(code: str, people: int) -> int:
    return int.from_bytes(hashlib.blake2b(code.encode(), digest_size=8).digest(), "big") % people


class People:
    """N people, each taking the identity of the first corpus person that falls to them."""

    def __init__(self, people: int) -> None:
        self.people = max(1, people)
        self._identity: dict[int, SyntheticPage] = {}

    def regroup(self, pages: Iterable[SyntheticPage]) -> Iterator[SyntheticPage]:
        for p in pages:
            slot = _slot(p.staff_code, self.people)
            who = self._identity.setdefault(slot, p._replace(staff_code=f"NV{slot:06d}"))
            yield p._replace(staff_code=who.staff_code, staff_name=who.staff_name, status=who.status,
                             unit=who.unit, birth_date=who.birth_date, scope_units=who.scope_units, grade=who.grade)

    def records(self) -> list:
        """One StaffDoc per person seen, in code order."""
        from search import StaffDoc

        out = []
        for _, who in sorted(self._identity.items()):
            born = who.birth_date
            text = "\n".join([f"Ngày sinh: {born[8:10]}/{born[5:7]}/{born[:4]}." if born else "",
                              f"Đơn vị: {who.unit}.", f"Trạng thái: {STATUS_LABELS.get(who.status, who.status)}.",
                              f"Ngạch: {who.grade}."])
            out.append(StaffDoc(staff_code=who.staff_code, full_name=who.staff_name, status=who.status,
                                unit=who.unit, text=text, birth_date=born, birth_year=int(born[:4]) if born else None,
                                grade=who.grade, category="cong_chuc", scope_units=who.scope_units))
        return out
