"""A bounded load test of the production stack (`make load`): mixed traffic through the HTTP API.

    python -m bench.load [--duration 600] [--pages 100000] [--hr 6] [--archivists 2]
                         [--think 1.0] [--max-requests 200000] [--embedded] [--no-results]

bench.load_stack starts PostgreSQL, Redis, Elasticsearch and MinIO with scripts.engines (loopback
only), runs ``archive init`` on them, loads ``--pages`` benchmark pages in bulk (database rows +
``reindex_all`` into Elasticsearch), creates HR officers and archivists each scoped to one
department (Sở), and starts the API, one OCR/work worker and the index consumer as ``archive
serve`` does. Then, for ``--duration`` seconds (or ``--max-requests``, whichever comes first):

- each HR officer (cán bộ tổ chức) searches — people (group=staff, the default) or pages
  (group=page); names from their own department, topics, names from elsewhere — and opens one
  page of a hit about every other search (``GET /documents/{id}/text``: a page view);
- each archivist (văn thư) uploads small files (a PDF with a text layer, or a PNG scan the worker
  OCRs) for staff of their department, checks an earlier upload's state, and looks at the page
  image of an indexed one;
- every user thinks between requests (exponential, mean ``--think`` s; archivists 4×).

Reported per kind: count, throughput, p50/p95/p99, errors (non-2xx or transport failures), and
how long uploads took to be searchable (after the traffic, a bounded wait for the last ones).
The summary is written at the top of bench/RESULTS.md with the machine and its `uptime` load.
Targets (issue 20): 0 errors; search p95 ≤ 100 ms at 100k pages. ``--embedded`` runs the same
traffic against the embedded stack (SQLite, tantivy, file-system broker) — for the harness test.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.load_files import scan_png, text_pdf
from bench.load_stats import Recorder, markdown_table, prepend_section, summarize
from bench.report import Summary, Target, emit, machine

BENCH = "load"
TARGET_SEARCH_P95_MS = 100.0
TOPICS = ("nâng bậc lương", "nghỉ hưu", "quyết định tuyển dụng", "Chuyên viên chính", "bổ nhiệm",
          "bao hiem xa hoi", "điều động", "thi dua khen thuong", "Đảng Cộng sản", "ngạch Kế toán viên")
RESULTS = Path(__file__).with_name("RESULTS.md")
ANCHOR_SHARE = 0.25  # of HR searches also asked straight to the engine (kinds engine_people / engine_pages)


@dataclass
class Upload:
    document_id: int
    sent_at: float
    owner: str  # the archivist who sent it: only their scope may read its state
    indexed_after_s: float | None = None
    failed: bool = False


@dataclass
class Traffic:
    base_url: str
    tokens: dict[str, str]  # username → bearer token
    search_url: str  # the engine the API searches, for the anchor: the same query without HTTP/auth/audit
    departments: dict[str, str]  # username → scope (department code)
    names: dict[str, list[str]]  # department → staff names
    staff: dict[str, list[str]]  # department → staff codes
    deadline: float
    max_requests: int
    think_s: float
    recorder: Recorder = field(default_factory=Recorder)
    uploads: list[Upload] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def done(self) -> bool:
        return time.monotonic() >= self.deadline or self.recorder.requests >= self.max_requests

    def call(self, client: httpx.Client, kind: str, method: str, url: str, **kw) -> httpx.Response | None:
        t0 = time.perf_counter()
        try:
            r = client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self.recorder.record(kind, (time.perf_counter() - t0) * 1000, error=type(exc).__name__)
            return None
        ms = (time.perf_counter() - t0) * 1000
        self.recorder.record(kind, ms, error=None if r.is_success else str(r.status_code))
        return r if r.is_success else None

    def pause(self, rng: random.Random, factor: float = 1.0) -> None:
        left = self.deadline - time.monotonic()
        time.sleep(max(0.0, min(left, rng.expovariate(1 / (self.think_s * factor)))))


def hr_officer(t: Traffic, username: str, seed: int) -> None:
    rng = random.Random(f"{seed}:{username}")
    own = t.names.get(t.departments[username]) or [n for ns in t.names.values() for n in ns]
    everyone = [n for ns in t.names.values() for n in ns]
    from search.factory import open_index

    engine = open_index(t.search_url)
    with httpx.Client(base_url=t.base_url, headers={"Authorization": f"Bearer {t.tokens[username]}"},
                      timeout=30) as client:
        while not t.done():
            roll = rng.random()
            q = (rng.choice(own) if roll < 0.5 else rng.choice(TOPICS) if roll < 0.8
                 else f"{rng.choice(own)} {rng.choice(TOPICS)}" if roll < 0.9 else rng.choice(everyone))
            group = "staff" if rng.random() < 0.6 else "page"
            r = t.call(client, f"search_{'people' if group == 'staff' else 'pages'}", "GET", "/search",
                       params={"q": q, "group": group, "limit": 20})
            if rng.random() < ANCHOR_SHARE:
                engine_anchor(t, engine, q, group, t.departments[username])
            if r is not None and rng.random() < 0.5:
                hits = r.json()["hits"]
                ids = [h["document_id"] for h in hits] if group == "page" else [
                    m["document_id"] for h in hits for m in h["matched"]]
                if ids:
                    t.pause(rng, 0.3)
                    t.call(client, "page_view", "GET", f"/documents/{rng.choice(ids)}/text")
            t.pause(rng)


def engine_anchor(t: Traffic, engine, q: str, group: str, department: str) -> None:  # noqa: ANN001
    """The query archive.services.search builds for this officer, straight to the engine."""
    from archive.services.search import FACETS, PAGES_PER_PERSON, PEOPLE_FACETS
    from search import Matching, SearchQuery

    people = group == "staff"
    query = SearchQuery(text=q, filters={}, facets=PEOPLE_FACETS if people else FACETS, limit=20, offset=0,
                        scope_units=(department,), max_restriction=0,
                        matching=Matching.TYPOS if people else Matching.WORDS, sort="relevance")
    t0 = time.perf_counter()
    try:
        engine.search_people(query, pages_per_person=PAGES_PER_PERSON) if people else engine.search(query)
    except Exception as exc:  # noqa: BLE001 - counted as the anchor's error, never hidden
        t.recorder.record(f"engine_{'people' if people else 'pages'}", (time.perf_counter() - t0) * 1000,
                          error=type(exc).__name__)
        return
    t.recorder.record(f"engine_{'people' if people else 'pages'}", (time.perf_counter() - t0) * 1000)


def archivist(t: Traffic, username: str, seed: int) -> None:
    rng = random.Random(f"{seed}:{username}")
    codes = t.staff[t.departments[username]]
    mine: list[Upload] = []
    n = 0
    with httpx.Client(base_url=t.base_url, headers={"Authorization": f"Bearer {t.tokens[username]}"},
                      timeout=60) as client:
        while not t.done():
            n += 1
            scan = n % 3 == 0
            body = scan_png(rng, username, n) if scan else text_pdf(rng, username, n)
            name = f"{username}-{n}.{'png' if scan else 'pdf'}"
            r = t.call(client, "upload", "PUT", f"/staff/{rng.choice(codes)}/documents/{name}", content=body,
                       headers={"Content-Type": "image/png" if scan else "application/pdf"})
            if r is not None:
                up = Upload(int(r.json()["id"]), time.monotonic(), username)
                mine.append(up)
                with t.lock:
                    t.uploads.append(up)
            t.pause(rng, 2.0)
            pending = [u for u in mine if u.indexed_after_s is None and not u.failed]
            if pending and not t.done():
                check_state(t, client, pending[0], kind="document_state")
            ready = [u for u in mine if u.indexed_after_s is not None]
            if ready and not t.done():
                t.call(client, "page_image", "GET", f"/documents/{rng.choice(ready).document_id}/pages/1/image")
            t.pause(rng, 2.0)


def check_state(t: Traffic, client: httpx.Client, up: Upload, *, kind: str | None) -> None:
    if kind is None:
        try:
            r: httpx.Response | None = client.get(f"/documents/{up.document_id}")
        except httpx.HTTPError:
            return
        r = r if r.is_success else None
    else:
        r = t.call(client, kind, "GET", f"/documents/{up.document_id}")
    if r is None:
        return
    state = r.json().get("state")
    if state == "indexed":
        up.indexed_after_s = time.monotonic() - up.sent_at
    elif state == "failed":
        up.failed = True


def login(base_url: str, users: dict[str, str]) -> dict[str, str]:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        tokens = {}
        for username, password in users.items():
            r = client.post("/auth/login", json={"username": username, "password": password})
            r.raise_for_status()
            tokens[username] = r.json()["token"]
        return tokens


def warm_up(base_url: str, tokens: dict[str, str], names: dict[str, list[str]], count: int = 30) -> None:
    """Off the clock: caches, connection pools and code paths, as the search benchmarks warm up."""
    everyone = [n for ns in names.values() for n in ns]
    rng = random.Random("warm-up")
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for i in range(count):
            token = list(tokens.values())[i % len(tokens)]
            for group in ("staff", "page"):
                q = rng.choice(everyone) if i % 2 else rng.choice(TOPICS)
                client.get("/search", params={"q": q, "group": group, "limit": 20},
                           headers={"Authorization": f"Bearer {token}"})


def run_traffic(t: Traffic, *, hr: list[str], archivists: list[str], seed: int, settle_s: float) -> float:
    """Run every virtual user until the deadline; wait (bounded) for the uploads; return seconds."""
    threads = [threading.Thread(target=hr_officer, args=(t, u, seed), daemon=True) for u in hr]
    threads += [threading.Thread(target=archivist, args=(t, u, seed), daemon=True) for u in archivists]
    t0 = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=max(1.0, t.deadline - time.monotonic() + 90))
    seconds = time.monotonic() - t0
    settle_until = time.monotonic() + settle_s
    clients = {u: httpx.Client(base_url=t.base_url, headers={"Authorization": f"Bearer {t.tokens[u]}"}, timeout=30)
               for u in archivists}
    try:
        while time.monotonic() < settle_until:
            pending = [u for u in t.uploads if u.indexed_after_s is None and not u.failed]
            if not pending:
                break
            for up in pending:  # off the clock: no samples recorded
                check_state(t, clients[up.owner], up, kind=None)
            time.sleep(1.0)
    finally:
        for client in clients.values():
            client.close()
    return seconds


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def report(t: Traffic, seconds: float, *, pages: int, mode: str, users: tuple[int, int], think: float,
           setup: dict, results: Path | None, load_before: str, load_after: str) -> Summary:
    rows = summarize(t.recorder, seconds)
    for r in rows:
        emit(BENCH, f"{r.kind}", r.count, "requests", per_s=round(r.per_s, 2), p50_ms=round(r.p50_ms, 1),
             p95_ms=round(r.p95_ms, 1), p99_ms=round(r.p99_ms, 1), errors=r.errors, error_kinds=r.error_kinds)
    ups = t.uploads
    indexed = sorted(u.indexed_after_s for u in ups if u.indexed_after_s is not None)
    failed = sum(u.failed for u in ups)
    from bench.report import percentile

    searchable = (f"{len(indexed)}/{len(ups)} uploads searchable"
                  + (f" (p50 {percentile(indexed, 50):.1f} s, p95 {percentile(indexed, 95):.1f} s after the 201)"
                     if indexed else "") + (f", {failed} failed" if failed else ""))
    emit(BENCH, "uploads_searchable", len(indexed), "documents", of=len(ups), failed=failed)
    by_kind = {r.kind: r for r in rows}
    total = by_kind["all"]
    searches = [by_kind[k] for k in ("search_people", "search_pages") if k in by_kind]
    anchor_errors = sum(r.errors for r in rows if r.kind.startswith("engine_"))
    targets = [Target("errors", float(total.errors + anchor_errors), 0.0, "<=")]
    targets += [Target(f"{s.kind} p95 at {pages:,} pages", s.p95_ms, TARGET_SEARCH_P95_MS, "<=", " ms")
                for s in searches]
    targets.append(Target("uploads not searchable", float(len(ups) - len(indexed)), 0.0, "<="))
    ratios = []
    for s in searches:
        anchor = by_kind.get(s.kind.replace("search_", "engine_"))
        if anchor and anchor.count:
            ratio = s.p95_ms / anchor.p95_ms
            emit(BENCH, f"ratio_{s.kind}_api_vs_engine_p95", round(ratio, 2), "x")
            ratios.append(f"{s.kind} API p95 {s.p95_ms:.0f} ms = {ratio:.1f}× the engine's {anchor.p95_ms:.0f} ms")
    searchable += ("; " + "; ".join(ratios)) if ratios else ""
    cpu = setup.get("cpu") or {}
    if cpu:  # what sizing needs: CPU the API spends per request, the workers per upload
        api_requests = total.count
        emit(BENCH, "cpu_seconds", round(sum(cpu.values()), 1), "s", **{k: round(v, 1) for k, v in cpu.items()},
             api_ms_per_request=round(1000 * cpu.get("api", 0) / max(1, api_requests), 1))
        searchable += (f"; CPU during the traffic: API {cpu.get('api', 0):.0f} s "
                       f"({1000 * cpu.get('api', 0) / max(1, api_requests):.0f} ms per request), OCR/work worker "
                       f"{cpu.get('ocr', 0):.0f} s, index consumer {cpu.get('index', 0):.0f} s")
    summary = Summary(BENCH, f"{total.count:,} requests in {seconds:.0f} s ({total.per_s:.1f}/s), {users[0]} HR "
                             f"officers + {users[1]} archivists, think {think:g} s, {mode}; {searchable}", targets)
    summary.print()
    if results is not None:
        m = machine()
        section = "\n".join([
            f"## Load test, {mode} (issue 20) — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
            "",
            f"`python -m bench.load --duration {seconds:.0f}` ({'make load' if seconds >= 590 else 'shortened'}): "
            f"{pages:,} pages bulk-loaded ({setup.get('documents', 0):,} documents, "
            f"{setup.get('staff', 0):,} staff; load + reindex {setup.get('load_s', 0):.0f} s; index "
            f"{setup.get('index_mb', 0):.0f} MB = {setup.get('index_mb', 0) * 1e6 / max(1, pages):,.0f} bytes/page, "
            f"database {setup.get('database_mb', 0):.0f} MB), "
            f"{users[0]} HR officers and {users[1]} archivists each scoped to one Sở, think time {think:g} s "
            f"(archivists 4×); API + 1 OCR/work worker + the index consumer as `archive serve` starts them. "
            f"Machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, shared with four engineers' work; "
            f"`uptime` before: {load_before.split('load average:')[-1].strip()}, after: "
            f"{load_after.split('load average:')[-1].strip()}.",
            "",
            markdown_table(rows),
            "",
            f"{searchable}.",
            "",
            summary.line(),
        ])
        prepend_section(results, section)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of traffic (default 600)")
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--hr", type=int, default=6, help="HR officers searching")
    parser.add_argument("--archivists", type=int, default=2)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between requests, s")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--settle", type=float, default=120.0, help="after the traffic, wait at most this for uploads")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--embedded", action="store_true", help="SQLite + tantivy + file broker, no engines")
    parser.add_argument("--workdir", type=Path, help="keep the stack's files here (default: a temp dir)")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = args.workdir or Path(tmp)
        summary = run(workdir, duration=args.duration, pages=args.pages, hr=args.hr, archivists=args.archivists,
                      think=args.think, max_requests=args.max_requests, settle=args.settle, seed=args.seed,
                      embedded=args.embedded, results=None if args.no_results else RESULTS)
    return 0 if summary is not None else 1


def run(workdir: Path, *, duration: float, pages: int, hr: int, archivists: int, think: float,
        max_requests: int, settle: float, seed: int, embedded: bool, results: Path | None) -> Summary:
    from contextlib import ExitStack

    from bench import load_stack

    with ExitStack() as stack:
        data_dir = workdir / "data"
        if embedded:
            settings = {"data_dir": str(data_dir)}
            mode = "embedded (SQLite, tantivy, file-system broker)"
        else:
            urls = stack.enter_context(load_stack.engines(workdir / "engines"))
            settings = load_stack.production_settings(urls, data_dir)
            mode = "production engines (PostgreSQL, Redis, Elasticsearch, MinIO)"
        env = load_stack.init_archive(settings)
        corpus = load_stack.load_corpus(env, pages=pages, seed=seed)
        emit(BENCH, "corpus_loaded", corpus.pages, "pages", documents=corpus.documents,
             seconds=round(corpus.seconds, 1), departments=len(corpus.departments))
        emit(BENCH, "index_bytes_per_page", round(corpus.index_bytes / corpus.pages), "bytes",
             index_mb=round(corpus.index_bytes / 1e6, 1), database_mb=round(corpus.database_bytes / 1e6, 1))
        # the largest departments, so every user has people to find and to upload for
        departments = sorted(corpus.departments, key=lambda d: -len(corpus.staff_by_department[d]))
        users = load_stack.make_users(env, departments, hr=hr, archivists=archivists)
        procs = stack.enter_context(load_stack.serve(env, workdir / "logs"))
        tokens = login(procs.base_url, users)
        scope = {u: departments[i % len(departments)] for i, u in enumerate(u for u in users if u.startswith("tccb"))}
        scope |= {u: departments[i % len(departments)] for i, u in enumerate(u for u in users if u.startswith("vanthu"))}
        warm_up(procs.base_url, tokens, corpus.names_by_department)
        before = uptime()
        cpu_before = procs.cpu_seconds()
        traffic = Traffic(procs.base_url, tokens, env["ARCHIVE_SEARCH_URL"] if "ARCHIVE_SEARCH_URL" in env
                          else f"tantivy://{data_dir / 'index'}", scope, corpus.names_by_department, corpus.staff_by_department,
                          deadline=time.monotonic() + duration, max_requests=max_requests, think_s=think)
        seconds = run_traffic(traffic, hr=[u for u in users if u.startswith("tccb")],
                              archivists=[u for u in users if u.startswith("vanthu")], seed=seed, settle_s=settle)
        after = uptime()
        cpu = {k: v - cpu_before.get(k, 0.0) for k, v in procs.cpu_seconds().items()}
        dead = [n for n in procs.procs if n not in procs.alive()]
        if dead:
            emit(BENCH, "processes_died", len(dead), "processes", names=dead)
        setup = {"documents": corpus.documents, "staff": sum(len(v) for v in corpus.staff_by_department.values()),
                 "load_s": corpus.seconds, "cpu": cpu, "index_mb": corpus.index_bytes / 1e6, "database_mb": corpus.database_bytes / 1e6}
        return report(traffic, seconds, pages=pages, mode=mode, users=(hr, archivists), think=think, setup=setup,
                      results=results, load_before=before, load_after=after)


if __name__ == "__main__":
    raise SystemExit(main())
