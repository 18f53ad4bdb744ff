"""The one table that turns a failure into what each door shows: HTTP status, CLI exit code, message.

The API (JSON `detail`), the web pages (a Vietnamese error page) and the CLI (`Lỗi: …` on
stderr) all look errors up here; the first matching row wins, so subclasses come first.
Errors that are not in the table are bugs: HTTP 500 / exit 70, without their text.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.crypto import FieldKeyError
from archive.errors import ArchiveError, Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from archive.services.backups import SetDamaged
from ingest import InvalidUpload, TooLarge
from search import IndexMissing, IndexSchemaOutdated, SearchError
from storage import RetentionLocked, StorageError


@dataclass(frozen=True)
class ErrorRule:
    error: type[Exception]
    http_status: int
    exit_code: int
    # what people read, before the error's own text; None: the error's text alone (it is written for people)
    preface: str | None = None
    with_text: bool = True  # False: the preface alone (the error's text is for operators' logs: paths, versions)


RULES: tuple[ErrorRule, ...] = (
    ErrorRule(Unauthenticated, 401, 1),
    ErrorRule(Forbidden, 403, 5),
    ErrorRule(NotFound, 404, 1),
    ErrorRule(Conflict, 409, 1),
    ErrorRule(InvalidInput, 422, 1),
    ErrorRule(TooLarge, 413, 1),
    ErrorRule(InvalidUpload, 422, 1),
    ErrorRule(ArchiveError, 400, 1),
    ErrorRule(FieldKeyError, 500, 1, "Khoá mã hoá dữ liệu nhạy cảm không dùng được"),
    # a record under retention or legal hold (thời hạn bảo quản, phong tỏa) refuses the change: not an outage
    ErrorRule(RetentionLocked, 409, 7, "Tài liệu đang trong thời hạn bảo quản hoặc bị phong tỏa, không thể xoá hay sửa"),
    ErrorRule(SetDamaged, 409, 6, "Bộ sao lưu bị hỏng"),  # damage found: the same exit as `backup verify`
    ErrorRule(IndexSchemaOutdated, 503, 2, "Chỉ mục tìm kiếm được tạo bởi phiên bản cũ của phần mềm; người vận hành "
                                           "cần chạy `archive reindex` để lập lại chỉ mục", with_text=False),
    ErrorRule(IndexMissing, 503, 2, "Chỉ mục tìm kiếm đã bị mất hoặc trống trong khi hồ sơ đã được lập chỉ mục; "
                                    "người vận hành cần chạy `archive reindex` để lập lại chỉ mục", with_text=False),
    ErrorRule(SearchError, 503, 2, "Lỗi hệ thống tìm kiếm"),
    ErrorRule(StorageError, 503, 2, "Lỗi hệ thống lưu trữ"),
)

UNEXPECTED_HTTP_STATUS = 500
UNEXPECTED_EXIT_CODE = 70  # EX_SOFTWARE


def rule_for(exc: BaseException) -> ErrorRule | None:
    for rule in RULES:
        if isinstance(exc, rule.error):
            return rule
    return None


def http_status(exc: BaseException) -> int:
    rule = rule_for(exc)
    return rule.http_status if rule else UNEXPECTED_HTTP_STATUS


def message(exc: BaseException) -> str:
    """The sentence a person reads; empty for unexpected errors (their text may leak internals)."""
    rule = rule_for(exc)
    if rule is None:
        return ""
    text = str(exc) if rule.with_text else ""
    if rule.preface is None:
        return text
    return f"{rule.preface}: {text}" if text else f"{rule.preface}."
