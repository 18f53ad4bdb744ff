"""Nhập hồ sơ cán bộ từ Excel in the web pages (admins and HR officers): upload a sheet, see the dry
run with every row's problems, change the column mapping with selects (preselected by header
guess or template), optionally save it as a template, then apply. Calls
archive/services/staff_import.py, which checks scope and audits, as the API and the CLI do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from archive import error_table
from archive.bootstrap import Container
from archive.services import staff_import
from archive.services.access import Actor
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import finish, render, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])
PATH = "/nhap-ho-so-excel"
SHOWN_ROWS = 500  # the page lists the rows that need a look first; the counts cover every row


def _rows_to_show(rows: list[dict]) -> list[dict]:
    order = {"problem": 0, "conflict": 1, "update": 2, "create": 3, "unchanged": 4}
    return sorted(rows, key=lambda r: (order[r["action"]], r["row"]))[:SHOWN_ROWS]


def _upload_page(request: Request, c: Container, actor: Actor, *, error: str | None = None,
                 status: int = 200) -> Response:
    templates = staff_import.list_templates(c, actor)
    return render(request, "staff_import.html", {"run": None, "error": error, "templates": templates},
                  actor=actor, status=status)


def _run_page(request: Request, c: Container, actor: Actor, run, *, error: str | None = None,
              status: int = 200) -> Response:
    return render(request, "staff_import.html", {
        "run": run, "error": error, "fields": staff_import.field_choices(), "rows": _rows_to_show(run.rows),
        "templates": staff_import.list_templates(c, actor)}, actor=actor, status=status)


def _failed(exc: Exception) -> tuple[str, int] | None:
    rule = error_table.rule_for(exc)
    return None if rule is None else (error_table.message(exc), rule.http_status)


@router.get(PATH)
def upload_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    staff_import._require_importer(actor)
    return _upload_page(request, c, actor)


@router.post(PATH)
def upload(request: Request, c: ContainerDep, actor: ActorDep, file: Annotated[UploadFile | None, File()] = None,
           template: Annotated[str, Form(max_length=100)] = "") -> Response:
    staff_import._require_importer(actor)
    if file is None or not file.filename:
        return _upload_page(request, c, actor, error=translator(request)("staffimport.need_file"), status=422)
    try:
        run = staff_import.plan_import(c, actor, file.file.read(staff_import.MAX_BYTES + 1), file.filename,
                                       template=template.strip())
    except Exception as exc:
        failed = _failed(exc)
        if failed is None:
            raise
        return _upload_page(request, c, actor, error=failed[0], status=failed[1])
    return finish(request, RedirectResponse(f"{PATH}/{run.id}", status_code=303))


@router.get(PATH + "/{run_id}")
def run_page(run_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    return _run_page(request, c, actor, staff_import.get_run(c, actor, run_id))


@router.post(PATH + "/{run_id}/anh-xa")
async def remap(run_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    form = await request.form()
    run = staff_import.get_run(c, actor, run_id)
    mapping = {h: str(form.get(f"col_{i}", "")) for i, h in enumerate(run.mapping)}
    name = str(form.get("template_name", "")).strip()
    try:
        run = staff_import.remap(c, actor, run_id, mapping)
        if name:
            staff_import.save_template(c, actor, name, {h: k for h, k in mapping.items() if k})
    except Exception as exc:
        failed = _failed(exc)
        if failed is None:
            raise
        return _run_page(request, c, actor, run, error=failed[0], status=failed[1])
    response = RedirectResponse(f"{PATH}/{run_id}", status_code=303)
    if name:
        security.set_flash(web_state(request).secret, request, response,
                           translator(request)("staffimport.template_saved", name=name), "success")
    return finish(request, response)


@router.post(PATH + "/{run_id}/ghi")
def apply(run_id: int, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    try:
        run = staff_import.apply_import(c, actor, run_id)
    except Exception as exc:
        failed = _failed(exc)
        if failed is None:
            raise
        return _run_page(request, c, actor, staff_import.get_run(c, actor, run_id), error=failed[0],
                         status=failed[1])
    response = RedirectResponse(f"{PATH}/{run_id}", status_code=303)
    n = run.counts
    security.set_flash(web_state(request).secret, request, response,
                       translator(request)("staffimport.applied", created=n["create"], updated=n["update"],
                                           unchanged=n["unchanged"], conflicts=n["conflict"],
                                           problems=n["problem"]), "success")
    return finish(request, response)
