"""S3 object store with object lock — the production adapter (s3://bucket?endpoint=…).

Behaves like storage.local_fs, but the server, not this code, enforces retention (lưu trữ
vĩnh viễn) and legal hold: the bucket is created with object lock, and lock refusals from
the server are mapped to RetentionLocked.

Why the code looks the way it does:
- The key is the SHA-256 of the bytes, known only after reading the whole stream, so the
  stream is spooled to an anonymous temp file while hashing (never held in memory).
- Integrity in transit: objects up to one part are sent in a single PUT carrying
  `x-amz-checksum-sha256`, so the server itself rejects bytes that do not hash to the key.
  (minio-py sends Content-MD5 only over HTTPS; over HTTP its SigV4 payload hash covers each
  request body, which is also what protects the parts of a multipart upload.)
- Object-lock buckets are versioned: a plain DELETE only adds a delete marker and a second
  PUT of the same key adds a version. So delete removes every version of the key, and
  retention and legal hold are applied to every version.
- minio-py has no public way to send `x-amz-bypass-governance-retention` with PutObjectRetention,
  so that one request goes through the client's request method (see _put_retention).
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Iterator, cast
from urllib.parse import parse_qs, urlparse

from minio import Minio
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.deleteobjects import DeleteObject
from minio.error import S3Error
from minio.helpers import md5sum_hash
from minio.retention import Retention as S3Retention
from minio.time import from_iso8601utc
from minio.xml import marshal

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

_CHUNK = 1 << 20
_PART = 16 << 20  # single PUT (server-checked SHA-256) up to this size; multipart above
_NOT_FOUND = {"NoSuchKey", "NoSuchVersion", "NoSuchBucket", "ResourceNotFound"}
# AWS refuses a locked delete with AccessDenied; MinIO with InvalidRequest "Object is WORM
# protected and cannot be overwritten" (InvalidRequest also covers unrelated mistakes).
_LOCKED = {"AccessDenied", "ObjectLocked"}
_LOCK_WORDS = ("worm", "object lock", "retention", "legal hold")
_S3_MODE = {RetentionMode.GOVERNANCE: GOVERNANCE, RetentionMode.COMPLIANCE: COMPLIANCE}


def _is_lock_refusal(code: str | None, message: str | None) -> bool:
    text = (message or "").lower()
    return code in _LOCKED or (code == "InvalidRequest" and any(w in text for w in _LOCK_WORDS))


def _map_error(exc: S3Error, key: str, *, locking: bool = False) -> StorageError:
    """One place that turns S3 error codes into the port's errors.

    locking: the request changes or removes a protected object, so a refusal means the lock.
    """
    if exc.code in _NOT_FOUND:
        return ObjectNotFound(key)
    if locking and _is_lock_refusal(exc.code, exc.message):
        return RetentionLocked(f"{key}: {exc.code}: {exc.message}")
    return StorageError(f"{key}: {exc.code}: {exc.message}")


class S3Store:
    """Content-addressed store in one object-lock bucket."""

    def __init__(self, client: Minio, bucket: str, *, part_size: int = _PART, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.part_size = part_size
        self.prefix = prefix  # "" for originals; "ns/<name>/" for a namespace (see namespace())
        self._bucket_checked = False

    def namespace(self, name: str) -> S3Store:
        """The same bucket, object names under `ns/<name>/`: apart from the originals' keys."""
        ns = S3Store(self.client, self.bucket, part_size=self.part_size,
                     prefix=f"{self.prefix}ns/{check_namespace(name)}/")
        ns._bucket_checked = self._bucket_checked  # one bucket: its object lock was checked for both
        return ns

    def _name(self, key: str) -> str:
        return self.prefix + _check_key(key)

    @classmethod
    def from_url(cls, url: str) -> S3Store:
        """s3://bucket?endpoint=host:port&access_key=…&secret_key=…&secure=false&region=…"""
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(f"not an s3://bucket URL: {url!r}")
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        secure = query.get("secure", "true").lower() not in {"false", "0", "no"}
        client = Minio(
            query.get("endpoint", "s3.amazonaws.com"),
            access_key=query.get("access_key"), secret_key=query.get("secret_key"),
            secure=secure, region=query.get("region"),
        )
        return cls(client, parsed.netloc)

    # -- bucket ----------------------------------------------------------------
    def _ensure_bucket(self) -> None:
        """Create the bucket with object lock; refuse one that exists without it."""
        if self._bucket_checked:
            return
        if not self.client.bucket_exists(self.bucket):
            try:
                self.client.make_bucket(self.bucket, object_lock=True)
            except S3Error as exc:
                if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise
        try:
            self.client.get_object_lock_config(self.bucket)
        except S3Error as exc:
            if not (exc.code or "").startswith("ObjectLockConfigurationNotFound"):
                raise _map_error(exc, self.bucket) from exc
            raise StorageError(
                f"bucket {self.bucket!r} has no object lock; originals there could be overwritten"
            ) from exc
        self._bucket_checked = True

    def _versions(self, key: str) -> list[str]:
        """Version ids of the key's data (not delete markers), newest first."""
        name = self._name(key)
        try:
            return [
                cast(str, o.version_id)
                for o in self.client.list_objects(self.bucket, prefix=name, include_version=True)
                if o.object_name == name and not o.is_delete_marker
            ]
        except S3Error as exc:
            raise _map_error(exc, key) from exc

    # -- port --------------------------------------------------------------------
    def put_stream(
        self, stream: BinaryIO, *, content_type: str = "application/octet-stream",
        expected_sha256: str | None = None,
    ) -> ObjectInfo:
        digest = hashlib.sha256()
        size = 0
        with tempfile.TemporaryFile(prefix="s3-put-") as spool:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                spool.write(chunk)
                size += len(chunk)
            key = digest.hexdigest()
            if expected_sha256 is not None and expected_sha256 != key:
                raise ObjectCorrupted(f"expected sha256 {expected_sha256}, got {key}")
            spool.seek(0)
            return self._upload(spool, key=key, size=size, digest=digest.digest(), content_type=content_type)

    def put_file(self, path: Path, *, sha256: str, content_type: str = "application/octet-stream") -> ObjectInfo:
        _check_key(sha256)
        with open(path, "rb") as fh:
            return self._upload(fh, key=sha256, size=os.fstat(fh.fileno()).st_size, digest=bytes.fromhex(sha256),
                                content_type=content_type)

    def _upload(self, fh: BinaryIO, *, key: str, size: int, digest: bytes, content_type: str) -> ObjectInfo:
        self._ensure_bucket()
        try:
            return self.stat(key)  # never overwrite: same key means same bytes
        except ObjectNotFound:
            pass
        headers = {}
        if size <= self.part_size:
            headers["x-amz-checksum-sha256"] = base64.b64encode(digest).decode()
        try:
            self.client.put_object(
                self.bucket, self._name(key), fh, size, content_type=content_type, metadata=headers,
                part_size=self.part_size, num_parallel_uploads=1,
            )
        except S3Error as exc:
            if exc.code in {"XAmzContentChecksumMismatch", "BadDigest", "XAmzContentSHA256Mismatch"}:
                raise ObjectCorrupted(f"{key}: server saw other bytes ({exc.code})") from exc
            raise _map_error(exc, key) from exc
        return ObjectInfo(key=key, size=size, content_type=content_type, created=True)

    def open(self, key: str) -> BinaryIO:
        try:
            return cast(BinaryIO, self.client.get_object(self.bucket, self._name(key)))
        except S3Error as exc:
            raise _map_error(exc, key) from exc

    def iter_chunks(self, key: str, chunk_size: int = _CHUNK) -> Iterator[bytes]:
        response = self.open(key)
        try:
            while chunk := response.read(chunk_size):
                yield chunk
        finally:
            response.close()
            getattr(response, "release_conn", lambda: None)()

    def stat(self, key: str) -> ObjectInfo:
        try:
            obj = self.client.stat_object(self.bucket, self._name(key))
        except S3Error as exc:
            raise _map_error(exc, key) from exc
        headers = obj.metadata or {}
        retention = None
        mode, until = headers.get("x-amz-object-lock-mode"), headers.get("x-amz-object-lock-retain-until-date")
        if mode and until:
            retention = Retention(mode=RetentionMode(mode.upper()), until=_parse_time(until))
        return ObjectInfo(
            key=key, size=int(obj.size or 0),
            content_type=obj.content_type or "application/octet-stream",
            retention=retention,
            legal_hold=str(headers.get("x-amz-object-lock-legal-hold", "")).upper() == "ON",
        )

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectNotFound:
            return False
        return True

    def list_keys(self) -> Iterator[str]:
        try:
            for obj in self.client.list_objects(self.bucket, prefix=self.prefix or None, recursive=True):
                key = (obj.object_name or "")[len(self.prefix):]
                if KEY_PATTERN.match(key):  # names of a namespace ("ns/…") are not keys here
                    yield key
        except S3Error as exc:
            if exc.code != "NoSuchBucket":
                raise _map_error(exc, self.bucket) from exc

    def delete(self, key: str, *, bypass_governance: bool = False) -> None:
        self.stat(key)  # ObjectNotFound before anything else, as the local store does
        versions = self._versions(key)
        try:
            errors = list(self.client.remove_objects(
                self.bucket, [DeleteObject(self._name(key), v) for v in versions],
                bypass_governance_mode=bypass_governance,
            ))
        except S3Error as exc:
            raise _map_error(exc, key, locking=True) from exc
        if errors:
            first = errors[0]
            if _is_lock_refusal(first.code, first.message):
                raise RetentionLocked(f"{key}: {first.code}: {first.message}")
            raise StorageError(f"{key}: {first.code}: {first.message}")

    def set_retention(self, key: str, retention: Retention, *, bypass_governance: bool = False) -> None:
        self.stat(key)
        config = S3Retention(_S3_MODE[retention.mode], retention.until)
        for version in self._versions(key):
            try:
                self._put_retention(key, version, config, bypass_governance)
            except S3Error as exc:
                raise _map_error(exc, key, locking=True) from exc

    def _put_retention(self, key: str, version: str, config: S3Retention, bypass: bool) -> None:
        if not bypass:
            self.client.set_object_retention(self.bucket, self._name(key), config, version_id=version)
            return
        body = marshal(config)
        self.client._execute(  # noqa: SLF001 - the public call cannot send the bypass header
            "PUT", self.bucket, object_name=self._name(key), body=body,
            headers={"Content-MD5": cast(str, md5sum_hash(body)),
                     "x-amz-bypass-governance-retention": "true"},
            query_params={"retention": "", "versionId": version},
        )

    def set_legal_hold(self, key: str, on: bool) -> None:
        self.stat(key)
        switch = self.client.enable_object_legal_hold if on else self.client.disable_object_legal_hold
        for version in self._versions(key):
            try:
                switch(self.bucket, self._name(key), version_id=version)
            except S3Error as exc:
                raise _map_error(exc, key, locking=True) from exc

    def replace_damaged(self, key: str, stream: BinaryIO, *, content_type: str | None = None) -> ObjectInfo:
        """The right bytes back as the key's newest version (see the port); _upload is not used, as it
        stops at an existing name.

        In an object-lock bucket the damaged version stays (it is locked) and GET returns the new one;
        the retention and legal hold the damaged version had are set on the new version too, so the
        repaired object is as protected as before.
        """
        _check_key(key)
        self._ensure_bucket()
        digest = hashlib.sha256()
        size = 0
        with tempfile.TemporaryFile(prefix="s3-repair-") as spool:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                spool.write(chunk)
                size += len(chunk)
            if digest.hexdigest() != key:
                raise ObjectCorrupted(f"repair bytes hash to {digest.hexdigest()}, not {key}")
            try:
                before: ObjectInfo | None = self.stat(key)
            except ObjectNotFound:
                before = None
            if before is not None and self.verify(key):
                raise ObjectIntact(f"{key} still hashes to its key")
            # the lock the key's versions hold (a damaged newest version may have been written
            # behind our back, without it): the strongest of them goes onto the repaired version
            retention, legal_hold, first_type = self._what_versions_hold(key) if before is not None else (None, False, None)
            spool.seek(0)
            headers = {}
            if size <= self.part_size:
                headers["x-amz-checksum-sha256"] = base64.b64encode(digest.digest()).decode()
            generic = (None, "", "application/octet-stream")  # a version put behind our back says nothing better
            kind = first_type if first_type not in generic else content_type or "application/octet-stream"
            try:
                written = self.client.put_object(
                    self.bucket, self._name(key), spool, size, content_type=kind, metadata=headers,
                    part_size=self.part_size, num_parallel_uploads=1,
                )
                if written.version_id and retention is not None:
                    self.client.set_object_retention(self.bucket, self._name(key),
                                                     S3Retention(_S3_MODE[retention.mode], retention.until),
                                                     version_id=written.version_id)
                if written.version_id and legal_hold:
                    self.client.enable_object_legal_hold(self.bucket, self._name(key), version_id=written.version_id)
            except S3Error as exc:
                if exc.code in {"XAmzContentChecksumMismatch", "BadDigest", "XAmzContentSHA256Mismatch"}:
                    raise ObjectCorrupted(f"{key}: server saw other bytes ({exc.code})") from exc
                raise _map_error(exc, key) from exc
        return self.stat(key)

    def _what_versions_hold(self, key: str) -> tuple[Retention | None, bool, str | None]:
        """The longest unexpired retention (COMPLIANCE over GOVERNANCE) and any legal hold among the key's
        versions, and the first version's content type (the one the archive stored)."""
        best: Retention | None = None
        hold = False
        first_type = None
        now = datetime.now(timezone.utc)
        for version in self._versions(key):
            try:
                obj = self.client.stat_object(self.bucket, self._name(key), version_id=version)
            except S3Error as exc:
                raise _map_error(exc, key) from exc
            headers = obj.metadata or {}
            first_type = obj.content_type  # versions come newest first: the last one seen is the first stored
            hold = hold or str(headers.get("x-amz-object-lock-legal-hold", "")).upper() == "ON"
            mode, until = headers.get("x-amz-object-lock-mode"), headers.get("x-amz-object-lock-retain-until-date")
            if mode and until:
                r = Retention(mode=RetentionMode(mode.upper()), until=_parse_time(until))
                rank = (r.mode is RetentionMode.COMPLIANCE, r.until)
                if r.until > now and (best is None or rank > (best.mode is RetentionMode.COMPLIANCE, best.until)):
                    best = r
        return best, hold, first_type

    def verify(self, key: str) -> bool:
        digest = hashlib.sha256()
        for chunk in self.iter_chunks(key):
            digest.update(chunk)
        return digest.hexdigest() == key


def _parse_time(value: str) -> datetime:
    parsed = from_iso8601utc(value)
    if parsed is None:
        raise StorageError(f"unreadable retain-until date {value!r}")
    return parsed
