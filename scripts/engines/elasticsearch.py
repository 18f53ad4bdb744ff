"""Elasticsearch 8.x (the production search engine) from Maven Central, on loopback.

Elastic publishes the server as a Maven artifact, `org.elasticsearch.distribution.
integ-test-zip:elasticsearch:<ver>:zip`: the real server with only its core and the
transport, security and APM modules (no analysis plugins — the adapter folds Vietnamese in
Python, so it needs none). It has no bundled JDK and runs on the machine's Java 17; ES 9
needs Java 21, so we stay on 8.x.

VERSION is the newest 8.x in Central's maven-metadata.xml on the day it was pinned;
`newest_8x_on_maven_central()` reads it again when someone wants to bump the pin.

Elasticsearch refuses to run as root. Under root it runs as the `elasticsearch` system user,
which owns its data, logs, snapshot and config dirs. The JVM checks files with access(2),
which drops capabilities, so the user must really reach every path: the distribution is
hard-linked into MIRROR_ROOT when it sits in root's 0700 home, and when the state dir sits
below a 0700 parent (pytest's temp dirs do) the node runs from a private temp dir, recorded
in <state>/elasticsearch/basedir and removed by stop(), as postgres.py does. Tests that need
the `fs` snapshot location ask the node (nodes.info settings → path.repo).
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.request import urlopen

from scripts.engines.common import (
    HOST, EngineUnavailable, default_cache_dir, free_port, pid_alive, wait_until,
)

NAME = "elasticsearch"
GROUP_ID = "org.elasticsearch.distribution.integ-test-zip"
ARTIFACT_ID = "elasticsearch"
VERSION = "8.19.21"
RUN_AS_WHEN_ROOT = "elasticsearch"
HEAP = "-Xms512m -Xmx512m"
# Pinned so that a machine whose Maven defaults to the old 2.x plugin behaves the same.
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
START_TIMEOUT = 180.0  # two cores, a cold JVM and first-time index creation
# Under root, a hard-linked mirror of the distribution that the run user can read.
MIRROR_ROOT = Path("/var/lib/cbccvc-engines")


def home(cache_dir: Path) -> Path:
    return cache_dir / f"elasticsearch-{VERSION}"


def installed(cache_dir: Path | None = None) -> bool:
    return (home(cache_dir or default_cache_dir()) / "bin" / "elasticsearch").exists()


def _mvn() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise EngineUnavailable("installing Elasticsearch needs Maven (`mvn` not on PATH)")
    return mvn


def install(cache_dir: Path) -> None:
    """Fetch the pinned zip through Maven (it lands in ~/.m2 too) and unpack it once."""
    if installed(cache_dir):
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".es-download-") as tmp:
        print(f"engines: mvn dependency:copy {GROUP_ID}:{ARTIFACT_ID}:{VERSION}:zip", flush=True)
        subprocess.run(
            [_mvn(), "-q", "-B", f"{DEPENDENCY_PLUGIN}:copy",
             f"-Dartifact={GROUP_ID}:{ARTIFACT_ID}:{VERSION}:zip", f"-DoutputDirectory={tmp}"],
            check=True, cwd=tmp,
        )
        archive = Path(tmp) / f"{ARTIFACT_ID}-{VERSION}.zip"
        unpacked = Path(tmp) / "unpacked"
        _unzip_keeping_modes(archive, unpacked)
        top = unpacked / f"elasticsearch-{VERSION}"
        if not (top / "bin" / "elasticsearch").exists():
            raise RuntimeError(f"{archive.name} does not hold elasticsearch-{VERSION}/bin/elasticsearch")
        # Rename last: a half-unpacked tree never looks installed.
        top.rename(home(cache_dir))


def _unzip_keeping_modes(archive: Path, dest: Path) -> None:
    """zipfile drops Unix modes; bin/ scripts must stay executable."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, dest))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                path.chmod(mode)


def newest_8x_on_maven_central() -> str:
    """The newest 8.x Central lists, for bumping VERSION (asks Maven to resolve a range)."""
    with tempfile.TemporaryDirectory(prefix="es-version-") as tmp:
        Path(tmp, "pom.xml").write_text(
            "<project xmlns='http://maven.apache.org/POM/4.0.0'><modelVersion>4.0.0</modelVersion>"
            "<groupId>local</groupId><artifactId>es-version</artifactId><version>1</version>"
            f"<dependencies><dependency><groupId>{GROUP_ID}</groupId><artifactId>{ARTIFACT_ID}"
            "</artifactId><version>[8.0.0,8.99.99]</version><type>pom</type></dependency>"
            "</dependencies></project>"
        )
        subprocess.run([_mvn(), "-q", "-B", "-U", f"{DEPENDENCY_PLUGIN}:resolve",
                        "-DexcludeTransitive=true"], check=True, cwd=tmp)
    repo = Path.home() / ".m2" / "repository" / Path(*GROUP_ID.split(".")) / ARTIFACT_ID
    versions: set[str] = set()
    for meta in repo.glob("maven-metadata*.xml"):
        versions |= set(re.findall(r"<version>(8\.\d+\.\d+)</version>", meta.read_text()))
    if not versions:
        raise RuntimeError(f"no 8.x version found in {repo}")
    return max(versions, key=lambda v: tuple(int(p) for p in v.split(".")))


def _java_home() -> str:
    for var in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            return os.environ[var]
    java = shutil.which("java")
    if java is None:
        raise EngineUnavailable("Elasticsearch needs Java 17+ (`java` not on PATH)")
    return str(Path(java).resolve().parent.parent)


def _workdir(state_dir: Path) -> Path:
    return state_dir / NAME


def _ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(RUN_AS_WHEN_ROOT)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                        "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                        RUN_AS_WHEN_ROOT], check=True)
        return pwd.getpwnam(RUN_AS_WHEN_ROOT)


def _reachable(path: Path, pw: pwd.struct_passwd, test: str = "-r") -> bool:
    """Ask the kernel, as that user, rather than re-implement permission rules."""
    done = subprocess.run(["test", test, str(path)], user=pw.pw_uid, group=pw.pw_gid,
                          extra_groups=[], cwd="/", check=False)
    return done.returncode == 0


def _home_for(pw: pwd.struct_passwd | None, es_home: Path) -> Path:
    """The distribution as the run user can read it: root's cache (0700 ~) gets a mirror.

    Hard links make the mirror cost no disk; a copy is the fallback across filesystems.
    """
    probe = es_home / "lib" / f"elasticsearch-{VERSION}.jar"
    if pw is None or _reachable(probe, pw):
        return es_home
    mirror = MIRROR_ROOT / es_home.name
    if not (mirror / "bin" / "elasticsearch").exists():
        MIRROR_ROOT.mkdir(parents=True, exist_ok=True)
        MIRROR_ROOT.chmod(0o755)
        tmp = Path(tempfile.mkdtemp(dir=MIRROR_ROOT, prefix=".mirror-"))
        tmp.chmod(0o755)
        linked = subprocess.run(["cp", "-al", f"{es_home}/.", str(tmp)], check=False,
                                capture_output=True)
        if linked.returncode != 0:
            subprocess.run(["cp", "-a", f"{es_home}/.", str(tmp)], check=True)
        try:
            tmp.rename(mirror)
        except OSError:  # a concurrent start made it first
            shutil.rmtree(tmp, ignore_errors=True)
            if not (mirror / "bin" / "elasticsearch").exists():
                raise
    return mirror


def _settings(base: Path, port: int, es_home: Path, cluster: dict[str, object] | None = None) -> str:
    """elasticsearch.yml; `cluster` (es_cluster.py) replaces single-node discovery by seed hosts."""
    settings: dict[str, object] = {
        "cluster.name": "archive-test",
        "node.name": "archive-test-node",
        "discovery.type": "single-node",
        "network.host": HOST,
        "http.port": port,
        "transport.port": free_port(),
        "path.data": str(base / "data"),
        "path.logs": str(base / "logs"),
        # Tests register an `fs` snapshot repository below here (ask the node for
        # nodes.info settings path.repo: under root it may sit outside the state dir).
        "path.repo": str(base / "snapshots"),
        # Test disks are often nearly full; the watermarks would make indices read-only.
        "cluster.routing.allocation.disk.threshold_enabled": False,
    }
    if cluster is not None:
        del settings["discovery.type"]
        settings.update(cluster)
    # An unknown setting stops the node, so name security only where its module ships.
    if (es_home / "modules" / "x-pack-security").is_dir():
        settings["xpack.security.enabled"] = False
    # JSON is valid YAML and quotes every path safely.
    return "\n".join(f"{key}: {json.dumps(value)}" for key, value in settings.items()) + "\n"


def _jvm_options(config: Path, logs: Path) -> None:
    """Point the JVM's relative gc/crash/heap-dump files into the logs dir, not the cwd."""
    options = config / "jvm.options"
    text = options.read_text()
    text = text.replace("file=gc.log", f"file={logs}/gc.log")
    text = text.replace("-XX:ErrorFile=hs_err_pid%p.log", f"-XX:ErrorFile={logs}/hs_err_pid%p.log")
    options.write_text(text)
    extra = config / "jvm.options.d"
    extra.mkdir(exist_ok=True)
    (extra / "archive-test.options").write_text(f"-XX:HeapDumpPath={logs}\n")


def _health_ok(port: int) -> bool:
    url = f"http://{HOST}:{port}/_cluster/health?wait_for_status=yellow&timeout=1s"
    with urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback only
        return json.load(resp).get("status") in ("green", "yellow")


def _base_dir(workdir: Path) -> Path:
    recorded = workdir / "basedir"
    return Path(recorded.read_text().strip()) if recorded.exists() else workdir


def _running_pid(workdir: Path) -> int | None:
    pid_file = workdir / "pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().strip() or 0)
    if pid <= 0 or not pid_alive(pid):
        return None
    # A recycled pid is left alone: ours was started with our ES_PATH_CONF (its cwd is no
    # proof: bin/elasticsearch changes into the ES home).
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    ours = f"ES_PATH_CONF={_base_dir(workdir) / 'config'}".encode()
    return pid if ours in environ else None


def start(state_dir: Path, port: int) -> dict[str, str]:
    workdir = _workdir(state_dir).resolve()
    stop(state_dir)  # a node left from an earlier start of this state dir
    pid = launch_node(workdir, port)
    wait_until(lambda: _health_ok(port), what="elasticsearch", timeout=START_TIMEOUT,
               log=workdir / "server.log", pid=pid)
    return {"ARCHIVE_TEST_ELASTICSEARCH_URL": f"http://{HOST}:{port}"}


def launch_node(workdir: Path, port: int, cluster: dict[str, object] | None = None, *,
                java_opts: str = HEAP) -> int:
    """Configure one node in `workdir` (fresh data) and start it; returns the launcher's pid.

    Does not wait for health: a cluster's nodes are started together, then waited for."""
    cache_dir = default_cache_dir()
    if not installed(cache_dir):
        raise EngineUnavailable("Elasticsearch is not installed (run `python -m scripts.engines install`)")
    workdir.mkdir(parents=True, exist_ok=True)
    pw = _ensure_system_user() if os.geteuid() == 0 else None
    es_home = _home_for(pw, home(cache_dir))
    base = workdir
    if pw is not None and not _reachable(workdir, pw, "-x"):
        # pytest's temp dirs are 0700 root: like postgres, run from a private dir that
        # user can reach, recorded so that stop() finds and removes it.
        base = Path(tempfile.mkdtemp(prefix="cbccvc-es-"))
        base.chmod(0o755)
        (workdir / "basedir").write_text(str(base))
    config, logs = base / "config", base / "logs"
    dirs = [config, base / "data", logs, base / "snapshots", base / "tmp"]
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    # The node writes its keystore into the config dir, so it gets a private copy.
    shutil.copytree(es_home / "config", config, dirs_exist_ok=True)
    (config / "elasticsearch.yml").write_text(_settings(base, port, es_home, cluster))
    _jvm_options(config, logs)
    if pw is not None:
        for d in dirs:
            for root, subdirs, files in os.walk(d):
                for name in [root, *(os.path.join(root, n) for n in subdirs + files)]:
                    os.lchown(name, pw.pw_uid, pw.pw_gid)
    launch = {
        "argv": [str(es_home / "bin" / "elasticsearch")],
        "cwd": str(base),
        "env": {"ES_JAVA_HOME": _java_home(), "ES_PATH_CONF": str(config), "ES_TMPDIR": str(base / "tmp"),
                "ES_JAVA_OPTS": java_opts},
        "uid": pw.pw_uid if pw else None,
        "gid": pw.pw_gid if pw else None,
    }
    # Kept so that relaunch_node() starts the same node again on its data (a node brought back).
    (workdir / "launch.json").write_text(json.dumps(launch, indent=2))
    return relaunch_node(workdir)


def relaunch_node(workdir: Path) -> int:
    """Start the node configured in `workdir` again, on the data it kept; returns its pid."""
    launch = json.loads((workdir / "launch.json").read_text())
    uid, gid = launch["uid"], launch["gid"]
    log = workdir / "server.log"
    with open(log, "ab") as out:
        # A new session: Ctrl-C in the caller's terminal does not reach the node, and
        # stop() can end exactly the process group started here.
        proc = subprocess.Popen(
            launch["argv"], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            cwd=launch["cwd"], env={**os.environ, **launch["env"]}, start_new_session=True,
            user=uid, group=gid, extra_groups=[] if uid is not None else None,
        )
    (workdir / "pid").write_text(str(proc.pid))
    return proc.pid


def kill_node(workdir: Path) -> None:
    """SIGKILL the node's whole process group (launcher and JVM): a host that lost power."""
    pid = _running_pid(workdir)
    if pid is None:
        return
    os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while _group_alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.1)
    _reap(pid)
    (workdir / "pid").unlink(missing_ok=True)


def stop(state_dir: Path) -> None:
    stop_node(_workdir(state_dir).resolve())


def stop_node(workdir: Path) -> None:
    """TERM the launcher (it shuts the server JVM down), then KILL what is left of its group."""
    if not workdir.exists():
        return
    pid = _running_pid(workdir)
    if pid is not None:
        # The launcher leads a session of its own (start_new_session): that process group
        # holds the launcher and the server JVM it forked, nothing else.
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while _group_alive(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.2)
        if _group_alive(pid):
            os.killpg(pid, signal.SIGKILL)
        _reap(pid)
    (workdir / "pid").unlink(missing_ok=True)
    base = _base_dir(workdir)
    if base != workdir:  # the out-of-tree dir made for root: ours to remove
        shutil.rmtree(base, ignore_errors=True)
    (workdir / "basedir").unlink(missing_ok=True)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # Only a zombie launcher left (a child of this process not yet reaped) counts as gone.
    return pid_alive(pgid) or _group_has_live_member(pgid)


def _group_has_live_member(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
