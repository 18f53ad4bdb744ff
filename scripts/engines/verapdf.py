"""veraPDF (the PDF/A validator) command-line jar from Maven Central — for the tests only.

`org.verapdf.apps:cli:1.30.2` is a self-contained jar (~16 MB) that runs on the Java 17 we
already have for Elasticsearch: `java -jar cli-1.30.2.jar -f 2b --format json FILES…` exits 0
when every file passes, 1 when some fail. Later versions are not on Central. It is GPL/MPL,
used to check our archival copies in tests, never shipped or imported. It is no server:
`start` only says where the jar is (ARCHIVE_TEST_VERAPDF_JAR) and `stop` has nothing to do.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from urllib.request import urlopen

from scripts.engines.common import EngineUnavailable, default_cache_dir

NAME = "verapdf"
VERSION = "1.30.2"
URL = f"https://repo1.maven.org/maven2/org/verapdf/apps/cli/{VERSION}/cli-{VERSION}.jar"
SHA1 = "94b1bf8d5d9bda4c45cdb6ebab92e06d9d1e5217"  # Central's cli-1.30.2.jar.sha1, checked on download


def jar(cache_dir: Path | None = None) -> Path:
    return (cache_dir or default_cache_dir()) / "verapdf" / f"cli-{VERSION}.jar"


def installed(cache_dir: Path | None = None) -> bool:
    return jar(cache_dir).is_file()


def install(cache_dir: Path) -> None:
    target = jar(cache_dir)
    if target.is_file():
        return
    if shutil.which("java") is None:
        raise EngineUnavailable("veraPDF needs Java 17 (apt-get install openjdk-17-jre-headless)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    digest = hashlib.sha1()
    with urlopen(URL, timeout=120) as src, open(partial, "wb") as out:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != SHA1:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"veraPDF jar from {URL} has SHA-1 {digest.hexdigest()}, expected {SHA1}")
    partial.rename(target)


def start(state_dir: Path, port: int) -> dict[str, str]:  # noqa: ARG001  (no server)
    if not installed():
        raise EngineUnavailable("veraPDF is not installed (python -m scripts.engines install --only verapdf)")
    return {"ARCHIVE_TEST_VERAPDF_JAR": str(jar())}


def stop(state_dir: Path) -> None:  # noqa: ARG001
    pass
