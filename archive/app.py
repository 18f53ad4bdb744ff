"""The HTTP application: the JSON API (/api/v1) and the Vietnamese web pages (/) over one Container.

`uvicorn archive.app:create_app --factory` serves it. The two doors are siblings and never
import each other; this module is where they meet. The Container is built once per process.
"""

from __future__ import annotations

from fastapi import FastAPI

from archive.api import install_api
from archive.bootstrap import Container, build
from archive.settings import Settings
from archive.web import install_web


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    app = FastAPI(title="Lưu trữ hồ sơ CBCCVC", version="0.3.0",
                  description="Archive and search service for Vietnamese civil-servant personnel dossiers.")
    app.state.container = container or build(settings)
    install_api(app)
    install_web(app, app.state.container)  # the web pages under /, static files under /static
    return app
