"""The tantivy schema, how a PageDoc or StaffDoc becomes a tantivy document, and opening one index directory.

Pages and staff records live in the same index, told apart by `kind` (search.plan.KIND_FIELD):
one writer, one generation switch and one schema version cover both, and a people search
ranks a record and pages in one query. Every document of a person carries `person` (a 63-bit
hash of the staff code, a fast field: grouping the top hits reads it without loading
documents) and the person's sort keys.

Words are cut and folded inside tantivy by the analyzers search.vietnamese defines (and the
Elasticsearch adapter and the query parser use the same ones), registered on the index under
their names: no Python pass over the page text while indexing. The exact-text fields are
stored, so the text a person reads is the field that is searched.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Sequence

import tantivy

from search.doc_fields import code_key, doc_sort_values, kind_of, record_names
from search.page_bridge import bridge_text
from search.plan import BRIDGE_FIELD, unit_codes
from search.port import FILTER_FIELDS, PageDoc, StaffDoc
from search.vietnamese import EXACT_ANALYZER, FOLDED_ANALYZER, exact_analyzer, folded_analyzer, nfc

# Bump when the schema changes: an index written with another version is rebuilt from the DB.
SCHEMA_VERSION = "7"  # 7: page_bridge (phrases over a page break); 6: staff records beside pages
MARKER = "SCHEMA_VERSION"  # file in each index directory holding the version it was built with

_EXACT = dict(tokenizer_name=EXACT_ANALYZER, index_option="position")
_FOLDED = dict(stored=False, tokenizer_name=FOLDED_ANALYZER, index_option="position")
_MULTI_VALUED = ("scope_units",)
_KEYWORDS = (*(f for f in FILTER_FIELDS if f not in _MULTI_VALUED), "birth_date", "status_date")
# Signed: tantivy-py hands Python ints over as i64, which never matches a u64 field.
_INTEGERS = ("restriction", "birth_year")
_SORT_INTEGERS = ("birth_key", "status_key", "person")


def person_key(staff_code: str) -> int:
    """A non-negative i64 per staff code (BLAKE2b): documents of one person share it."""
    return int.from_bytes(hashlib.blake2b(nfc(staff_code).encode(), digest_size=8).digest(), "big") >> 1


def build_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_unsigned_field("document_id", stored=True, indexed=True, fast=True)
    # document ids as raw text too: tantivy-py hands Python ints over as i64, which never
    # matches a u64 term, so deletes by document go through this field.
    b.add_text_field("document_key", stored=False, tokenizer_name="raw")
    b.add_unsigned_field("page", stored=True, indexed=True)
    b.add_text_field("text_exact", stored=True, **_EXACT)
    b.add_text_field("staff_name_exact", stored=True, **_EXACT)
    # all_folded holds the name, the text and the staff code as values (a record: its names,
    # code and text): each query clause must match this ONE field (fast: one postings list,
    # skipping works), and tantivy leaves a position gap between values so no phrase runs
    # from the name into the text. Name and exact-diacritic matches are optional clauses
    # that only add score.
    b.add_text_field("all_folded", **_FOLDED)
    b.add_text_field("staff_name_folded", **_FOLDED)
    # pages only: folded tokens over the page break, already cut (search.page_bridge), so split
    # on spaces; consulted by phrase clauses alone
    b.add_text_field(BRIDGE_FIELD, stored=False, tokenizer_name="whitespace", index_option="position")
    for name in FILTER_FIELDS:
        b.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    b.add_text_field("birth_date", stored=True, tokenizer_name="raw")
    b.add_text_field("status_date", stored=True, tokenizer_name="raw")
    for name in _INTEGERS:  # range-filtered through their fast fields
        b.add_integer_field(name, stored=False, indexed=True, fast=True)
    b.add_text_field("kind", stored=True, fast=True, tokenizer_name="raw")
    # records only: the code as words (codes boost) and whole (code prefixes), the names as
    # folded words without positions (typos and name prefixes walk this small vocabulary)
    b.add_text_field("code_folded", **_FOLDED)
    b.add_text_field("code_key", stored=False, tokenizer_name="raw")
    b.add_text_field("record_names", stored=False, tokenizer_name=FOLDED_ANALYZER, index_option="basic")
    # every document of a person: the person's sort keys, and the person as a number
    b.add_text_field("name_key", stored=False, fast=True, tokenizer_name="raw")
    for name in _SORT_INTEGERS:
        b.add_integer_field(name, stored=False, indexed=True, fast=True)
    return b.build()


def open_tantivy(path: Path, schema: tantivy.Schema | None = None, *, create: bool = True) -> tantivy.Index:
    """The tantivy index in directory `path`, analyzers registered. With `create`, an empty one
    is made if the directory holds none; without, a missing index is an error (ValueError) —
    never a fresh empty index in a directory another process is removing."""
    if create:
        index = tantivy.Index(schema or build_schema(), path=str(path), reuse=True)
    else:
        index = tantivy.Index.open(str(path))
    index.register_tokenizer(EXACT_ANALYZER, exact_analyzer())
    index.register_tokenizer(FOLDED_ANALYZER, folded_analyzer())
    return index


def schema_version_of(path: Path) -> str | None:
    """The version written in `path`'s marker, or None when it has none."""
    try:
        return (path / MARKER).read_text().strip()
    except FileNotFoundError:
        return None


def _person_fields(doc: tantivy.Document, d: PageDoc | StaffDoc) -> None:
    """What a record and its pages share: keywords, scope, ranges, sort keys, kind."""
    doc.add_text("id", d.id)
    doc.add_text("kind", kind_of(d))
    for field in _KEYWORDS:
        value = getattr(d, field, None)
        if value is not None:  # a record has no document_type: counted under no type
            doc.add_text(field, nfc(value))
    for unit in unit_codes(d.scope_units):
        doc.add_text("scope_units", unit)
    doc.add_integer("restriction", int(d.restriction))
    if d.birth_year is not None:  # unknown: no value, so every year range leaves it out
        doc.add_integer("birth_year", int(d.birth_year))
    keys = doc_sort_values(d)
    doc.add_text("name_key", keys.name_key)
    doc.add_integer("birth_key", keys.birth_key)
    doc.add_integer("status_key", keys.status_key)
    doc.add_integer("person", person_key(d.staff_code))


def page_document(d: PageDoc) -> tantivy.Document:
    text, name = nfc(d.text), nfc(d.staff_name)
    doc = tantivy.Document()
    doc.add_unsigned("document_id", d.document_id)
    doc.add_text("document_key", str(d.document_id))
    doc.add_unsigned("page", d.page)
    doc.add_text("text_exact", text)
    doc.add_text("staff_name_exact", name)
    doc.add_text("all_folded", name)
    doc.add_text("all_folded", text)
    doc.add_text("all_folded", nfc(d.staff_code))  # a code typed finds the person's pages too
    doc.add_text("staff_name_folded", name)
    if bridge := bridge_text(text, d.next_text):
        doc.add_text(BRIDGE_FIELD, bridge)
    _person_fields(doc, d)
    return doc


def record_document(d: StaffDoc) -> tantivy.Document:
    """A staff record: its names (the full name first), code and other fields as searchable text."""
    names, code, text = record_names(d), nfc(d.staff_code), nfc(d.text)
    doc = tantivy.Document()
    doc.add_text("text_exact", text)
    for name in names:
        doc.add_text("staff_name_exact", name)
        doc.add_text("staff_name_folded", name)
        doc.add_text("record_names", name)
        doc.add_text("all_folded", name)
    doc.add_text("all_folded", code)
    doc.add_text("all_folded", text)
    doc.add_text("code_folded", code)
    doc.add_text("code_key", code_key(code))
    _person_fields(doc, d)
    return doc


def add_pages(writer: tantivy.IndexWriter, docs: Sequence[PageDoc | StaffDoc]) -> None:
    """Add or replace (by id) each page or record through `writer`; visible after its commit."""
    for d in docs:
        writer.delete_documents_by_term("id", d.id)
        writer.add_document(record_document(d) if isinstance(d, StaffDoc) else page_document(d))
