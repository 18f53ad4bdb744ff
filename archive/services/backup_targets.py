"""Where backup copies go (nơi sao lưu): a directory or an S3 bucket with object lock, picked by URL.

    file:///mnt/nas/archive-backup
    s3://bucket[/prefix]?endpoint=host:9000&access_key=…&secret_key=…&secure=false&region=…

Every target is a full copy on its own, laid out the same way:

    objects/<namespace>/<sha256>   sealed object copies (backup_cipher), named by content, written once
    sets/<set id>.json             manifests, written last and whole: a set without one does not exist
    restic/                        the restic repository: the database snapshot, settings, object list

A directory target writes each file to a temporary name, fsyncs it, renames it into place and
fsyncs the directory, so a killed run leaves no file that looks whole. A bucket must have object
lock (a bucket without it is refused, as the primary store refuses one): object copies get
COMPLIANCE retention, so nobody holding the backup credentials can delete them before it ends.
A single PUT is atomic, so a manifest in a bucket is whole or absent too.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Protocol, cast
from urllib.parse import parse_qs, urlencode, urlparse

from archive.services.backup_cipher import SealingReader
from storage import StorageError
from storage.durable import fsync_dir

OBJECTS = "objects/"
SETS = "sets/"
RESTIC = "restic"
_SET_SUFFIX = ".json"
_SECRET_PARAMS = {"access_key", "secret_key"}
TMP_MAX_AGE_SECONDS = 24 * 3600


class TargetUnavailable(StorageError):
    """A backup target cannot be reached or used (named in the message)."""


def redact(url: str) -> str:
    """The URL without its credentials: what logs, manifests and pages show."""
    parsed = urlparse(url)
    if not parsed.query:
        return url
    query = {k: ("…" if k in _SECRET_PARAMS else v[-1]) for k, v in parse_qs(parsed.query).items()}
    return parsed._replace(query=urlencode(query, safe="…:")).geturl()


class ResticLocation(Protocol):
    repository: str
    env: dict[str, str]
    options: list[str]


class BackupTarget(Protocol):
    """Port of one backup target; `label` is its URL without secrets."""

    label: str

    def open_checked(self) -> None:
        """Reach the target and prepare its layout; TargetUnavailable if it cannot be used."""
        ...

    def list_copies(self) -> dict[str, int]:
        """Every object copy held: "<namespace>/<sha256>" → sealed size in bytes."""
        ...

    def put_copy(self, name: str, sealed: SealingReader, sealed_size: int, check: Callable[[], None]) -> None:
        """Write a sealed copy; `check` runs once every byte is read and before the copy counts (it may raise)."""
        ...

    def open_copy(self, name: str) -> BinaryIO: ...

    def sync(self) -> None:
        """Make every copy written so far durable (before a manifest may name them)."""
        ...

    def list_sets(self) -> list[str]:
        """Ids of the sets that have a manifest, oldest first."""
        ...

    def read_set(self, set_id: str) -> bytes: ...

    def write_set(self, set_id: str, data: bytes) -> None: ...

    def delete_set(self, set_id: str) -> None: ...

    def has_restic_repo(self) -> bool: ...

    def restic(self) -> ResticLocation: ...


class _Location:
    def __init__(self, repository: str, env: dict[str, str] | None = None, options: list[str] | None = None) -> None:
        self.repository, self.env, self.options = repository, env or {}, options or []


class DirectoryTarget:
    """A target on a mounted file system (a NAS, a second disk, removable media)."""

    def __init__(self, root: Path, label: str) -> None:
        self.root, self.label = root, label
        self._unsynced: set[Path] = set()  # directories holding renamed copies: fsynced once, by sync()

    def _tmp_name(self, final: Path) -> Path:
        return self.root / "tmp" / f"{final.name}.{socket.gethostname()}.{os.getpid()}.{time.monotonic_ns()}"

    def _write_atomic(self, final: Path, chunks: Iterable[bytes], check: Callable[[], None] = lambda: None, *,
                      sync_now: bool = True) -> None:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._tmp_name(final)
        try:
            with open(tmp, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                check()
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, final)  # a full run may repair a damaged copy: replacing is the point
        finally:
            tmp.unlink(missing_ok=True)
        if sync_now:
            fsync_dir(final.parent)
        else:
            self._unsynced.add(final.parent)

    def sync(self) -> None:
        while self._unsynced:
            fsync_dir(self._unsynced.pop())

    def open_checked(self) -> None:
        try:
            for sub in ("objects", "sets", "tmp"):
                (self.root / sub).mkdir(parents=True, exist_ok=True)
            probe = self.root / "tmp" / f"probe.{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise TargetUnavailable(f"Không ghi được vào nơi sao lưu {self.label}: {exc.strerror or exc}") from exc
        cutoff = time.time() - TMP_MAX_AGE_SECONDS  # what killed runs left half-written
        for entry in (self.root / "tmp").iterdir():
            try:
                if entry.stat().st_mtime < cutoff:
                    entry.unlink()
            except OSError:
                pass

    def _copy_path(self, name: str) -> Path:
        namespace, _, key = name.partition("/")
        return self.root / "objects" / namespace / key[:2] / key

    def list_copies(self) -> dict[str, int]:
        found: dict[str, int] = {}
        base = self.root / "objects"
        if not base.is_dir():
            return found
        for ns in os.scandir(base):
            for shard in os.scandir(ns.path):
                for entry in os.scandir(shard.path):
                    found[f"{ns.name}/{entry.name}"] = entry.stat().st_size
        return found

    def put_copy(self, name: str, sealed: SealingReader, sealed_size: int, check: Callable[[], None]) -> None:
        self._write_atomic(self._copy_path(name), sealed.chunks(), check, sync_now=False)

    def open_copy(self, name: str) -> BinaryIO:
        try:
            return open(self._copy_path(name), "rb")
        except FileNotFoundError:
            raise TargetUnavailable(f"{self.label}: thiếu bản sao {name}") from None

    def list_sets(self) -> list[str]:
        sets = self.root / "sets"
        if not sets.is_dir():
            return []
        return sorted(p.name[:-len(_SET_SUFFIX)] for p in sets.iterdir() if p.name.endswith(_SET_SUFFIX))

    def read_set(self, set_id: str) -> bytes:
        return (self.root / "sets" / f"{set_id}{_SET_SUFFIX}").read_bytes()

    def write_set(self, set_id: str, data: bytes) -> None:
        self._write_atomic(self.root / "sets" / f"{set_id}{_SET_SUFFIX}", [data])

    def delete_set(self, set_id: str) -> None:
        (self.root / "sets" / f"{set_id}{_SET_SUFFIX}").unlink(missing_ok=True)

    def has_restic_repo(self) -> bool:
        return (self.root / RESTIC / "config").exists()

    def restic(self) -> ResticLocation:
        return _Location(str(self.root / RESTIC))


class BucketTarget:
    """A target in an S3 bucket with object lock (a second MinIO, another provider)."""

    def __init__(self, url: str, *, retention_days: int) -> None:
        from minio import Minio
        import urllib3

        parsed = urlparse(url)
        if not parsed.netloc:
            raise TargetUnavailable(f"không phải URL s3://bucket: {redact(url)}")
        q = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        self.label = redact(url)
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/") + "/" if parsed.path.strip("/") else ""
        self.endpoint = q.get("endpoint", "s3.amazonaws.com")
        self.secure = q.get("secure", "true").lower() not in {"false", "0", "no"}
        self.region = q.get("region")
        self.access_key, self.secret_key = q.get("access_key", ""), q.get("secret_key", "")
        self.retention_days = retention_days
        # a target that does not answer must fail within seconds, not after minio's long retries
        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=5, read=120), maxsize=8,
                                   retries=urllib3.Retry(total=2, backoff_factor=0.2,
                                                         status_forcelist=[500, 502, 503, 504]))
        self.client = Minio(self.endpoint, access_key=self.access_key, secret_key=self.secret_key,
                            secure=self.secure, region=self.region, http_client=http)

    def _call(self, what: str, fn, *args, **kwargs):  # noqa: ANN001, ANN202
        from minio.error import S3Error

        try:
            return fn(*args, **kwargs)
        except S3Error as exc:
            raise TargetUnavailable(f"{self.label}: {what}: {exc.code}: {exc.message}") from exc
        except Exception as exc:  # noqa: BLE001 - urllib3 and socket errors: the target is unreachable
            raise TargetUnavailable(f"Không kết nối được nơi sao lưu {self.label} ({what}): {exc}") from exc

    def open_checked(self) -> None:
        from minio.error import S3Error

        if not self._call("kiểm tra bucket", self.client.bucket_exists, self.bucket):
            self._call("tạo bucket", self.client.make_bucket, self.bucket, object_lock=True)
        try:
            self.client.get_object_lock_config(self.bucket)
        except S3Error as exc:
            raise TargetUnavailable(f"{self.label}: bucket {self.bucket!r} không bật khoá đối tượng (object lock): "
                                    "bản sao ở đó có thể bị xoá") from exc
        except Exception as exc:  # noqa: BLE001
            raise TargetUnavailable(f"Không kết nối được nơi sao lưu {self.label}: {exc}") from exc

    def _list(self, prefix: str):  # noqa: ANN202
        return self._call("liệt kê", lambda: list(self.client.list_objects(self.bucket, prefix=self.prefix + prefix,
                                                                          recursive=True)))

    def sync(self) -> None:
        pass  # a completed PUT is durable

    def list_copies(self) -> dict[str, int]:
        start = len(self.prefix) + len(OBJECTS)
        return {cast(str, o.object_name)[start:]: int(o.size or 0) for o in self._list(OBJECTS)}

    def put_copy(self, name: str, sealed: SealingReader, sealed_size: int, check: Callable[[], None]) -> None:
        from minio.commonconfig import COMPLIANCE
        from minio.retention import Retention

        object_name = self.prefix + OBJECTS + name
        written = self._call("ghi bản sao", self.client.put_object, self.bucket, object_name, sealed, sealed_size,
                             content_type="application/octet-stream", part_size=16 << 20)
        try:
            check()
        except Exception:
            self._call("xoá bản sao hỏng", self.client.remove_object, self.bucket, object_name,
                       version_id=written.version_id)
            raise
        until = datetime.now(timezone.utc) + timedelta(days=self.retention_days)
        self._call("đặt thời hạn giữ", self.client.set_object_retention, self.bucket, object_name,
                   Retention(COMPLIANCE, until))

    def open_copy(self, name: str) -> BinaryIO:
        return cast(BinaryIO, self._call("đọc bản sao", self.client.get_object, self.bucket,
                                         self.prefix + OBJECTS + name))

    def list_sets(self) -> list[str]:
        start = len(self.prefix) + len(SETS)
        names = (cast(str, o.object_name)[start:] for o in self._list(SETS))
        return sorted(n[:-len(_SET_SUFFIX)] for n in names if n.endswith(_SET_SUFFIX) and "/" not in n)

    def read_set(self, set_id: str) -> bytes:
        response = self._call("đọc bộ sao lưu", self.client.get_object, self.bucket,
                              f"{self.prefix}{SETS}{set_id}{_SET_SUFFIX}")
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def write_set(self, set_id: str, data: bytes) -> None:
        import io

        self._call("ghi bộ sao lưu", self.client.put_object, self.bucket, f"{self.prefix}{SETS}{set_id}{_SET_SUFFIX}",
                   io.BytesIO(data), len(data), content_type="application/json")

    def delete_set(self, set_id: str) -> None:
        self._call("xoá bộ sao lưu", self.client.remove_object, self.bucket, f"{self.prefix}{SETS}{set_id}{_SET_SUFFIX}")

    def has_restic_repo(self) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, f"{self.prefix}{RESTIC}/config")
        except S3Error as exc:
            if exc.code in {"NoSuchKey", "NoSuchObject", "NoSuchBucket"}:
                return False
            raise TargetUnavailable(f"{self.label}: {exc.code}: {exc.message}") from exc
        except Exception as exc:  # noqa: BLE001
            raise TargetUnavailable(f"Không kết nối được nơi sao lưu {self.label}: {exc}") from exc
        return True

    def restic(self) -> ResticLocation:
        scheme = "https" if self.secure else "http"
        env = {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}
        options = ["-o", f"s3.region={self.region}"] if self.region else []
        return _Location(f"s3:{scheme}://{self.endpoint}/{self.bucket}/{self.prefix}{RESTIC}", env, options)


def open_target(url: str, *, retention_days: int) -> BackupTarget:
    """The target a URL names (file:///… or s3://…)."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        if not parsed.path or parsed.path == "/":
            raise TargetUnavailable(f"nơi sao lưu cần một thư mục: {url}")
        return DirectoryTarget(Path(parsed.path), label=url)
    if parsed.scheme == "s3":
        return BucketTarget(url, retention_days=retention_days)
    raise TargetUnavailable(f"nơi sao lưu phải là file:///… hoặc s3://…, nhận được {redact(url)!r}")
