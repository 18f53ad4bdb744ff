"""Fixity (kiểm tra tính toàn vẹn): the auditors' report as JSON and CSV, a pass on demand, one document's check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, StreamingResponse

from archive.api.deps import ActorDep, ContainerDep
from archive.errors import Conflict
from archive.services import documents, fixity_views
from archive.services.fixity import FIXITY_KIND
from archive.work import start_kind

router = APIRouter(tags=["fixity"])


@router.get("/fixity/report")
def report(c: ContainerDep, actor: ActorDep,
           days: Annotated[int | None, Query(description="khoảng thời gian, ngày (mặc định: một chu kỳ)")] = None) -> dict:
    """Coverage of the cycle, what is damaged now, the period's failures and repairs."""
    return fixity_views.status(c, actor, period_days=days).to_dict()


@router.get("/fixity/report.csv")
def report_csv(c: ContainerDep, actor: ActorDep) -> StreamingResponse:
    """Every holding, one line each: namespace, SHA-256, size, last check, result, integrity, documents."""
    rows = fixity_views.csv_rows(c, actor)
    first = next(rows)  # the permission check runs here, before the response starts
    return StreamingResponse(_chain(first, rows), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="kiem-tra-toan-ven.csv"'})


def _chain(first: str, rest):  # noqa: ANN001, ANN202
    yield first.encode("utf-8")
    for chunk in rest:
        yield chunk.encode("utf-8")


@router.get("/fixity/metrics")
def metrics(c: ContainerDep, actor: ActorDep) -> dict:
    """Counters for monitoring: objects damaged now, failures and repairs ever, coverage %."""
    with c.uow() as uow:
        fixity_views.require_fixity_reader(uow.session, actor)
    return fixity_views.health(c)


@router.post("/fixity/run", status_code=202)
def run_now(c: ContainerDep, actor: ActorDep) -> JSONResponse:
    """Record a fixity pass for the workers (the job the hourly schedule records)."""
    with c.uow() as uow:
        fixity_views.require_fixity_runner(uow.session, actor)
    job_id = start_kind(c, c.registry, FIXITY_KIND, payload={"actor": actor.name})
    if job_id is None:
        raise Conflict("Đang có một lượt kiểm tra toàn vẹn chờ hoặc đang chạy.")
    return JSONResponse({"job": job_id}, status_code=202)


@router.get("/documents/{document_id}/fixity")
def document_fixity(document_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    """The document's SHA-256, last check and integrity (scoped like viewing the document)."""
    doc = documents.get_document(c, actor, document_id)
    return fixity_views.file_states(c, [(doc.id, doc.sha256)])[doc.id].to_dict()


@router.post("/documents/{document_id}/fixity-check")
def check_now(document_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    """"Kiểm tra tệp": re-hash the original (and its derivatives) now, repairing what fails; audited."""
    return fixity_views.check_document(c, actor, document_id).to_dict()
