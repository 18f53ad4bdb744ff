"""Danh sách cán bộ: browse staff records in scope, and autocomplete staff by name or code.

Both read the staff records of the search index (one document per person, with or without
documents), so they share its one rule of scope and clearance — a required filter on every
query — and its Vietnamese name order (search.collation: by tên, then họ and tên đệm). A
record created or changed a moment ago shows once the index consumer has taken it (seconds).

A list is audited (`staff.list`); autocomplete, asked on every keystroke, at most once a
minute per person (`staff.autocomplete`), never once per keystroke.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from archive.context import Context
from archive.errors import InvalidInput
from archive.models import AuditEntry, utcnow
from archive.services import audit
from archive.services.access import Action, Actor, require
from archive.services.record_index import CATEGORIES
from archive.services.search import SearchParams, check_paging, scoped_query
from search import Matching, PeopleResult, PersonHit

LIST_FACETS = ("status", "grade", "unit", "category")
LIST_SORTS = ("name", "birth_date", "status_date")
AUTOCOMPLETE_LIMIT = 10
AUTOCOMPLETE_AUDIT_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class StaffListParams:
    """What the staff list is narrowed by: a unit's subtree, statuses, ngạch, loại cán bộ, birth years."""

    unit: str = ""
    statuses: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    birth_year_from: int | None = None
    birth_year_to: int | None = None
    q: str = ""  # words of the name, code or record (optional)
    sort: str = "name"

    def search_params(self) -> SearchParams:
        return SearchParams(q=self.q, statuses=self.statuses, units=(self.unit,) if self.unit else (),
                            grades=self.grades, categories=self.categories, birth_year_from=self.birth_year_from,
                            birth_year_to=self.birth_year_to, sort=self.sort)


def list_staff(c: Context, actor: Actor, params: StaffListParams, *, limit: int = 50, offset: int = 0,
               facets: tuple[str, ...] = LIST_FACETS) -> PeopleResult:
    """Records in the actor's scope matching `params`, in the order asked; counts are people."""
    require(actor, Action.SEARCH)
    check_paging(limit, offset)
    if params.sort not in LIST_SORTS:
        raise InvalidInput("Sắp xếp danh sách theo name (tên), birth_date (ngày sinh) hoặc status_date "
                           "(ngày thay đổi trạng thái).")
    unknown = [v for v in params.categories if v not in CATEGORIES]
    if unknown:
        raise InvalidInput(f"Loại cán bộ không hợp lệ: {unknown[0]!r}. Chọn một trong: {', '.join(CATEGORIES)}.")
    search = params.search_params()
    search.check()
    query = scoped_query(actor, search, limit=limit, offset=offset, facets=facets, matching=Matching.TYPOS)
    result = c.index.search_people(query, records_only=True)
    with c.uow() as uow:
        audit.append(uow.session, actor=actor.name, ip=actor.ip, action="staff.list", target_type="search",
                     details={"q": params.q, "filters": search.filters(), "sort": params.sort, "total": result.total})
        uow.commit()
    return result


def complete_staff(c: Context, actor: Actor, text: str, *, limit: int = AUTOCOMPLETE_LIMIT) -> list[PersonHit]:
    """Staff whose name words begin with what was typed (the last word may be cut short), or
    whose code begins with it, in the actor's scope, in name order."""
    require(actor, Action.SEARCH)
    text = (text or "").strip()
    if not text:
        return []
    if len(text) > 200 or not 0 < limit <= 50:
        raise InvalidInput("Gợi ý cán bộ: tối đa 200 ký tự và 50 kết quả.")
    query = scoped_query(actor, SearchParams(q=text), limit=limit, offset=0, matching=Matching.PREFIX, sort="name")
    hits = c.index.search_people(query, records_only=True).hits
    _audit_autocomplete(c, actor, text, len(hits))
    return hits


def _audit_autocomplete(c: Context, actor: Actor, text: str, found: int) -> None:
    """One entry per person per minute: enough to show who looked names up, and when."""
    since = utcnow() - AUTOCOMPLETE_AUDIT_EVERY
    with c.uow() as uow:
        s = uow.session
        recent = s.scalar(select(AuditEntry.id).where(AuditEntry.actor == actor.name,
                                                      AuditEntry.action == "staff.autocomplete",
                                                      AuditEntry.at >= since).limit(1))
        if recent is None:
            audit.append(s, actor=actor.name, ip=actor.ip, action="staff.autocomplete", target_type="search",
                         details={"q": text, "found": found})
            uow.commit()
