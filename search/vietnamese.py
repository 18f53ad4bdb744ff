"""Vietnamese text for matching: NFC for storage and display, a folded form for matching.

TCVN 6909:2001 text is Unicode NFC. Folding (bỏ dấu) = NFD, drop combining marks, map
đ/Đ → d (đ is a letter of its own, not d plus a mark, so NFD leaves it alone), lowercase.
Every search adapter indexes the folded form and folds queries with the same function, so
"nguyen van an" matches "Nguyễn Văn An" on every engine alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_D_MAP = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"}
# A token is a run of letters or digits; tantivy's default tokenizer and ES's standard
# analyzer both cut on everything else, and so does this module.
TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)


def nfc(text: str) -> str:
    """Normalise to NFC (dựng sẵn), the only form we store."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _D_MAP:
        return _D_MAP[ch]
    decomposed = unicodedata.normalize("NFD", ch)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.lower()


@lru_cache(maxsize=1)
def _table() -> dict[int, str | None]:
    """str.translate table for every BMP character whose folded form is not just its lowercase:
    one C-level pass instead of a Python call per character. Built once, on first use (~0.2 s)."""
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
    """Lowercased word tokens of NFC text (diacritics kept)."""
    return [t.lower() for t in TOKEN_RE.findall(nfc(text))]


def folded_tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(fold(text))


def has_diacritics(text: str) -> bool:
    """True when folding changes the text: the user typed Vietnamese marks (or đ)."""
    return fold(text) != nfc(text).lower()
