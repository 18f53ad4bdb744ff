"""Shared fixtures: a fresh embedded archive per test, real data (rendered Vietnamese pages)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from archive.bootstrap import Container, build
from archive.db import migrate
from archive.settings import Settings
from tests.support.inline_queue import InlineQueue

pytest_plugins = ["tests.support.engines"]


def require_tool(name: str) -> None:
    """Skip locally, fail in CI, when a needed program is missing (README's setup installs it)."""
    if shutil.which(name) is None:
        msg = f"{name} is not installed (run `make setup`)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = Settings(data_dir=tmp_path / "data")
    s.data_dir.mkdir(parents=True)
    migrate(s.database_url)
    return s


@pytest.fixture
def container(settings: Settings) -> Container:
    """An embedded archive with the root unit TINH (the province) and seeded catalogs."""
    from archive.services.access import SYSTEM
    from archive.services.catalogs import seed_catalogs
    from archive.services.units import add_unit

    c = build(settings, queue=InlineQueue())
    c.queue.bind(c)
    seed_catalogs(c)
    add_unit(c, SYSTEM, code="TINH", name="Ủy ban nhân dân tỉnh")
    yield c
    c.close()


@pytest.fixture
def tesseract() -> None:
    require_tool("tesseract")
