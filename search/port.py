"""The search-index port: pages and staff records in, ranked hits with snippets out.

The index holds two kinds of document side by side: a page of a dossier (PageDoc) and the
staff record itself (StaffDoc, one per person, also for people with no document yet). A page
search (`search`) sees pages only; a people search (`search_people`) sees both and answers
one hit per person, with the person's best matching pages beneath.

Every adapter indexes two forms of each text field — the NFC text with diacritics (exact)
and its folded form (search.vietnamese.fold) — and queries both, so that a query typed with
the right marks ranks those pages first while an unaccented query still finds them. What a
query asks of an engine is planned once (search.plan); each adapter only translates the plan.
Snippets are cut by search.highlight from the stored text, so every engine shows the same
thing; they leave this package as plain text plus highlight spans, and each door (web, API,
CLI, export) renders them its own way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from types import TracebackType
from typing import Callable, Protocol, Sequence, runtime_checkable

# Fields an adapter can filter on and count (facets); values are stored as-is (raw NFC
# keywords). scope_units is multi-valued: a filter value matches a page holding it among
# its values, and a facet counts a page once under each of its units.
FILTER_FIELDS = ("status", "unit", "document_type", "staff_code", "grade", "scope_units", "category")
# Filters a person has on every document of theirs (record and pages alike); document_type is
# a page's own. A people search filtered on these alone, with no words, is a list of records.
PERSON_FIELDS = ("status", "unit", "staff_code", "grade", "scope_units", "category")
SORTS = ("relevance", "name", "birth_date", "status_date")



# "The best few pages" of a person hit (issue 21): two, measured against three in bench/RESULTS.md
# (three missed people ≤ 1.5× page search; a person's hit still shows their best pages, best first).
PAGES_PER_PERSON = 2

class Matching(str, Enum):
    """How the words of a query match (cách so khớp)."""

    WORDS = "words"          # every word or phrase, folded (the default)
    TYPOS = "typos"          # … or, for a word of 4+ letters, a name on a record 1–2 edits away
    CLOSE_NAMES = "close"    # records whose names hold any of the words within 2 edits (gợi ý)
    PREFIX = "prefix"        # records by name words, the last one a prefix, or by code prefix


class Restriction(IntEnum):
    """Access-restriction level of a record (độ hạn chế tiếp cận); higher is stricter."""

    NORMAL = 0      # thường
    RESTRICTED = 1  # hạn chế
    SECRET = 2      # mật


class SearchError(Exception):
    """The search engine failed or rejected a request."""


class IndexMissing(SearchError):
    """The index is gone (its directory or Elasticsearch index deleted), or empty while the
    records say pages were indexed; rebuild it (`archive reindex`)."""


class IndexSchemaOutdated(SearchError):
    """The index was built with another schema/mapping version; rebuild it (`archive reindex`).

    Raised by searches and writes on the live index; SearchIndex.rebuild() never raises it (it
    does not open the outdated index), which is how the index gets fixed.
    """


@dataclass(frozen=True)
class PageDoc:
    """One indexed page of one document (trang tài liệu) with its staff member's fields."""

    document_id: int
    page: int
    text: str
    staff_code: str
    staff_name: str
    status: str
    unit: str = ""
    document_type: str = ""
    birth_date: str = ""  # ISO date or ""
    # Codes of every unit whose subtree holds the managing unit (đơn vị quản lý): the unit
    # itself, all its ancestors and any unit it is delegated to. Access scope matches on these.
    scope_units: tuple[str, ...] = ()
    restriction: int = Restriction.NORMAL  # độ hạn chế tiếp cận, see Restriction
    grade: str = ""  # mã ngạch, e.g. "01.003"
    birth_year: int | None = None  # năm sinh; None when unknown
    category: str = ""  # loại cán bộ: cong_chuc, vien_chuc … (as on the record)
    status_date: str = ""  # ISO date the person's status took effect (sorting people by it)
    # The start of the next page of the same document (its first BRIDGE_WORDS words, page_start),
    # "" for the last page: a quoted phrase running over the page break finds this page (the one
    # where it starts) through the engines' bridge field (search.page_bridge); never shown.
    next_text: str = ""

    def __post_init__(self) -> None:
        _check_scope(self.restriction, self.scope_units)

    @property
    def id(self) -> str:
        return f"{self.document_id}:{self.page}"


# Words each side of a page break a phrase may run over (search.page_bridge): a phrase is found
# across the break when at most BRIDGE_WORDS of its words lie on each side.
BRIDGE_WORDS = 12
_WORD = re.compile(r"[^\W_]+")  # a word as search.vietnamese cuts it (runs of letters/digits)


def page_start(text: str, words: int = BRIDGE_WORDS) -> str:
    """The first `words` words of a page's text as written (PageDoc.next_text of the page before)."""
    end = 0
    for n, m in enumerate(_WORD.finditer(text or ""), 1):
        end = m.end()
        if n == words:
            break
    return (text or "")[:end]


def _check_scope(restriction: int, scope_units: object) -> None:
    if restriction not in tuple(Restriction):
        raise ValueError(f"restriction must be one of {[int(r) for r in Restriction]}, not {restriction!r}")
    if isinstance(scope_units, str):  # ("HCM") is a str, not a 1-tuple
        raise TypeError("scope_units must be a sequence of unit codes, not one string")


@dataclass(frozen=True)
class StaffDoc:
    """One staff record (hồ sơ cán bộ) as the index holds it, beside its pages.

    Found by itself — a retired or deceased person whose dossier has no scanned page yet —
    and scoped exactly like the person's pages. `text` holds the record's other searchable
    fields as NFC lines (birthplace, hometown, unit path, status with its date and decision,
    ngạch, position, decision numbers), searched like a page's text; it is never shown as a
    snippet. Replaced by staff code.
    """

    staff_code: str
    full_name: str
    status: str
    other_names: tuple[str, ...] = ()  # tên gọi khác
    unit: str = ""  # the managing unit's code
    text: str = ""
    birth_date: str = ""  # ISO date or ""
    birth_year: int | None = None
    status_date: str = ""  # ISO date the status took effect, or ""
    grade: str = ""
    category: str = ""
    scope_units: tuple[str, ...] = ()
    restriction: int = Restriction.NORMAL

    def __post_init__(self) -> None:
        _check_scope(self.restriction, self.scope_units)
        if isinstance(self.other_names, str):
            raise TypeError("other_names must be a sequence of names, not one string")

    @property
    def id(self) -> str:
        return f"staff:{self.staff_code}"


IndexDoc = PageDoc | StaffDoc


@dataclass(frozen=True)
class SearchQuery:
    """What to look for; totals and facet counts honour every filter below, hits alike."""

    text: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field → any of values
    facets: tuple[str, ...] = ()
    limit: int = 20
    offset: int = 0
    # The caller's access scope (phạm vi quản lý): only pages whose scope_units share a code
    # with it. Kept apart from `filters`, which are what a user chose to narrow by, so that a
    # caller building filters from a form cannot drop it by accident. None means unscoped
    # (system jobs only); an empty tuple means the caller sees nothing — never "no filter".
    scope_units: tuple[str, ...] | None = None
    max_restriction: int | None = None  # only pages with restriction <= this
    # Inclusive birth-year range (năm sinh); with either bound set, pages whose birth_year
    # is unknown are left out.
    birth_year_from: int | None = None
    birth_year_to: int | None = None
    matching: Matching = Matching.WORDS
    # relevance; or name (Vietnamese order, by tên), birth_date (oldest first), status_date
    # (newest first) — unknown values last. Sorted page hits carry score 0.
    sort: str = "relevance"

    def __post_init__(self) -> None:
        if isinstance(self.scope_units, str):  # ("Q1") is a str: refuse rather than match "Q", "1"
            raise TypeError("scope_units must be a tuple of unit codes, not one string")


@dataclass(frozen=True)
class Snippet:
    """An excerpt (trích đoạn) of a page's text and where the query's words are in it.

    `text` is plain NFC text, never HTML and never escaped: "…" marks where the page was cut and
    runs of whitespace are one space. `spans` are (start, end) offsets into `text` in characters
    (Python str indices, i.e. code points — not bytes, not UTF-16 units), end exclusive,
    ascending and non-overlapping; each covers one matched word as written on the page.
    Doors render it: web and API escape the text and wrap spans in <mark>, the CLI in [ ],
    exports keep `text`.
    """

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        end = 0
        for start, stop in self.spans:
            if not end <= start < stop <= len(self.text):
                raise ValueError(f"spans must be ascending, non-empty, disjoint and within the text: {self.spans!r}")
            end = stop

    @property
    def matches(self) -> tuple[str, ...]:
        """The highlighted words, as written."""
        return tuple(self.text[s:e] for s, e in self.spans)

    def marked(self, open_: str, close: str, escape: Callable[[str], str] = str) -> str:
        """The text with each span between `open_` and `close`; `escape` is applied to the text
        pieces only (a door passes html.escape, so the marks it adds are its own markup)."""
        out, pos = [], 0
        for start, end in self.spans:
            out += [escape(self.text[pos:start]), open_, escape(self.text[start:end]), close]
            pos = end
        out.append(escape(self.text[pos:]))
        return "".join(out)


@dataclass(frozen=True)
class SearchHit:
    document_id: int
    page: int
    score: float
    staff_code: str
    staff_name: str
    status: str
    unit: str
    document_type: str
    snippet: Snippet  # plain text + highlight spans; each door renders it


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PageMatch:
    """One of a person's matching pages (trang khớp), with its snippet."""

    document_id: int
    page: int
    score: float
    document_type: str
    snippet: Snippet


@dataclass(frozen=True)
class PersonHit:
    """One person (một cán bộ) among the results, whatever number of their documents matched."""

    staff_code: str
    full_name: str
    status: str
    unit: str
    birth_date: str
    grade: str
    category: str
    status_date: str
    score: float  # the best score among the person's matching documents (0 when sorted)
    match_count: int  # how many of their pages match
    record_matched: bool  # the staff record itself matched (name, code, other fields)
    matched: tuple[PageMatch, ...] = ()  # the best few pages, best first


@dataclass(frozen=True)
class PeopleResult:
    """People matching a query; `total` and facet counts count people, not pages.

    People are counted exactly while at most plan.EXACT_PEOPLE_DOCS documents match; beyond
    that the engine estimates (HyperLogLog, within about 2 %) and `exact` is False.
    """

    total: int
    hits: list[PersonHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    exact: bool = True


class IndexRebuild(Protocol):
    """A new index being filled beside the live one (lập lại chỉ mục), from SearchIndex.rebuild().

    Until commit() nothing written here is searchable and the live index keeps answering
    searches and taking upserts and deletes. Pages written to the live index meanwhile are
    not carried over: after commit the caller re-sends what changed since the rebuild began.
    Also a context manager: commit on normal exit, abort on an exception. Adapters subclass
    this Protocol explicitly to inherit `__enter__`/`__exit__`.
    """

    def upsert(self, docs: Sequence[PageDoc | StaffDoc]) -> None:
        """Add or replace pages and records (by id) in the new index; not searchable yet."""
        ...

    def commit(self) -> None:
        """Atomically make the new index the live one (for every process), then drop the old."""
        ...

    def abort(self) -> None:
        """Drop the new index; the live one is untouched. A no-op once committed or aborted."""
        ...

    def __enter__(self) -> "IndexRebuild":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


@runtime_checkable
class SearchIndex(Protocol):
    """Port for the full-text index of dossier pages and staff records."""

    def upsert(self, docs: Sequence[PageDoc | StaffDoc]) -> None:
        """Add or replace pages (by PageDoc.id) and staff records (by StaffDoc.id, the staff
        code) and make them searchable before returning."""
        ...

    def delete_documents(self, document_ids: Sequence[int]) -> None:
        """Remove every page of these documents."""
        ...

    def search(self, query: SearchQuery) -> SearchResult:
        """Page hits (staff records are never among them); totals and facets count pages."""
        ...

    def search_people(self, query: SearchQuery, *, pages_per_person: int = PAGES_PER_PERSON,
                      records_only: bool = False) -> PeopleResult:
        """One hit per person, over records and pages; totals and facets count people.

        A person is a hit when their record or any of their pages matches; ranked by their best
        document. `records_only` asks the records alone (the staff list, suggestions,
        autocomplete): every hit then has match_count 0 and no pages.
        """
        ...

    def count(self) -> int:
        """Number of indexed pages (records not counted)."""
        ...

    def rebuild(self) -> IndexRebuild:
        """Start filling a new index beside the live one. Works whatever the live index's
        schema version: this is how IndexSchemaOutdated is fixed."""
        ...

    def clear(self) -> None:
        """Drop every page and record: the live index becomes a new, empty one (an empty rebuild)."""
        ...

    def close(self) -> None: ...
