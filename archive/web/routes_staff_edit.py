"""Staff records in the web: add (Thêm cán bộ), edit the Mẫu 2C fields with catalog pickers, history
rows, status change and transfer with their decision, and the printed sơ yếu lý lịch.

Every POST calls the same service the API and CLI call (staff.add_staff / update_staff,
staff_history, staff_lifecycle), which checks scope and role and writes the audit entry with
before and after; a refused value re-renders the form with the service's Vietnamese sentence
and what was typed (422), nothing stored. services.staff_form turns the form's text into values.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from archive.bootstrap import Container
from archive.domain import StaffStatus
from archive.errors import Forbidden, InvalidInput, NotFound
from archive.services import catalogs, staff, staff_history, staff_lifecycle, units
from archive.services.access import Action, Actor
from archive.services.form_2c_print import may_print, print_form_2c
from archive.services.staff import StaffView
from archive.services.staff_form import (
    BLOOD_GROUPS,
    FIELDS,
    HISTORY_DETAILS,
    HISTORY_SUMMARY,
    MANAGEMENT_CATEGORIES,
    SALARY_STEPS,
    SECTIONS,
    SENSITIVE,
    changes_from_form,
    fields_from_form,
    form_values,
    history_from_form,
    parse_day,
)
from archive.services.staff_profile import HistoryKind
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.i18n import Translator
from archive.web.rendering import finish, render, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])

_LABEL_KEYS = {"grade_code": "field.grade", "restriction_level": "field.restriction"}


def _dossier_url(code: str, anchor: str = "") -> str:
    return f"/ho-so/{quote(code, safe='')}" + (f"#{anchor}" if anchor else "")


def _redirect(request: Request, url: str, message: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    security.set_flash(web_state(request).secret, request, response, message, "success")
    return finish(request, response)


def _form_sections(c: Container, t: Translator, values: dict[str, str], *, sensitive: bool) -> list[dict]:
    """The form's sections with, per field, its label, input kind, value and (for pickers) options."""
    options_of: dict[str, list[tuple[str, str]]] = {}
    out = []
    for title, fields in SECTIONS:
        if not sensitive and fields[0].where == SENSITIVE:
            continue
        rows = []
        for f in fields:
            value = values.get(f.name, "")
            options: list[tuple[str, str]] = []
            if f.kind == "catalog":
                if f.catalog not in options_of:
                    options_of[f.catalog] = [(e.code, e.name) for e in catalogs.list_catalog(c, f.catalog)]
                options = list(options_of[f.catalog])
                if value and value not in {code for code, _ in options}:  # a retired or older value stays shown
                    options.append((value, t("staffedit.old_value", code=value)))
            elif f.kind == "gender":
                options = [("nam", t("gender.nam")), ("nu", t("gender.nu"))]
            elif f.kind == "restriction":
                options = [(k, t(f"restriction.{k}")) for k in ("0", "1", "2")]
            elif f.name == "management_category":
                options = [(code, t(f"staffedit.management.{code}")) for code, _ in MANAGEMENT_CATEGORIES]
            elif f.name == "salary_step":
                options = [(str(n), str(n)) for n in SALARY_STEPS]
            elif f.name == "blood_group":
                options = [(g, g) for g in BLOOD_GROUPS]
                if value and value not in BLOOD_GROUPS:
                    options.append((value, value))
            rows.append({"name": f.name, "label": t(_LABEL_KEYS.get(f.name, f"field.{f.name}")), "kind": f.kind,
                         "value": value, "options": options, "max_length": f.max_length,
                         "select": bool(options) or f.kind in ("catalog", "gender", "restriction")})
        out.append({"title": title, "fields": rows})
    return out


def _own_values(view: StaffView) -> dict:
    return {"full_name": view.full_name, "birth_date": view.birth_date, "gender": view.gender,
            "grade_code": view.grade_code, "restriction_level": view.restriction_level}


# -- Thêm cán bộ ---------------------------------------------------------------------------------

def _create_page(request: Request, c: Container, actor: Actor, values: dict[str, str], *, error: str = "",
                 status: int = 200) -> Response:
    t = translator(request)
    creatable = actor.units_for(Action.CREATE)
    unit_list = [u for u in units.list_units(c, actor) if actor.is_system or set(u.path) & creatable]
    return render(request, "staff_form.html", {
        "mode": "create", "values": values, "error": error, "units": unit_list,
        "sections": _form_sections(c, t, values, sensitive=actor.may_somewhere(Action.READ_SENSITIVE)),
        "statuses": [(s.value, t.label("status", s.value)) for s in StaffStatus],
    }, actor=actor, status=status)


@router.get("/can-bo/them")
def create_form(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    if not actor.may_somewhere(Action.CREATE):
        raise Forbidden("Bạn không có quyền thêm cán bộ.")
    return _create_page(request, c, actor, {"restriction_level": "0", "status": StaffStatus.DANG_CONG_TAC.value})


@router.post("/can-bo/them")
async def create(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    form = {k: str(v) for k, v in (await request.form()).items() if k != security.CSRF_FIELD}
    try:
        data = fields_from_form(form, sensitive=actor.may_somewhere(Action.READ_SENSITIVE))
        view = staff.add_staff(c, actor, code=form.get("code", "").strip(), unit_code=form.get("unit_code", ""),
                               status=form.get("status") or StaffStatus.DANG_CONG_TAC.value, **data)
    except (InvalidInput, NotFound) as exc:
        return _create_page(request, c, actor, form, error=str(exc), status=422)
    return _redirect(request, _dossier_url(view.code), t("staffedit.created", code=view.code))


# -- Sửa hồ sơ -----------------------------------------------------------------------------------

def _edit_page(request: Request, c: Container, actor: Actor, view: StaffView, *, values: dict[str, str] | None = None,
               error: str = "", history_error: str = "", status: int = 200) -> Response:
    t = translator(request)
    current = form_values(_own_values(view), view.profile, view.sensitive)
    rows = [{"kind": k.value, "title": t(f"history.{k.value}"), "summary_label": HISTORY_SUMMARY[k.value],
             "details": HISTORY_DETAILS[k.value],
             "entries": [{**h, "from_shown": _shown_day(h["from_date"]), "to_shown": _shown_day(h["to_date"])}
                         for h in view.history if h["kind"] == k.value]} for k in HistoryKind]
    return render(request, "staff_form.html", {
        "mode": "edit", "staff": view, "values": values if values is not None else current, "error": error,
        "sections": _form_sections(c, t, values if values is not None else current,
                                   sensitive=view.sensitive is not None),
        "history_kinds": rows, "history_error": history_error,
    }, actor=actor, status=status)


def _shown_day(value: str | None) -> str:
    if not value:
        return ""
    y, m, d = value[:10].split("-")
    return f"{d}/{m}/{y}"


def _editable(c: Container, actor: Actor, code: str) -> StaffView:
    view = staff.get_staff(c, actor, code)
    if not staff.may(c, actor, code, Action.UPDATE):
        raise Forbidden("Bạn không có quyền sửa hồ sơ này.")
    return view


@router.get("/ho-so/{code}/sua")
def edit_form(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _edit_page(request, c, actor, _editable(c, actor, code))


@router.post("/ho-so/{code}/sua")
async def edit(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    view = _editable(c, actor, code)
    form = {k: str(v) for k, v in (await request.form()).items() if k != security.CSRF_FIELD}
    current = form_values(_own_values(view), view.profile, view.sensitive)
    try:
        changes = changes_from_form(form, current, sensitive=view.sensitive is not None)
        if changes:
            staff.update_staff(c, actor, code, changes)
    except InvalidInput as exc:
        return _edit_page(request, c, actor, view, values={**current, **{k: v for k, v in form.items()
                                                                           if k in FIELDS}},
                          error=str(exc), status=422)
    message = t("staffedit.saved") if changes else t("staffedit.unchanged")
    return _redirect(request, _dossier_url(code), message)


# -- history rows --------------------------------------------------------------------------------

async def _history_form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items() if k != security.CSRF_FIELD}


def _history_failed(request: Request, c: Container, actor: Actor, code: str, exc: Exception) -> Response:
    return _edit_page(request, c, actor, staff.get_staff(c, actor, code), history_error=str(exc), status=422)


@router.post("/ho-so/{code}/qua-trinh")
async def history_add(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    form = await _history_form(request)
    try:
        staff_history.add_history(c, actor, code, history_from_form(form))
    except InvalidInput as exc:
        return _history_failed(request, c, actor, code, exc)
    return _redirect(request, f"/ho-so/{quote(code, safe='')}/sua#h-{form.get('kind', '')}",
                     t("staffedit.history_added"))


@router.post("/ho-so/{code}/qua-trinh/{history_id}")
async def history_edit(code: str, history_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    form = await _history_form(request)
    try:
        staff_history.update_history(c, actor, code, history_id, history_from_form(form))
    except InvalidInput as exc:
        return _history_failed(request, c, actor, code, exc)
    return _redirect(request, f"/ho-so/{quote(code, safe='')}/sua#h-{form.get('kind', '')}",
                     t("staffedit.history_saved"))


@router.post("/ho-so/{code}/qua-trinh/{history_id}/xoa")
async def history_remove(code: str, history_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    staff_history.remove_history(c, actor, code, history_id)
    return _redirect(request, f"/ho-so/{quote(code, safe='')}/sua", t("staffedit.history_removed"))


# -- status and transfer -------------------------------------------------------------------------

def _status_page(request: Request, c: Container, actor: Actor, view: StaffView, *, values: dict | None = None,
                 error: str = "", status: int = 200) -> Response:
    t = translator(request)
    return render(request, "staff_status_form.html", {
        "staff": view, "values": values or {"status": view.status}, "error": error,
        "statuses": [(s.value, t.label("status", s.value)) for s in StaffStatus],
    }, actor=actor, status=status)


@router.get("/ho-so/{code}/trang-thai")
def status_form(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _status_page(request, c, actor, _editable(c, actor, code))


@router.post("/ho-so/{code}/trang-thai")
async def status_change(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    form = await _history_form(request)
    try:
        decision = _decision(form)
        staff_lifecycle.change_status(c, actor, code, status=form.get("status", ""),
                                      effective_date=parse_day(t("staffedit.effective_date"),
                                                               form.get("effective_date", "")),
                                      decision_ref=decision)
    except InvalidInput as exc:
        return _status_page(request, c, actor, staff.get_staff(c, actor, code), values=form, error=str(exc),
                            status=422)
    return _redirect(request, _dossier_url(code, "s-status"), t("staffedit.status_saved"))


def _decision(form: dict[str, str]) -> str:
    """"215/QĐ-UBND ngày 01/12/2026": the number and the decision's date, as the record keeps it."""
    number = " ".join(form.get("decision_number", "").split())
    if not number:
        raise InvalidInput("Số quyết định là bắt buộc.")
    signed = parse_day("Ngày quyết định", form.get("decision_date", ""))
    if signed is None:
        raise InvalidInput("Ngày quyết định là bắt buộc.")
    return f"{number} ngày {signed:%d/%m/%Y}"


def _transfer_page(request: Request, c: Container, actor: Actor, view: StaffView, *, values: dict | None = None,
                   error: str = "", status: int = 200) -> Response:
    movable = actor.units_for(Action.TRANSFER)
    targets = [u for u in units.list_units(c, actor) if u.code != view.unit_code
               and (actor.is_system or set(u.path) & movable)]
    return render(request, "staff_transfer_form.html", {
        "staff": view, "values": values or {}, "error": error, "units": targets,
    }, actor=actor, status=status)


@router.get("/ho-so/{code}/chuyen-cong-tac")
def transfer_form(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    view = staff.get_staff(c, actor, code)
    if not staff.may(c, actor, code, Action.TRANSFER):
        raise Forbidden("Bạn không có quyền chuyển công tác hồ sơ này.")
    return _transfer_page(request, c, actor, view)


@router.post("/ho-so/{code}/chuyen-cong-tac")
async def transfer(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    t = translator(request)
    form = await _history_form(request)
    try:
        decision = _decision(form)
        if not form.get("to_unit_code"):
            raise InvalidInput("Hãy chọn đơn vị nhận hồ sơ.")
        _view, revoked = staff_lifecycle.transfer(
            c, actor, code, to_unit_code=form["to_unit_code"], decision_ref=decision,
            effective_date=parse_day(t("staffedit.effective_date"), form.get("effective_date", "")))
    except (InvalidInput, NotFound) as exc:
        return _transfer_page(request, c, actor, staff.get_staff(c, actor, code), values=form, error=str(exc),
                              status=422)
    message = t("staffedit.transferred", unit=form["to_unit_code"])
    if revoked:
        message += " " + t("staffedit.transfer_revoked", users=", ".join(revoked))
    try:  # after the move the record may be outside the actor's scope: then back to the list
        staff.get_staff(c, actor, code)
        url = _dossier_url(code, "s-status")
    except NotFound:
        url = "/can-bo"
    return _redirect(request, url, message)


# -- the printed sơ yếu lý lịch --------------------------------------------------------------------

@router.get("/ho-so/{code}/so-yeu-ly-lich.pdf")
def print_cv(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    printed = print_form_2c(c, actor, code)
    return finish(request, Response(printed.data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{printed.file_name}"', "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox"}))


@router.get("/ho-so-cua-toi")
def own_dossier(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    """A staff member's own record (TP.HCM QĐ 51/2024 Đ9.2.b): their dossier, with its print button."""
    suffix = "/so-yeu-ly-lich.pdf" if request.query_params.get("in") == "1" else ""
    return finish(request, RedirectResponse(_dossier_url(staff.own_staff_code(c, actor)) + suffix, status_code=303))


def dossier_context(c: Container, actor: Actor, view: StaffView) -> dict:
    """What _dossier_actions.html needs: which buttons the person may use on this record."""
    return {"actions_may_edit": staff.may(c, actor, view.code, Action.UPDATE),
            "actions_may_transfer": staff.may(c, actor, view.code, Action.TRANSFER),
            "actions_may_print": may_print(c, actor, view.code)}


def staff_list_context(actor: Actor) -> dict:
    """"Thêm cán bộ" on the staff list for those who may add a record somewhere."""
    return {"may_add_staff": actor.may_somewhere(Action.CREATE)}
