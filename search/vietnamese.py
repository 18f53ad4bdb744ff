"""Vietnamese text for matching: NFC for storage and display, a folded form for matching.

TCVN 6909:2001 text is Unicode NFC. Folding (bỏ dấu) drops the marks and maps đ/Đ → d
(đ is a letter of its own, not d plus a mark), lowercased: "Đặng Thị Ánh" → "dang thi anh".

There is ONE definition of words and of folding: two tantivy text analyzers built here —
`simple` tokenizer (runs of letters/digits) → lowercase, and `simple` → ASCII folding (which
maps every Vietnamese letter, đ and ð included, to its base letter) → lowercase. The tantivy index
registers them and tokenises inside Rust while indexing (no Python pass over the text);
queries, the Elasticsearch adapter (which is sent tokens) and highlighting use the very same
analyzers through `tokens` / `folded_tokens` / `fold`, so every engine finds the same pages.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import tantivy

from search.text import nfc

EXACT_ANALYZER = "vi_exact"    # name under which the tantivy index registers exact_analyzer()
FOLDED_ANALYZER = "vi_folded"  # … and folded_analyzer()

# A token is a run of letters or digits (Rust's char::is_alphanumeric in tantivy's `simple`
# tokenizer). Highlighting scans folded text with this regex; for Vietnamese and every other
# script written with precomposed letters it cuts exactly where the analyzers do.
TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)


def exact_analyzer() -> tantivy.TextAnalyzer:
    """Words, lowercased, diacritics kept (text_exact fields)."""
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase()).build()


def folded_analyzer() -> tantivy.TextAnalyzer:
    """Words, folded then lowercased (all_folded, staff_name_folded fields). Folding first is
    faster (lowercasing then takes its ASCII path) and always ends lowercase: 'İ' → 'i', where
    lowercase-then-fold would leave a dotted i (i + U+0307)."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.ascii_fold()).filter(tantivy.Filter.lowercase()).build())


_EXACT = exact_analyzer()
_FOLDED = folded_analyzer()


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Folded form of one character: what the folding analyzer makes of it when it is a letter
    or digit; otherwise (a separator) combining marks vanish and anything else is lowercased."""
    if not 0xD800 <= ord(ch) < 0xE000:  # lone surrogates cannot cross into Rust
        analysed = _FOLDED.analyze(ch)
        if len(analysed) == 1:
            return analysed[0]
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def _table() -> dict[int, str | None]:
    """str.translate table for every BMP character whose folded form is not just its lowercase:
    one C-level pass instead of a Python call per character. Built once, on first use (~0.4 s)."""
    table: dict[int, str | None] = {}
    for cp in range(0x80, 0x10000):
        ch = chr(cp)
        folded = _fold_char(ch)
        if folded != ch.lower():
            table[cp] = folded or None
    return table


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")  # outside the table: the per-character path


def fold(text: str) -> str:
    """Folded form for matching only (never for storage): 'Đặng Thị Ánh' → 'dang thi anh'."""
    text = nfc(text)
    if _ASTRAL.search(text) is None:
        return text.translate(_table()).lower()
    return "".join(_fold_char(ch) for ch in text)


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """Fold NFC text and return, for each folded character, the index of its source character.

    The map lets a match found in the folded text be highlighted in the original text. It is
    None when folding kept every character in place (the usual case), meaning "same index".
    """
    if _ASTRAL.search(text) is None:
        folded = text.translate(_table()).lower()
        if len(folded) == len(text):  # nothing dropped or split: indexes line up
            return folded, None
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        out.append(f)
        offsets.extend([i] * len(f))
    return "".join(out), offsets


def tokens(text: str) -> list[str]:
    """Lowercased word tokens of NFC text (diacritics kept) — what text_exact indexes."""
    return _EXACT.analyze(nfc(text))


def folded_tokens(text: str) -> list[str]:
    """Folded word tokens — what all_folded indexes: 'Đặng Thị' → ['dang', 'thi']."""
    return _FOLDED.analyze(nfc(text))


def has_diacritics(text: str) -> bool:
    """True when folding changes the text: the user typed Vietnamese marks (or đ)."""
    return fold(text) != nfc(text).lower()
