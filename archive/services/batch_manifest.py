"""Where each file of a batch goes (bảng kê lô tiếp nhận): a manifest, or the folder convention.

Pure: given the files a batch holds (names relative to its root) and, if there is one, its
manifest (CSV or XLSX: file, staff code, document type, optional metadata columns), answer one
`Entry` per file and a `Problem` per bad row — never an exception for a bad row, so one bad
line does not stop the other files (the service checks staff codes and types against the
database afterwards).

Manifest columns, matched without diacritics or case: `tep`/`file`/`ten tep` (required),
`ma can bo`/`staff_code`, `loai tai lieu`/`document_type`; every other column is metadata kept
with the file (e.g. `ngay`, `ghi chu`). Without a manifest the folder convention applies:
`<mã cán bộ>/<loại tài liệu>/<tệp>` (the last three parts of a deeper path); a file at the root
is a scanned stack (tập quét) to be split at its cover sheets (tờ bìa phân tách); any other
shape is a problem.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from search import nfc

MANIFEST_NAMES = ("manifest.csv", "manifest.xlsx", "bang_ke.csv", "bang_ke.xlsx", "bangke.csv", "bangke.xlsx")
MAX_MANIFEST_ROWS = 100_000
_FILE = {"tep", "file", "ten tep", "tep tin", "duong dan", "path", "file_name", "ten_tep"}
_STAFF = {"ma can bo", "staff_code", "staff code", "ma_can_bo", "ma cb", "ma"}
_TYPE = {"loai tai lieu", "document_type", "document type", "loai_tai_lieu", "loai"}
_IGNORED = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True)
class Entry:
    """One file of the batch and where it goes; staff_code None: a stack to split at cover sheets."""

    path: str
    staff_code: str | None
    document_type: str | None
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """A bad row or file (dòng lỗi), in one Vietnamese sentence; `path` names the file when there is one."""

    path: str
    message: str


@dataclass(frozen=True)
class Plan:
    entries: list[Entry]
    problems: list[Problem]


class ManifestUnreadable(ValueError):
    """The manifest as a whole cannot be read (not CSV/XLSX, no `tep` column); the message is Vietnamese."""


def normal_path(name: str) -> str:
    """A member or manifest name as compared: NFC, `/` separators, no leading `./` or `/`."""
    name = nfc(name.replace("\\", "/")).strip()
    while name.startswith("./"):
        name = name[2:]
    return name.lstrip("/")


def is_ignored(path: str) -> bool:
    """Files a batch never takes: operating-system litter and hidden files."""
    parts = path.split("/")
    return path.startswith(_IGNORED) or parts[-1] in _IGNORED or any(p.startswith(".") for p in parts)


def _header_key(text: object) -> str:
    decomposed = unicodedata.normalize("NFD", str(text or "").replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().split())


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a staff code typed as a number in Excel
    return nfc(str(value)).strip()


def read_manifest_rows(data: bytes, name: str) -> list[list[str]]:
    """The manifest's rows as text cells: CSV (UTF-8, with or without BOM; `,` or `;`) or XLSX (first sheet)."""
    lower = name.lower()
    if lower.endswith((".xlsx", ".xls", ".ods")):
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except (CalamineError, ValueError, IndexError, OSError) as exc:
            raise ManifestUnreadable(f"Không đọc được bảng kê {PurePosixPath(name).name} (tệp Excel hỏng).") from exc
        return [[_cell(v) for v in row] for row in rows[:MAX_MANIFEST_ROWS + 1]]
    if not lower.endswith((".csv", ".txt")):
        raise ManifestUnreadable("Bảng kê phải là tệp CSV hoặc XLSX.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestUnreadable(f"Bảng kê {PurePosixPath(name).name} không phải văn bản UTF-8.") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)][
        :MAX_MANIFEST_ROWS + 1]


def plan_from_manifest(files: list[str], rows: list[list[str]]) -> Plan:
    """Entries for the files the manifest names; problems for bad rows, missing and unnamed files."""
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        raise ManifestUnreadable("Bảng kê không có dòng nào.")
    header = [_header_key(h) for h in rows[0]]
    col_file = next((i for i, h in enumerate(header) if h in _FILE), None)
    if col_file is None:
        raise ManifestUnreadable("Bảng kê thiếu cột “tệp” (tên tệp trong lô).")
    col_staff = next((i for i, h in enumerate(header) if h in _STAFF), None)
    col_type = next((i for i, h in enumerate(header) if h in _TYPE), None)
    extra = [(i, rows[0][i]) for i in range(len(header)) if i not in (col_file, col_staff, col_type) and header[i]]
    present = {normal_path(f): f for f in files}
    entries: list[Entry] = []
    problems: list[Problem] = []
    named: set[str] = set()

    def get(row: list[str], i: int | None) -> str:
        return row[i] if i is not None and i < len(row) else ""

    for number, row in enumerate(rows[1:], start=2):
        path = normal_path(get(row, col_file))
        if not path:
            problems.append(Problem("", f"Dòng {number} của bảng kê không ghi tên tệp."))
            continue
        if path in named:
            problems.append(Problem(path, f"Dòng {number}: tệp {path} đã có ở một dòng trước của bảng kê."))
            continue
        named.add(path)
        if path not in present:
            problems.append(Problem(path, f"Dòng {number}: tệp {path} có trong bảng kê nhưng không có trong lô."))
            continue
        staff_code, document_type = get(row, col_staff) or None, get(row, col_type) or None
        if document_type and not staff_code:
            problems.append(Problem(path, f"Dòng {number}: tệp {path} có loại tài liệu nhưng thiếu mã cán bộ."))
            continue
        details = {str(h): get(row, i) for i, h in extra if get(row, i)}
        entries.append(Entry(present[path], staff_code, document_type, details))
    for path in sorted(set(present) - named):
        if not is_ignored(path):
            problems.append(Problem(present[path], f"Tệp {path} có trong lô nhưng bảng kê không ghi."))
    return Plan(entries, problems)


def plan_from_folders(files: list[str]) -> Plan:
    """The folder convention `<mã cán bộ>/<loại tài liệu>/<tệp>`; a file at the root is a stack."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for f in sorted(files):
        path = normal_path(f)
        if is_ignored(path):
            continue
        parts = path.split("/")
        if len(parts) == 1:
            entries.append(Entry(f, None, None))
        elif len(parts) == 2:
            problems.append(Problem(f, f"Tệp {path} không theo quy ước thư mục <mã cán bộ>/<loại tài liệu>/<tệp>."))
        else:
            entries.append(Entry(f, parts[-3], parts[-2]))
    return Plan(entries, problems)


def find_manifest(files: list[str]) -> str | None:
    """The manifest at the batch's root, by its conventional name, if there is one."""
    for f in files:
        if normal_path(f).lower() in MANIFEST_NAMES:
            return f
    return None


def plan_batch(files: list[str], manifest: tuple[str, bytes] | None) -> Plan:
    """Entries and problems for a batch's files; `manifest` = (name, bytes), already left out of `files`."""
    if manifest is None:
        return plan_from_folders(files)
    name, data = manifest
    return plan_from_manifest(files, read_manifest_rows(data, name))
