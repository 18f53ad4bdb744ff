"""Tra cứu: one search box, filters with facet counts, people with their matching pages beneath.

By default one result per person (nhom=can-bo): found by their record — also people whose
dossier has no scanned page yet — or by their pages, the best few shown under them; counts
are people. `nhom=trang` shows one result per page, as before. The whole query lives in the
URL (archive.web.search_form). Saved searches (tìm kiếm đã lưu) are listed beside the form
and run as links, so always with the user's scope of the day. Scope, clearance, suggestions
and audit entries come from the services.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import QueryParams

from archive.bootstrap import Container
from archive.domain import StaffStatus
from archive.errors import Conflict, InvalidInput
from archive.services import catalogs, saved_searches, search, search_export, staff_list, units
from archive.services.access import Actor
from archive.services.record_index import CATEGORIES
from archive.web import export, security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.i18n import Translator
from archive.web.rendering import finish, render, translator, url_with, web_state
from archive.web.search_form import P_PAGE, SORTS, SearchForm
from archive.web.snippets import snippet_plain
from search import PersonHit, SearchHit

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])


def _names(c: Container, catalog: str) -> dict[str, str]:
    return {e.code: e.name for e in catalogs.list_catalog(c, catalog, include_inactive=True)}


def page_url(staff_code: str, document_id: int, page: int, q: str) -> str:
    url = f"/ho-so/{quote(staff_code, safe='')}/tai-lieu/{document_id}?trang={page}"
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


def pager(request: Request, page: int, total: int, size: int) -> dict:
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


def _page_rows(hits: list[SearchHit], t: Translator, unit_names: dict[str, str], type_names: dict[str, str],
               q: str) -> list[dict]:
    return [{"code": h.staff_code, "name": h.staff_name, "unit": unit_names.get(h.unit, h.unit),
             "status": h.status, "status_label": t.label("status", h.status),
             "doc_type": type_names.get(h.document_type, h.document_type), "document_id": h.document_id,
             "page": h.page, "snippet": h.snippet, "page_url": page_url(h.staff_code, h.document_id, h.page, q)}
            for h in hits]


def person_row(h: PersonHit, t: Translator, unit_names: dict[str, str], type_names: dict[str, str],
               q: str = "") -> dict:
    return {"code": h.staff_code, "name": h.full_name, "birth": t.date(h.birth_date) if h.birth_date else "",
            "unit": unit_names.get(h.unit, h.unit), "status": h.status, "status_label": t.label("status", h.status),
            "status_date": t.date(h.status_date) if h.status_date else "", "match_count": h.match_count,
            "record_matched": h.record_matched,
            "pages": [{"doc_type": type_names.get(m.document_type, m.document_type), "page": m.page,
                       "document_id": m.document_id, "snippet": m.snippet,
                       "url": page_url(h.staff_code, m.document_id, m.page, q)} for m in h.matched]}


def _saved(c: Container, actor: Actor) -> list[dict]:
    if actor.user_id is None:
        return []
    return [{"id": s.id, "name": s.name, "url": SearchForm.of(s.params).url()}
            for s in saved_searches.list_saved(c, actor)]


@router.get("/tra-cuu", name="web_search")
def search_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    form = SearchForm.from_request(request)
    size = c.settings.web_page_size
    result, suggestions, error = None, (), None
    if form.submitted:
        try:
            params = form.params(t)
            offset = (form.page - 1) * size
            if form.by_people:
                found = search.search_people(c, actor, params, limit=size, offset=offset)
                result, suggestions = found.result, found.suggestions
            else:
                result = search.run_pages(c, actor, params, limit=size, offset=offset)
        except InvalidInput as exc:
            error = str(exc)
    facets = result.facets if result else {}
    unit_views = units.list_units(c, actor)
    unit_names = {u.code: u.name for u in unit_views}
    type_names = _names(c, "loai_tai_lieu")
    status_counts = facets.get("status") if result else None
    category_counts = facets.get("category") if result else None
    rows: list[dict] = []
    if result is not None:
        rows = ([person_row(h, t, unit_names, type_names, form.q) for h in result.hits] if form.by_people
                else _page_rows(result.hits, t, unit_names, type_names, form.q))
    context = {
        "form": form, "result": result, "error": error, "people": form.by_people, "rows": rows,
        "suggestions": [{"name": n, "url": SearchForm(q=n).url()} for n in suggestions],
        "exact": getattr(result, "exact", True),
        "units": _unit_options(unit_views, facets.get("unit") if result else None),
        "statuses": [{"code": s.value, "label": t.label("status", s.value), "selected": s.value in form.statuses,
                      "count": (status_counts or {}).get(s.value, 0) if result else None} for s in StaffStatus],
        "categories": [{"code": k, "label": t(f"category.{k}"), "selected": k == form.category,
                        "count": (category_counts or {}).get(k, 0) if category_counts is not None else None}
                       for k in CATEGORIES],
        "grades": _facet_options(_names(c, "ngach"), facets.get("grade") if result else None, form.grade),
        "doc_types": _facet_options(type_names, facets.get("document_type") if result else None, form.doc_type),
        "sorts": [{"code": k, "label": t(f"search.sort_{v}"), "selected": k == form.sort} for k, v in SORTS.items()
                  if v != "status_date"],
        "first": (form.page - 1) * size + 1, "last": (form.page - 1) * size + len(result.hits) if result else 0,
        "pager": pager(request, form.page, result.total, size) if result else None,
        "export_xlsx": url_with(request, **{P_PAGE: None}).replace("/tra-cuu", "/tra-cuu/xuat.xlsx", 1),
        "export_csv": url_with(request, **{P_PAGE: None}).replace("/tra-cuu", "/tra-cuu/xuat.csv", 1),
        "export_max": c.settings.web_export_max_rows,
        "saved": _saved(c, actor), "query_string": request.url.query,
    }
    return render(request, "search.html", context, actor=actor)


@router.get("/tra-cuu/goi-y")
def autocomplete(request: Request, c: ContainerDep, actor: ActorDep, q: str = "") -> Response:
    """Staff by name or code prefix in the caller's scope, for the search box and the upload form."""
    t = translator(request)
    unit_names = {u.code: u.name for u in units.list_units(c, actor)}
    hits = staff_list.complete_staff(c, actor, q)
    return finish(request, JSONResponse({"staff": [
        {"code": h.staff_code, "name": h.full_name, "unit": unit_names.get(h.unit, h.unit),
         "status": t.label("status", h.status), "birth": t.date(h.birth_date) if h.birth_date else "",
         "url": f"/ho-so/{quote(h.staff_code, safe='')}"} for h in hits]}))


# -- saved searches --------------------------------------------------------------------------------
def _back(request: Request, url: str, message: str, kind: str = "success") -> Response:
    response = RedirectResponse(url, status_code=303)
    security.set_flash(web_state(request).secret, request, response, message, kind)
    return finish(request, response)


@router.post("/tra-cuu/da-luu")
def save_search(request: Request, c: ContainerDep, actor: ActorDep, ten: Annotated[str, Form()] = "",
                truy_van: Annotated[str, Form()] = "") -> Response:
    """Lưu tìm kiếm: the search in `truy_van` (the page's query string) under the name typed."""
    t = translator(request)
    form = SearchForm.from_query(QueryParams(truy_van))
    try:
        saved = saved_searches.save_search(c, actor, ten, form.params(t))
    except (InvalidInput, Conflict) as exc:
        return _back(request, form.url(), str(exc), "error")
    return _back(request, form.url(), t("saved.done", name=saved.name))


@router.post("/tra-cuu/da-luu/{saved_id}/xoa")
def delete_saved(request: Request, c: ContainerDep, actor: ActorDep, saved_id: int) -> Response:
    t = translator(request)
    saved = saved_searches.get_saved(c, actor, saved_id)
    saved_searches.delete_saved(c, actor, saved_id)
    return _back(request, "/tra-cuu", t("saved.deleted", name=saved.name))


# -- exports ------------------------------------------------------------------------------------
def _export_table(request: Request, c: Container, actor: Actor, fmt: str) -> tuple[list[str], list[list[object]]]:
    """Every result of the query in the URL (pagination ignored), up to web_export_max_rows:
    one row per person (the record's fields), or per page with nhom=trang. Audited once."""
    t = translator(request)
    form = SearchForm.from_request(request)
    params = form.params(t)
    cap = c.settings.web_export_max_rows
    unit_names = {u.code: u.name for u in units.list_units(c, actor)}
    if form.by_people:
        people = search_export.export_people(c, actor, params, max_rows=cap, fmt=fmt)
        headers = [t(k) for k in ("export.no", "export.code", "export.name", "export.birth", "export.unit",
                                  "export.grade", "export.status", "export.status_date", "export.documents",
                                  "export.matches")]
        rows = [[n, p.staff_code, p.full_name, t.date(p.birth_date) if p.birth_date else "", p.unit_name,
                 f"{p.grade_name} ({p.grade_code})" if p.grade_name else p.grade_code, t.label("status", p.status),
                 t.date(p.status_date) if p.status_date else "", p.document_count, p.match_count]
                for n, p in enumerate(people, 1)]
        return headers, rows
    hits = search_export.export_pages(c, actor, params, max_rows=cap, fmt=fmt)
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
    headers, rows = _export_table(request, c, actor, "xlsx")
    people = SearchForm.from_request(request).by_people
    widths = (6, 12, 26, 12, 28, 24, 16, 12, 10, 10) if people else (6, 12, 26, 28, 16, 26, 11, 7, 90)
    body = export.to_xlsx(translator(request)("export.sheet"), headers, rows, widths=widths)
    return _download(request, body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")


@router.get("/tra-cuu/xuat.csv")
def export_csv(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    headers, rows = _export_table(request, c, actor, "csv")
    return _download(request, export.to_csv(headers, rows), "text/csv; charset=utf-8", "csv")
