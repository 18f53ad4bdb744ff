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
from archive.api import routes_notifications, routes_reports  # warnings, notifications, periodic reports (issue 17)
from archive.api import routes_inventory  # completeness, paper inventory, QR labels, loans (issue 15)
from archive.api import routes_campaigns  # sampling audits, biên bản, log-review alerts (issue 15)
from archive.api import routes_staff_import  # Excel import of staff records, TCVN3/VNI → Unicode (issue 16)
from archive.api import routes_batches  # intake batches (zip), review list, cover sheets (issue 16)
from archive.api import routes_consistency  # paper vs record: findings, resolve, crops, corrections (issue 15)
from archive.api import routes_declarations  # declare → verify → approve, signatures, certificates (issue 18)
from archive.api import routes_units  # units renamed, moved, merged, dissolved, history (issue 11)
from archive.api import routes_metrics  # /metrics for Prometheus, off by default (issue 20)
from archive.api import routes_ocr_review  # Cần xem lại: OCR pages needing a person, mark reviewed (issue 11)
from archive.api import routes_document_corrections  # retype, move, withdraw, re-OCR, rotate (issue 11)
from archive.api.deps import BOUNDED_PATHS, RequestGuard
from archive.api.errors import install_error_handlers


def install_api(app: FastAPI) -> None:
    install_error_handlers(app)
    app.add_middleware(RequestGuard)  # authenticates and sizes /api/v1 requests before their body is read
    for router in (routes_health.router, routes_accounts.router, routes_staff.router, routes_documents.router,
                   routes_audit.router, routes_staff_list.router):
        app.include_router(router, prefix="/api/v1", dependencies=BOUNDED_PATHS)
    app.include_router(routes_retention.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)
    app.include_router(routes_fixity.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)
    app.include_router(routes_dossier_package.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)
    app.include_router(routes_rules.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)
    app.include_router(routes_deadlines.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)
    app.include_router(routes_notifications.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)
    app.include_router(routes_reports.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)
    app.include_router(routes_archival.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)
    app.include_router(routes_inventory.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)  # completeness, paper inventory, labels, loans
    app.include_router(routes_campaigns.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)  # sampling audits, log-review alerts
    app.include_router(routes_staff_import.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)  # Excel import of staff records (issue 16)
    app.include_router(routes_batches.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)  # intake batches, cover sheets (issue 16)
    app.include_router(routes_consistency.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)  # paper vs record (issue 15)
    app.include_router(routes_declarations.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)  # declarations, signatures (issue 18)
    app.include_router(routes_units.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)  # tổ chức lại đơn vị (issue 11)
    app.include_router(routes_ocr_review.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)  # OCR review list, mark reviewed (issue 11)
    app.include_router(routes_document_corrections.router, prefix="/api/v1", dependencies=BOUNDED_PATHS)  # document corrections (issue 11)
    routes_metrics.install_metrics(app, app.state.container)  # /metrics + HTTP instrumentation when enabled (issue 20)
