"""Exports of a search (xuất danh sách): one row per person — or per page with group=page.

A person's row takes the record's fields from the database (the truth: birth date, unit, ngạch
with its name, status and its date, how many documents the dossier holds), for the people the
index found in the caller's scope; a record that meanwhile left that scope (a transfer not yet
re-indexed) is left out. An export is ONE audit entry, `export`, with the query, filters and
row count — not a `search` entry per batch the engine was asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from archive.context import Context
from archive.models import CatalogEntry, Document, Staff, Unit
from archive.services import audit
from archive.services.access import Action, Actor, require, scope_codes
from archive.services.search import MAX_LIMIT, SearchParams, run_pages, search_people
from search import SearchHit

_CHUNK = 500  # codes per IN (…)


@dataclass(frozen=True)
class PersonRow:
    """One person of an export (một dòng cán bộ)."""

    staff_code: str
    full_name: str
    birth_date: date | None
    unit_code: str
    unit_name: str
    grade_code: str
    grade_name: str
    status: str
    status_date: date | None
    document_count: int
    match_count: int  # pages matching the search


def _visible(session, actor: Actor, codes: list[str]) -> dict[str, PersonRow]:  # noqa: ANN001
    """Today's record of each code the actor may still see (scope and clearance re-checked)."""
    allowed = actor.units_for(Action.SEARCH)
    grade_names = dict(session.execute(select(CatalogEntry.code, CatalogEntry.name)
                                       .where(CatalogEntry.catalog == "ngach")).all())
    scopes: dict[int, set[str]] = {}
    out: dict[str, PersonRow] = {}
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start:start + _CHUNK]
        counts = dict(session.execute(select(Staff.code, func.count(Document.id)).join(Document, Document.staff_id == Staff.id)
                                      .where(Staff.code.in_(chunk)).group_by(Staff.code)).all())
        for staff, unit in session.execute(select(Staff, Unit).join(Unit, Staff.unit_id == Unit.id)
                                           .where(Staff.code.in_(chunk))):
            if not actor.is_system:
                if unit.id not in scopes:
                    scopes[unit.id] = set(scope_codes(session, unit))
                if not scopes[unit.id] & allowed or staff.restriction_level > actor.clearance:
                    continue
            out[staff.code] = PersonRow(
                staff_code=staff.code, full_name=staff.full_name, birth_date=staff.birth_date, unit_code=unit.code,
                unit_name=unit.name, grade_code=staff.grade_code, grade_name=grade_names.get(staff.grade_code, ""),
                status=staff.status, status_date=staff.status_effective_date,
                document_count=int(counts.get(staff.code, 0)), match_count=0)
    return out


def _audit_export(c: Context, actor: Actor, params: SearchParams, rows: int, fmt: str) -> None:
    with c.uow() as uow:
        audit.append(uow.session, actor=actor.name, ip=actor.ip, action="export", target_type="search",
                     details={"q": params.q, "filters": params.filters(), "group": params.group,
                              "sort": params.sort, "rows": rows, "format": fmt})
        uow.commit()


def export_people(c: Context, actor: Actor, params: SearchParams, *, max_rows: int, fmt: str = "") -> list[PersonRow]:
    """Every person the search finds, in its order, up to `max_rows`; audited once."""
    require(actor, Action.SEARCH)
    found: list[tuple[str, int]] = []
    while len(found) < max_rows:
        batch = search_people(c, actor, params, limit=min(MAX_LIMIT, max_rows - len(found)), offset=len(found),
                              facets=(), pages_per_person=0, audited=False).result
        found += [(h.staff_code, h.match_count) for h in batch.hits]
        if not batch.hits or len(found) >= batch.total:
            break
    with c.uow() as uow:
        today = _visible(uow.session, actor, [code for code, _ in found])
    rows = [PersonRow(**{**row.__dict__, "match_count": n}) for code, n in found if (row := today.get(code))]
    _audit_export(c, actor, params, len(rows), fmt)
    return rows


def export_pages(c: Context, actor: Actor, params: SearchParams, *, max_rows: int, fmt: str = "") -> list[SearchHit]:
    """Every page hit of the search (group=page), up to `max_rows`; audited once."""
    require(actor, Action.SEARCH)
    hits: list[SearchHit] = []
    while len(hits) < max_rows:
        batch = run_pages(c, actor, params, limit=min(MAX_LIMIT, max_rows - len(hits)), offset=len(hits), facets=(),
                          audited=False)
        hits += batch.hits
        if not batch.hits or len(hits) >= batch.total:
            break
    _audit_export(c, actor, params, len(hits), fmt)
    return hits
