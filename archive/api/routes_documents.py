"""Documents: upload, state, text, original; and search."""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import asdict
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse

from archive.api.deps import ActorDep, ContainerDep
from archive.services import documents, search
from ingest import Receiver
from search import PAGES_PER_PERSON

_WRITE_BATCH = 1 << 20
# An original is whatever bytes were uploaded (a PNG may also be an HTML page): never rendered
# by the browser as anything but a download, never sniffed into another type, never scripted.
NO_SNIFF = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}

router = APIRouter()


def attachment(file_name: str) -> str:
    """Content-Disposition for a download: the UTF-8 name, and a plain-ASCII one for old clients."""
    plain = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_"
                    for ch in unicodedata.normalize("NFKD", file_name) if not unicodedata.combining(ch))
    return f"attachment; filename=\"{plain or 'tai-lieu'}\"; filename*=UTF-8''{quote(file_name, safe='')}"


@router.post("/documents", status_code=201, tags=["documents"])
def upload_document(
    c: ContainerDep,
    actor: ActorDep,
    file: Annotated[UploadFile, File(description="PDF, TIFF, PNG hoặc JPEG")],
    staff_code: Annotated[str, Form()],
    document_type: Annotated[str, Form()] = documents.DEFAULT_DOCUMENT_TYPE,
) -> dict:
    outcome = documents.ingest_upload(c, actor, staff_code=staff_code, stream=file.file, file_name=file.filename,
                                      document_type=document_type)
    return {**outcome.document.to_dict(), "created": outcome.created}


@router.put("/staff/{staff_code}/documents/{file_name}", status_code=201, tags=["documents"])
async def upload_raw(staff_code: str, file_name: str, request: Request, c: ContainerDep, actor: ActorDep,
                     document_type: str = documents.DEFAULT_DOCUMENT_TYPE) -> dict:
    """Upload one file as the raw request body (no multipart): written to disk once, hashed as it
    arrives — for large scans and integrations. Permission is checked before any byte is read."""
    target = await run_in_threadpool(documents.check_upload, c, actor, staff_code, document_type)
    receiver = Receiver(tmp_dir=c.settings.tmp_dir, max_bytes=c.settings.max_upload_bytes)
    loop = asyncio.get_running_loop()
    writing: asyncio.Future | None = None  # at most one batch being hashed and written, in order
    try:
        buf = bytearray()
        async for chunk in request.stream():
            buf += chunk
            if len(buf) >= _WRITE_BATCH:
                # Hash and write in a thread while the next batch arrives: awaiting each write
                # before reading on stopped the socket (uvicorn buffers only 64 KiB) for every MiB.
                data = bytes(buf)
                buf.clear()
                if writing is not None:
                    await writing
                writing = loop.run_in_executor(None, receiver.write, data)
        if writing is not None:
            await writing
            writing = None
        if buf:
            await run_in_threadpool(receiver.write, bytes(buf))
        received = await run_in_threadpool(receiver.finish)
    except BaseException:
        if writing is not None:  # let the thread finish with the file before it is removed
            await asyncio.gather(writing, return_exceptions=True)
        receiver.abort()
        raise
    outcome = await run_in_threadpool(lambda: documents.ingest_received(
        c, actor, target=target, received=received, file_name=file_name))
    return {**outcome.document.to_dict(), "created": outcome.created}


@router.get("/documents/{document_id}", tags=["documents"])
def read_document(document_id: int, c: ContainerDep, actor: ActorDep) -> dict:
    return documents.get_document(c, actor, document_id).to_dict()


@router.get("/documents/{document_id}/text", tags=["documents"])
def read_text(document_id: int, c: ContainerDep, actor: ActorDep) -> list[dict]:
    return [asdict(p) for p in documents.document_pages(c, actor, document_id)]


@router.get("/documents/{document_id}/original", tags=["documents"])
def download_original(document_id: int, c: ContainerDep, actor: ActorDep) -> StreamingResponse:
    doc, chunks = documents.open_original(c, actor, document_id)
    return StreamingResponse(chunks, media_type=doc.content_type, headers={
        "Content-Disposition": attachment(doc.file_name), "Content-Length": str(doc.size),
        "X-Content-SHA256": doc.sha256, **NO_SNIFF,
    })


@router.get("/documents/{document_id}/pages/{number}/image", tags=["documents"])
def page_image(document_id: int, number: int, c: ContainerDep, actor: ActorDep,
               width: Annotated[int, Query(description=f"one of {documents.THUMB_WIDTHS}")] = 160) -> Response:
    """A PNG of one page (a derivative kept in the object store, made on the first request)."""
    png = documents.page_image(c, actor, document_id, number, width=width)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=86400", **NO_SNIFF})


@router.get("/search", tags=["search"])
def search_pages(
    c: ContainerDep,
    actor: ActorDep,
    q: str = "",
    status: Annotated[list[str] | None, Query()] = None,
    unit: Annotated[list[str] | None, Query(description="mã đơn vị: cả cây đơn vị con")] = None,
    document_type: Annotated[list[str] | None, Query()] = None,
    grade: Annotated[list[str] | None, Query()] = None,
    category: Annotated[list[str] | None, Query(description="loại cán bộ: cong_chuc, vien_chuc, khac")] = None,
    birth_year_from: int | None = None,
    birth_year_to: int | None = None,
    group: Annotated[str, Query(description="staff: one hit per person (default); page: one hit per page")] = "staff",
    sort: Annotated[str, Query(description="relevance, name, birth_date, status_date")] = "relevance",
    pages: Annotated[int, Query(description="group=staff: matching pages shown per person")] = PAGES_PER_PERSON,
    limit: int = 20,
    offset: int = 0,
) -> dict:
    """Tra cứu. group=staff: `total`/`facets` count people, each hit a person with `match_count`
    and their best `matched` pages; `suggestions` holds close names when nobody is found.
    group=page: one hit per page, as before."""
    from archive.api.search_json import pages_json, people_json

    params = search.SearchParams(q=q, statuses=tuple(status or ()), units=tuple(unit or ()),
                                 document_types=tuple(document_type or ()), grades=tuple(grade or ()),
                                 categories=tuple(category or ()), birth_year_from=birth_year_from,
                                 birth_year_to=birth_year_to, group=group, sort=sort)
    # plain data already (str, int, float, lists, dicts): JSONResponse skips FastAPI's
    # jsonable_encoder, which walked every hit again and cost ~3 ms of a people search's CPU
    if group == "page":
        return JSONResponse(pages_json(search.run_pages(c, actor, params, limit=limit, offset=offset)))
    found = search.search_people(c, actor, params, limit=limit, offset=offset, pages_per_person=pages)
    return JSONResponse(people_json(found.result, found.suggestions))
