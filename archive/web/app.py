"""Mount the web pages, their static files and their error pages on the FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from archive.bootstrap import Container
from archive.web import routes_admin, routes_audit, routes_auth, routes_dossier, routes_search, routes_upload
from archive.web import routes_backup
from archive.web import routes_staff_list
from archive.web import routes_fixity  # fixity cycle: admin page, "Kiểm tra tệp" (issue 13)
from archive.web import routes_retention  # retention schedule, disposition, legal holds (issue 13)
from archive.web import routes_rules  # jurisdiction profile, swap days, deadline calculator (issue 17)
from archive.web import routes_deadlines  # Cảnh báo: deadlines from record events, unit rates (issue 17)
from archive.web import routes_dossier_package  # dossier packages: BagIt export button, admin import (issue 14)
from archive.web import routes_archival  # PDF/A archival copy download, TT 05 description form (issue 14)
from archive.web import routes_notifications  # Thông báo, bell, Báo cáo định kỳ (issue 17)
from archive.web import routes_staff_edit  # staff records: add, edit, histories, status, transfer, print (issue 11)
from archive.web import routes_inventory  # thành phần hồ sơ, kho hồ sơ giấy, quét nhãn, mượn trả (issue 15)
from archive.web import routes_staff_import  # nhập hồ sơ cán bộ từ Excel, TCVN3/VNI → Unicode (issue 16)
from archive.web import routes_consistency  # đối chiếu bản giấy với hồ sơ, Cần sửa hồ sơ (issue 15)
from archive.web import routes_batches  # lô tiếp nhận (zip), cần xem lại, tờ bìa phân tách (issue 16)
from archive.web import routes_campaigns  # đợt kiểm tra theo mẫu, biên bản, cảnh báo nhật ký (issue 15)
from archive.web import routes_declarations  # kê khai, xác thực, phê duyệt bằng chữ ký số, chứng thư số (issue 18)
from archive.web import routes_units  # tổ chức lại đơn vị: rename, move, merge, dissolve (issue 11)
from archive.web import routes_ocr_review  # trang cần xem lại sau nhận dạng chữ (issue 11)
from archive.web import routes_document_corrections  # hiệu chỉnh tài liệu: đổi loại, chuyển, thu hồi, xoay (issue 11)
from archive.web.deps import WebGuard  # session and size checked before a form's body is read (issue 22)
from archive.web.errors import not_found_or_api
from archive.web.rendering import STATIC_DIR, build_state


class VersionedStaticFiles(StaticFiles):
    """Static files; a URL carrying ?v=<content hash> is cached for a year (slow networks)."""

    async def get_response(self, path: str, scope: Scope):  # noqa: ANN201
        response = await super().get_response(path, scope)
        if b"v=" in scope.get("query_string", b"") and response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def install_web(app: FastAPI, container: Container) -> None:
    app.state.web = build_state(container)
    app.mount("/static", VersionedStaticFiles(directory=STATIC_DIR), name="static")
    for module in (routes_auth, routes_search, routes_dossier, routes_upload, routes_admin, routes_audit, routes_backup,
                   routes_staff_list):
        app.include_router(module.router, include_in_schema=False)
    app.include_router(routes_fixity.router, include_in_schema=False)
    app.include_router(routes_retention.router, include_in_schema=False)
    app.include_router(routes_rules.router, include_in_schema=False)
    app.include_router(routes_deadlines.router, include_in_schema=False)
    app.include_router(routes_dossier_package.router, include_in_schema=False)
    app.include_router(routes_archival.router, include_in_schema=False)
    app.include_router(routes_notifications.router, include_in_schema=False)
    routes_notifications.install(app)  # the header's bell: unread count as a template global
    app.include_router(routes_staff_edit.router, include_in_schema=False)
    app.include_router(routes_inventory.router, include_in_schema=False)
    app.include_router(routes_staff_import.router, include_in_schema=False)  # Excel import (issue 16)
    app.include_router(routes_consistency.router, include_in_schema=False)  # paper vs record (issue 15)
    app.include_router(routes_batches.router, include_in_schema=False)  # intake batches, cover sheets (issue 16)
    app.include_router(routes_campaigns.router, include_in_schema=False)  # sampling audits, log alerts (issue 15)
    app.include_router(routes_declarations.router, include_in_schema=False)  # declarations, signatures (issue 18)
    app.include_router(routes_units.router, include_in_schema=False)  # tổ chức lại đơn vị (issue 11)
    app.include_router(routes_ocr_review.router, include_in_schema=False)  # OCR review list (issue 11)
    app.include_router(routes_document_corrections.router, include_in_schema=False)  # document corrections (issue 11)
    app.add_exception_handler(StarletteHTTPException, not_found_or_api)
    app.add_middleware(WebGuard)  # form POSTs: the session cookie and the body's size, before the body is read
