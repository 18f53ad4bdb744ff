"""Danh sách cán bộ, autocomplete, suggestions and saved searches (tìm kiếm đã lưu) under /api/v1.

Every route here reads the staff records of the search index in the caller's scope
(archive.services.staff_list, .search); saved searches are the caller's own and always run
with the caller's scope of today.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from archive.api.deps import ActorDep, ContainerDep
from archive.api.search_json import pages_json, people_json
from archive.services import saved_searches, search, staff_list

router = APIRouter()


@router.get("/staff", tags=["staff"])
def list_staff(
    c: ContainerDep,
    actor: ActorDep,
    unit: Annotated[str, Query(description="mã đơn vị: cả cây đơn vị con")] = "",
    status: Annotated[list[str] | None, Query()] = None,
    grade: Annotated[list[str] | None, Query()] = None,
    category: Annotated[list[str] | None, Query(description="cong_chuc, vien_chuc, khac")] = None,
    birth_year_from: int | None = None,
    birth_year_to: int | None = None,
    q: str = "",
    sort: Annotated[str, Query(description="name (Vietnamese order, by tên), birth_date, status_date")] = "name",
    limit: int = 50,
    offset: int = 0,
) -> dict:
    """Staff records in scope, with or without documents; `total` and `facets` count people."""
    params = staff_list.StaffListParams(unit=unit, statuses=tuple(status or ()), grades=tuple(grade or ()),
                                        categories=tuple(category or ()), birth_year_from=birth_year_from,
                                        birth_year_to=birth_year_to, q=q, sort=sort)
    result = staff_list.list_staff(c, actor, params, limit=limit, offset=offset)
    body = people_json(result)
    for key in ("suggestions", "group"):
        body.pop(key)
    for hit in body["hits"]:  # a list of records: nothing matched, nothing to score
        for key in ("score", "match_count", "record_matched", "matched"):
            hit.pop(key)
    return body


@router.get("/search/autocomplete", tags=["search"])
def autocomplete(c: ContainerDep, actor: ActorDep, q: str = "", limit: int = 10) -> list[dict]:
    """Staff whose name words or code begin with `q` (the search box, the upload form)."""
    return [{"staff_code": h.staff_code, "full_name": h.full_name, "unit": h.unit, "status": h.status,
             "birth_date": h.birth_date or None} for h in staff_list.complete_staff(c, actor, q, limit=limit)]


@router.get("/search/suggestions", tags=["search"])
def suggestions(c: ContainerDep, actor: ActorDep, q: str = "") -> list[str]:
    """Close names in the caller's scope ("Có phải bạn muốn tìm: …")."""
    return list(search.suggest_names(c, actor, q))


class SavedSearchIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["Nghỉ hưu năm nay"])
    q: str = ""
    status: list[str] = Field(default_factory=list)
    unit: list[str] = Field(default_factory=list)
    document_type: list[str] = Field(default_factory=list)
    grade: list[str] = Field(default_factory=list)
    category: list[str] = Field(default_factory=list)
    birth_year_from: int | None = None
    birth_year_to: int | None = None
    group: str = "staff"
    sort: str = "relevance"

    def params(self) -> search.SearchParams:
        return search.SearchParams(q=self.q, statuses=tuple(self.status), units=tuple(self.unit),
                                   document_types=tuple(self.document_type), grades=tuple(self.grade),
                                   categories=tuple(self.category), birth_year_from=self.birth_year_from,
                                   birth_year_to=self.birth_year_to, group=self.group, sort=self.sort)


@router.get("/saved-searches", tags=["search"])
def list_saved(c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [s.to_dict() for s in saved_searches.list_saved(c, actor)]


@router.post("/saved-searches", status_code=201, tags=["search"])
def save(body: SavedSearchIn, c: ContainerDep, actor: ActorDep) -> dict:
    """Save (or replace, under the same name) a search for the caller."""
    return saved_searches.save_search(c, actor, body.name, body.params()).to_dict()


@router.delete("/saved-searches/{saved_id}", status_code=204, tags=["search"])
def delete_saved(saved_id: int, c: ContainerDep, actor: ActorDep) -> Response:
    saved_searches.delete_saved(c, actor, saved_id)
    return Response(status_code=204)


@router.get("/saved-searches/{saved_id}/run", tags=["search"])
def run_saved(saved_id: int, c: ContainerDep, actor: ActorDep, limit: int = 20, offset: int = 0) -> dict:
    """The saved search run now, with the caller's scope of today."""
    params = saved_searches.get_saved(c, actor, saved_id).params
    if params.group == "page":
        return pages_json(search.run_pages(c, actor, params, limit=limit, offset=offset))
    found = search.search_people(c, actor, params, limit=limit, offset=offset)
    return people_json(found.result, found.suggestions)

