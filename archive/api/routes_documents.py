"""Documents: upload, state, text, original; and search."""

from __future__ import annotations

import asyncio
import html
from dataclasses import asdict
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from archive.api.deps import ActorDep, ContainerDep
from archive.services import documents, search
from ingest import Receiver

_WRITE_BATCH = 1 << 20

router = APIRouter()


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
    disposition = f"attachment; filename*=UTF-8''{quote(doc.file_name)}"
    return StreamingResponse(chunks, media_type=doc.content_type, headers={
        "Content-Disposition": disposition, "Content-Length": str(doc.size), "X-Content-SHA256": doc.sha256,
    })


@router.get("/documents/{document_id}/pages/{number}/image", tags=["documents"])
def page_image(document_id: int, number: int, c: ContainerDep, actor: ActorDep,
               width: Annotated[int, Query(description=f"one of {documents.THUMB_WIDTHS}")] = 160) -> Response:
    """A PNG of one page (a derivative kept in the object store, made on the first request)."""
    png = documents.page_image(c, actor, document_id, number, width=width)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


@router.get("/search", tags=["search"])
def search_pages(
    c: ContainerDep,
    actor: ActorDep,
    q: str = "",
    status: Annotated[list[str] | None, Query()] = None,
    unit: Annotated[list[str] | None, Query(description="mã đơn vị: cả cây đơn vị con")] = None,
    document_type: Annotated[list[str] | None, Query()] = None,
    grade: Annotated[list[str] | None, Query()] = None,
    birth_year_from: int | None = None,
    birth_year_to: int | None = None,
    limit: int = 20,
    offset: int = 0,
) -> dict:
    result = search.search_pages(c, actor, q, statuses=status, units=unit, document_types=document_type,
                                 grades=grade, birth_year_from=birth_year_from, birth_year_to=birth_year_to,
                                 limit=limit, offset=offset)
    # The snippet as this door renders it (escaped HTML, matches in <mark>), and as data for
    # clients that render their own: the plain text and [start, end) character offsets into it.
    hits = [{**asdict(h), "snippet": h.snippet.marked("<mark>", "</mark>", html.escape),
             "snippet_text": h.snippet.text, "highlights": [list(span) for span in h.snippet.spans]}
            for h in result.hits]
    return {"total": result.total, "hits": hits, "facets": result.facets}
