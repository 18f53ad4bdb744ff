"""The API's error responses: JSON `{"detail": …}` with the status from archive.error_table."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from archive import error_table


def install_error_handlers(app: FastAPI) -> None:
    def handler(_req: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=error_table.http_status(exc), content={"detail": error_table.message(exc)})

    for rule in error_table.RULES:
        app.add_exception_handler(rule.error, handler)
