"""The backup key (khoá sao lưu) and the sealed form of object copies.

One secret, ARCHIVE_BACKUP_KEY (32+ random bytes, base64), is split by purpose with HKDF-SHA256:
the restic repositories' password, the key of the object copies, the MAC of the manifests and a
short fingerprint (the only trace of the key a set keeps, so a restore with the wrong key says
so before it reads anything). The key is never written into a set or the data directory.

Object copies are sealed as a stream, never whole in memory, in the segmented AES-256-GCM
construction Tink's streaming AEAD and age use (STREAM, Hoang et al. 2015):

    "ABK1" · salt (16 random bytes) · nonce prefix (7 random bytes)
    segment_0 … segment_n   each AES-256-GCM(plaintext ≤ 1 MiB) + 16-byte tag

The segment key is HKDF(objects key, salt, name): a copy bound to its name ("originals/<sha256>"),
so bytes moved under another key do not open. The nonce is prefix ‖ segment number (4 bytes) ‖
last flag (1 byte): a reordered, dropped or truncated segment fails its tag. The cipher itself is
`cryptography`'s AES-GCM; only this framing is ours, and it is the standard one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import struct
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from archive.errors import InvalidInput

SEGMENT = 1 << 20  # plaintext bytes per segment
TAG = 16
MAGIC = b"ABK1"
HEADER = len(MAGIC) + 16 + 7


class BackupKeyError(InvalidInput):
    """ARCHIVE_BACKUP_KEY is missing, malformed, or not the key a set was made with."""


class SealBroken(Exception):
    """A sealed copy does not open: changed, truncated, or sealed under another key or name."""


def _hkdf(material: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(material)


def new_key_spec() -> str:
    """A fresh ARCHIVE_BACKUP_KEY value."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class BackupKey:
    raw: bytes

    @classmethod
    def from_spec(cls, spec: str) -> "BackupKey":
        try:
            raw = base64.b64decode(spec.strip(), validate=True)
        except ValueError:
            raise BackupKeyError("Khoá sao lưu (ARCHIVE_BACKUP_KEY) không phải base64.") from None
        if len(raw) < 32:
            raise BackupKeyError("Khoá sao lưu (ARCHIVE_BACKUP_KEY) phải dài ít nhất 32 byte "
                                 "(tạo bằng `archive backup key`).")
        return cls(raw)

    def derive(self, purpose: str) -> bytes:
        return _hkdf(self.raw, b"cbccvc-backup:" + purpose.encode())

    @property
    def restic_password(self) -> str:
        return self.derive("restic").hex()

    @property
    def fingerprint(self) -> str:
        return self.derive("fingerprint")[:8].hex()

    def mac(self, data: bytes) -> str:
        return hmac.new(self.derive("manifest"), data, hashlib.sha256).hexdigest()

    def segment_cipher(self, salt: bytes, name: str) -> AESGCM:
        return AESGCM(_hkdf(self.derive("objects"), b"object:" + name.encode(), salt=salt))


def fingerprint_of(secret: bytes, purpose: str) -> str:
    """A short, one-way name for another secret (audit or field key), so a restore can check it."""
    return _hkdf(secret, b"cbccvc-fingerprint:" + purpose.encode())[:8].hex()


def sealed_size(size: int) -> int:
    """Bytes of the sealed copy of `size` plaintext bytes (an empty object is one empty segment)."""
    return HEADER + size + TAG * max(1, -(-size // SEGMENT))


def plain_size(sealed: int) -> int | None:
    """The plaintext size a sealed copy of `sealed` bytes holds, or None if no size fits."""
    body = sealed - HEADER
    size = body - TAG * max(1, -(-body // (SEGMENT + TAG)))
    return size if size >= 0 and sealed_size(size) == sealed else None


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


class SealingReader:
    """A readable stream of the sealed form of `source` (for uploads that pull with read(n))."""

    def __init__(self, source: BinaryIO, key: BackupKey, name: str) -> None:
        salt, self._prefix = os.urandom(16), os.urandom(7)
        self._aead = key.segment_cipher(salt, name)
        self._source = source
        self._buffer = bytearray(MAGIC + salt + self._prefix)
        self._index = 0
        self._done = False
        self._ahead = _read_full(source, SEGMENT)  # one segment of look-ahead tells which one is last
        self.digest = hashlib.sha256()  # of the plaintext, so the caller checks the key while copying
        self.plain_bytes = 0

    def _next_segment(self) -> None:
        chunk, self._ahead = self._ahead, _read_full(self._source, SEGMENT)
        last = not self._ahead
        self.digest.update(chunk)
        self.plain_bytes += len(chunk)
        self._buffer += self._aead.encrypt(_nonce(self._prefix, self._index, last), chunk, None)
        self._index += 1
        self._done = last

    def chunks(self) -> Iterator[bytes]:
        """The sealed bytes segment by segment (a writer that takes chunks skips read(n)'s re-slicing)."""
        if self._buffer:
            yield bytes(self._buffer)
            self._buffer.clear()
        while not self._done:
            self._next_segment()
            yield bytes(self._buffer)
            self._buffer.clear()

    def read(self, n: int = -1) -> bytes:
        while not self._done and (n < 0 or len(self._buffer) < n):
            self._next_segment()
        if n < 0:
            n = len(self._buffer)
        out = bytes(self._buffer[:n])
        del self._buffer[:n]
        return out


def open_sealed(stream: BinaryIO, key: BackupKey, name: str) -> Iterator[bytes]:
    """The plaintext of a sealed copy, segment by segment; SealBroken as soon as one does not open."""
    header = stream.read(HEADER)
    if len(header) != HEADER or not header.startswith(MAGIC):
        raise SealBroken(f"{name}: không phải bản sao đã mã hoá (đầu tệp sai)")
    salt, prefix = header[len(MAGIC):len(MAGIC) + 16], header[len(MAGIC) + 16:]
    aead = key.segment_cipher(salt, name)
    block = SEGMENT + TAG
    current = _read_full(stream, block)
    index = 0
    while True:
        following = _read_full(stream, block) if len(current) == block else b""
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, index, last), current, None)
        except InvalidTag:
            raise SealBroken(f"{name}: đoạn {index} bị thay đổi, bị cắt hoặc sai khoá") from None
        if last:
            return
        current, index = following, index + 1


def _read_full(stream: BinaryIO, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)
