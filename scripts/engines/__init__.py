"""Start the production engines (PostgreSQL, Redis, Elasticsearch, MinIO) on loopback for tests.

No Docker engine runs on our machines, so each engine is installed from a registry we can
reach (Debian packages, the Go module proxy, …) and run as a plain process under a state
dir. Every engine module has the same three functions:

    install(cache_dir: Path) -> None                     idempotent; slow only the first time
    start(state_dir: Path, port: int) -> dict[str, str]  the ARCHIVE_TEST_*_URL vars it offers
    stop(state_dir: Path) -> None                        idempotent

`state_dir` is the shared state dir; each engine keeps its files in a sub-directory of it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# Short name (as in --only) -> module in this package.
ENGINES: dict[str, str] = {"pg": "postgres", "redis": "redis", "es": "elasticsearch", "s3": "minio"}
ENGINES["verapdf"] = "verapdf"  # a test-only tool (PDF/A validator jar), no server: start only names the jar
ENGINES["compose"] = "compose"  # Docker Compose v2+ CLI (Go module build), no server: validates docker-compose.yml

# Short name -> the env var whose URL points tests at that engine.
URL_VARS: dict[str, str] = {
    "pg": "ARCHIVE_TEST_POSTGRES_URL", "redis": "ARCHIVE_TEST_REDIS_URL",
    "es": "ARCHIVE_TEST_ELASTICSEARCH_URL", "s3": "ARCHIVE_TEST_S3_URL",
}
URL_VARS["verapdf"] = "ARCHIVE_TEST_VERAPDF_JAR"
URL_VARS["compose"] = "ARCHIVE_TEST_COMPOSE_BIN"


def load(name: str) -> ModuleType:
    """Import one engine's module; ModuleNotFoundError when that module is not written yet."""
    return importlib.import_module(f"scripts.engines.{ENGINES[name]}")
