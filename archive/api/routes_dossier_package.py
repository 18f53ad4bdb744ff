"""Dossier packages (gói hồ sơ BagIt): download one as a zip, import one (admins only).

The import is a multipart upload, bounded like every upload by RequestGuard (the upload limit)
before its body is read; bigger packages go through `archive dossier import` on the server.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from archive.api.deps import ActorDep, ContainerDep
from archive.api.routes_documents import attachment
from archive.services import dossier_import, dossier_package

router = APIRouter(tags=["dossier packages"])


@router.get("/staff/{staff_code}/package")
def download_package(staff_code: str, c: ContainerDep, actor: ActorDep) -> FileResponse:
    """The dossier as a zipped BagIt bag (originals, archival copies, record.json, METS/PREMIS, audit)."""
    path, name = dossier_package.export_zip_file(c, actor, staff_code)
    return FileResponse(path, media_type="application/zip", headers={"Content-Disposition": attachment(name)},
                        background=BackgroundTask(path.unlink, missing_ok=True))


@router.post("/dossier-packages", status_code=201)
def import_package(c: ContainerDep, actor: ActorDep,
                   file: Annotated[UploadFile, File(description="gói hồ sơ BagIt dạng zip")],
                   unit_code: Annotated[str, Form()] = "") -> dict:
    """Import a zipped package from another instance: every checksum is verified first (admins only)."""
    return dossier_import.import_stream(c, actor, file.file, unit_code=unit_code or None).to_dict()
