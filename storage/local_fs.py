"""Local filesystem object store — the embedded default (file:///path).

Layout under the root:
  objects/ab/cd/<sha256>   the bytes, read-only once renamed into place
  meta/<sha256>.json       content type, retention and legal hold
  tmp/                     partial uploads; renamed into place only after fsync
  ns/<name>/               a namespace (e.g. derivatives): the same layout, apart from the originals
Retention is enforced here by the adapter itself, with the same rules as S3 object lock,
so that the embedded mode protects originals as the production mode does.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, TypeVar

from storage.port import (
    KEY_PATTERN,
    check_key as _check_key,
    check_namespace,
    ObjectCorrupted,
    ObjectInfo,
    ObjectIntact,
    ObjectNotFound,
    Retention,
    RetentionLocked,
    RetentionMode,
    StorageError,
)
from storage.durable import fsync_dir

_CHUNK = 1 << 20
_F = TypeVar("_F", bound=Callable)


def _os_error(exc: OSError) -> StorageError:
    """An operating-system failure as the port's error, in words for people (no paths)."""
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageError("kho lưu trữ không cho ghi (chỉ đọc hoặc không đủ quyền).")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageError("kho lưu trữ đã hết chỗ trống.")
    return StorageError(f"không đọc hay ghi được kho lưu trữ ({errno.errorcode.get(exc.errno or 0, 'lỗi hệ thống')}).")


def _storage_errors(method: _F) -> _F:
    """Let no OSError leave the adapter: the doors map StorageError (503), not a bare OSError (500)."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            return method(*args, **kwargs)
        except StorageError:
            raise
        except OSError as exc:
            raise _os_error(exc) from exc
    return wrapper  # type: ignore[return-value]


class LocalFsStore:
    """Content-addressed store on a local directory."""

    @_storage_errors
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        for sub in ("objects", "meta", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def namespace(self, name: str) -> "LocalFsStore":
        """A store of its own under `ns/<name>/`, on the same disk (so put_file still links)."""
        return LocalFsStore(self.root / "ns" / check_namespace(name))

    # -- paths ---------------------------------------------------------------
    def _path(self, key: str) -> Path:
        _check_key(key)
        return self.root / "objects" / key[:2] / key[2:4] / key

    def _meta_path(self, key: str) -> Path:
        return self.root / "meta" / f"{_check_key(key)}.json"

    def _read_meta(self, key: str) -> dict:
        try:
            return json.loads(self._meta_path(key).read_text("utf-8"))
        except FileNotFoundError:
            return {}

    def _write_meta(self, key: str, meta: dict) -> None:
        target = self._meta_path(key)
        fd, tmp = tempfile.mkstemp(dir=self.root / "tmp", prefix="meta-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(meta, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)

    @contextmanager
    def _spooled(self, stream: BinaryIO, prefix: str) -> Iterator[tuple[str, str, int]]:
        """The stream written and fsynced under tmp/: (temp name, SHA-256, size); the temp file is
        removed when the block ends, unless the block linked or renamed it into place."""
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root / "tmp", prefix=prefix)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            yield tmp_name, digest.hexdigest(), size
        finally:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass

    # -- port ----------------------------------------------------------------
    @_storage_errors
    def put_stream(
        self, stream: BinaryIO, *, content_type: str = "application/octet-stream",
        expected_sha256: str | None = None,
    ) -> ObjectInfo:
        with self._spooled(stream, "put-") as (tmp_name, key, size):
            if expected_sha256 is not None and expected_sha256 != key:
                raise ObjectCorrupted(f"expected sha256 {expected_sha256}, got {key}")
            target = self._path(key)
            if target.exists():
                return self.stat(key)  # never overwrite: same key means same bytes
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp_name, 0o444)
            # link() fails if another writer won the race, so an existing file is never replaced.
            try:
                os.link(tmp_name, target)
            except FileExistsError:
                return self.stat(key)
            fsync_dir(target.parent)
            self._write_meta(key, {"content_type": content_type, "size": size})
            return ObjectInfo(key=key, size=size, content_type=content_type, created=True)

    @_storage_errors
    def put_file(self, path: Path, *, sha256: str, content_type: str = "application/octet-stream") -> ObjectInfo:
        target = self._path(sha256)
        if target.exists():
            return self.stat(sha256)  # never overwrite
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.chmod(path, 0o444)
            os.link(path, target)  # same disk: no second copy of a large scan
        except FileExistsError:
            return self.stat(sha256)
        except OSError:  # another file system: copy, hashing again
            with open(path, "rb") as fh:
                return self.put_stream(fh, content_type=content_type, expected_sha256=sha256)
        fsync_dir(target.parent)
        size = target.stat().st_size
        self._write_meta(sha256, {"content_type": content_type, "size": size})
        return ObjectInfo(key=sha256, size=size, content_type=content_type, created=True)

    @_storage_errors
    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    def iter_chunks(self, key: str, chunk_size: int = _CHUNK) -> Iterator[bytes]:
        with self.open(key) as fh:
            while True:
                try:
                    chunk = fh.read(chunk_size)
                except OSError as exc:
                    raise _os_error(exc) from exc
                if not chunk:
                    return
                yield chunk

    @_storage_errors
    def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        meta = self._read_meta(key)
        retention = None
        if meta.get("retention"):
            retention = Retention(
                mode=RetentionMode(meta["retention"]["mode"]),
                until=datetime.fromisoformat(meta["retention"]["until"]),
            )
        return ObjectInfo(
            key=key, size=size,
            content_type=meta.get("content_type", "application/octet-stream"),
            retention=retention, legal_hold=bool(meta.get("legal_hold")),
        )

    @_storage_errors
    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def list_keys(self) -> Iterator[str]:
        for path in sorted((self.root / "objects").glob("*/*/*")):
            if KEY_PATTERN.match(path.name):
                yield path.name

    @_storage_errors
    def delete(self, key: str, *, bypass_governance: bool = False) -> None:
        info = self.stat(key)
        if info.legal_hold:
            raise RetentionLocked(f"{key} is under legal hold")
        r = info.retention
        if r is not None and r.until > datetime.now(timezone.utc):
            if r.mode is RetentionMode.COMPLIANCE or not bypass_governance:
                raise RetentionLocked(f"{key} is retained ({r.mode.value}) until {r.until.isoformat()}")
        self._path(key).unlink()
        self._meta_path(key).unlink(missing_ok=True)

    @_storage_errors
    def set_retention(self, key: str, retention: Retention, *, bypass_governance: bool = False) -> None:
        info = self.stat(key)
        current = info.retention
        if current is not None and current.until > datetime.now(timezone.utc):
            shortening = retention.until < current.until
            weakening = current.mode is RetentionMode.COMPLIANCE and retention.mode is not RetentionMode.COMPLIANCE
            if current.mode is RetentionMode.COMPLIANCE and (shortening or weakening):
                raise RetentionLocked(f"{key}: COMPLIANCE retention cannot be shortened or weakened")
            if current.mode is RetentionMode.GOVERNANCE and shortening and not bypass_governance:
                raise RetentionLocked(f"{key}: GOVERNANCE retention needs bypass to shorten")
        meta = self._read_meta(key)
        meta["retention"] = {"mode": retention.mode.value, "until": retention.until.astimezone(timezone.utc).isoformat()}
        self._write_meta(key, meta)

    @_storage_errors
    def set_legal_hold(self, key: str, on: bool) -> None:
        self.stat(key)
        meta = self._read_meta(key)
        meta["legal_hold"] = on
        self._write_meta(key, meta)

    @_storage_errors
    def replace_damaged(self, key: str, stream: BinaryIO, *, content_type: str | None = None) -> ObjectInfo:
        """The right bytes back in place of damaged or missing ones (see the port).

        The new file is written and fsynced under tmp/, checked against the key, and only then
        renamed over the read-only damaged file: rename replaces a directory entry, so the old
        file's mode does not stop it, and a reader sees either the old bytes or the new, never a
        mix. Retention and legal hold live in meta/, which is left as it was (a repair brings back
        the content they protect; it is not a deletion or a change of that content).
        """
        target = self._path(key)
        with self._spooled(stream, "repair-") as (tmp_name, got, size):
            if got != key:
                raise ObjectCorrupted(f"repair bytes hash to {got}, not {key}")
            if target.exists() and self.verify(key):
                raise ObjectIntact(f"{key} still hashes to its key")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp_name, 0o444)
            os.replace(tmp_name, target)
            fsync_dir(target.parent)
            meta = self._read_meta(key)
            if not meta:
                meta = {"content_type": content_type or "application/octet-stream"}
            meta["size"] = size
            self._write_meta(key, meta)
            return self.stat(key)

    @_storage_errors
    def verify(self, key: str) -> bool:
        digest = hashlib.sha256()
        for chunk in self.iter_chunks(key):
            digest.update(chunk)
        return digest.hexdigest() == key
