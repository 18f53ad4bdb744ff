"""Zip safety for intake (giải nén an toàn): every member checked before a byte is unpacked.

A zip is refused as a whole — nothing staged, nothing stored — when any member has an absolute
name, a drive letter, a `..` part or a control character in its name, is a symbolic link, when
there are more members than allowed, when the sizes the headers declare add up to more than
allowed, or when a member inflates more than `max_ratio` times (a zip bomb: scans are already
compressed, so real ones stay near 1×). While unpacking, a member that inflates past what its
header declared is a bomb too (headers lie). `dossier_package_bag.unzip_bag` has the same rules
for BagIt packages with its own messages; this module is the general one.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive.errors import InvalidInput

_CHUNK = 1 << 20
_RATIO_FLOOR = 1 << 20  # members smaller than this inflated are not ratio-checked (text, manifests)


class ZipRefused(InvalidInput):
    """A zip that is unsafe or unreadable (tệp nén không an toàn); nothing of it is kept."""


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 10_000
    max_bytes: int = 8 * 1024**3  # everything unpacked
    max_ratio: int = 200  # inflated / compressed, per member


@dataclass(frozen=True)
class Member:
    name: str
    size: int  # as the header declares it


def _unsafe_name(name: str) -> bool:
    norm = name.replace("\\", "/")
    parts = norm.split("/")
    return (norm.startswith("/") or ".." in parts or (len(parts[0]) >= 2 and parts[0][1] == ":")
            or any(ord(ch) < 32 for ch in name))


def check_zip(z: zipfile.ZipFile, limits: ZipLimits) -> list[Member]:
    """The zip's files (directories left out) once every rule holds; ZipRefused naming the first breach."""
    infos = z.infolist()
    if len(infos) > limits.max_members:
        raise ZipRefused(f"Tệp nén có quá nhiều tệp (hơn {limits.max_members:,}).".replace(",", "."))
    total = 0
    members: list[Member] = []
    for m in infos:
        if _unsafe_name(m.filename):
            raise ZipRefused(f"Tệp nén chứa tên tệp không an toàn: {m.filename[:80]!r}.")
        mode = m.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ZipRefused(f"Tệp nén chứa liên kết tượng trưng, không được chấp nhận: {m.filename[:80]}.")
        if m.flag_bits & 0x1:
            raise ZipRefused(f"Tệp nén chứa tệp được mã hóa bằng mật khẩu: {m.filename[:80]}.")
        total += m.file_size
        if total > limits.max_bytes:
            raise ZipRefused("Tệp nén khi giải nén vượt quá giới hạn dung lượng cho phép.")
        if m.file_size > _RATIO_FLOOR and m.file_size > limits.max_ratio * max(m.compress_size, 1):
            raise ZipRefused(f"Tệp nén có tỉ lệ nén bất thường (nghi là bom giải nén): {m.filename[:80]}.")
        if not m.is_dir():
            members.append(Member(m.filename, m.file_size))
    return members


def open_zip(path: Path, limits: ZipLimits) -> tuple[zipfile.ZipFile, list[Member]]:
    """The open zip and its checked members; the caller closes the zip."""
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ZipRefused("Tệp tải lên không phải là tệp nén zip hợp lệ.") from None
    try:
        return z, check_zip(z, limits)
    except BaseException:
        z.close()
        raise


class _Bounded:
    """A member's stream that refuses to inflate past its declared size (a header that lies)."""

    def __init__(self, src: BinaryIO, name: str, declared: int) -> None:
        self.src, self.name, self.left = src, name, declared

    def read(self, n: int = _CHUNK) -> bytes:
        try:
            chunk = self.src.read(n if n and n > 0 else _CHUNK)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:  # CRC errors, truncated members
            raise ZipRefused(f"Tệp nén bị hỏng, không giải nén được tệp {self.name[:80]}.") from exc
        self.left -= len(chunk)
        if self.left < 0:
            raise ZipRefused("Tệp nén khi giải nén vượt quá giới hạn dung lượng cho phép.")
        return chunk


def iter_members(z: zipfile.ZipFile, members: list[Member]) -> Iterator[tuple[Member, BinaryIO]]:
    """Each checked member with a bounded stream of its bytes (read it before the next one)."""
    for m in members:
        with z.open(m.name) as src:
            yield m, _Bounded(src, m.name, m.size)  # type: ignore[misc]
