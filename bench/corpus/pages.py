"""Page texts in bulk for index and search benchmarks — no rendering, ~50k pages/s.

Fully generating a dossier costs ~0.2 ms per document, too slow for a million pages. So a
pool of real synthetic dossiers is generated once, and page ``i`` reuses pool document
``i mod pool`` with a fresh staff member (new name and code) written over the original —
term statistics, lengths and status/unit/type distributions stay those of the corpus.

Every page carries its access scope as the app indexes it (``scope_units``: the province
root's app code, ``ROOT_UNIT_CODE``, then the codes of the unit's ancestors and the unit
itself), because every search through the service filters on the caller's scope.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import NamedTuple

from bench.corpus.documents import SyntheticDocument
from bench.corpus.generate import build_corpus
from bench.corpus.names import random_name
from bench.corpus.staff import Staff

LINES_PER_PAGE = 40  # logical lines per page before wrapping; a Mẫu 2C CV takes one or two
# The app's root unit (archive.settings.Settings.root_unit_code); the corpus tree's own
# root, "1", is that same province, so it is replaced by this code.
ROOT_UNIT_CODE = "TINH"


class SyntheticPage(NamedTuple):
    """One page to index, with the fields the search port filters and facets on."""

    document_id: int
    page: int
    text: str
    staff_code: str
    staff_name: str
    status: str
    unit: str
    document_type: str
    birth_date: str
    scope_units: tuple[str, ...]  # unit codes, root first (đơn vị quản lý and its ancestors)
    grade: str  # mã ngạch, e.g. "01.003"


def _split(document: SyntheticDocument) -> list[str]:
    lines = [line.text for line in document.lines]
    return ["\n".join(lines[i : i + LINES_PER_PAGE]) for i in range(0, len(lines), LINES_PER_PAGE)]


def scope_units(person: Staff) -> tuple[str, ...]:
    """The codes an access scope matches a page by: root, ancestors, the staff member's unit."""
    return (ROOT_UNIT_CODE, *person.unit.parent_codes[1:], person.unit.code)


def iter_pages(seed: int, count: int, *, pool_staff: int = 3000) -> Iterator[SyntheticPage]:
    """``count`` pages, deterministic from ``seed``; document ids start at 1."""
    corpus = build_corpus(seed, pool_staff)
    staff_by_code: dict[str, Staff] = {s.code: s for s in corpus.staff}
    pool = [(doc, staff_by_code[doc.staff_code], _split(doc)) for doc in corpus.documents]
    scopes = {s.code: scope_units(s) for s in corpus.staff}
    rng = random.Random(f"{seed}:pages")
    produced = 0
    document_id = 0
    for round_ in range(count):  # rounds over the pool; ends by return
        # a new person per (round, pool staff member), the same across their documents
        names = {s.code: random_name(rng, s.name.gender).full for s in corpus.staff} if round_ else {}
        for doc, person, pages in pool:
            document_id += 1
            name = names.get(person.code, person.name.full)
            code = f"CB{round_:03d}{person.code[2:]}" if round_ else person.code
            for number, text in enumerate(pages, 1):
                if round_:
                    text = text.replace(person.name.full, name).replace(person.name.full.upper(), name.upper())
                yield SyntheticPage(document_id, number, text, code, name, person.status,
                                    person.unit_name, doc.document_type, person.birth_date.isoformat(),
                                    scopes[person.code], person.rank.code)
                produced += 1
                if produced >= count:
                    return
        rng.shuffle(pool)  # vary document order between rounds
