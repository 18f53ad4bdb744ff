"""Migration 0004 (people search) up and down on SQLite and PostgreSQL: existing records are queued once."""

from sqlalchemy import create_engine, inspect, text

from archive.db import downgrade, migrate
from tests.contract.test_migrations import database_url  # noqa: F401 — the per-database fixture


def test_existing_records_are_queued_for_the_index_and_the_tables_come_and_go(database_url):  # noqa: F811
    migrate(database_url, "0003")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (id, code, name, path, created_at) "
                          "VALUES (1, 'U1', 'Sở Nội vụ', '/1/', CURRENT_TIMESTAMP)"))
        for n in (1, 2):
            conn.execute(text("INSERT INTO staff (id, code, full_name, unit_id, status, gender, status_decision, "
                              "grade_code, restriction_level, profile, sensitive, created_at, updated_at) VALUES "
                              "(:n, :c, 'Tên', 1, 'nghi_huu', '', '', '', 0, '{}', '', CURRENT_TIMESTAMP, "
                              "CURRENT_TIMESTAMP)"), {"n": n, "c": f"NV{n}"})
    migrate(database_url, "0004")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT staff_id, indexed_at FROM staff_index_queue ORDER BY staff_id")).all()
    assert [tuple(r) for r in rows] == [(1, None), (2, None)]
    assert {"staff_index_queue", "saved_searches"} <= set(inspect(engine).get_table_names())
    downgrade(database_url, "0003")
    assert not {"staff_index_queue", "saved_searches"} & set(inspect(engine).get_table_names())
    migrate(database_url, "0004")
    assert {"staff_index_queue", "saved_searches"} <= set(inspect(engine).get_table_names())
    engine.dispose()
