"""What the Elasticsearch adapter sends for a page or a staff record: the `_source` of each document.

No analysis plugin runs in the cluster: the text is cut and folded here by the shared analyzers
(search.vietnamese) and sent as space-joined tokens, which the mapping's `whitespace` analyzer
splits back unchanged; the NFC text a person reads is sent beside them, unindexed, for snippets.
Multi-valued text (name ¶ text ¶ code, a record's names) is joined with FIELD_GAP, as tantivy
leaves a position gap between values, so no phrase runs from one value into the next.
"""

from __future__ import annotations

from typing import Any, Iterable

from search.doc_fields import code_key, doc_sort_values, kind_of, record_names
from search.page_bridge import bridge_text
from search.plan import unit_codes
from search.port import PageDoc, StaffDoc
from search.vietnamese import folded_tokens, nfc, tokens

FIELD_GAP = "¶"  # as in the tantivy adapter: between name and text, never a query token


def _joined(words: Iterable[str]) -> str:
    return " ".join(words)


def _person_source(d: PageDoc | StaffDoc) -> dict[str, Any]:
    """What a record and its pages share: keywords, scope, ranges, sort keys, kind."""
    keys = doc_sort_values(d)
    return {
        "kind": kind_of(d),
        "staff_code": nfc(d.staff_code),
        "status": nfc(d.status),
        "unit": nfc(d.unit),
        "birth_date": d.birth_date,
        "status_date": d.status_date,
        "grade": nfc(d.grade),
        "category": nfc(d.category),
        "scope_units": list(unit_codes(d.scope_units)),
        "restriction": int(d.restriction),
        "birth_year": None if d.birth_year is None else int(d.birth_year),
        "name_key": keys.name_key,
        "birth_key": keys.birth_key,
        "status_key": keys.status_key,
    }


def source(d: PageDoc | StaffDoc) -> dict[str, Any]:
    """The document's `_source`: a page's text and tokens, or a record's (by its kind)."""
    if isinstance(d, StaffDoc):
        return _record_source(d)
    text, name, code = nfc(d.text), nfc(d.staff_name), nfc(d.staff_code)
    folded = (folded_tokens(name), folded_tokens(text), folded_tokens(code))
    return {
        **_person_source(d),
        "document_id": d.document_id,
        "page": d.page,
        "text": text,
        "staff_name": name,
        "text_exact": _joined(tokens(text)),
        # name ¶ text ¶ code: as tantivy's values of all_folded, with gaps between them
        "all_folded": f" {FIELD_GAP} ".join(_joined(f) for f in folded),
        "staff_name_exact": _joined(tokens(name)),
        "staff_name_folded": _joined(folded_tokens(name)),
        "page_bridge": bridge_text(text, d.next_text),  # "" indexes no token
        "document_type": nfc(d.document_type),
    }


def _record_source(d: StaffDoc) -> dict[str, Any]:
    names, code, text = record_names(d), nfc(d.staff_code), nfc(d.text)
    gap = f" {FIELD_GAP} "
    return {
        **_person_source(d),
        "text": text,
        "staff_name": names[0] if names else "",
        "text_exact": _joined(tokens(text)),
        "all_folded": gap.join([*(_joined(folded_tokens(n)) for n in names), _joined(folded_tokens(code)),
                                _joined(folded_tokens(text))]),
        "staff_name_exact": gap.join(_joined(tokens(n)) for n in names),
        "staff_name_folded": gap.join(_joined(folded_tokens(n)) for n in names),
        "record_names": _joined(t for n in names for t in folded_tokens(n)),
        "code_folded": _joined(folded_tokens(code)),
        "code_key": code_key(code),
        "document_type": None,  # a record has no type: counted under none
    }
