"""Danh sách cán bộ: every staff record in the caller's scope, with or without documents.

Browse by unit subtree, status, ngạch, loại cán bộ and birth-year range; sorted by name in
Vietnamese order (by tên, then họ and tên đệm), by birth date or by the date of the status;
paginated. The query lives in the URL like the search's. archive.services.staff_list checks
scope and clearance (a required filter of the index query) and writes the audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from archive.domain import StaffStatus
from archive.errors import InvalidInput
from archive.services import catalogs, staff_list, units
from archive.services.record_index import CATEGORIES
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.forms import page_number, parse_int
from archive.web.i18n import Translator
from archive.web.rendering import render, translator
from archive.web.routes_search import pager, person_row

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])

SORTS = {"ten": "name", "ngay-sinh": "birth_date", "ngay-trang-thai": "status_date"}


@dataclass
class ListForm:
    unit: str = ""
    statuses: list[str] = field(default_factory=list)
    grade: str = ""
    category: str = ""
    born_from_raw: str = ""
    born_to_raw: str = ""
    q: str = ""
    sort: str = "ten"
    page: int = 1

    @classmethod
    def from_request(cls, request: Request) -> "ListForm":
        qp = request.query_params
        sort = qp.get("sap_xep", "ten")
        return cls(unit=qp.get("don_vi", ""), statuses=[s for s in qp.getlist("trang_thai") if s],
                   grade=qp.get("ngach", ""), category=qp.get("loai_cb", ""),
                   born_from_raw=qp.get("nam_sinh_tu", "").strip(), born_to_raw=qp.get("nam_sinh_den", "").strip(),
                   q=qp.get("q", "").strip(), sort=sort if sort in SORTS else "ten", page=page_number(qp.get("trang")))

    def params(self, t: Translator) -> staff_list.StaffListParams:
        return staff_list.StaffListParams(
            unit=self.unit, statuses=tuple(self.statuses), grades=(self.grade,) if self.grade else (),
            categories=(self.category,) if self.category else (), birth_year_from=parse_int(t, self.born_from_raw),
            birth_year_to=parse_int(t, self.born_to_raw), q=self.q, sort=SORTS[self.sort])


@router.get("/can-bo", name="web_staff_list")
def staff_list_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    form = ListForm.from_request(request)
    size = c.settings.web_page_size
    result, error = None, None
    try:
        result = staff_list.list_staff(c, actor, form.params(t), limit=size, offset=(form.page - 1) * size)
    except InvalidInput as exc:
        error = str(exc)
    unit_views = units.list_units(c, actor)
    unit_names = {u.code: u.name for u in unit_views}
    facets = result.facets if result else {}
    grade_names = {e.code: e.name for e in catalogs.list_catalog(c, "ngach", include_inactive=True)}
    grade_counts = facets.get("grade", {})
    return render(request, "staff_list.html", {
        "form": form, "result": result, "error": error,
        "rows": [person_row(h, t, unit_names, {}) | {"grade": grade_names.get(h.grade, h.grade)}
                 for h in (result.hits if result else [])],
        "units": [{"code": u.code, "name": u.name, "depth": len(u.path)} for u in unit_views],
        "statuses": [{"code": s.value, "label": t.label("status", s.value), "selected": s.value in form.statuses,
                      "count": facets.get("status", {}).get(s.value, 0)} for s in StaffStatus],
        "grades": [{"code": code, "label": name, "selected": code == form.grade, "count": grade_counts.get(code, 0)}
                   for code, name in grade_names.items() if code in grade_counts or code == form.grade],
        "categories": [{"code": k, "label": t(f"category.{k}"), "selected": k == form.category,
                        "count": facets.get("category", {}).get(k, 0)} for k in CATEGORIES],
        "sorts": [{"code": k, "label": t(f"stafflist.sort_{v}"), "selected": k == form.sort} for k, v in SORTS.items()],
        "first": (form.page - 1) * size + 1, "last": (form.page - 1) * size + len(result.hits) if result else 0,
        "pager": pager(request, form.page, result.total, size) if result else None,
    }, actor=actor)
