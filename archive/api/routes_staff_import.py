"""Excel import of staff records as JSON: upload a sheet → a dry-run plan (id), apply it; templates.

The upload is a multipart form bounded by RequestGuard like every upload; `mapping` is a JSON
object (tiêu đề cột → trường) or empty for a saved `template` or the guessed mapping.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Body, File, Form, UploadFile

from archive.api.deps import ActorDep, ContainerDep
from archive.errors import InvalidInput
from archive.services import staff_import

router = APIRouter(tags=["staff import"])


def _mapping(text: str) -> dict | None:
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidInput("Ánh xạ cột phải là một đối tượng JSON {\"Tiêu đề cột\": \"trường\"}.") from None
    if not isinstance(value, dict):
        raise InvalidInput("Ánh xạ cột phải là một đối tượng JSON {\"Tiêu đề cột\": \"trường\"}.")
    return value


@router.post("/staff-imports", status_code=201)
def plan(c: ContainerDep, actor: ActorDep, file: Annotated[UploadFile, File(description=".xlsx, .xls, .csv")],
         template: Annotated[str, Form(max_length=100)] = "", mapping: Annotated[str, Form()] = "") -> dict:
    """The dry run: what would be created, updated, left alone, and every row's problems. Nothing is written."""
    data = file.file.read(staff_import.MAX_BYTES + 1)
    return staff_import.plan_import(c, actor, data, file.filename or "", mapping=_mapping(mapping),
                                    template=template).to_dict()


@router.get("/staff-imports/{run_id}")
def get_run(run_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    return staff_import.get_run(c, actor, run_id).to_dict()


@router.post("/staff-imports/{run_id}/apply")
def apply(run_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    """Write the plan (planned again against the records as they are now); audited."""
    return staff_import.apply_import(c, actor, run_id).to_dict()


@router.get("/staff-import-fields")
def fields(actor: ActorDep) -> list[dict]:
    return [{"field": k, "label": label} for k, label in staff_import.field_choices()]


@router.get("/staff-import-templates")
def list_templates(c: ContainerDep, actor: ActorDep) -> list[dict]:
    return staff_import.list_templates(c, actor)


@router.put("/staff-import-templates/{name}")
def save_template(name: str, c: ContainerDep, actor: ActorDep,
                  mapping: Annotated[dict[str, str], Body(embed=True)]) -> dict:
    return staff_import.save_template(c, actor, name, mapping)
