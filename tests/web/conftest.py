"""A real archive for the browser tests: `archive serve` (uvicorn + Celery workers + beat) on a
free loopback port, data prepared through the CLI and the API, and Debian's Chromium driven by
Playwright (never `playwright install`).

The server and the browser are started once per session: together they take ~20 s, the
tests themselves a few seconds each.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.documents import born_digital_pdf
from tests.support.processes import ARCHIVE, cli, cli_json, free_port, service_env, start, stop_group, wait_http

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"

ADMIN_PASSWORD = "quan-tri-2026"
PASSWORD = "mat-khau-2026"

# Born-digital pages (text layer, no OCR needed): fast to process.
DECISION_LINES = [
    "ỦY BAN NHÂN DÂN QUẬN 1",
    "QUYẾT ĐỊNH về việc tuyển dụng công chức",
    "Tuyển dụng ông Nguyễn Văn An, sinh ngày 20/07/1955, vào làm công chức",
    "tại Phòng Nội vụ Quận 1, ngạch Chuyên viên, mã số 01.003.",
]
RETIREMENT_LINES = [
    "QUYẾT ĐỊNH về việc nghỉ hưu",
    "Ông Nguyễn Văn An, Chuyên viên Phòng Nội vụ, được nghỉ hưu từ ngày 01/08/2015.",
]
OUT_OF_SCOPE_LINES = [
    "QUYẾT ĐỊNH thôi việc",
    "Ông Lê Văn Cường, cán sự UBND Quận 2; người chứng kiến: Nguyễn Văn An.",
]


@dataclass
class Site:
    base_url: str
    env: dict[str, str]
    data_dir: Path
    documents: dict[str, bytes]  # file name → bytes uploaded by the fixture
    server: subprocess.Popen | None = field(default=None, repr=False)
    log: Path | None = None  # `archive serve`'s own output

    def log_text(self, start: int = 0) -> str:
        if self.log is None or not self.log.exists():
            return ""
        with open(self.log, "rb") as fh:
            fh.seek(start)
            return fh.read().decode("utf-8", errors="replace")


def _fail_or_skip(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _user(env: dict[str, str], username: str, unit: str, role: str, *extra: str) -> None:
    r = subprocess.run([ARCHIVE, "user", "add", username, "--unit", unit, "--role", role, *extra, "--password-stdin"],
                       input=PASSWORD + "\n", env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def _prepare(env: dict[str, str], base_url: str, tmp: Path) -> dict[str, bytes]:
    for code, name in (("Q1", "UBND Quận 1"), ("Q2", "UBND Quận 2")):
        r = cli(env, "unit", "add", code, "--name", name, "--parent", "TINH")
        assert r.returncode == 0, r.stderr
    cli(env, "unit", "add", "Q1.NV", "--name", "Phòng Nội vụ Quận 1", "--parent", "Q1")
    token = cli_json(env, "token", "create", "admin", "--expires", "1")["token"]
    rich = {
        "code": "NV001", "full_name": "Nguyễn Văn An", "birth_date": "1955-07-20", "unit_code": "Q1",
        "gender": "nam", "status": "dang_cong_tac", "grade_code": "01.003",
        "profile": {"birth_place": "xã Tân Phú, huyện Đức Hòa, tỉnh Long An",
                    "hometown": "phường Trần Hưng Đạo, thành phố Quy Nhơn, tỉnh Bình Định",
                    "permanent_address": "12 Lê Lợi, phường Bến Nghé, Quận 1", "recruitment_date": "1980-03-01",
                    "recruiting_agency": "UBND Quận 1", "position": "Chuyên viên Phòng Nội vụ",
                    "salary_step": 8, "salary_coefficient": 4.32, "salary_effective_date": "2013-01-01",
                    "education_general": "10/10", "education_professional": "Cử nhân Luật",
                    "political_theory": "Trung cấp", "foreign_language": "Tiếng Anh B", "informatics": "Tin học A"},
        "sensitive": {"ethnicity": "01", "religion": "00", "id_number": "079055001234"},
        "history": [
            {"kind": "qua_trinh_cong_tac", "from_date": "1980-03-01", "to_date": "2015-08-01",
             "summary": "Chuyên viên Phòng Nội vụ, UBND Quận 1"},
            {"kind": "dao_tao_boi_duong", "from_date": "1976-09-01", "to_date": "1980-06-30",
             "summary": "Đại học Luật, chính quy"},
            {"kind": "khen_thuong", "from_date": "2010-12-20", "summary": "Bằng khen của Chủ tịch UBND tỉnh"},
        ],
    }
    with httpx.Client(base_url=base_url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60) as api:
        r = api.post("/staff", json=rich)
        assert r.status_code == 201, r.text
    r = cli(env, "staff", "status", "NV001", "nghi_huu", "--decision", "215/QĐ-UBND", "--effective", "2015-08-01")
    assert r.returncode == 0, r.stderr
    for code, name, unit, status, born in (("NV002", "Trần Thị Bích", "Q1", "dang_cong_tac", "1968-11-03"),
                                           ("NV201", "Lê Văn Cường", "Q2", "thoi_viec", "1960-01-15")):
        cli_json(env, "staff", "add", "--code", code, "--name", name, "--unit", unit, "--status", status,
                 "--birth-date", born)
    _user(env, "hr.q1", "Q1", "hr_officer", "--name", "Phạm Thu Hà")
    _user(env, "luutru.q1", "Q1", "archivist", "--name", "Đỗ Minh Tâm")
    _user(env, "kiemtra", "TINH", "auditor", "--name", "Vũ Quốc Khánh")
    _user(env, "se.bi.thu.hoi", "Q1", "hr_officer")

    docs = {"quyet-dinh-tuyen-dung.pdf": born_digital_pdf(DECISION_LINES, pages=2),
            "quyet-dinh-nghi-huu.pdf": born_digital_pdf(RETIREMENT_LINES),
            "thoi-viec.pdf": born_digital_pdf(OUT_OF_SCOPE_LINES)}
    for name, data in docs.items():
        (tmp / name).write_bytes(data)
    for staff, name, kind in (("NV001", "quyet-dinh-tuyen-dung.pdf", "quyet_dinh_tuyen_dung"),
                              ("NV001", "quyet-dinh-nghi-huu.pdf", "quyet_dinh_nghi_huu"),
                              ("NV201", "thoi-viec.pdf", "quyet_dinh_thoi_viec")):
        [doc] = cli_json(env, "ingest", str(tmp / name), "--staff", staff, "--type", kind, "--wait",
                         "--timeout", "120", timeout=180)
        assert doc["state"] == "indexed", doc
    return docs


@pytest.fixture(scope="session")
def playwright_api():
    if not Path(CHROMIUM).exists():
        _fail_or_skip(f"{CHROMIUM} is not installed (run `make setup`: Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _fail_or_skip("playwright is not installed (run `make setup`)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_api):
    b = playwright_api.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory, playwright_api) -> Site:
    """`archive serve` with three units, four staff records, five accounts and indexed documents."""
    tmp = tmp_path_factory.mktemp("web")
    data = tmp / "data"
    env = service_env(data, admin_password=ADMIN_PASSWORD, sweep_interval_seconds=2, ocr_workers=1,
                      session_idle_minutes=30)
    port = free_port()
    server = start([ARCHIVE, "serve", "--port", str(port)], env, tmp / "serve.log")
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_http(base_url + "/api/v1/health", timeout=90)
        docs = _prepare(env, base_url, tmp)
        yield Site(base_url=base_url, env=env, data_dir=data, documents=docs, server=server, log=tmp / "serve.log")
    finally:
        stop_group(server, signal.SIGINT, timeout=60)


@pytest.fixture(autouse=True)
def _serve_watch(request):
    """A test on the shared `archive serve` fails at once, with the end of serve's log, when the
    service has stopped; a child that died and was started again during a test is reported as
    a warning (with its log lines) rather than hidden — `archive serve` restarts it by design."""
    if "site" not in request.fixturenames:
        yield
        return
    site = request.getfixturevalue("site")
    if not isinstance(site, Site):  # a module's own `site` (an in-process app), not the shared server
        yield
        return
    if site.server is not None and site.server.poll() is not None:
        tail = "\n".join(site.log_text().splitlines()[-60:])
        pytest.fail(f"`archive serve` has stopped (exit code {site.server.returncode}); its log ends:\n{tail}")
    start = site.log.stat().st_size if site.log and site.log.exists() else 0
    yield
    deaths = [line for line in site.log_text(start).splitlines() if "đã dừng (mã" in line]
    if deaths:
        lines = site.log_text(start).splitlines()
        warnings.warn(f"{request.node.nodeid}: a child of `archive serve` died: {deaths}; log before it:\n"
                      + "\n".join(lines[-80:]))


@pytest.fixture
def new_page(browser, site):
    """A fresh browser context (its own cookies) per call, Vietnamese locale, 1366×768."""
    contexts = []

    def make():
        ctx = browser.new_context(viewport=VIEWPORT, locale="vi-VN", accept_downloads=True, base_url=site.base_url)
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def wait_indexed(env: dict[str, str], document_id: int, timeout: float = 180) -> dict:
    """The document as `archive doc show` gives it once it is indexed or failed (or at `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        doc = cli_json(env, "doc", "show", str(document_id))
        if doc["state"] in ("indexed", "failed") or time.monotonic() > deadline:
            return doc
        time.sleep(1)


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
