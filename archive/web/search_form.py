"""The search form as the URL holds it (Vietnamese parameter names), to and from SearchParams.

The whole query lives in the URL (a GET form), so a search can be shared, bookmarked, saved
and reached again with Back; a saved search is turned back into such a URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import Request
from starlette.datastructures import QueryParams

from archive.services.search import SearchParams
from archive.web.forms import page_number, parse_int
from archive.web.i18n import Translator

# URL parameter names (Vietnamese, like the paths)
P_QUERY, P_UNIT, P_STATUS, P_GRADE, P_TYPE = "q", "don_vi", "trang_thai", "ngach", "loai"
P_BORN_FROM, P_BORN_TO, P_PAGE = "nam_sinh_tu", "nam_sinh_den", "trang"
P_GROUP, P_SORT, P_CATEGORY = "nhom", "sap_xep", "loai_cb"
GROUPS = {"can-bo": "staff", "trang": "page"}  # URL value → SearchParams.group; the first is the default
SORTS = {"lien-quan": "relevance", "ten": "name", "ngay-sinh": "birth_date", "ngay-trang-thai": "status_date"}


def _key(mapping: dict[str, str], value: str) -> str:
    return next((k for k, v in mapping.items() if v == value), next(iter(mapping)))


@dataclass
class SearchForm:
    q: str = ""
    unit: str = ""
    statuses: list[str] = field(default_factory=list)
    grade: str = ""
    doc_type: str = ""
    category: str = ""
    born_from_raw: str = ""
    born_to_raw: str = ""
    group: str = "can-bo"
    sort: str = "lien-quan"
    page: int = 1

    @classmethod
    def from_request(cls, request: Request) -> "SearchForm":
        return cls.from_query(request.query_params)

    @classmethod
    def from_query(cls, qp: QueryParams) -> "SearchForm":
        group = qp.get(P_GROUP, "can-bo")
        sort = qp.get(P_SORT, "lien-quan")
        return cls(q=qp.get(P_QUERY, "").strip(), unit=qp.get(P_UNIT, ""),
                   statuses=[s for s in qp.getlist(P_STATUS) if s], grade=qp.get(P_GRADE, ""),
                   doc_type=qp.get(P_TYPE, ""), category=qp.get(P_CATEGORY, ""),
                   born_from_raw=qp.get(P_BORN_FROM, "").strip(), born_to_raw=qp.get(P_BORN_TO, "").strip(),
                   group=group if group in GROUPS else "can-bo", sort=sort if sort in SORTS else "lien-quan",
                   page=page_number(qp.get(P_PAGE)))

    @classmethod
    def of(cls, params: SearchParams) -> "SearchForm":
        """The form that asks `params` (a saved search shown again)."""
        return cls(q=params.q, unit=params.units[0] if params.units else "", statuses=list(params.statuses),
                   grade=params.grades[0] if params.grades else "",
                   doc_type=params.document_types[0] if params.document_types else "",
                   category=params.categories[0] if params.categories else "",
                   born_from_raw="" if params.birth_year_from is None else str(params.birth_year_from),
                   born_to_raw="" if params.birth_year_to is None else str(params.birth_year_to),
                   group=_key(GROUPS, params.group), sort=_key(SORTS, params.sort))

    @property
    def submitted(self) -> bool:
        return any((self.q, self.unit, self.statuses, self.grade, self.doc_type, self.category, self.born_from_raw,
                    self.born_to_raw))

    @property
    def by_people(self) -> bool:
        return GROUPS[self.group] == "staff"

    def params(self, t: Translator) -> SearchParams:
        """What this form asks; InvalidInput (shown beside the form) for a year that is no number."""
        return SearchParams(
            q=self.q, statuses=tuple(self.statuses), units=(self.unit,) if self.unit else (),
            document_types=(self.doc_type,) if self.doc_type else (), grades=(self.grade,) if self.grade else (),
            categories=(self.category,) if self.category else (),
            birth_year_from=parse_int(t, self.born_from_raw), birth_year_to=parse_int(t, self.born_to_raw),
            group=GROUPS[self.group], sort=SORTS[self.sort])

    def url(self, path: str = "/tra-cuu") -> str:
        """This search as a link (defaults left out, so links stay short)."""
        pairs: list[tuple[str, str]] = []
        for name, value in ((P_QUERY, self.q), (P_UNIT, self.unit)):
            if value:
                pairs.append((name, value))
        pairs += [(P_STATUS, s) for s in self.statuses]
        for name, value in ((P_BORN_FROM, self.born_from_raw), (P_BORN_TO, self.born_to_raw), (P_GRADE, self.grade),
                            (P_TYPE, self.doc_type), (P_CATEGORY, self.category)):
            if value:
                pairs.append((name, value))
        if self.group != "can-bo":
            pairs.append((P_GROUP, self.group))
        if self.sort != "lien-quan":
            pairs.append((P_SORT, self.sort))
        return path + (f"?{urlencode(pairs)}" if pairs else "")
