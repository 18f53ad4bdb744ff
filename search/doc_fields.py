"""What every adapter derives from a PageDoc or StaffDoc, the same way: sort keys, code keys, names.

A person's documents — the record and every page — carry the same keys, so people sort alike
whichever of their documents matched, and every engine sorts alike: the name key is
search.collation's Vietnamese order as printable ASCII, dates are yyyymmdd integers.
"""

from __future__ import annotations

from dataclasses import dataclass

from search.collation import name_sort_key
from search.plan import PAGE_KIND, RECORD_KIND, UNKNOWN_LAST
from search.port import PageDoc, StaffDoc
from search.text import nfc


def _yyyymmdd(iso: str) -> int | None:
    digits = (iso or "")[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else None


@dataclass(frozen=True)
class SortValues:
    name_key: str
    birth_key: int   # yyyymmdd; UNKNOWN_LAST when unknown (oldest first, unknown last)
    status_key: int  # yyyymmdd; 0 when unknown (newest first, unknown last)


def sort_values(name: str, birth_date: str, status_date: str) -> SortValues:
    return SortValues(name_sort_key(name), _yyyymmdd(birth_date) or UNKNOWN_LAST, _yyyymmdd(status_date) or 0)


def kind_of(doc: PageDoc | StaffDoc) -> str:
    return RECORD_KIND if isinstance(doc, StaffDoc) else PAGE_KIND


def code_key(code: str) -> str:
    """The staff code as autocomplete matches its beginning: the whole code, lowercased."""
    return nfc(code).strip().lower()


def record_names(doc: StaffDoc) -> tuple[str, ...]:
    """The record's names (họ và tên, then tên gọi khác), NFC, blanks and repeats dropped."""
    return tuple(dict.fromkeys(n for n in (nfc(x).strip() for x in (doc.full_name, *doc.other_names)) if n))


def doc_sort_values(doc: PageDoc | StaffDoc) -> SortValues:
    if isinstance(doc, StaffDoc):
        return sort_values(doc.full_name, doc.birth_date, doc.status_date)
    return sort_values(doc.staff_name, doc.birth_date, doc.status_date)
