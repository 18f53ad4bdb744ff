"""The one table that maps domain errors to HTTP status codes."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from archive.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from ingest import InvalidUpload
from search import SearchError
from storage import StorageError

STATUS_BY_ERROR: list[tuple[type[Exception], int]] = [
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (InvalidUpload, 422),
    (SearchError, 503),
    (StorageError, 503),
]


def install_error_handlers(app: FastAPI) -> None:
    for exc_type, status in STATUS_BY_ERROR:
        def handler(_req: Request, exc: Exception, status: int = status) -> JSONResponse:
            return JSONResponse(status_code=status, content={"detail": str(exc)})

        app.add_exception_handler(exc_type, handler)
