"""Alembic migrations go up, down and up again on every database we support."""

import pytest
from sqlalchemy import create_engine, inspect

from archive.db import downgrade, migrate
from tests.support.databases import fresh_postgres_database

TABLES = {
    "staff", "documents", "pages", "jobs", "units", "unit_delegations", "staff_history", "staff_status_changes",
    "staff_assignments", "users", "role_grants", "access_tokens", "audit_log", "audit_head", "catalog_entries",
    "derivatives", "staff_index_queue", "saved_searches",
    "retention_rules", "legal_holds", "disposition_proposals", "disposition_items", "disposition_records",
    "fixity_objects", "fixity_events",  # fixity cycle (0007)
    "calendar_days",  # office calendar (0008)
    "intake_batches", "intake_batch_files",  # bulk intake batches (0013)
    "audit_campaigns", "audit_campaign_items", "log_alerts",  # sampling audits, log-review alerts (0012)
    "dossier_components", "storage_boxes", "dossier_locations", "dossier_loans",  # paper inventory, loans (0011)
    "notifications", "notification_emails", "periodic_reports",  # warnings, notifications, reports (0009)
    "staff_import_templates", "staff_import_runs", "staff_import_fingerprints",  # Excel staff import (0014)
    "consistency_checks", "consistency_findings", "correction_tasks",  # paper vs record, đối chiếu (0010)
    "document_corrections",  # document corrections history: retype, move, withdraw, re-OCR, rotate (0018)
    "unit_events",  # units renamed, moved, merged, dissolved (0016)
    "annual_update_campaigns", "declarations", "declaration_evidence", "declaration_signatures", "signing_certificates",  # declarations, signatures (0015)
}


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

    from archive.models import Document, Staff, Unit

    migrate(database_url)
    engine = create_engine(database_url)
    with Session(engine) as s:
        unit = Unit(code="U1", name="Sở Nội vụ", path="")
        s.add(unit)
        s.flush()
        staff = Staff(code="NV1", full_name="Phạm Thị Hà", unit_id=unit.id, status="dang_cong_tac")
        s.add(staff)
        s.flush()
        for _ in range(2):
            s.add(Document(staff_id=staff.id, document_type="khac", file_name="a.pdf", content_type="application/pdf",
                           sha256="a" * 64, size=1, page_count=1, state="queued"))
        with pytest.raises(IntegrityError):
            s.flush()
    engine.dispose()


def test_skeleton_staff_units_become_unit_rows_and_come_back(database_url):
    from sqlalchemy import text

    migrate(database_url, "0001")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        for code, unit in (("A1", "Sở Nội vụ"), ("A2", "Sở Nội vụ"), ("B1", "")):
            conn.execute(text("INSERT INTO staff (code, full_name, unit_name, status, created_at, updated_at) "
                              "VALUES (:c, 'Tên', :u, 'dang_cong_tac', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                         {"c": code, "u": unit})
    migrate(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT s.code, u.name, u.path FROM staff s JOIN units u ON u.id = s.unit_id "
                                 "ORDER BY s.code")).all()
    assert [(r[0], r[1]) for r in rows] == [("A1", "Sở Nội vụ"), ("A2", "Sở Nội vụ"), ("B1", "Chưa xếp đơn vị")]
    assert rows[0][2] == rows[1][2] != rows[2][2]
    downgrade(database_url, "0001")
    with engine.connect() as conn:
        back = conn.execute(text("SELECT code, unit_name FROM staff ORDER BY code")).all()
    assert [tuple(r) for r in back] == [("A1", "Sở Nội vụ"), ("A2", "Sở Nội vụ"), ("B1", "Chưa xếp đơn vị")]
    engine.dispose()


def test_document_jobs_become_extract_jobs_with_a_target_and_come_back(database_url):
    from sqlalchemy import text

    migrate(database_url, "0002")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (id, code, name, path, created_at) "
                          "VALUES (1, 'U1', 'Sở Nội vụ', '/1/', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO staff (id, code, full_name, unit_id, status, gender, status_decision, grade_code, "
                          "restriction_level, profile, sensitive, created_at, updated_at) VALUES (1, 'NV1', 'Tên', 1, "
                          "'dang_cong_tac', '', '', '', 0, '{}', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO documents (id, staff_id, document_type, file_name, content_type, sha256, size, "
                          "page_count, state, created_at, updated_at) VALUES (7, 1, 'khac', 'a.pdf', "
                          "'application/pdf', :h, 1, 1, 'indexed', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                     {"h": "a" * 64})
        conn.execute(text("INSERT INTO jobs (document_id, kind, state, attempts, enqueued_at, created_at, updated_at) "
                          "VALUES (7, 'process', 'done', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    migrate(database_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT kind, target_type, target_id, state, finished_at FROM jobs")).one()
    assert tuple(row[:4]) == ("extract", "document", "7", "done") and row[4] is not None
    downgrade(database_url, "0002")
    with engine.connect() as conn:
        assert tuple(conn.execute(text("SELECT kind, document_id, state FROM jobs")).one()) == ("process", 7, "done")
    engine.dispose()
