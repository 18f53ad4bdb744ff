"""Alembic migrations go up, down and up again on every database we support."""

import pytest
from sqlalchemy import create_engine, inspect

from archive.db import downgrade, migrate
from tests.support.databases import fresh_postgres_database

TABLES = {"staff", "documents", "pages", "jobs"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.db'}"
    return fresh_postgres_database(request.getfixturevalue("postgres_url"))


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_migrations_up_down_up(database_url):
    migrate(database_url)
    assert _tables(database_url) == TABLES
    migrate(database_url)  # running twice is a no-op
    downgrade(database_url, "base")
    assert _tables(database_url) == set()
    migrate(database_url)
    assert _tables(database_url) == TABLES


def test_documents_are_unique_per_staff_and_sha256(database_url):
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import Session

    from archive.models import Document, Staff

    migrate(database_url)
    engine = create_engine(database_url)
    with Session(engine) as s:
        staff = Staff(code="NV1", full_name="Phạm Thị Hà", unit_name="", status="dang_cong_tac")
        s.add(staff)
        s.flush()
        for _ in range(2):
            s.add(Document(staff_id=staff.id, document_type="khac", file_name="a.pdf", content_type="application/pdf",
                           sha256="a" * 64, size=1, page_count=1, state="queued"))
        with pytest.raises(IntegrityError):
            s.flush()
    engine.dispose()
