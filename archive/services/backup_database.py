"""A consistent snapshot of the database (ảnh chụp cơ sở dữ liệu), its row counts, and putting it back.

- SQLite: the online backup API (`sqlite3.Connection.backup`, all pages in one step under one
  read transaction), so writers carry on in WAL mode and the copy is one moment of the database.
  `VACUUM INTO` would also do, but rebuilds every index; the page copy is faster and the same.
- PostgreSQL: `pg_dump -Fc` from an exported snapshot: a REPEATABLE READ transaction exports its
  snapshot (`pg_export_snapshot()`), counts every table in it, and pg_dump dumps exactly that
  snapshot (`--snapshot`) while the transaction is held open — the counts and the dump are the
  same moment. Restored with `pg_restore --single-transaction`, so a failed restore leaves nothing.

Row counts come from every table the database has (reflected, not a list kept here), so
tables other work adds are counted and compared too.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url

from archive.services.backup_tools import KeepAlive, find_tool, run_tool

IGNORED_FOR_EMPTINESS = {"alembic_version"}  # an empty, migrated schema still has its revision row


@dataclass(frozen=True)
class DatabaseSnapshot:
    file: Path
    dialect: str  # "sqlite" | "postgresql"
    sha256: str
    size: int
    counts: dict[str, int]
    revision: str | None  # Alembic revision of the schema in the snapshot


def dialect_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database for backups: {name}")
    return name


def snapshot_file_name(dialect: str) -> str:
    return "database.sqlite" if dialect == "sqlite" else "database.pgdump"


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def count_rows(conn: Connection, tables: list[str]) -> dict[str, int]:
    return {t: int(conn.execute(text(f"SELECT COUNT(*) FROM {_quote(conn, t)}")).scalar() or 0) for t in sorted(tables)}


def _revision(conn: Connection, tables: list[str]) -> str | None:
    if "alembic_version" not in tables:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValueError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def snapshot_database(url: str, dest_dir: Path, *, keep_alive: KeepAlive) -> DatabaseSnapshot:
    dialect = dialect_of(url)
    dest = dest_dir / snapshot_file_name(dialect)
    if dialect == "sqlite":
        source = sqlite3.connect(_sqlite_path(url), timeout=30)
        target = sqlite3.connect(dest)
        try:
            source.backup(target)  # pages=-1: one step, one read transaction
        finally:
            target.close()
            source.close()
        with open(dest, "rb+") as fh:
            os.fsync(fh.fileno())
        engine = create_engine(f"sqlite:///{dest}")
        try:
            with engine.connect() as conn:
                tables = inspect(conn).get_table_names()
                counts, revision = count_rows(conn, tables), _revision(conn, tables)
        finally:
            engine.dispose()
    else:
        engine = create_engine(url)
        try:
            with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
                with conn.begin():
                    exported = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                    tables = list(conn.execute(text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")).scalars())
                    counts, revision = count_rows(conn, tables), _revision(conn, tables)
                    argv, env = _pg_command("pg_dump", url)
                    run_tool([*argv, "--format=custom", f"--snapshot={exported}", f"--file={dest}"], env=env,
                             what="pg_dump", keep_alive=keep_alive)
        finally:
            engine.dispose()
    return DatabaseSnapshot(file=dest, dialect=dialect, sha256=_hash(dest), size=dest.stat().st_size,
                            counts=counts, revision=revision)


def _pg_command(tool: str, url: str) -> tuple[list[str], dict[str, str]]:
    """The tool with the URL's connection, the password in PGPASSWORD (never on the command line)."""
    u = make_url(url)
    argv = [find_tool(tool, "postgresql-client-15"), f"--dbname={u.database}", "--no-password"]
    if u.host:
        argv.append(f"--host={u.host}")
    if u.port:
        argv.append(f"--port={u.port}")
    if u.username:
        argv.append(f"--username={u.username}")
    return argv, ({"PGPASSWORD": u.password} if u.password else {})


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return count_rows(conn, inspect(conn).get_table_names())


def non_empty_tables(engine: Engine) -> dict[str, int]:
    """Tables holding rows (the revision table aside): a database to restore into must have none."""
    try:
        counts = table_counts(engine)
    except Exception:  # noqa: BLE001 - an SQLite file that does not exist yet, a schema never made
        return {}
    return {t: n for t, n in counts.items() if n and t not in IGNORED_FOR_EMPTINESS}


def restore_database(url: str, snapshot: Path, dialect: str, *, keep_alive: KeepAlive) -> None:
    """Put a snapshot back into the (empty) database at `url`."""
    if dialect != dialect_of(url):
        raise ValueError(f"bộ sao lưu chứa cơ sở dữ liệu {dialect}, nơi khôi phục là {dialect_of(url)}")
    if dialect == "sqlite":
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.restore.{os.getpid()}")
        shutil.copyfile(snapshot, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        for stale in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)  # an empty database's journal must not be replayed onto the snapshot
        os.replace(tmp, path)
        return
    argv, env = _pg_command("pg_restore", url)
    # --clean --if-exists: an empty but migrated schema (tables without rows) is replaced
    run_tool([*argv, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--clean",
              "--if-exists", str(snapshot)], env=env, what="pg_restore", keep_alive=keep_alive)
