"""Tra cứu: one search box, filters with facet counts, results with snippets, exports.

The whole query lives in the URL (a GET form), so a search can be shared, bookmarked and
reached again with Back. Scope, clearance and the audit entry come from services.search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from archive.bootstrap import Container
from archive.domain import StaffStatus
from archive.errors import InvalidInput
from archive.services import catalogs, search, units
from archive.services.access import Actor
from archive.web import export
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.forms import page_number, parse_int
from archive.web.i18n import Translator
from archive.web.rendering import finish, render, translator, url_with
from archive.web.snippets import snippet_plain
from search import SearchHit, SearchResult

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])

# URL parameter names (Vietnamese, like the paths)
P_QUERY, P_UNIT, P_STATUS, P_GRADE, P_TYPE = "q", "don_vi", "trang_thai", "ngach", "loai"
P_BORN_FROM, P_BORN_TO, P_PAGE = "nam_sinh_tu", "nam_sinh_den", "trang"


@dataclass
class SearchForm:
    q: str = ""
    unit: str = ""
    statuses: list[str] = field(default_factory=list)
    grade: str = ""
    doc_type: str = ""
    born_from_raw: str = ""
    born_to_raw: str = ""
    page: int = 1

    @classmethod
    def from_request(cls, request: Request) -> "SearchForm":
        qp = request.query_params
        return cls(q=qp.get(P_QUERY, "").strip(), unit=qp.get(P_UNIT, ""),
                   statuses=[s for s in qp.getlist(P_STATUS) if s], grade=qp.get(P_GRADE, ""),
                   doc_type=qp.get(P_TYPE, ""), born_from_raw=qp.get(P_BORN_FROM, "").strip(),
                   born_to_raw=qp.get(P_BORN_TO, "").strip(), page=page_number(qp.get(P_PAGE)))

    @property
    def submitted(self) -> bool:
        return any((self.q, self.unit, self.statuses, self.grade, self.doc_type, self.born_from_raw,
                    self.born_to_raw))

    def run(self, c: Container, actor: Actor, t: Translator, *, limit: int, offset: int,
            facets: tuple[str, ...] = search.FACETS) -> SearchResult:
        return search.search_pages(
            c, actor, self.q, statuses=self.statuses or None, units=[self.unit] if self.unit else None,
            document_types=[self.doc_type] if self.doc_type else None, grades=[self.grade] if self.grade else None,
            birth_year_from=parse_int(t, self.born_from_raw), birth_year_to=parse_int(t, self.born_to_raw),
            limit=limit, offset=offset, facets=facets)


def _names(c: Container, catalog: str) -> dict[str, str]:
    return {e.code: e.name for e in catalogs.list_catalog(c, catalog, include_inactive=True)}


def _page_url(hit: SearchHit, q: str) -> str:
    url = f"/ho-so/{quote(hit.staff_code, safe='')}/tai-lieu/{hit.document_id}?trang={hit.page}"
    return url + (f"&q={quote(q)}#m1" if q else "")


def _facet_options(names: dict[str, str], counts: dict[str, int] | None, selected: str) -> list[dict]:
    """Values the current results contain (with counts), plus the selected one; catalog order."""
    codes = [code for code in names if (counts and code in counts) or code == selected]
    codes += [code for code in (counts or {}) if code and code not in names]  # a code no longer in the catalog
    return [{"code": code, "label": names.get(code, code), "selected": code == selected,
             "count": (counts or {}).get(code, 0) if counts is not None else None} for code in codes]


def _unit_options(unit_views: list, counts: dict[str, int] | None) -> list[dict]:
    """Units in the caller's scope with subtree counts: a unit filter means "this unit and below"."""
    subtree: dict[str, int] = {}
    for v in unit_views:
        for code in v.path:
            subtree[code] = subtree.get(code, 0) + (counts or {}).get(v.code, 0)
    return [{"code": v.code, "name": v.name, "depth": len(v.path),
             "count": subtree.get(v.code, 0) if counts is not None else None} for v in unit_views]


def _pager(request: Request, page: int, total: int, size: int) -> dict:
    last = max(1, math.ceil(total / size))
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    pages, prev = [], 0
    for n in shown:
        if n - prev > 1:
            pages.append({"gap": True})
        pages.append({"n": n, "url": url_with(request, **{P_PAGE: n}), "current": n == page})
        prev = n
    return {"pages": pages, "prev": url_with(request, **{P_PAGE: page - 1}) if page > 1 else None,
            "next": url_with(request, **{P_PAGE: page + 1}) if page < last else None}


def _rows(hits: list[SearchHit], t: Translator, unit_names: dict[str, str], type_names: dict[str, str],
          q: str) -> list[dict]:
    return [{"code": h.staff_code, "name": h.staff_name, "unit": unit_names.get(h.unit, h.unit),
             "status": h.status, "status_label": t.label("status", h.status),
             "doc_type": type_names.get(h.document_type, h.document_type), "document_id": h.document_id,
             "page": h.page, "snippet": h.snippet, "page_url": _page_url(h, q)} for h in hits]


@router.get("/tra-cuu", name="web_search")
def search_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    form = SearchForm.from_request(request)
    size = c.settings.web_page_size
    result, error = None, None
    if form.submitted:
        try:
            result = form.run(c, actor, t, limit=size, offset=(form.page - 1) * size)
        except InvalidInput as exc:
            error = str(exc)
    facets = result.facets if result else {}
    unit_views = units.list_units(c, actor)
    type_names = _names(c, "loai_tai_lieu")
    status_counts = facets.get("status") if result else None
    context = {
        "form": form, "result": result, "error": error,
        "units": _unit_options(unit_views, facets.get("unit") if result else None),
        "statuses": [{"code": s.value, "label": t.label("status", s.value), "selected": s.value in form.statuses,
                      "count": (status_counts or {}).get(s.value, 0) if result else None} for s in StaffStatus],
        "grades": _facet_options(_names(c, "ngach"), facets.get("grade") if result else None, form.grade),
        "doc_types": _facet_options(type_names, facets.get("document_type") if result else None, form.doc_type),
        "rows": _rows(result.hits, t, {u.code: u.name for u in unit_views}, type_names, form.q) if result else [],
        "first": (form.page - 1) * size + 1, "last": (form.page - 1) * size + len(result.hits) if result else 0,
        "pager": _pager(request, form.page, result.total, size) if result else None,
        "export_xlsx": url_with(request, **{P_PAGE: None}).replace("/tra-cuu", "/tra-cuu/xuat.xlsx", 1),
        "export_csv": url_with(request, **{P_PAGE: None}).replace("/tra-cuu", "/tra-cuu/xuat.csv", 1),
        "export_max": c.settings.web_export_max_rows,
    }
    return render(request, "search.html", context, actor=actor)


def _export_table(request: Request, c: Container, actor: Actor) -> tuple[list[str], list[list[object]]]:
    """Every hit of the query in the URL (pagination ignored), up to web_export_max_rows."""
    t = translator(request)
    form = SearchForm.from_request(request)
    cap = c.settings.web_export_max_rows
    hits: list[SearchHit] = []
    while len(hits) < cap:
        batch = form.run(c, actor, t, limit=min(search.MAX_LIMIT, cap - len(hits)), offset=len(hits), facets=())
        hits += batch.hits
        if not batch.hits or len(hits) >= batch.total:
            break
    unit_names = {u.code: u.name for u in units.list_units(c, actor)}
    type_names = _names(c, "loai_tai_lieu")
    headers = [t(k) for k in ("export.no", "export.code", "export.name", "export.unit", "export.status",
                              "export.doc_type", "export.doc_id", "export.page", "export.snippet")]
    rows = [[n, h.staff_code, h.staff_name, unit_names.get(h.unit, h.unit), t.label("status", h.status),
             type_names.get(h.document_type, h.document_type), h.document_id, h.page, snippet_plain(h.snippet)]
            for n, h in enumerate(hits, 1)]
    return headers, rows


def _download(request: Request, body: bytes, media_type: str, ext: str) -> Response:
    stamp = translator(request).local(datetime.now(timezone.utc).replace(tzinfo=None)).strftime("%Y%m%d-%H%M")
    response = Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="tra-cuu-{stamp}.{ext}"'})
    return finish(request, response)


@router.get("/tra-cuu/xuat.xlsx")
def export_xlsx(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    headers, rows = _export_table(request, c, actor)
    body = export.to_xlsx(translator(request)("export.sheet"), headers, rows,
                          widths=(6, 12, 26, 28, 16, 26, 11, 7, 90))
    return _download(request, body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")


@router.get("/tra-cuu/xuat.csv")
def export_csv(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    headers, rows = _export_table(request, c, actor)
    return _download(request, export.to_csv(headers, rows), "text/csv; charset=utf-8", "csv")
