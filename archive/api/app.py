"""FastAPI application factory. The Container is built once per process at start-up."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from archive.api import routes_accounts, routes_audit, routes_documents, routes_staff
from archive.api.errors import install_error_handlers
from archive.bootstrap import Container, build
from archive.settings import Settings

health_router = APIRouter()


@health_router.get("/health", tags=["health"])
def health() -> dict:
    return {"status": "ok"}


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    app = FastAPI(title="Lưu trữ hồ sơ CBCCVC", version="0.2.0",
                  description="Archive and search service for Vietnamese civil-servant personnel dossiers.")
    app.state.container = container or build(settings)
    install_error_handlers(app)
    for router in (health_router, routes_accounts.router, routes_staff.router, routes_documents.router,
                   routes_audit.router):
        app.include_router(router, prefix="/api/v1")
    from archive.web import install_web  # here, not at the top: archive.web imports archive.api's error table

    install_web(app, app.state.container)  # the Vietnamese web pages under /, static files under /static
    return app
