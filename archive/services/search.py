"""Search dossiers (tra cứu hồ sơ): full text and staff fields, with or without diacritics.

Every search carries the caller's scope and clearance as a required filter, so results and
facet counts can never include records outside what the caller may see. Searches are logged.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import DocumentState
from archive.models import Document
from archive.errors import InvalidInput
from archive.services import audit
from archive.services.access import Action, Actor, require
from archive.services.staff import parse_status
from search import IndexMissing, SearchQuery, SearchResult

MAX_LIMIT = 200
# Deepest result reachable by paging (as Elasticsearch's max_result_window): an engine keeps
# offset + limit hits in memory, so an unbounded offset is a way to take the service down.
MAX_OFFSET = 10_000
MAX_FILTER_VALUES = 100
BIRTH_YEARS = range(1900, 2101)
FACETS = ("status", "document_type", "grade", "unit")


def search_pages(c: Context, actor: Actor, text: str, *, statuses: list[str] | None = None,
                 units: list[str] | None = None, document_types: list[str] | None = None,
                 grades: list[str] | None = None, birth_year_from: int | None = None,
                 birth_year_to: int | None = None, limit: int = 20, offset: int = 0,
                 facets: tuple[str, ...] = FACETS) -> SearchResult:
    require(actor, Action.SEARCH)
    if not 0 < limit <= MAX_LIMIT:
        raise InvalidInput(f"Số kết quả mỗi trang (limit) phải từ 1 đến {MAX_LIMIT}.")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"Vị trí bắt đầu (offset) phải từ 0 đến {MAX_OFFSET:,}".replace(",", ".")
                           + "; hãy thu hẹp câu tìm kiếm bằng bộ lọc.")
    if len(text) > 1000:
        raise InvalidInput("Câu tìm kiếm quá dài (tối đa 1000 ký tự).")
    for year in (birth_year_from, birth_year_to):
        if year is not None and year not in BIRTH_YEARS:
            raise InvalidInput(f"Năm sinh phải từ {BIRTH_YEARS.start} đến {BIRTH_YEARS.stop - 1}.")
    if any(len(values or ()) > MAX_FILTER_VALUES for values in (statuses, units, document_types, grades)):
        raise InvalidInput(f"Mỗi bộ lọc nhận tối đa {MAX_FILTER_VALUES} giá trị.")
    filters: dict[str, tuple[str, ...]] = {}
    if statuses:
        filters["status"] = tuple(parse_status(s).value for s in statuses)
    if units:
        filters["scope_units"] = tuple(units)  # a unit filter means "in that unit's subtree"
    if document_types:
        filters["document_type"] = tuple(document_types)
    if grades:
        filters["grade"] = tuple(grades)
    query = SearchQuery(
        text=text, filters=filters, facets=facets, limit=limit, offset=offset,
        scope_units=None if actor.is_system else tuple(sorted(actor.units_for(Action.SEARCH))),
        max_restriction=actor.clearance, birth_year_from=birth_year_from, birth_year_to=birth_year_to,
    )
    result = c.index.search(query)
    with c.uow() as uow:
        if result.total == 0 and _index_lost(c, uow.session):
            raise IndexMissing("the index holds no page while documents are recorded as indexed")
        audit.append(uow.session, actor=actor.name, ip=actor.ip, action="search", target_type="search",
                     details={"q": text, "filters": filters, "total": result.total})
        uow.commit()
    return result


def _index_lost(c: Context, session: Session) -> bool:
    """An empty index while the records say pages were indexed: it was deleted (and maybe made
    again, empty, on start-up). Asked only when a search finds nothing, so it costs nothing else."""
    indexed = session.scalar(select(Document.id).where(Document.state == DocumentState.INDEXED.value,
                                                        Document.page_count > 0).limit(1))
    return indexed is not None and c.index.count() == 0
