"""The tantivy schema, how a PageDoc becomes a tantivy document, and opening one index directory.

Words are cut and folded inside tantivy by the analyzers search.vietnamese defines (and the
Elasticsearch adapter and the query parser use the same ones), registered on the index under
their names: no Python pass over the page text while indexing. The exact-text fields are
stored, so the text a person reads is the field that is searched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import tantivy

from search.plan import unit_codes
from search.port import FILTER_FIELDS, PageDoc
from search.vietnamese import EXACT_ANALYZER, FOLDED_ANALYZER, exact_analyzer, folded_analyzer, nfc

# Bump when the schema changes: an index written with another version is rebuilt from the DB.
SCHEMA_VERSION = "5"
MARKER = "SCHEMA_VERSION"  # file in each index directory holding the version it was built with

_EXACT = dict(tokenizer_name=EXACT_ANALYZER, index_option="position")
_FOLDED = dict(stored=False, tokenizer_name=FOLDED_ANALYZER, index_option="position")
_MULTI_VALUED = ("scope_units",)
_KEYWORDS = (*(f for f in FILTER_FIELDS if f not in _MULTI_VALUED), "birth_date")
# Signed: tantivy-py hands Python ints over as i64, which never matches a u64 field.
_INTEGERS = ("restriction", "birth_year")


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
    # all_folded holds two values, the name then the text: each query clause must match this
    # ONE field (fast: one postings list, skipping works), and tantivy leaves a position gap
    # between values so no phrase runs from the name into the text. Name and exact-diacritic
    # matches are optional clauses that only add score.
    b.add_text_field("all_folded", **_FOLDED)
    b.add_text_field("staff_name_folded", **_FOLDED)
    for name in FILTER_FIELDS:
        b.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    b.add_text_field("birth_date", stored=True, tokenizer_name="raw")
    for name in _INTEGERS:  # range-filtered through their fast fields
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


def page_document(d: PageDoc) -> tantivy.Document:
    text, name = nfc(d.text), nfc(d.staff_name)
    doc = tantivy.Document()
    doc.add_text("id", d.id)
    doc.add_unsigned("document_id", d.document_id)
    doc.add_text("document_key", str(d.document_id))
    doc.add_unsigned("page", d.page)
    doc.add_text("text_exact", text)
    doc.add_text("staff_name_exact", name)
    doc.add_text("all_folded", name)
    doc.add_text("all_folded", text)
    doc.add_text("staff_name_folded", name)
    for field in _KEYWORDS:
        doc.add_text(field, nfc(getattr(d, field)))
    for unit in unit_codes(d.scope_units):
        doc.add_text("scope_units", unit)
    doc.add_integer("restriction", int(d.restriction))
    if d.birth_year is not None:  # unknown: no value, so every year range leaves it out
        doc.add_integer("birth_year", int(d.birth_year))
    return doc


def add_pages(writer: tantivy.IndexWriter, docs: Sequence[PageDoc]) -> None:
    """Add or replace (by id) each page through `writer`; visible after its commit."""
    for d in docs:
        writer.delete_documents_by_term("id", d.id)
        writer.add_document(page_document(d))
