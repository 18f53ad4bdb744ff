"""One contract for every ObjectStore adapter: the embedded local store and S3 (real MinIO).

Originals of personnel dossiers (hồ sơ gốc) must come back byte-for-byte, never be replaced,
and stay put while retention (thời hạn lưu trữ) or a legal hold says so. Each test gets an
empty store: a fresh directory, or a fresh object-lock bucket on the MinIO of the session.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse, urlunparse

import pytest

from storage.local_fs import LocalFsStore
from storage.port import (
    InvalidKey,
    ObjectCorrupted,
    ObjectIntact,
    ObjectNotFound,
    ObjectStore,
    Retention,
    RetentionLocked,
    RetentionMode,
    StorageError,
)

Corrupt = Callable[[str], None]


def _unique_bytes(label: str = "hồ sơ") -> bytes:
    """Content no earlier test stored, so a shared server cannot make a test pass by accident."""
    return f"%PDF-1.7 {label} {uuid.uuid4()}\n".encode() + os.urandom(2048)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _close(a: datetime, b: datetime) -> bool:
    """S3 keeps retain-until dates to the millisecond, the local store to the microsecond."""
    return abs((a - b).total_seconds()) < 1


def _local(tmp_path: Path) -> tuple[ObjectStore, Corrupt]:
    store = LocalFsStore(tmp_path / "store")

    def corrupt(key: str) -> None:
        path = tmp_path / "store" / "objects" / key[:2] / key[2:4] / key
        path.chmod(0o644)  # stored originals are read-only
        data = bytearray(path.read_bytes())
        data[0] ^= 0xFF
        path.write_bytes(bytes(data))

    return store, corrupt


def _s3(s3_url: str) -> tuple[ObjectStore, Corrupt]:
    from storage.s3 import S3Store

    bucket = f"contract-{uuid.uuid4().hex[:16]}"
    store = S3Store.from_url(urlunparse(urlparse(s3_url)._replace(netloc=bucket)))

    def corrupt(key: str) -> None:
        # Behind the adapter's back: a new version with other bytes under the same key.
        bad = b"tampered " + os.urandom(64)
        store.client.put_object(store.bucket, key, io.BytesIO(bad), len(bad))

    return store, corrupt


@pytest.fixture(params=["local", "s3"])
def store_and_corrupt(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[ObjectStore, Corrupt]:
    if request.param == "local":
        return _local(tmp_path)
    return _s3(request.getfixturevalue("s3_url"))


@pytest.fixture
def store(store_and_corrupt: tuple[ObjectStore, Corrupt]) -> ObjectStore:
    return store_and_corrupt[0]


def _put(store: ObjectStore, data: bytes, content_type: str = "application/pdf") -> str:
    return store.put_stream(io.BytesIO(data), content_type=content_type).key


# -- storing and reading -------------------------------------------------------------------

def test_put_stores_bytes_under_their_sha256_and_reads_them_back(store: ObjectStore) -> None:
    data = _unique_bytes()
    info = store.put_stream(io.BytesIO(data), content_type="application/pdf")
    assert info.key == hashlib.sha256(data).hexdigest()
    assert (info.size, info.content_type, info.created) == (len(data), "application/pdf", True)
    with store.open(info.key) as fh:
        assert fh.read() == data
    chunks = list(store.iter_chunks(info.key, chunk_size=1000))
    assert b"".join(chunks) == data and all(len(c) <= 1000 for c in chunks) and len(chunks) >= 3
    stat = store.stat(info.key)
    assert (stat.key, stat.size, stat.content_type) == (info.key, len(data), "application/pdf")
    assert stat.retention is None and stat.legal_hold is False
    assert store.verify(info.key) is True


def test_an_object_larger_than_one_upload_part_round_trips(store: ObjectStore) -> None:
    block = os.urandom(1 << 20)
    data = b"".join(i.to_bytes(4, "big") + block for i in range(17))  # > 16 MiB: S3 multipart
    info = store.put_stream(io.BytesIO(data))
    assert info.key == hashlib.sha256(data).hexdigest() and info.size == len(data)
    assert hashlib.sha256(b"".join(store.iter_chunks(info.key))).hexdigest() == info.key
    assert store.verify(info.key)


def test_same_bytes_twice_give_the_same_key_and_never_overwrite(store: ObjectStore) -> None:
    data = _unique_bytes()
    first = store.put_stream(io.BytesIO(data), content_type="application/pdf")
    second = store.put_stream(io.BytesIO(data), content_type="image/tiff")
    assert second.key == first.key
    assert (first.created, second.created) == (True, False)
    # The second put wrote nothing: the first upload's content type is still the stored one.
    assert store.stat(first.key).content_type == "application/pdf"
    assert second.content_type == "application/pdf"
    assert list(store.list_keys()) == [first.key]


def test_expected_sha256_mismatch_stores_nothing(store: ObjectStore) -> None:
    data = _unique_bytes()
    actual = hashlib.sha256(data).hexdigest()
    with pytest.raises(ObjectCorrupted):
        store.put_stream(io.BytesIO(data), expected_sha256=hashlib.sha256(b"other").hexdigest())
    assert not store.exists(actual)
    assert list(store.list_keys()) == []
    assert store.put_stream(io.BytesIO(data), expected_sha256=actual).created is True


def test_put_file_stores_a_received_file_under_its_sha256(store: ObjectStore, tmp_path: Path) -> None:
    data = _unique_bytes("tệp đã nhận")
    src = tmp_path / "received.bin"
    src.write_bytes(data)
    key = hashlib.sha256(data).hexdigest()
    info = store.put_file(src, sha256=key, content_type="image/png")
    assert (info.key, info.size, info.created) == (key, len(data), True)
    with store.open(key) as fh:
        assert fh.read() == data
    assert store.stat(key).content_type == "image/png" and store.verify(key)
    again = tmp_path / "again.bin"
    again.write_bytes(data)
    assert store.put_file(again, sha256=key).created is False


def test_stat_exists_and_list_keys_see_every_stored_object(store: ObjectStore) -> None:
    a, b = _unique_bytes("a"), _unique_bytes("b") + b"longer"
    ka, kb = _put(store, a, "application/pdf"), _put(store, b, "image/png")
    assert sorted(store.list_keys()) == sorted([ka, kb])
    assert store.exists(ka) and store.exists(kb)
    assert not store.exists(hashlib.sha256(b"never stored").hexdigest())
    assert (store.stat(kb).size, store.stat(kb).content_type) == (len(b), "image/png")


def test_delete_removes_the_object_and_it_can_be_stored_again(store: ObjectStore) -> None:
    data = _unique_bytes()
    key = _put(store, data)
    keep = _put(store, _unique_bytes("kept"))
    store.delete(key)
    assert not store.exists(key)
    assert list(store.list_keys()) == [keep]
    with pytest.raises(ObjectNotFound):
        store.open(key)
    assert store.put_stream(io.BytesIO(data)).created is True
    assert store.verify(key)


# -- retention and legal hold ----------------------------------------------------------------

def test_governance_retention_blocks_delete_until_bypassed(store: ObjectStore) -> None:
    key = _put(store, _unique_bytes())
    until = _now() + timedelta(hours=1)
    store.set_retention(key, Retention(RetentionMode.GOVERNANCE, until))
    kept = store.stat(key).retention
    assert kept is not None and kept.mode is RetentionMode.GOVERNANCE and _close(kept.until, until)
    with pytest.raises(RetentionLocked):
        store.delete(key)
    assert store.exists(key) and store.verify(key)
    store.delete(key, bypass_governance=True)
    assert not store.exists(key)


def test_governance_retention_is_shortened_only_with_bypass(store: ObjectStore) -> None:
    key = _put(store, _unique_bytes())
    until = _now() + timedelta(hours=1)
    store.set_retention(key, Retention(RetentionMode.GOVERNANCE, until))
    longer = until + timedelta(hours=1)
    store.set_retention(key, Retention(RetentionMode.GOVERNANCE, longer))  # extending is free
    shorter = Retention(RetentionMode.GOVERNANCE, _now() + timedelta(minutes=5))
    with pytest.raises(RetentionLocked):
        store.set_retention(key, shorter)
    assert _close(store.stat(key).retention.until, longer)  # type: ignore[union-attr]
    store.set_retention(key, shorter, bypass_governance=True)
    assert _close(store.stat(key).retention.until, shorter.until)  # type: ignore[union-attr]


def test_compliance_retention_blocks_delete_and_shortening_until_it_expires(store: ObjectStore) -> None:
    key = _put(store, _unique_bytes())
    until = _now() + timedelta(seconds=5)
    store.set_retention(key, Retention(RetentionMode.COMPLIANCE, until))
    with pytest.raises(RetentionLocked):
        store.delete(key)
    with pytest.raises(RetentionLocked):
        store.delete(key, bypass_governance=True)  # nobody may bypass COMPLIANCE
    with pytest.raises(RetentionLocked):
        store.set_retention(key, Retention(RetentionMode.COMPLIANCE, until - timedelta(seconds=2)),
                            bypass_governance=True)
    with pytest.raises(RetentionLocked):
        store.set_retention(key, Retention(RetentionMode.GOVERNANCE, until), bypass_governance=True)
    kept = store.stat(key).retention
    assert kept is not None and kept.mode is RetentionMode.COMPLIANCE and _close(kept.until, until)
    assert store.exists(key)
    time.sleep(max(0.0, (until - _now()).total_seconds()) + 1.5)
    store.delete(key)
    assert not store.exists(key)


def test_legal_hold_blocks_delete_until_released(store: ObjectStore) -> None:
    key = _put(store, _unique_bytes())
    store.set_legal_hold(key, True)
    assert store.stat(key).legal_hold is True
    with pytest.raises(RetentionLocked):
        store.delete(key)
    with pytest.raises(RetentionLocked):
        store.delete(key, bypass_governance=True)  # a legal hold is not a governance retention
    assert store.exists(key)
    store.set_legal_hold(key, False)
    assert store.stat(key).legal_hold is False
    store.delete(key)
    assert not store.exists(key)


# -- integrity and errors ----------------------------------------------------------------------

def test_verify_detects_bytes_changed_behind_the_store(store_and_corrupt: tuple[ObjectStore, Corrupt]) -> None:
    store, corrupt = store_and_corrupt
    key = _put(store, _unique_bytes())
    assert store.verify(key) is True
    corrupt(key)
    assert store.verify(key) is False


def test_missing_keys_raise_object_not_found(store: ObjectStore) -> None:
    _put(store, _unique_bytes())  # the store (bucket) exists; only this key does not
    missing = hashlib.sha256(_unique_bytes("missing")).hexdigest()
    assert store.exists(missing) is False
    calls: list[Callable[[], object]] = [
        lambda: store.open(missing), lambda: list(store.iter_chunks(missing)),
        lambda: store.stat(missing), lambda: store.delete(missing), lambda: store.verify(missing),
        lambda: store.set_legal_hold(missing, True),
        lambda: store.set_retention(missing, Retention(RetentionMode.GOVERNANCE, _now() + timedelta(days=1))),
    ]
    for call in calls:
        with pytest.raises(ObjectNotFound):
            call()


@pytest.mark.parametrize("bad", ["", "../../etc/passwd", "abc", "A" * 64, "g" * 64, "0" * 63, "0" * 65])
def test_keys_that_are_not_lowercase_sha256_are_rejected(store: ObjectStore, bad: str) -> None:
    for call in (store.open, store.stat, store.exists, store.delete, store.verify):
        with pytest.raises(InvalidKey):
            call(bad)


def test_errors_share_one_base_class() -> None:
    for exc in (InvalidKey, ObjectCorrupted, ObjectNotFound, RetentionLocked):
        assert issubclass(exc, StorageError)


def test_s3_store_refuses_a_bucket_without_object_lock(s3_url: str) -> None:
    """Without object lock, retention is a promise nobody enforces: refuse to store there."""
    from storage.s3 import S3Store

    bucket = f"nolock-{uuid.uuid4().hex[:16]}"
    store = S3Store.from_url(urlunparse(urlparse(s3_url)._replace(netloc=bucket)))
    store.client.make_bucket(bucket)
    with pytest.raises(StorageError):
        store.put_stream(io.BytesIO(_unique_bytes()))
    assert list(store.list_keys()) == []


def test_s3_delete_removes_every_version_not_just_adds_a_delete_marker(s3_url: str) -> None:
    """Object-lock buckets are versioned: a plain DELETE would hide the bytes, not remove them."""
    store, _ = _s3(s3_url)
    key = _put(store, _unique_bytes())
    store.delete(key)
    left = list(store.client.list_objects(store.bucket, prefix=key, include_version=True))  # type: ignore[attr-defined]
    assert left == []


# -- namespaces (derivatives live apart from the originals) ----------------------------------

def test_a_namespace_keeps_its_objects_apart_from_the_originals(store: ObjectStore, tmp_path: Path) -> None:
    derived = store.namespace("derivatives")
    original = _unique_bytes("gốc")
    thumb = _unique_bytes("ảnh trang")
    key_original = _put(store, original)
    key_thumb = _put(derived, thumb, "image/png")
    assert set(store.list_keys()) == {key_original}
    assert set(derived.list_keys()) == {key_thumb}
    assert not store.exists(key_thumb) and not derived.exists(key_original)
    with derived.open(key_thumb) as fh:
        assert fh.read() == thumb
    assert derived.stat(key_thumb).content_type == "image/png"
    assert derived.verify(key_thumb)
    # the same bytes may live in both, each under the same key, independently
    assert _put(derived, original) == key_original
    derived.delete(key_original)
    assert store.exists(key_original) and not derived.exists(key_original)
    # put_file and the lock rules work inside a namespace too
    f = tmp_path / "received"
    f.write_bytes(_unique_bytes("tệp nhận"))
    key_file = hashlib.sha256(f.read_bytes()).hexdigest()
    derived.put_file(f, sha256=key_file)
    derived.set_legal_hold(key_file, True)
    with pytest.raises(RetentionLocked):
        derived.delete(key_file)
    derived.set_legal_hold(key_file, False)
    derived.delete(key_file)
    assert set(derived.list_keys()) == {key_thumb}
    with pytest.raises(ValueError):
        store.namespace("../escape")


# -- repair of a damaged object (fixity: sửa tệp hỏng từ bản sao lưu) ---------------------------

def test_replace_damaged_puts_the_right_bytes_back_and_keeps_the_lock(
        store_and_corrupt: tuple[ObjectStore, Corrupt]) -> None:
    store, corrupt = store_and_corrupt
    data = _unique_bytes("bản gốc hỏng")
    key = _put(store, data)
    until = _now() + timedelta(days=2)
    store.set_retention(key, Retention(RetentionMode.GOVERNANCE, until))
    store.set_legal_hold(key, True)
    corrupt(key)
    assert store.verify(key) is False
    info = store.replace_damaged(key, io.BytesIO(data))
    assert (info.key, info.size) == (key, len(data))
    assert store.verify(key) is True
    with store.open(key) as fh:
        assert fh.read() == data
    after = store.stat(key)
    assert after.legal_hold is True and after.retention is not None and _close(after.retention.until, until)
    assert after.content_type == "application/pdf"
    with pytest.raises(RetentionLocked):  # still protected as before the repair
        store.delete(key)
    store.set_legal_hold(key, False)


def test_replace_damaged_brings_back_a_missing_object(store: ObjectStore) -> None:
    data = _unique_bytes("mất")
    key = hashlib.sha256(data).hexdigest()
    _put(store, _unique_bytes("khác"))  # the store (bucket) exists; this key does not
    store.replace_damaged(key, io.BytesIO(data), content_type="image/tiff")
    assert store.verify(key) and store.stat(key).content_type == "image/tiff"
    assert key in set(store.list_keys())


def test_replace_damaged_refuses_bytes_that_do_not_hash_to_the_key(
        store_and_corrupt: tuple[ObjectStore, Corrupt]) -> None:
    store, corrupt = store_and_corrupt
    data = _unique_bytes()
    key = _put(store, data)
    corrupt(key)
    with store.open(key) as fh:
        damaged = fh.read()
    with pytest.raises(ObjectCorrupted):
        store.replace_damaged(key, io.BytesIO(_unique_bytes("giả mạo")))
    with store.open(key) as fh:  # nothing changed: still the damaged bytes, not the impostor's
        assert fh.read() == damaged
    missing = hashlib.sha256(_unique_bytes("chưa có")).hexdigest()
    with pytest.raises(ObjectCorrupted):
        store.replace_damaged(missing, io.BytesIO(b"other bytes"))
    assert not store.exists(missing)


def test_replace_damaged_refuses_to_replace_an_intact_object(store: ObjectStore) -> None:
    data = _unique_bytes()
    key = _put(store, data, "application/pdf")
    with pytest.raises(ObjectIntact):
        store.replace_damaged(key, io.BytesIO(data), content_type="text/plain")
    assert store.verify(key) and store.stat(key).content_type == "application/pdf"
    with pytest.raises(InvalidKey):
        store.replace_damaged("../../etc/passwd", io.BytesIO(data))
