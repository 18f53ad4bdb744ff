"""The API's error responses: JSON `{"detail": …}` with the status from archive.error_table.

Request validation (FastAPI's RequestValidationError) answers 422 with one Vietnamese sentence
naming the field in `detail`, and the machine-readable list under `errors` (location, type and
pydantic's message, never the value sent).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from archive import error_table
from archive.services.staff_profile import describe_errors


def validation_response(exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    listed = [{"loc": list(e.get("loc", ())), "type": e.get("type", ""), "msg": e.get("msg", "")} for e in errors]
    return JSONResponse(status_code=422, content={"detail": describe_errors(errors), "errors": listed})


def install_error_handlers(app: FastAPI) -> None:
    def handler(_req: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=error_table.http_status(exc), content={"detail": error_table.message(exc)})

    async def invalid_request(_req: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_response(exc)

    for rule in error_table.RULES:
        app.add_exception_handler(rule.error, handler)
    app.add_exception_handler(RequestValidationError, invalid_request)
