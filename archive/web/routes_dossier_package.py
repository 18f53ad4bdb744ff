"""Gói hồ sơ (BagIt) in the web pages: the "Xuất gói hồ sơ (BagIt)" button of a dossier, and the admin's
import form (Quản trị › Nhập gói hồ sơ). Both call archive/services/dossier_package.py / dossier_import.py,
which check scope and audit, as the API and the CLI do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from archive import error_table
from archive.bootstrap import Container
from archive.services import dossier_import, dossier_package
from archive.services.access import Action, Actor, require
from archive.web import security
from archive.web.deps import ActorDep, ContainerDep, csrf_protect
from archive.web.errors import WebRoute
from archive.web.rendering import finish, render, translator, web_state

router = APIRouter(route_class=WebRoute, dependencies=[Depends(csrf_protect)])
IMPORT_PATH = "/quan-tri/nhap-goi-ho-so"


def dossier_context(c: Container, actor: Actor, code: str) -> dict:
    """What _dossier_package.html needs: whether this actor may export this record."""
    return {"may_export_package": dossier_package.may_export(c, actor, code),
            "may_import_package": actor.may_somewhere(Action.ADMINISTER)}


@router.get("/ho-so/{code}/goi-bagit")
def export_package(code: str, request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    path, name = dossier_package.export_zip_file(c, actor, code)  # staff codes are ASCII: a plain file name
    return finish(request, FileResponse(path, media_type="application/zip",
                                        headers={"Content-Disposition": f'attachment; filename="{name}"'},
                                        background=BackgroundTask(path.unlink, missing_ok=True)))


def _page(request: Request, c: Container, actor: Actor, *, error: str | None = None, unit_code: str = "",
          status: int = 200) -> Response:
    from archive.services.units import list_units

    units = [u for u in list_units(c, actor)]
    return render(request, "admin_import_package.html", {"tab": "packages", "error": error, "units": units,
                                                         "unit_code": unit_code}, actor=actor, status=status)


@router.get(IMPORT_PATH)
def import_page(request: Request, c: ContainerDep, actor: ActorDep) -> Response:
    require(actor, Action.ADMINISTER)
    return _page(request, c, actor)


@router.post(IMPORT_PATH)
def import_form(request: Request, c: ContainerDep, actor: ActorDep,
                file: Annotated[UploadFile | None, File()] = None, unit_code: Annotated[str, Form()] = "") -> Response:
    require(actor, Action.ADMINISTER)
    t = translator(request)
    if file is None or not file.filename:
        return _page(request, c, actor, error=t("package.need_file"), unit_code=unit_code, status=422)
    try:
        result = dossier_import.import_stream(c, actor, file.file, unit_code=unit_code.strip() or None)
    except Exception as exc:  # noqa: BLE001 — the error table says which are the user's; the rest are bugs
        rule = error_table.rule_for(exc)
        if rule is None:
            raise
        return _page(request, c, actor, error=error_table.message(exc), unit_code=unit_code,
                     status=rule.http_status)
    response = RedirectResponse(f"/ho-so/{result.staff_code}", status_code=303)
    security.set_flash(web_state(request).secret, request, response,
                       t("package.imported", code=result.staff_code, documents=result.documents,
                         unit=result.unit_code), "success")
    return finish(request, response)
