"""The JSON API under /api/v1: its routers and error handlers, mounted by archive.app."""

from __future__ import annotations

from fastapi import FastAPI

from archive.api import routes_accounts, routes_audit, routes_documents, routes_health, routes_staff, routes_staff_list
from archive.api import routes_retention  # retention schedule, legal holds, dispositions (issue 13)
from archive.api import routes_fixity  # fixity cycle: report JSON/CSV, pass on demand, document check (issue 13)
from archive.api import routes_dossier_package  # dossier packages: BagIt export / import (issue 14)
from archive.api import routes_rules  # jurisdiction profile, deadlines, swap days (issue 17)
from archive.api import routes_archival  # PDF/A-2b archival copies, TT 05/2025 description (issue 14)
from archive.api import routes_deadlines  # Cảnh báo: deadlines from record events, unit rates (issue 17)
from archive.api.deps import RequestGuard
from archive.api.errors import install_error_handlers


def install_api(app: FastAPI) -> None:
    install_error_handlers(app)
    app.add_middleware(RequestGuard)  # authenticates and sizes /api/v1 requests before their body is read
    for router in (routes_health.router, routes_accounts.router, routes_staff.router, routes_documents.router,
                   routes_audit.router, routes_staff_list.router):
        app.include_router(router, prefix="/api/v1")
    app.include_router(routes_retention.router, prefix="/api/v1")
    app.include_router(routes_fixity.router, prefix="/api/v1")
    app.include_router(routes_dossier_package.router, prefix="/api/v1")
    app.include_router(routes_rules.router, prefix="/api/v1")
    app.include_router(routes_deadlines.router, prefix="/api/v1")
    app.include_router(routes_archival.router, prefix="/api/v1")
