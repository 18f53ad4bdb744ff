"""Parse what a user types into words and quoted phrases, engine-independent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from search.vietnamese import folded_tokens, nfc, tokens

_PHRASE = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class Clause:
    """One required part of a query: a single word or a phrase (cụm từ trong ngoặc kép)."""

    exact: tuple[str, ...]   # lowercased NFC tokens, diacritics kept
    folded: tuple[str, ...]  # folded tokens, same length

    @property
    def is_phrase(self) -> bool:
        return len(self.folded) > 1

    @property
    def has_marks(self) -> bool:
        """The user typed diacritics (or đ) here: only then can an exact match rank higher."""
        return self.exact != self.folded


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...] = field(default_factory=tuple)

    @property
    def folded_terms(self) -> frozenset[str]:
        return frozenset(t for c in self.clauses for t in c.folded)

    @property
    def is_empty(self) -> bool:
        return not self.clauses


def _clause(text: str) -> Clause | None:
    ex, fo = tokens(text), folded_tokens(text)
    if not fo or len(ex) != len(fo):
        return None
    return Clause(exact=tuple(ex), folded=tuple(fo))


def parse_query(text: str) -> ParsedQuery:
    """'Nguyễn "quyết định tuyển dụng" 2015' → word, phrase, word; all are required."""
    text = nfc(text or "")
    clauses: list[Clause] = []
    pos = 0
    for m in _PHRASE.finditer(text):
        for word in tokens(text[pos:m.start()]):
            if c := _clause(word):
                clauses.append(c)
        if c := _clause(m.group(1)):
            clauses.append(c)
        pos = m.end()
    # an unmatched trailing quote is treated as plain words
    for word in tokens(text[pos:].replace('"', " ")):
        if c := _clause(word):
            clauses.append(c)
    return ParsedQuery(tuple(clauses))
