"""Hồ sơ: a staff record laid out like the paper CV form, its documents, a page viewer, downloads.

Reads go through services.staff and services.documents, which check scope and clearance
(outside it: 404) and write the audit entries (record viewed, document text viewed, original
downloaded). Page images (thumbnails) are not shown: rendering one from the stored original
would need a new service.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from archive.bootstrap import Container
from archive.domain import DocumentState
from archive.errors import NotFound
from archive.services import catalogs, documents, staff, units
from archive.services import fixity_views  # fixity cycle: each document's integrity (issue 13)
from archive.services import retention_views  # retention, legal holds, disposition records (issue 13)
from archive.web import routes_dossier_package  # dossier packages: the export button (issue 14)
from archive.web import routes_archival  # PDF/A archival copies and TT 05 description (issue 14)
from archive.web import routes_staff_edit  # edit / status / transfer / print buttons (issue 11)
from archive.web import routes_inventory  # hồ sơ giấy: components, location, loan, label (issue 15)
from archive.web import routes_consistency  # đối chiếu bản giấy với hồ sơ: counts and link (issue 15)
from archive.web import routes_declarations  # kê khai hồ sơ: own declarations / queue links (issue 18)
from archive.web import routes_units  # "Đơn vị cũ" of a record whose unit was merged (issue 11)
from archive.web import routes_ocr_review  # Cần xem lại: amber state with OCR review reasons (issue 11)
from archive.web import routes_document_corrections  # hiệu chỉnh tài liệu: forms, Đã thu hồi (issue 11)
from archive.services.page_rotation import image_version, page_turn  # the viewer's image URL: turn, source (issue 11)
from archive.services.access import Action
from archive.services.staff_profile import HistoryKind
from archive.services.views import DocumentView
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.forms import page_number
from archive.web.i18n import Translator
from archive.web.rendering import finish, render, translator
from archive.web.snippets import has_match, highlight_page, query_terms

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])

# Sections of the CV form (Mẫu 2C-BNV/2008) and the profile fields each shows, in order.
PROFILE_SECTIONS = (
    ("dossier.s_work", ("recruitment_occupation", "recruitment_date", "recruiting_agency", "position",
                        "main_duties")),
    ("dossier.s_salary", ("salary_step", "salary_coefficient", "salary_effective_date", "allowances")),
    ("dossier.s_education", ("education_general", "education_professional", "political_theory",
                             "state_management", "foreign_language", "informatics")),
)
GENERAL_PROFILE_FIELDS = ("other_names", "birth_place", "hometown", "permanent_address", "current_address")
SENSITIVE_FIELDS = ("ethnicity", "religion", "id_number", "id_issued_date", "social_insurance_number", "health",
                    "blood_group", "party_join_date", "party_official_date")
CATALOG_FIELDS = {"ethnicity": "dan_toc", "religion": "ton_giao"}
# Periods without an end date last "until now" (đến nay); awards and the like are single dates.
ONGOING_HISTORIES = frozenset({HistoryKind.WORK, HistoryKind.SALARY, HistoryKind.TRAINING})


def _names(c: Container, catalog: str) -> dict[str, str]:
    return {e.code: e.name for e in catalogs.list_catalog(c, catalog, include_inactive=True)}


def _value(c: Container, t: Translator, key: str, value: object) -> str:
    if value in (None, ""):
        return t("common.none")
    if key.endswith("_date"):
        return t.date(value)  # type: ignore[arg-type]
    if key == "salary_coefficient":
        return t.decimal(float(value))  # type: ignore[arg-type]
    if key in CATALOG_FIELDS:
        return _names(c, CATALOG_FIELDS[key]).get(str(value), str(value))
    return str(value)


def _rows(c: Container, t: Translator, data: dict, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(t(f"field.{k}"), _value(c, t, k, data.get(k))) for k in keys]


def _documents_by_type(c: Container, docs: list[DocumentView]) -> list[dict]:
    names = _names(c, "loai_tai_lieu")
    order = {code: i for i, code in enumerate(names)}
    groups: dict[str, list[DocumentView]] = {}
    for d in docs:
        groups.setdefault(d.document_type, []).append(d)
    return [{"code": code, "name": names.get(code, code), "documents": groups[code]}
            for code in sorted(groups, key=lambda k: (order.get(k, len(order)), k))]


@router.get("/ho-so/{code}")
def dossier(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    view = staff.get_staff(c, actor, code)
    docs = documents.list_documents(c, actor, code)
    unit_names = {u.code: u.name for u in units.list_units(c, actor)}
    general = [
        (t("field.full_name"), view.full_name),
        (t("field.birth_date"), t.date(view.birth_date)),
        (t("field.gender"), t.label("gender", view.gender)),
        *_rows(c, t, view.profile, GENERAL_PROFILE_FIELDS),
        (t("field.unit"), f"{view.unit_name} ({view.unit_code})"),
        (t("field.grade"), f"{_names(c, 'ngach').get(view.grade_code, view.grade_code)} ({view.grade_code})"
         if view.grade_code else t("common.none")),
        (t("field.restriction"), t.label("restriction", str(view.restriction_level))),
    ]
    histories = [{"kind": k.value, "title": t(f"history.{k.value}"), "ongoing": k in ONGOING_HISTORIES,
                  "entries": [h for h in view.history if h["kind"] == k.value]} for k in HistoryKind]
    context = {
        "staff": view, "general": general,
        "sections": [{"title": t(title), "rows": _rows(c, t, view.profile, keys)} for title, keys in PROFILE_SECTIONS],
        "sensitive": _rows(c, t, view.sensitive, SENSITIVE_FIELDS) if view.sensitive is not None else None,
        "histories": histories, "unit_names": unit_names,
        "document_groups": _documents_by_type(c, docs), "document_count": len(docs),
        "may_upload": actor.may_somewhere(Action.UPLOAD), "may_download": actor.may_somewhere(Action.DOWNLOAD),
        # a merged, split or reordered document's first page may come from elsewhere: its thumbnail URL says so
        "thumb_versions": {d.id: image_version(c, d.id, 1) for d in docs if d.page_count},
    }
    context.update(fixity_views.dossier_context(c, actor, docs))  # "Kiểm tra tệp": SHA-256 and last check (fixity)
    context.update(retention_views.dossier_context(c, actor, code, docs))  # terms, holds, disposition records
    context.update(routes_dossier_package.dossier_context(c, actor, code))  # BagIt export button (issue 14)
    context.update(routes_archival.dossier_context(c, actor, docs))  # PDF/A copies + TT 05 description (issue 14)
    context.update(routes_staff_edit.dossier_context(c, actor, view))  # _dossier_actions.html (issue 11)
    context.update(routes_inventory.dossier_context(c, actor, code))  # _dossier_inventory.html (issue 15)
    context.update(routes_consistency.dossier_context(c, actor, code))  # _dossier_consistency.html (issue 15)
    context.update(routes_declarations.dossier_context(c, actor, code))  # _dossier_declaration.html (issue 18)
    context.update(routes_units.dossier_context(c, actor, view))  # _dossier_former_units.html (issue 11)
    context.update(routes_ocr_review.dossier_context(c, actor, docs))  # _document_state.html: Cần xem lại (issue 11)
    context.update(routes_document_corrections.dossier_context(c, actor, code))  # _document_corrections.html (issue 11)
    return render(request, "dossier.html", context, actor=actor)


def _document_of(c: Container, actor, code: str, document_id: int) -> DocumentView:  # noqa: ANN001
    doc = documents.get_document(c, actor, document_id)
    if doc.staff_code != code:  # the URL names another dossier: do not reveal the document
        raise NotFound(f"Không tìm thấy tài liệu số {document_id}.")
    return doc


@router.get("/ho-so/{code}/tai-lieu/{document_id}")
def page_viewer(code: str, document_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    """One page's text with the query's terms marked; ?trang=N jumps, ?q= carries the search."""
    doc = _document_of(c, actor, code, document_id)
    pages = documents.document_pages(c, actor, document_id)
    q = request.query_params.get("q", "").strip()
    terms = query_terms(q)
    number = min(page_number(request.query_params.get("trang")), max(1, len(pages)))
    current = next((p for p in pages if p.number == number), None)
    html, matches = highlight_page(current.text, terms) if current else ("", 0)
    suffix = f"&q={quote(q)}" if q else ""
    context = {
        "doc": doc, "code": code, "pages": pages, "page": current, "number": number, "q": q,
        "page_html": html, "matches": matches,
        "match_pages": [p.number for p in pages if has_match(p.text, terms)] if terms else [],
        "page_url": lambda n: f"/ho-so/{quote(code, safe='')}/tai-lieu/{document_id}?trang={n}{suffix}",
        "ready": doc.state == DocumentState.INDEXED.value or bool(pages),
        "may_download": actor.may_somewhere(Action.DOWNLOAD),
        "rotation": page_turn(c, document_id, number),  # xoay trang: in the image URL, so a turn is not cached away
        "image_version": image_version(c, document_id, number),  # gộp/tách/sắp xếp: a moved page is not cached away
    }
    return render(request, "page.html", context, actor=actor)


@router.get("/ho-so/{code}/tai-lieu/{document_id}/trang/{number}.png")
def page_png(code: str, document_id: int, number: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    """The scan of one page (thumbnail with ?w=160, viewer size with ?w=1000)."""
    _document_of(c, actor, code, document_id)
    try:
        width = int(request.query_params.get("w", "160"))
    except ValueError:
        width = 0
    png = documents.page_image(c, actor, document_id, number, width=width)
    return Response(png, media_type="image/png", headers={
        "Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox"})


@router.get("/ho-so/{code}/tai-lieu/{document_id}/ban-goc")
def download_original(code: str, document_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    """The original as uploaded: always a download (attachment, nosniff, sandboxed), never shown inline —
    an upload may be a PNG and an HTML page at once."""
    _document_of(c, actor, code, document_id)
    doc, chunks = documents.open_original(c, actor, document_id)
    plain = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in doc.file_name)
    response = StreamingResponse(chunks, media_type=doc.content_type, headers={
        "Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(doc.file_name, safe='')}",
        "Content-Length": str(doc.size), "X-Content-SHA256": doc.sha256, "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox"})
    return finish(request, response)
