"""docker-compose.yml as real Docker Compose (v2 line, built from its Go module) reads it, checked
against what the code expects: settings, Celery apps and queues, health routes, shared volumes,
the image's packages, and the engine versions the tests run against.

No Docker daemon is needed: `docker compose config` only loads, interpolates and validates.
The binary comes from `python -m scripts.engines install` (scripts/engines/compose.py); without
it a developer's run skips, CI (CI=true) fails.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
REQUIRED = sorted(set(re.findall(r"\$\{(\w+):\?", COMPOSE_FILE.read_text(encoding="utf-8"))))
# Keys every host must share: left unset, each host makes its own under its data dir.
SHARED_KEYS = ("ARCHIVE_AUDIT_KEY", "ARCHIVE_FIELD_KEYS", "ARCHIVE_WEB_SECRET")
# Variables app containers may carry that are not ARCHIVE_ settings, and who reads them.
OTHER_APP_VARS = {"PROMETHEUS_MULTIPROC_DIR", "OMP_THREAD_LIMIT"}  # prometheus-client; tesseract


@pytest.fixture(scope="module")
def compose_bin() -> Path:
    from scripts.engines import compose

    found = os.environ.get("ARCHIVE_TEST_COMPOSE_BIN") or compose.binary()
    if not found:
        reason = "Docker Compose is not built (run `python -m scripts.engines install`)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: may not be skipped)", pytrace=False)
        pytest.skip(reason)
    return Path(found)


def _run(compose_bin: Path, tmp: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    empty_env_file = tmp / "empty.env"  # never the operator's .env beside the file
    empty_env_file.write_text("")
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "DOCKER_CONFIG": str(tmp / "docker")}
    return subprocess.run(
        [str(compose_bin), "--env-file", str(empty_env_file), "-f", str(COMPOSE_FILE),
         "--project-directory", str(ROOT), *args],
        env={**base, **env}, capture_output=True, text=True, timeout=120, check=False,
    )


def _secrets() -> dict[str, str]:
    """Values of the shape README's `.env` recipe makes: keys base64, passwords hex (they go in URLs)."""
    import base64
    import secrets

    shaped = {"ARCHIVE_AUDIT_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
              "ARCHIVE_FIELD_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode()}
    return {name: shaped.get(name) or secrets.token_hex(16) for name in REQUIRED}


@pytest.fixture(scope="module")
def config(compose_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("compose")
    done = _run(compose_bin, tmp, "config", "--format", "json", env=_secrets())
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _app_services(config: dict) -> dict[str, dict]:
    """The services run from this repository's Dockerfile (api, workers, beat, migrate)."""
    return {name: svc for name, svc in config["services"].items()
            if svc.get("build", {}).get("dockerfile") == "Dockerfile"
            and Path(svc["build"]["context"]).resolve() == ROOT}


def _image_cmd() -> list[str]:
    line = next(ln for ln in (ROOT / "Dockerfile").read_text().splitlines() if ln.startswith("CMD "))
    return json.loads(line[4:])


def _command(svc: dict) -> list[str]:
    return svc.get("command") or _image_cmd()


def _opt(argv: list[str], *names: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg in names and i + 1 < len(argv):
            return argv[i + 1]
        for name in names:
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def _celery(argv: list[str]) -> list[str] | None:
    """The celery argv of a command (`celery …` or `python -m celery …`), else None."""
    for i, arg in enumerate(argv):
        if Path(arg).name == "celery":
            return argv[i + 1:]
    return None


def test_compose_accepts_the_file_quietly(compose_bin: Path, tmp_path: Path) -> None:
    done = _run(compose_bin, tmp_path, "config", "-q", env=_secrets())
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_compose_refuses_to_start_without_the_shared_secrets(compose_bin: Path, tmp_path: Path) -> None:
    for name in SHARED_KEYS:
        assert name in REQUIRED, f"{name} must be required (${{{name}:?…}}), not defaulted"
    done = _run(compose_bin, tmp_path, "config", "-q", env={})
    assert done.returncode != 0
    assert any(name in done.stderr for name in REQUIRED), done.stderr


def test_the_version_is_the_pinned_build(compose_bin: Path) -> None:
    from scripts.engines import compose

    done = subprocess.run([str(compose_bin), "version"], capture_output=True, text=True, check=True)
    assert compose.VERSION in done.stdout


def test_app_environment_names_only_real_settings_with_valid_values(config: dict, monkeypatch) -> None:
    from archive.crypto import AuditKey, FieldCipher
    from archive.settings import Settings

    fields = set(Settings.model_fields)
    apps = _app_services(config)
    assert {"api", "worker", "indexer", "beat", "migrate"} <= set(apps)
    for name, svc in apps.items():
        env = svc["environment"]
        unknown = [k for k in env if k.startswith("ARCHIVE_") and k.removeprefix("ARCHIVE_").lower() not in fields]
        assert not unknown, f"{name}: no such setting in archive/settings.py: {unknown}"
        stray = [k for k in env if not k.startswith("ARCHIVE_") and k not in OTHER_APP_VARS]
        assert not stray, f"{name}: variables nothing reads: {stray}"
        for key in [k for k in os.environ if k.startswith("ARCHIVE_")]:
            monkeypatch.delenv(key)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings = Settings()  # pydantic validates every value (types, ranges, profile names)
        AuditKey.from_spec(settings.audit_key)  # the keys as the container will read them
        FieldCipher.from_spec(settings.field_keys)
        for key in SHARED_KEYS:
            assert env.get(key), f"{name}: {key} unset: each host would make its own key"


def test_app_urls_point_at_the_engine_services(config: dict) -> None:
    from search.elasticsearch_index import ElasticsearchIndex
    from search.factory import open_index
    from storage.s3 import S3Store

    services = config["services"]

    def image_of(host: str | None) -> str:
        assert host in services, f"{host!r} is not a service of docker-compose.yml"
        return services[host].get("image") or services[host]["build"]["dockerfile"]

    for name, svc in _app_services(config).items():
        env = svc["environment"]
        db = make_url(env["ARCHIVE_DATABASE_URL"])
        assert db.drivername == "postgresql+psycopg" and db.port == 5432
        assert image_of(db.host).startswith("postgres:")
        assert db.username == services[db.host]["environment"]["POSTGRES_USER"]
        assert db.database == services[db.host]["environment"]["POSTGRES_DB"]
        assert db.password == services[db.host]["environment"]["POSTGRES_PASSWORD"]
        broker = urlsplit(env["ARCHIVE_BROKER_URL"])
        assert broker.scheme == "redis" and broker.port == 6379 and image_of(broker.hostname).startswith("redis:")
        index = open_index(env["ARCHIVE_SEARCH_URL"])
        assert isinstance(index, ElasticsearchIndex)
        nodes = getattr(index, "nodes", None) or [index.url]  # one node, or every node of a cluster
        for node in nodes:
            es = urlsplit(node)
            assert es.port == 9200 and "elasticsearch" in image_of(es.hostname), node
        S3Store.from_url(env["ARCHIVE_STORAGE_URL"])  # the adapter accepts it (no connection is made)
        s3 = {k: v[-1] for k, v in parse_qs(urlsplit(env["ARCHIVE_STORAGE_URL"]).query).items()}
        host, port = s3["endpoint"].split(":")
        assert port == "9000" and "minio" in image_of(host), name
        minio_env = services[host]["environment"]
        assert (s3["access_key"], s3["secret_key"]) == (minio_env["MINIO_ROOT_USER"], minio_env["MINIO_ROOT_PASSWORD"])

def test_worker_commands_name_the_real_celery_app_and_every_queue(config: dict) -> None:
    from archive.work.registry import default_registry

    module = ROOT / "archive" / "worker.py"
    tree = ast.parse(module.read_text())
    assert any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "app" for t in n.targets)
               for n in tree.body), "archive/worker.py defines no `app`"
    queues = set(default_registry().queues)
    consumers: dict[str, list[tuple[str, list[str]]]] = {}
    beats = []
    for name, svc in _app_services(config).items():
        celery = _celery(_command(svc))
        if celery is None:
            continue
        assert _opt(celery, "-A", "--app") == "archive.worker", name
        if "beat" in celery:
            beats.append(name)
            continue
        assert "worker" in celery, name
        listed = (_opt(celery, "-Q", "--queues") or "").split(",")
        assert listed and set(listed) <= queues, f"{name}: queues {listed} not all in the registry {sorted(queues)}"
        for q in listed:
            consumers.setdefault(q, []).append((name, celery))
    assert set(consumers) == queues, f"queues nobody consumes: {sorted(queues - set(consumers))}"
    # the index consumer drains one batch at a time: one solo process per service (on PostgreSQL
    # several hosts take turns under an advisory lock; the file runs one)
    for _, index_argv in consumers["index"]:
        assert _opt(index_argv, "-c", "--concurrency") == "1" and _opt(index_argv, "-P", "--pool") == "solo"
    assert len(beats) == 1, f"one scheduler, not {beats}"


def test_worker_healthchecks_ping_their_own_node(config: dict) -> None:
    for name, svc in _app_services(config).items():
        celery = _celery(_command(svc))
        if not celery or "worker" not in celery:
            continue
        test = svc["healthcheck"]["test"]
        probe = shlex.split(test[1].replace("$$", "$")) if test[0] == "CMD-SHELL" else test[1:]
        assert _opt(probe, "-A", "--app") == "archive.worker" and "ping" in probe, name
        node = _opt(celery, "-n", "--hostname") or "celery@%h"
        assert _opt(probe, "-d", "--destination") == node.replace("%h", "$HOSTNAME"), name


def test_api_healthcheck_asks_the_real_health_route(config: dict, container) -> None:
    from fastapi.testclient import TestClient

    from archive.app import create_app

    api = config["services"]["api"]
    cmd = _command(api)
    assert _opt(cmd, "--factory") is not None or "--factory" in cmd
    assert "archive.app:create_app" in cmd
    port = int(_opt(cmd, "--port") or 8000)
    assert [p["target"] for p in api.get("ports", [])] == [port]
    assert all(p.get("host_ip") == "127.0.0.1" for p in api["ports"]), "the API is published on loopback only"
    probe = " ".join(api["healthcheck"]["test"][1:])
    url = urlsplit(re.search(r"https?://[^'\" ]+", probe).group(0))
    assert url.hostname == "localhost" and url.port == port
    client = TestClient(create_app(container=container))
    r = client.get(url.path)
    assert r.status_code == 200 and r.json()["status"] == "ok", r.text


def test_engines_have_healthchecks_and_app_services_wait_for_them(config: dict) -> None:
    services = config["services"]
    apps = _app_services(config)
    engines = [n for n in services if n not in apps]
    assert set(engines) >= {"postgres", "redis", "elasticsearch", "minio"}
    for name in engines:
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"

    def waits_for(name: str, seen: frozenset = frozenset()) -> set[str]:
        deps = services[name].get("depends_on", {})
        out = set()
        for dep, how in deps.items():
            if dep in engines:
                assert how["condition"] == "service_healthy", f"{name} → {dep}"
            if dep == "migrate":
                assert how["condition"] == "service_completed_successfully", f"{name} → migrate"
            out |= {dep} | (waits_for(dep, seen | {name}) if dep not in seen else set())
        return out

    migrate_cmd = " ".join(_command(apps["migrate"]))
    assert "archive init" in migrate_cmd and apps["migrate"]["restart"] == "no"
    for name in apps:
        assert set(engines) <= waits_for(name), f"{name} may start before an engine is healthy"
        if name != "migrate":
            assert "migrate" in services[name]["depends_on"], f"{name} may start before the schema is migrated"


def test_app_services_share_the_data_and_metrics_volumes(config: dict) -> None:
    apps = _app_services(config)
    mounts_at: dict[str, set[str]] = {}
    for name, svc in apps.items():
        env = svc["environment"]
        mounts = {m["target"]: m["source"] for m in svc.get("volumes", []) if m["type"] == "volume"}
        for var in ("ARCHIVE_DATA_DIR", "ARCHIVE_METRICS_DIR"):
            path = env[var]
            assert path in mounts, f"{name}: {var}={path} is not on a volume"
            mounts_at.setdefault(var, set()).add(mounts[path])
    assert all(len(sources) == 1 for sources in mounts_at.values()), mounts_at
    # the beat's schedule file lives on the data volume, and migrate empties the metrics directory
    beat = next(_celery(_command(s)) for s in apps.values() if "beat" in (_celery(_command(s)) or []))
    assert _opt(beat, "-s", "--schedule").startswith(apps["beat"]["environment"]["ARCHIVE_DATA_DIR"] + "/")
    assert apps["migrate"]["environment"]["ARCHIVE_METRICS_DIR"] in " ".join(_command(apps["migrate"]))


def test_engine_images_are_the_versions_the_tests_run(config: dict) -> None:
    from scripts.engines import elasticsearch, minio

    services = config["services"]
    assert services["elasticsearch"]["image"].endswith(":" + elasticsearch.VERSION)
    assert services["elasticsearch"]["environment"]["discovery.type"] == "single-node"
    assert services["elasticsearch"]["environment"]["path.repo"] in {
        v["target"] for v in services["elasticsearch"]["volumes"]}
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    minio_file = ROOT / services["minio"]["build"]["dockerfile"]
    assert f"ARG MINIO_VERSION={minio.VERSION}" in minio_file.read_text()


def test_the_image_carries_what_the_code_calls(config: dict) -> None:
    """Debian packages for the tools the code looks up, tesseract's Vietnamese data, the PDF fonts;
    every package and every data file `pip install .` must ship."""
    import tomllib

    from archive.services import pdf_writer
    from archive.settings import Settings

    dockerfile = (ROOT / "Dockerfile").read_text()
    apt = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", " ".join(re.findall(r"apt-get install ([^&]+)", dockerfile.replace("\\\n", " ")))))
    tools = set()
    for py in (ROOT / "archive").rglob("*.py"):
        tools |= set(re.findall(r"find_tool\(\s*\"[^\"]+\",\s*\"([a-z0-9.+-]+)\"", py.read_text(encoding="utf-8")))
    lang = Settings.model_fields["ocr_language"].default
    wanted = tools | {"tesseract-ocr", f"tesseract-ocr-{lang}", "tesseract-ocr-osd"}
    assert wanted <= apt, f"missing from the image: {sorted(wanted - apt)}"
    for font_dir in (pdf_writer._LIBERATION, pdf_writer._DEJAVU):
        owners = subprocess.run(["dpkg-query", "-S", str(font_dir)], capture_output=True, text=True, check=False)
        if owners.returncode != 0:
            pytest.fail(f"{font_dir} is not installed here either (run `make setup`)")
        packages = {p.strip() for p in owners.stdout.split(":", 1)[0].split(",")}
        assert packages & apt, f"{font_dir} comes from {packages}, none in the image"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for package in project["tool"]["setuptools"]["packages"]["find"]["include"]:
        top = package.rstrip("*")
        assert f"COPY {top} ./{top}" in dockerfile, f"the image does not copy {top}/"
    globs = project["tool"]["setuptools"]["package-data"]["archive"]
    unshipped = [str(p.relative_to(ROOT / "archive")) for p in (ROOT / "archive").rglob("*")
                 if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
                 and not any(p.relative_to(ROOT / "archive").match(g) for g in globs)]
    assert not unshipped, f"data files `pip install .` would leave out of the image: {unshipped[:10]}"


def test_docker_cli_runs_the_same_build_as_its_compose_plugin(compose_bin: Path, tmp_path: Path) -> None:
    import shutil

    from scripts.engines import compose

    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker CLI on this machine: the standalone docker-compose is what runs")
    plugin = compose.plugin_path()
    assert plugin.exists(), f"`python -m scripts.engines install` links the build to {plugin}"
    if plugin.stat().st_ino != Path(compose_bin).stat().st_ino and plugin.read_bytes() != Path(compose_bin).read_bytes():
        pytest.skip(f"{plugin} is another Compose install (left alone by scripts/engines)")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(Path.home()), **_secrets()}
    if os.environ.get("DOCKER_CONFIG"):
        env["DOCKER_CONFIG"] = os.environ["DOCKER_CONFIG"]
    (tmp_path / "empty.env").write_text("")
    done = subprocess.run([docker, "compose", "--env-file", str(tmp_path / "empty.env"), "-f", str(COMPOSE_FILE),
                           "config", "-q"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_the_build_context_leaves_out_secrets_and_the_virtualenv() -> None:
    ignored = {ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines()
               if ln.strip() and not ln.startswith("#")}
    assert {".env", ".venv", "data", ".git"} <= ignored
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            for source in line.split()[1:-1]:
                assert source not in ignored and (ROOT / source).exists(), f"COPY {source}: not in the context"
