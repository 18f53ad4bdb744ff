"""Session fixtures that hand tests the URL of a real production engine.

Each fixture first reads its ARCHIVE_TEST_*_URL variable (CI starts the engines once with
`python -m scripts.engines start` and sources engines.env). When the variable is unset it
starts the engine itself, for this session only, if the engine is installed here. When it
cannot get the engine, a developer's run skips the tests that need it, but CI (CI=true)
fails them: a green CI must never mean "the engine tests did not run".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, NoReturn

import pytest

from scripts.engines import ENGINES, URL_VARS, load
from scripts.engines.common import EngineUnavailable, free_port


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: engine tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def _engine_url(short: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yield the engine's URL; a server started here is stopped when the session ends."""
    var = URL_VARS[short]
    if os.environ.get(var):
        yield os.environ[var]
        return
    try:
        module = load(short)
    except ModuleNotFoundError as exc:
        _unavailable(f"{var} unset and scripts/engines/{ENGINES[short]}.py cannot load: {exc}")
    state_dir: Path = tmp_path_factory.mktemp(f"engine-{short}")
    try:
        env = module.start(state_dir, free_port())
    except EngineUnavailable as exc:
        module.stop(state_dir)
        _unavailable(f"{var} unset and {exc}")
    except Exception as exc:  # noqa: BLE001 - any start failure means "no engine" here
        module.stop(state_dir)
        _unavailable(f"{var} unset and {ENGINES[short]} failed to start: {exc}")
    try:
        yield env[var]
    finally:
        module.stop(state_dir)


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """postgresql+psycopg://… of an empty database on a real PostgreSQL."""
    yield from _engine_url("pg", tmp_path_factory)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """redis://127.0.0.1:PORT/0 of a real, throw-away Redis."""
    yield from _engine_url("redis", tmp_path_factory)


@pytest.fixture(scope="session")
def elasticsearch_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """http://127.0.0.1:PORT of a real single-node Elasticsearch 8."""
    yield from _engine_url("es", tmp_path_factory)


@pytest.fixture(scope="session")
def s3_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """s3://archive-test?endpoint=…&secure=false of a real MinIO (the bucket is not created)."""
    yield from _engine_url("s3", tmp_path_factory)
