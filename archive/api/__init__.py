"""HTTP API (FastAPI) under /api/v1. Routers are thin: parse, call a service, render."""

from archive.api.app import create_app

__all__ = ["create_app"]
