"""Sensitive fields at rest: AES-GCM with named keys, so keys can be rotated.

Ciphertext format: "v1:<key id>:<base64 nonce+ciphertext>". The key id in the value tells
which key decrypts it; the first configured key encrypts. Rotation = add a new key first,
run `archive keys rotate` (re-encrypts every record), then drop the old key.
The staff record id is bound as associated data: a ciphertext copied onto another record
does not decrypt.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class FieldKeyError(Exception):
    """A key is missing, malformed, or a ciphertext does not match its key."""


@dataclass(frozen=True)
class FieldCipher:
    keys: dict[str, bytes]  # key id → 32-byte key
    active: str

    @classmethod
    def from_spec(cls, spec: str) -> "FieldCipher":
        """'k2:BASE64,k1:BASE64' — the first key is the active one."""
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key_id, _, b64 = part.partition(":")
            try:
                key = base64.b64decode(b64, validate=True)
            except ValueError:
                raise FieldKeyError(f"field key {key_id!r} is not base64") from None
            if len(key) != 32 or not key_id.isalnum():
                raise FieldKeyError(f"field key {key_id!r} must be 32 bytes with an alphanumeric id")
            keys[key_id] = key
            order.append(key_id)
        if not order:
            raise FieldKeyError("no field encryption key configured (ARCHIVE_FIELD_KEYS)")
        return cls(keys=keys, active=order[0])

    def encrypt(self, data: dict, *, aad: str) -> str:
        if not data:
            return ""
        nonce = os.urandom(12)
        plaintext = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode()
        ct = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext, aad.encode())
        return f"v1:{self.active}:{base64.b64encode(nonce + ct).decode()}"

    def decrypt(self, token: str, *, aad: str) -> dict:
        if not token:
            return {}
        try:
            version, key_id, b64 = token.split(":", 2)
        except ValueError:
            raise FieldKeyError("malformed ciphertext") from None
        if version != "v1" or key_id not in self.keys:
            raise FieldKeyError(f"no key {key_id!r} to decrypt this field (was it removed before rotation?)")
        raw = base64.b64decode(b64)
        try:
            plaintext = AESGCM(self.keys[key_id]).decrypt(raw[:12], raw[12:], aad.encode())
        except InvalidTag:
            raise FieldKeyError("ciphertext does not authenticate (tampered, or bound to another record)") from None
        return json.loads(plaintext)

    def needs_rotation(self, token: str) -> bool:
        return bool(token) and token.split(":", 2)[1] != self.active


def new_key_spec(key_id: str = "k1") -> str:
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


def load_or_create_key_file(path: Path) -> str:
    """Embedded mode keeps its key in the data dir (mode 0600); production sets ARCHIVE_FIELD_KEYS."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    spec = new_key_spec()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(spec + "\n")
    return spec


@dataclass(frozen=True)
class AuditKey:
    """The key that seals the audit chain (HMAC-SHA256), kept outside the database.

    `since_seq`: entries up to this sequence number were written before the chain was keyed
    (an upgraded installation) and are checked as a plain SHA-256 chain; every later entry
    must carry the keyed hash. Spec: "BASE64" or "BASE64;since=SEQ".
    """

    key: bytes
    since_seq: int = 0

    @classmethod
    def from_spec(cls, spec: str) -> "AuditKey":
        b64, _, rest = spec.strip().partition(";")
        since = 0
        if rest:
            name, _, value = rest.partition("=")
            if name.strip() != "since" or not value.strip().isdigit():
                raise FieldKeyError("ARCHIVE_AUDIT_KEY phải có dạng BASE64 hoặc BASE64;since=SỐ")
            since = int(value)
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError:
            raise FieldKeyError("khoá nhật ký (ARCHIVE_AUDIT_KEY) không phải base64") from None
        if len(key) < 32:
            raise FieldKeyError("khoá nhật ký (ARCHIVE_AUDIT_KEY) phải dài ít nhất 32 byte")
        return cls(key=key, since_seq=since)

    def spec(self) -> str:
        return f"{base64.b64encode(self.key).decode()};since={self.since_seq}"


def load_or_create_audit_key(path: Path, current_seq: Callable[[], int]) -> AuditKey:
    """Embedded mode: the audit key file in the data dir (0600), made on first use; entries already
    in the log then (an upgrade) stay a plain chain up to `current_seq()`."""
    if path.exists():
        return AuditKey.from_spec(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = AuditKey(key=secrets.token_bytes(32), since_seq=current_seq())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.spec() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # whole or not at all; fails if another process made it first
    except FileExistsError:
        return AuditKey.from_spec(path.read_text())
    finally:
        tmp.unlink(missing_ok=True)
    return key
