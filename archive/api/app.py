"""The JSON API under /api/v1: its routers and error handlers, mounted by archive.app."""

from __future__ import annotations

from fastapi import FastAPI

from archive.api import routes_accounts, routes_audit, routes_documents, routes_health, routes_staff, routes_staff_list
from archive.api.deps import RequestGuard
from archive.api.errors import install_error_handlers


def install_api(app: FastAPI) -> None:
    install_error_handlers(app)
    app.add_middleware(RequestGuard)  # authenticates and sizes /api/v1 requests before their body is read
    for router in (routes_health.router, routes_accounts.router, routes_staff.router, routes_documents.router,
                   routes_audit.router, routes_staff_list.router):
        app.include_router(router, prefix="/api/v1")
