"""The production stack for the load test, on loopback: engines, data, accounts, API and workers.

``scripts.engines`` starts PostgreSQL, Redis, Elasticsearch and MinIO as plain processes; the
archive is set up as an operator would (``archive init`` on the production URLs), then the
benchmark corpus (bench.corpus.pages regrouped by bench.people, as the search benchmarks load
it) goes straight into the database in bulk — not 100k uploads — and ``reindex_all`` (what
``archive reindex`` runs) builds the Elasticsearch index from it. Accounts are made through the
accounts service; the API (uvicorn on the app factory), one OCR/work worker and the single index
consumer run exactly as ``archive serve`` starts them (archive.serve.commands).
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from bench.api_server import archive_cli, server_env, stop_group
from scripts.engines.common import free_port

ENGINES = "pg,redis,es,s3"


@dataclass
class Corpus:
    """What the traffic needs to know about the loaded data."""

    pages: int
    documents: int
    departments: list[str]  # level-2 unit codes (Sở …): the HR users' scopes
    names_by_department: dict[str, list[str]] = field(default_factory=dict)
    staff_by_department: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    index_bytes: int = 0  # the search index on disk after the load (primaries), for sizing
    database_bytes: int = 0


@contextmanager
def engines(state_dir: Path) -> Iterator[dict[str, str]]:
    """Start the four engines (free loopback ports); yield their ARCHIVE_TEST_*_URL; stop them."""
    base = [sys.executable, "-m", "scripts.engines"]
    root = Path(__file__).resolve().parents[1]
    try:
        subprocess.run([*base, "start", "--only", ENGINES, "--state-dir", str(state_dir)], check=True, cwd=root)
        env: dict[str, str] = {}
        for line in (state_dir / "engines.env").read_text().splitlines():
            if line.startswith("export "):
                key, _, value = line[7:].partition("=")
                env[key] = shlex.split(value)[0] if value else ""
        yield env
    finally:
        subprocess.run([*base, "stop", "--only", ENGINES, "--state-dir", str(state_dir)], check=False, cwd=root)


def production_settings(urls: dict[str, str], data_dir: Path) -> dict[str, str]:
    """ARCHIVE_* for the API and workers: every back end on its production adapter."""
    s3 = urls["ARCHIVE_TEST_S3_URL"].replace("s3://archive-test?", "s3://archive-load?", 1)
    return {
        "database_url": urls["ARCHIVE_TEST_POSTGRES_URL"],
        "broker_url": urls["ARCHIVE_TEST_REDIS_URL"],
        "search_url": urls["ARCHIVE_TEST_ELASTICSEARCH_URL"] + "?prefix=load",
        "storage_url": s3,
        "audit_key": _b64(32), "field_keys": "k1:" + _b64(32), "web_secret": secrets.token_urlsafe(32),
        "data_dir": str(data_dir),
    }


def _b64(n: int) -> str:
    import base64

    return base64.b64encode(secrets.token_bytes(n)).decode()


def init_archive(settings: dict[str, str]) -> dict[str, str]:
    """``archive init`` on the production URLs; the environment every process of the stack gets."""
    data_dir = Path(settings["data_dir"])
    data_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(data_dir, **{k: v for k, v in settings.items() if k != "data_dir"})
    archive_cli(env, "init")
    return env


def load_corpus(env: dict[str, str], *, pages: int, seed: int) -> Corpus:
    """The benchmark pages as database rows (bulk insert), then the index rebuilt from them."""
    from sqlalchemy import func, insert, select, text

    from archive.bootstrap import build
    from archive.domain import DocumentState
    from archive.models import Document, Page, Staff, Unit
    from archive.settings import Settings
    from archive.work.kinds.index import reindex_all
    from bench.corpus.pages import iter_pages
    from bench.people import People
    from bench.search import staff_for

    t0 = time.monotonic()
    settings = Settings(**_settings_kwargs(env))
    c = build(settings)
    corpus = Corpus(pages=pages, documents=0, departments=[])
    try:
        with c.uow() as uow:
            s = uow.session
            units = {code: (uid, path) for uid, code, path in s.execute(select(Unit.id, Unit.code, Unit.path))}
            next_unit = (s.scalar(select(func.max(Unit.id))) or 0) + 1
            next_staff = (s.scalar(select(func.max(Staff.id))) or 0) + 1
            next_doc = (s.scalar(select(func.max(Document.id))) or 0) + 1
        staff: dict[str, int] = {}
        doc_ids: dict[int, int] = {}
        rows: dict[type, list[dict]] = {Unit: [], Staff: [], Document: [], Page: []}
        people = People(staff_for(pages))
        for p in people.regroup(iter_pages(seed, pages)):
            parent = None
            for code in p.scope_units:  # root first (exists: archive init), then ancestors, the unit
                if code not in units:
                    path = f"{parent[1] if parent else '/'}{next_unit}/"
                    units[code] = (next_unit, path)
                    rows[Unit].append(dict(id=next_unit, code=code, name=f"Đơn vị {code}",
                                           parent_id=parent[0] if parent else None, path=path))
                    next_unit += 1
                parent = units[code]
            department = p.scope_units[1] if len(p.scope_units) > 1 else p.scope_units[0]
            if p.staff_code not in staff:
                staff[p.staff_code] = next_staff
                next_staff += 1
                rows[Staff].append(dict(id=staff[p.staff_code], code=p.staff_code, full_name=p.staff_name,
                                        birth_date=date.fromisoformat(p.birth_date) if p.birth_date else None,
                                        unit_id=units[p.scope_units[-1]][0], status=p.status, grade_code=p.grade,
                                        restriction_level=0, profile={}))
                corpus.names_by_department.setdefault(department, []).append(p.staff_name)
                corpus.staff_by_department.setdefault(department, []).append(p.staff_code)
            if p.document_id not in doc_ids:
                doc_ids[p.document_id] = next_doc
                next_doc += 1
                rows[Document].append(dict(id=doc_ids[p.document_id], staff_id=staff[p.staff_code],
                                           document_type=p.document_type, file_name=f"ho-so-{p.document_id}.pdf",
                                           content_type="application/pdf", sha256=f"{doc_ids[p.document_id]:064x}",
                                           size=0, page_count=0, state=DocumentState.INDEXED.value))
            rows[Document][-1]["page_count"] += 1
            rows[Page].append(dict(document_id=doc_ids[p.document_id], number=p.page, text=p.text,
                                   confidence=90.0, source="ocr"))
        with c.uow() as uow:
            for model, batch in rows.items():
                for start in range(0, len(batch), 5_000):
                    uow.session.execute(insert(model), batch[start:start + 5_000])
            if uow.session.bind.dialect.name == "postgresql":  # explicit ids: move the sequences past them
                for table in ("units", "staff", "documents", "pages"):
                    uow.session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
            uow.commit()
        corpus.documents = len(rows[Document])
        corpus.departments = sorted(corpus.staff_by_department)
        reindex_all(c)
        corpus.seconds = time.monotonic() - t0
        corpus.index_bytes = index_bytes(settings.search_url)
        with c.uow() as uow:
            if uow.session.bind.dialect.name == "postgresql":
                corpus.database_bytes = int(uow.session.scalar(text("SELECT pg_database_size(current_database())")))
            else:
                corpus.database_bytes = Path(settings.database_url.removeprefix("sqlite:///")).stat().st_size
    finally:
        c.close()
    return corpus


def index_bytes(search_url: str) -> int:
    """Bytes the page index takes: Elasticsearch's primary store size, or tantivy's directory."""
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(search_url)
    if parts.scheme == "tantivy":
        return sum(f.stat().st_size for f in Path(parts.path).rglob("*") if f.is_file())
    prefix = dict(parse_qsl(parts.query)).get("prefix", "archive")
    node = f"{parts.scheme}://{parts.netloc}"
    httpx.post(f"{node}/{prefix}-*/_refresh", timeout=60)
    stats = httpx.get(f"{node}/{prefix}-*/_stats/store", timeout=60).json()
    return int(stats["_all"]["primaries"]["store"]["size_in_bytes"])


def _settings_kwargs(env: dict[str, str]) -> dict[str, str]:
    return {k.removeprefix("ARCHIVE_").lower(): v for k, v in env.items() if k.startswith("ARCHIVE_")}


def make_users(env: dict[str, str], departments: list[str], *, hr: int, archivists: int) -> dict[str, str]:
    """HR officers (cán bộ tổ chức) and archivists (văn thư), each scoped to one department;
    returns username → password."""
    from archive.bootstrap import build
    from archive.services.access import SYSTEM
    from archive.services.accounts import create_user
    from archive.settings import Settings

    c = build(Settings(**_settings_kwargs(env)))
    made: dict[str, str] = {}
    try:
        for role, count in (("hr_officer", hr), ("archivist", archivists)):
            for i in range(count):
                unit = departments[i % len(departments)]
                username = f"{'tccb' if role == 'hr_officer' else 'vanthu'}-{i + 1:02d}"
                password = "Tai-" + secrets.token_urlsafe(12)
                create_user(c, SYSTEM, username=username, password=password, unit_code=unit, role=role)
                made[username] = password
    finally:
        c.close()
    return made


@dataclass
class Processes:
    base_url: str
    procs: dict[str, subprocess.Popen]
    logs: Path

    def alive(self) -> list[str]:
        return [n for n, p in self.procs.items() if p.poll() is None]

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds so far of each process group (the API; a worker with its prefork children
        and their tesseract runs), live members plus the children they reaped."""
        tick = os.sysconf("SC_CLK_TCK")
        out = {name: 0.0 for name in self.procs}
        groups = {p.pid: name for name, p in self.procs.items()}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            name = groups.get(int(fields[2]))  # field 5 of stat: the process group
            if name is not None:
                out[name] += sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
        return out


@contextmanager
def serve(env: dict[str, str], logs: Path, *, ocr_workers: int = 1) -> Iterator[Processes]:
    """The API, one OCR/work worker and the index consumer, as `archive serve` starts them."""
    from archive.serve import commands
    from archive.settings import Settings

    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    cmds = commands(Settings(**_settings_kwargs(env)), host="127.0.0.1", port=port, ocr_workers=ocr_workers)
    procs: dict[str, subprocess.Popen] = {}
    try:
        for name in ("api", "ocr", "index"):
            with open(logs / f"{name}.log", "ab") as out:
                procs[name] = subprocess.Popen(cmds[name], env=env, stdout=out, stderr=subprocess.STDOUT,
                                               start_new_session=True)
        base = f"http://127.0.0.1:{port}/api/v1"
        _wait_healthy(base + "/health", procs, logs)
        yield Processes(base_url=base, procs=procs, logs=logs)
    finally:
        for p in procs.values():
            stop_group(p)


def _wait_healthy(url: str, procs: dict[str, subprocess.Popen], logs: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dead = [n for n, p in procs.items() if p.poll() is not None]
        if dead:
            raise RuntimeError(f"{dead} exited during start-up; see {logs}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not healthy after {timeout:.0f} s; see {logs}")
