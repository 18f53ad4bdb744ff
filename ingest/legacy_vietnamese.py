"""Legacy Vietnamese text (văn bản mã cũ) to Unicode NFC: TCVN3 (ABC, fonts `.VnTime`…) and VNI.

How such text sits in a spreadsheet: the cell holds the legacy bytes as if they were
Windows-1252 characters (one byte, one character — TCVN3 "Hµ Néi" is "Hà Nội"), and the
cell's font names the encoding: `.Vn*` fonts are TCVN3, `.Vn*H` fonts (`.VnTimeH`) show the
same bytes as capitals, `VNI-*` fonts are VNI Windows.

Why our own tables and not a codec:
- glibc iconv's TCVN5712-1 is VN1 of TCVN 5712:1993, not the VN3 that `.VnTime` text uses:
  it puts capitals with tones at 0x80–0x9F (and 0x01–0x17), where a cp1252 cell has € ‚ ƒ …
- TCVN3's "ư" is byte 0xAD, the soft hyphen of cp1252/latin-1, which text cleaners drop
  ("Mêng" for "M\\xadêng" = "Mường"): nothing here strips it before decoding.
- cp1258 decodes to decomposed text (NFD); every result here is NFC.

Pure functions, no I/O; `detect_and_decode` scores each decoding by how many Vietnamese
syllables it yields and keeps the best (text that already is Unicode stays as it is).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["decode_tcvn3", "decode_vni", "detect_and_decode", "encoding_for_font", "to_bytes"]

# TCVN 5712:1993 VN3 (TCVN3, "ABC") upper half: byte → letter. Only lower case letters with
# tones exist; the `.VnTimeH` fonts draw the same bytes as capitals.
_TCVN3_ROWS = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    # a: grave hook tilde acute dot
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}

# VNI Windows: base letters plus separate mark bytes after the vowel (lower case marks
# 0xE0–0xFC, capitals' marks 0xC0–0xDC; either may follow either case of vowel).
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_VNI_MARKS = {
    0xF9: _ACUTE, 0xF8: _GRAVE, 0xFB: _HOOK, 0xF5: _TILDE, 0xEF: _DOT,
    0xE2: _CIRC, 0xE1: _CIRC + _ACUTE, 0xE0: _CIRC + _GRAVE, 0xE5: _CIRC + _HOOK, 0xE3: _CIRC + _TILDE,
    0xE4: _CIRC + _DOT,
    0xEA: _BREVE, 0xE9: _BREVE + _ACUTE, 0xE8: _BREVE + _GRAVE, 0xFA: _BREVE + _HOOK, 0xFC: _BREVE + _TILDE,
    0xEB: _BREVE + _DOT,
}
_VNI_MARKS.update({b - 0x20: m for b, m in list(_VNI_MARKS.items())})  # the capitals' marks
_VNI_LETTERS = {
    0xF4: "ơ", 0xF6: "ư", 0xF1: "đ", 0xED: "í", 0xEC: "ì", 0xE6: "ỉ", 0xF3: "ĩ", 0xF2: "ị", 0xEE: "ỵ",
    0xD4: "Ơ", 0xD6: "Ư", 0xD1: "Đ", 0xCD: "Í", 0xCC: "Ì", 0xC6: "Ỉ", 0xD3: "Ĩ", 0xD2: "Ị", 0xCE: "Ỵ",
}
_VOWELS = set("aeiouyAEIOUYơưƠƯ")


def to_bytes(text: str) -> list[int | str]:
    """Each character as the byte it stood for (cp1252, else latin-1); others stay characters."""
    out: list[int | str] = []
    for ch in text:
        try:
            out.append(ch.encode("cp1252")[0])
        except UnicodeEncodeError:
            out.append(ord(ch) if ord(ch) < 0x100 else ch)
    return out


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def decode_tcvn3(text: str, upper: bool = False) -> str:
    """TCVN3 text (as cp1252 characters) in Unicode NFC; `upper` for `.Vn…H` fonts (capitals)."""
    # a byte outside the table (ASCII, punctuation) stays the character the cell holds
    parts = [ch if isinstance(b, str) else _TCVN3_ROWS.get(b, ch) for ch, b in zip(text, to_bytes(text))]
    out = _nfc("".join(parts))
    return out.upper() if upper else out


def decode_vni(text: str) -> str:
    """VNI Windows text (as cp1252 characters) in Unicode NFC."""
    parts: list[str] = []
    for b in to_bytes(text):
        if isinstance(b, str):
            parts.append(b)
            continue
        mark = _VNI_MARKS.get(b)
        if mark is not None and parts and parts[-1][-1:] in _VOWELS:
            parts[-1] = parts[-1] + mark
            continue
        letter = _VNI_LETTERS.get(b)
        if letter is not None:
            parts.append(letter)
        elif b < 0x80:
            parts.append(chr(b))
        else:
            try:
                parts.append(bytes([b]).decode("cp1252"))
            except UnicodeDecodeError:
                parts.append(chr(b))
    return _nfc("".join(parts))


def encoding_for_font(font_name: str | None) -> str | None:
    """"tcvn3", "tcvn3h" (capitals), "vni", or None (a Unicode font or none) for a cell's font."""
    name = (font_name or "").strip()
    low = name.lower()
    if low.startswith(".vn"):
        return "tcvn3h" if low.endswith("h") else "tcvn3"
    if low.startswith(("vni-", "vni ")):
        return "vni"
    return None


def decode_by_font(text: str, font_name: str | None) -> str:
    """The cell's text in Unicode NFC, decoded as its font says, else by detection."""
    enc = encoding_for_font(font_name)
    if enc == "tcvn3":
        return decode_tcvn3(text)
    if enc == "tcvn3h":
        return decode_tcvn3(text, upper=True)
    if enc == "vni":
        return decode_vni(text)
    return detect_and_decode(text)


# -- detection --------------------------------------------------------------------------------

_TONES = set("\u0300\u0301\u0303\u0309\u0323")
_ONSET = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?(.*)")
_CODA = re.compile(r"(.*?)(ch|ng|nh|[cmnpt])?")
# vowel clusters (âm chính with glides) of Vietnamese syllables: those closed by a glide take
# no final consonant, those with ă â iê uô ươ need one
_OPEN = frozenset(["ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ui", "ưi", "ưu", "ua", "ưa", "iêu", "yêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "uyu"])
_CLOSED = frozenset(["ă", "â", "oă", "uâ", "iê", "yê", "uô", "ươ", "uyê"])
_EITHER = frozenset(["a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "oo", "uê", "uy", "uơ"])
_WORD = re.compile(r"[^\s\d.,;:()/\-–\"'!?]+")
_VIET_LATIN1 = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")


def _is_syllable(word: str) -> bool:
    d = unicodedata.normalize("NFD", word.lower())
    if sum(1 for ch in d if ch in _TONES) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in d if ch not in _TONES))
    rest = _ONSET.fullmatch(base).group(2)  # type: ignore[union-attr]
    m = _CODA.fullmatch(rest)
    nucleus, coda = m.group(1), m.group(2)  # type: ignore[union-attr]
    if not nucleus and base.startswith("gi"):  # "gì", "gìn": the i is the vowel
        nucleus = "i"
    if coda:
        return nucleus in _CLOSED or nucleus in _EITHER
    return nucleus in _OPEN or nucleus in _EITHER


def syllable_score(text: str) -> int:
    """Vietnamese syllables in `text`, minus words that are not and stray Latin-1 signs
    (used to rank the decodings of one text)."""
    score = 0
    for w in _WORD.findall(text):
        if any(ord(ch) > 0x7F for ch in w):
            score += 2 if _is_syllable(w) else -2
        elif _is_syllable(w):
            score += 1
    score -= 3 * sum(1 for ch in text if 0x80 <= ord(ch) <= 0xFF and ch not in _VIET_LATIN1)
    return score


def _mostly_syllables(text: str) -> bool:
    """At least half the words with marks are Vietnamese syllables ("Cafộ Mỹller" is not)."""
    marked = [w for w in _WORD.findall(text) if any(ord(ch) > 0x7F for ch in w)]
    return 2 * sum(1 for w in marked if _is_syllable(w)) >= len(marked)


def detect_and_decode(text: str) -> str:
    """Unicode NFC for text of unknown encoding: as is, TCVN3 or VNI, whichever reads best."""
    if not text or all(ord(ch) < 0x80 for ch in text):
        return text
    as_is = _nfc(text)
    if any(ord(ch) > 0xFF and ch not in _CP1252_HIGH for ch in as_is):  # already Vietnamese Unicode
        return as_is
    best, best_score = as_is, syllable_score(as_is)
    letters = [ch for ch in text if ch.isalpha() and ord(ch) < 0x80]
    capitals = bool(letters) and all(ch.isupper() for ch in letters)  # typed in a .Vn…H font
    for candidate in (decode_tcvn3(text, upper=capitals), decode_vni(text)):
        score = syllable_score(candidate)
        if score > best_score and _mostly_syllables(candidate):
            best, best_score = candidate, score
    return best


_CP1252_HIGH = frozenset(bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D))
