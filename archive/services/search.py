"""Search dossiers (tra cứu hồ sơ): people by default, pages on request, with or without diacritics.

A people search (`search_people`) answers one hit per staff member — found by their record
(name, code, other fields; also people with no document yet) or by any of their pages — with
their best pages beneath; totals and facets count people. A page search (`search_pages`) is
the search as it was: one hit per page. When a people search finds nobody, close names in the
caller's scope are suggested (gợi ý "Có phải bạn muốn tìm: …").

Every search carries the caller's scope and clearance as a required filter, so results, facet
counts and suggestions can never include records outside what the caller may see. Searches
are logged (`search`), an export once (`export`, archive.services.search_export).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import DocumentState
from archive.errors import InvalidInput
from archive.models import Document
from archive.services import audit
from archive.services import record_index  # noqa: F401 — registers the record listeners in this process
from archive.services.access import Action, Actor, require
from archive.services.staff import parse_status
from search import PAGES_PER_PERSON, SORTS, IndexMissing, Matching, PeopleResult, SearchQuery, SearchResult

MAX_LIMIT = 200
# Deepest result reachable by paging (as Elasticsearch's max_result_window): an engine keeps
# offset + limit hits in memory, so an unbounded offset is a way to take the service down.
MAX_OFFSET = 10_000
MAX_FILTER_VALUES = 100
BIRTH_YEARS = range(1900, 2101)
FACETS = ("status", "document_type", "grade", "unit")
PEOPLE_FACETS = ("status", "document_type", "grade", "unit", "category")
GROUPS = ("staff", "page")
MAX_PAGES_PER_PERSON = 20
SUGGESTIONS = 5


@dataclass(frozen=True)
class SearchParams:
    """What a person asks (câu tra cứu): words, filters, grouping and order — never a scope.

    The web form, the API, the CLI and saved searches all build one; the caller's scope is added
    by the service from the Actor, at the time the search runs."""

    q: str = ""
    statuses: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    document_types: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    birth_year_from: int | None = None
    birth_year_to: int | None = None
    group: str = "staff"      # staff: one hit per person; page: one hit per page
    sort: str = "relevance"   # relevance, name, birth_date, status_date

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> "SearchParams":
        known = {f.name for f in fields(cls)}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in (data or {}).items() if k in known}
        return cls(**values)

    def filters(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        if self.statuses:
            out["status"] = tuple(parse_status(s).value for s in self.statuses)
        if self.units:
            out["scope_units"] = tuple(self.units)  # a unit filter means "in that unit's subtree"
        if self.document_types:
            out["document_type"] = tuple(self.document_types)
        if self.grades:
            out["grade"] = tuple(self.grades)
        if self.categories:
            out["category"] = tuple(self.categories)
        return out

    def check(self) -> None:
        """InvalidInput (a Vietnamese sentence) for what no engine should be asked."""
        if len(self.q) > 1000:
            raise InvalidInput("Câu tìm kiếm quá dài (tối đa 1000 ký tự).")
        for year in (self.birth_year_from, self.birth_year_to):
            if year is not None and year not in BIRTH_YEARS:
                raise InvalidInput(f"Năm sinh phải từ {BIRTH_YEARS.start} đến {BIRTH_YEARS.stop - 1}.")
        if self.birth_year_from is not None and self.birth_year_to is not None \
                and self.birth_year_from > self.birth_year_to:
            raise InvalidInput(f"Khoảng năm sinh bị ngược: từ năm {self.birth_year_from} đến năm "
                               f"{self.birth_year_to}. Hãy đổi chỗ hai năm.")
        if any(len(v) > MAX_FILTER_VALUES for v in (self.statuses, self.units, self.document_types, self.grades,
                                                    self.categories)):
            raise InvalidInput(f"Mỗi bộ lọc nhận tối đa {MAX_FILTER_VALUES} giá trị.")
        if self.group not in GROUPS:
            raise InvalidInput("Cách nhóm kết quả (group) phải là staff (theo cán bộ) hoặc page (theo trang).")
        if self.sort not in SORTS:
            raise InvalidInput("Sắp xếp (sort) phải là relevance, name, birth_date hoặc status_date.")
        self.filters()  # an unknown status is refused here, before it is saved or searched


def check_paging(limit: int, offset: int) -> None:
    if not 0 < limit <= MAX_LIMIT:
        raise InvalidInput(f"Số kết quả mỗi trang (limit) phải từ 1 đến {MAX_LIMIT}.")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"Vị trí bắt đầu (offset) phải từ 0 đến {MAX_OFFSET:,}".replace(",", ".")
                           + "; hãy thu hẹp câu tìm kiếm bằng bộ lọc.")


def scoped_query(actor: Actor, params: SearchParams, *, limit: int, offset: int, facets: tuple[str, ...] = (),
                 matching: Matching = Matching.WORDS, sort: str | None = None) -> SearchQuery:
    """The engine query of `params` for `actor`: their scope and clearance always required."""
    return SearchQuery(
        text=params.q, filters=params.filters(), facets=facets, limit=limit, offset=offset,
        scope_units=None if actor.is_system else tuple(sorted(actor.units_for(Action.SEARCH))),
        max_restriction=actor.clearance, birth_year_from=params.birth_year_from,
        birth_year_to=params.birth_year_to, matching=matching, sort=sort or params.sort)


def _audit_search(c: Context, actor: Actor, params: SearchParams, total: int, *, missing_when_empty: bool,
                  **extra: object) -> None:
    with c.uow() as uow:
        if total == 0 and missing_when_empty and _index_lost(c, uow.session):
            raise IndexMissing("the index holds no page while documents are recorded as indexed")
        audit.append(uow.session, actor=actor.name, ip=actor.ip, action="search", target_type="search",
                     details={"q": params.q, "filters": params.filters(), "group": params.group,
                              "sort": params.sort, "total": total, **extra})
        uow.commit()


def search_pages(c: Context, actor: Actor, text: str, *, statuses: list[str] | None = None,
                 units: list[str] | None = None, document_types: list[str] | None = None,
                 grades: list[str] | None = None, birth_year_from: int | None = None,
                 birth_year_to: int | None = None, limit: int = 20, offset: int = 0,
                 facets: tuple[str, ...] = FACETS, sort: str = "relevance", audited: bool = True) -> SearchResult:
    """One hit per page (group=page); totals and facets count pages."""
    params = SearchParams(q=text, statuses=tuple(statuses or ()), units=tuple(units or ()),
                          document_types=tuple(document_types or ()), grades=tuple(grades or ()),
                          birth_year_from=birth_year_from, birth_year_to=birth_year_to, group="page", sort=sort)
    return run_pages(c, actor, params, limit=limit, offset=offset, facets=facets, audited=audited)


def run_pages(c: Context, actor: Actor, params: SearchParams, *, limit: int = 20, offset: int = 0,
              facets: tuple[str, ...] = FACETS, audited: bool = True) -> SearchResult:
    require(actor, Action.SEARCH)
    check_paging(limit, offset)
    params.check()
    result = c.index.search(scoped_query(actor, params, limit=limit, offset=offset, facets=facets))
    if audited:
        _audit_search(c, actor, params, result.total, missing_when_empty=True)
    return result


@dataclass(frozen=True)
class PeopleSearch:
    """People found (PeopleResult), and close names when nobody was (gợi ý)."""

    result: PeopleResult
    suggestions: tuple[str, ...] = field(default=())


def search_people(c: Context, actor: Actor, params: SearchParams, *, limit: int = 20, offset: int = 0,
                  facets: tuple[str, ...] = PEOPLE_FACETS, pages_per_person: int = PAGES_PER_PERSON,
                  audited: bool = True) -> PeopleSearch:
    """One hit per person (group=staff), ranked by their best document; names take typos.

    With no words the people are listed in name order (unless another order is asked)."""
    require(actor, Action.SEARCH)
    check_paging(limit, offset)
    params.check()
    if not 0 <= pages_per_person <= MAX_PAGES_PER_PERSON:
        raise InvalidInput(f"Số trang khớp hiện cho mỗi cán bộ phải từ 0 đến {MAX_PAGES_PER_PERSON}.")
    sort = "name" if params.sort == "relevance" and not params.q.strip() else params.sort
    query = scoped_query(actor, params, limit=limit, offset=offset, facets=facets, matching=Matching.TYPOS, sort=sort)
    result = c.index.search_people(query, pages_per_person=pages_per_person)
    suggestions = suggest_names(c, actor, params.q) if result.total == 0 and params.q.strip() else ()
    if audited:
        _audit_search(c, actor, params, result.total, missing_when_empty=not suggestions,
                      suggestions=len(suggestions))
    return PeopleSearch(result, suggestions)


def suggest_names(c: Context, actor: Actor, text: str, *, limit: int = SUGGESTIONS) -> tuple[str, ...]:
    """Full names close to what was typed (gợi ý), from records in the caller's scope only."""
    require(actor, Action.SEARCH)
    if not text.strip() or len(text) > 1000:
        return ()
    query = scoped_query(actor, SearchParams(q=text), limit=limit * 4, offset=0, matching=Matching.CLOSE_NAMES,
                         sort="relevance")
    names = dict.fromkeys(h.full_name for h in c.index.search_people(query, records_only=True).hits)
    return tuple(names)[:limit]


def _index_lost(c: Context, session: Session) -> bool:
    """An empty index while the records say pages were indexed: it was deleted (and maybe made
    again, empty, on start-up). Asked only when a search finds nothing, so it costs nothing else."""
    indexed = session.scalar(select(Document.id).where(Document.state == DocumentState.INDEXED.value,
                                                        Document.page_count > 0,
                                                        Document.withdrawn_at.is_(None)).limit(1))  # thu hồi: not indexed
    return indexed is not None and c.index.count() == 0
