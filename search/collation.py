"""Vietnamese alphabetical order (thứ tự chữ cái tiếng Việt) as plain sort keys, no ICU.

The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (f j w z, which
Vietnamese uses only in foreign names, take their Latin places): ă, â, đ, ê, ô, ơ, ư are letters
of their own, not a letter plus a mark, so they differ at the first level. Tones (dấu thanh)
differ only when the letters are equal, in the dictionary order ngang, huyền, hỏi, ngã, sắc,
nặng (a à ả ã á ạ); case last. This is the order of CLDR's `vi` collation; the digraphs (ch,
nh, ng, …) are not letters of their own there, nor here.

People are listed by tên (the given name, the last word), then họ and tên đệm: "Lê Văn An"
before "Nguyễn Thị Anh" before "Trần Văn Ánh".

A key is a printable-ASCII string, so any engine or database compares keys by code point
(tantivy's fast fields, Elasticsearch keywords, Python, `COLLATE "C"`) and gets this order.
Pure Python: importing it loads no engine (the index adapters and the services share it).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from search.text import nfc

# Letters in Vietnamese order; each becomes one primary character (0x22 onwards).
_ALPHABET = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
             "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
             "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z")
_PRIMARY = {letter: chr(0x22 + i) for i, letter in enumerate(_ALPHABET)}
WORD_SEPARATOR = "!"  # 0x21: below every letter, so "An" sorts before "Anh"
LEVEL_SEPARATOR = " "  # 0x20: below everything in a level, so a shorter word sorts first
_UNKNOWN = "~"         # letters of other scripts: after every Vietnamese letter, by code point

_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
# Tone marks in dictionary order: ngang (none) 0, huyền 1, hỏi 2, ngã 3, sắc 4, nặng 5.
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_LETTER_MARKS = {("a", _BREVE): "ă", ("a", _CIRCUMFLEX): "â", ("e", _CIRCUMFLEX): "ê",
                 ("o", _CIRCUMFLEX): "ô", ("o", _HORN): "ơ", ("u", _HORN): "ư"}


@lru_cache(maxsize=2048)
def _char(ch: str) -> tuple[str, str, str] | None:
    """(primary, tone, case) of one NFC character; None for what does not sort (punctuation)."""
    if ch in "đĐ":
        return _PRIMARY["đ"], "0", "1" if ch == "Đ" else "0"
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    lower = base.lower()
    if not (lower.isalnum()):
        return None
    letter, tone = lower, "0"
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        elif (letter, mark) in _LETTER_MARKS:
            letter = _LETTER_MARKS[(letter, mark)]
    case = "1" if base.isupper() else "0"
    primary = _PRIMARY.get(letter)
    if primary is None:  # another script's letter or digit: after ours, in code point order
        primary = f"{_UNKNOWN}{ord(ch):06x}"
        tone, case = "0" * len(primary), "0" * len(primary)
    return primary, tone, case


def collation_key(text: str) -> str:
    """Sort key of `text` in Vietnamese order: letters first, then tones, then case.

    Words are compared in turn ("Văn An" < "Văn Anh" < "Vân An"); punctuation is ignored.
    """
    primary: list[str] = []
    tones: list[str] = []
    cases: list[str] = []
    for word in nfc(text).split():
        units = [u for u in (_char(ch) for ch in word) if u is not None]
        if not units:
            continue
        if primary:
            primary.append(WORD_SEPARATOR)
            tones.append("0")
            cases.append("0")
        for p, t, c in units:
            primary.append(p)
            tones.append(t if len(p) == 1 else t.ljust(len(p), "0"))
            cases.append(c if len(p) == 1 else c.ljust(len(p), "0"))
    return LEVEL_SEPARATOR.join(("".join(primary), "".join(tones), "".join(cases)))


def name_sort_key(full_name: str) -> str:
    """Sort key of a Vietnamese full name (họ và tên): by tên, then by họ and tên đệm.

    "Nguyễn Thị Ánh" → key("Ánh") then key("Nguyễn Thị"). The tên is compared completely
    (letters, tones, case) before the họ: everyone called "Anh" comes before everyone called
    "Ánh", each group in the order of their họ and tên đệm.
    """
    words = nfc(full_name).split()
    if not words:
        return ""
    given, rest = words[-1], " ".join(words[:-1])
    return f"{collation_key(given)}{LEVEL_SEPARATOR}{collation_key(rest)}"
