"""GET /api/v1/health: 200 when every engine answers, 503 naming the ones that do not."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from archive.api.deps import ContainerDep
from archive.services import fixity_views
from archive.services.health import PART_NAMES, backup, check

router = APIRouter()


@router.get("/health", tags=["health"])
def health(c: ContainerDep) -> JSONResponse:
    checks = check(c)
    failed = [name for name, state in checks.items() if state != "ok"]
    if not failed:
        # fixity: damaged holdings now, failures and repairs ever, the cycle's coverage (counts only)
        return JSONResponse({"status": "ok", "checks": checks, "backup": backup(c), "fixity": fixity_views.health(c)})
    detail = "Không hoạt động: " + ", ".join(PART_NAMES[n] for n in failed) + "."
    return JSONResponse({"status": "unavailable", "failed": failed, "checks": checks, "detail": detail,
                         "backup": backup(c) if checks.get("database") == "ok" else None},
                        status_code=503)
