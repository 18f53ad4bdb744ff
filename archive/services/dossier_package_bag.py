"""BagIt bags (RFC 8493, BagIt 1.0) for dossier packages: write, zip, unzip, validate.

Bags are *written* here rather than with `bagit.make_bag`: make_bag moves an existing
directory into data/ and re-reads every file to hash it, and both it and `Bag.save` change
the process's working directory (os.chdir) while they run — in a threaded API server that
would move every other request's relative paths under its feet. Writing is simple (four small
text files) and here each payload file is hashed while it is written, once. Bags are
*validated* with the Library of Congress `bagit` library (`Bag.validate()`, which does not
chdir), so what we write is checked by the reference reader (tests validate every bag they
export, and every import validates before it reads anything).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

import bagit

from archive.errors import InvalidInput

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
_CHUNK = 1 << 20


class PackageRefused(InvalidInput):
    """A package that fails validation (gói hồ sơ không hợp lệ); the message names the failing file."""


@dataclass
class BagWriter:
    """Writes one bag into `root` (an empty directory): payload under data/, tag files beside it."""

    root: Path
    payload: dict[str, tuple[str, int]] = field(default_factory=dict)  # bag path → (sha256, size)
    tags: list[str] = field(default_factory=list)

    def _target(self, rel: str) -> Path:
        if rel.startswith("/") or ".." in rel.split("/") or "\n" in rel or "\r" in rel:
            raise ValueError(f"unsafe bag path {rel!r}")
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def add_payload(self, rel: str, stream: BinaryIO) -> tuple[str, int]:
        """Copy `stream` to `rel` (under data/), hashing while writing."""
        if not rel.startswith("data/"):
            raise ValueError(f"payload outside data/: {rel!r}")
        h, size = hashlib.sha256(), 0
        with open(self._target(rel), "xb") as out:
            while chunk := stream.read(_CHUNK):
                h.update(chunk)
                out.write(chunk)
                size += len(chunk)
        self.payload[rel] = (h.hexdigest(), size)
        return self.payload[rel]

    def add_payload_bytes(self, rel: str, data: bytes) -> tuple[str, int]:
        import io

        return self.add_payload(rel, io.BytesIO(data))

    def add_tag(self, rel: str, data: bytes) -> None:
        if rel.startswith("data/") or rel in ("bagit.txt", "bag-info.txt", MANIFEST, TAGMANIFEST):
            raise ValueError(f"reserved tag path {rel!r}")
        self._target(rel).write_bytes(data)
        self.tags.append(rel)

    def finish(self, info: dict[str, str], *, bagging_date: date) -> None:
        """bagit.txt, the payload manifest (sorted), bag-info.txt (with Payload-Oxum), the tag manifest."""
        (self.root / "bagit.txt").write_bytes(BAGIT_TXT)
        lines = [f"{sha}  {rel}\n" for rel, (sha, _size) in sorted(self.payload.items())]
        (self.root / MANIFEST).write_text("".join(lines), encoding="utf-8")
        octets = sum(size for _sha, size in self.payload.values())
        fields = {**info, "Bagging-Date": bagging_date.isoformat(), "Payload-Oxum": f"{octets}.{len(self.payload)}",
                  "Bag-Software-Agent": f"cbccvc-archive (bagit-python {bagit.VERSION} validates)"}
        text = "".join(f"{k}: {' '.join(str(v).split())}\n" for k, v in fields.items())
        (self.root / "bag-info.txt").write_text(text, encoding="utf-8")
        tag_files = ["bagit.txt", "bag-info.txt", MANIFEST, *sorted(self.tags)]
        with open(self.root / TAGMANIFEST, "w", encoding="utf-8") as out:
            for rel in tag_files:
                out.write(f"{_file_sha256(self.root / rel)}  {rel}\n")


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def payload_manifest(bag_dir: Path) -> list[str]:
    """The lines of manifest-sha256.txt, sorted (what a round trip must keep identical)."""
    return sorted(line for line in (bag_dir / MANIFEST).read_text(encoding="utf-8").splitlines() if line.strip())


def zip_bag(bag_dir: Path, zip_path: Path) -> None:
    """The bag as one zip whose single top-level folder is the bag (as the BagIt serialisation asks)."""
    top = bag_dir.name
    with zipfile.ZipFile(zip_path, "x", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as z:
        for path in sorted(p for p in bag_dir.rglob("*") if p.is_file()):
            rel = path.relative_to(bag_dir).as_posix()
            # scans are already compressed: deflating them again costs CPU for nothing
            kind = zipfile.ZIP_STORED if rel.startswith("data/") and not rel.endswith((".json", ".xml")) \
                else zipfile.ZIP_DEFLATED
            z.write(path, f"{top}/{rel}", compress_type=kind)


def unzip_bag(zip_path: Path, into: Path, *, max_bytes: int, max_files: int = 100_000) -> Path:
    """Unpack a zipped bag into the empty directory `into`, refusing what could escape it or blow up
    (absolute or .. names, links, more than `max_bytes` unpacked); returns the bag's directory."""
    try:
        z = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError):
        raise PackageRefused("Tệp tải lên không phải là gói hồ sơ dạng zip hợp lệ.") from None
    with z:
        members = z.infolist()
        if len(members) > max_files:
            raise PackageRefused(f"Gói hồ sơ có quá nhiều tệp (hơn {max_files:,}).".replace(",", "."))
        total = 0
        for m in members:
            name = m.filename
            parts = name.replace("\\", "/").split("/")
            if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                raise PackageRefused(f"Gói hồ sơ chứa tên tệp không an toàn: {name[:80]}.")
            if stat.S_ISLNK(m.external_attr >> 16):
                raise PackageRefused(f"Gói hồ sơ chứa liên kết tượng trưng, không được chấp nhận: {name[:80]}.")
            total += m.file_size
            if total > max_bytes:
                raise PackageRefused("Gói hồ sơ khi giải nén vượt quá giới hạn dung lượng cho phép.")
        for m in members:
            target = into / m.filename
            if m.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            try:
                with z.open(m) as src, open(target, "xb") as out:
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        if written > m.file_size:  # a header that lies about the size
                            raise PackageRefused("Gói hồ sơ khi giải nén vượt quá giới hạn dung lượng cho phép.")
                        out.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:  # CRC errors, truncated members
                raise PackageRefused(f"Gói hồ sơ bị hỏng, không giải nén được tệp {m.filename[:80]}.") from exc
    return bag_root(into)


def bag_root(path: Path) -> Path:
    """The bag itself: `path`, or its single top-level folder (a zipped bag)."""
    if (path / "bagit.txt").is_file():
        return path
    children = [p for p in path.iterdir() if not p.name.startswith(".")]
    if len(children) == 1 and children[0].is_dir() and (children[0] / "bagit.txt").is_file():
        return children[0]
    raise PackageRefused("Gói hồ sơ không phải là một gói BagIt (không có tệp bagit.txt).")


def validate_bag(bag_dir: Path) -> bagit.Bag:
    """Every checksum of the bag checked by `bagit` (payload and tag manifests, Payload-Oxum,
    completeness); PackageRefused naming the first failing file otherwise."""
    try:
        bag = bagit.Bag(str(bag_dir))
        if "sha256" not in bag.algorithms:
            raise PackageRefused("Gói hồ sơ không có bảng kê mã kiểm tra SHA-256 (manifest-sha256.txt).")
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        if not exc.details:  # Payload-Oxum (counted first) names no file: find the one that differs
            culprit = _culprit(bag_dir)
            if culprit is not None:
                exc = bagit.BagValidationError(str(exc), [culprit])
        raise PackageRefused(_failure(exc)) from None
    except bagit.BagError as exc:
        raise PackageRefused(f"Gói hồ sơ không phải là một gói BagIt hợp lệ ({_short(exc)}).") from None
    return bag


def _culprit(bag_dir: Path) -> bagit.ManifestErrorDetail | None:
    """The first file that is missing, unlisted or differs from the manifests (when bagit stopped at the count)."""
    bag = bagit.Bag(str(bag_dir))
    only_in_manifests, only_on_fs = bag.compare_manifests_with_fs()
    if only_in_manifests:
        return bagit.FileMissing(sorted(only_in_manifests)[0])
    if only_on_fs:
        return bagit.UnexpectedFile(sorted(only_on_fs)[0])
    for rel, hashes in sorted(bag.entries.items()):
        expected = hashes.get("sha256")
        if expected and (bag_dir / rel).is_file() and _file_sha256(bag_dir / rel) != expected.lower():
            return bagit.ChecksumMismatch(rel, "sha256", expected.lower(), _file_sha256(bag_dir / rel))
    return None


def _failure(exc: bagit.BagValidationError) -> str:
    details = list(exc.details or [])
    if not details:
        return f"Gói hồ sơ không hợp lệ ({_short(exc)})."
    first = details[0]
    more = f" (và {len(details) - 1} lỗi khác)" if len(details) > 1 else ""
    if isinstance(first, bagit.ChecksumMismatch):
        return f"Gói hồ sơ không hợp lệ: tệp {first.path} không khớp mã kiểm tra {first.algorithm}{more}."
    if isinstance(first, bagit.FileMissing):
        return f"Gói hồ sơ không hợp lệ: thiếu tệp {first.path} có trong bảng kê{more}."
    if isinstance(first, bagit.UnexpectedFile):
        return f"Gói hồ sơ không hợp lệ: tệp {first.path} không có trong bảng kê{more}."
    return f"Gói hồ sơ không hợp lệ: {_short(first)}{more}."


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:200] + "…"


def remove_tree(path: Path) -> None:
    """Remove a working directory (made read-only by nobody: objects are copied, not linked, out of it)."""
    shutil.rmtree(path, ignore_errors=True)
    if path.exists():  # pragma: no cover — a file made read-only on a strict FS
        for p in path.rglob("*"):
            os.chmod(p, 0o700)
        shutil.rmtree(path, ignore_errors=True)
