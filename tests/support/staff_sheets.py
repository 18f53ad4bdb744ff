"""Legacy-encoded staff spreadsheets for tests: our own encoders (Unicode → TCVN3 / VNI bytes shown
as cp1252 characters, as Excel cells hold them) and .xlsx files with cell fonts set.

The encoders are written independently of ingest.legacy_vietnamese's decoders (tables keyed by
Unicode letter and tone, from the published TCVN 5712:1993 VN3 and VNI Windows charts), so a
round trip tests both."""

from __future__ import annotations

import io
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Font

# TCVN3: per vowel, bytes for no tone, huyền (grave), hỏi (hook), ngã (tilde), sắc (acute), nặng (dot)
_TCVN3_VOWELS = {
    "a": (0x61, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9), "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB), "e": (0x65, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6), "i": (0x69, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0x6F, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4), "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE), "u": (0x75, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9), "y": (0x79, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_CAPS = {"Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7, "đ": 0xAE}
_TONES = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_SHAPES = {"\u0302": "^", "\u0306": "(", "\u031b": "+"}
_BASES = {("a", "^"): "â", ("a", "("): "ă", ("e", "^"): "ê", ("o", "^"): "ô", ("o", "+"): "ơ", ("u", "+"): "ư"}


def _split(ch: str) -> tuple[str, str, str]:
    """A letter as (base ASCII letter, shape mark ^ ( + or '', tone mark or '')."""
    d = unicodedata.normalize("NFD", ch)
    base, shape, tone = d[0], "", ""
    for m in d[1:]:
        if m in _SHAPES:
            shape = _SHAPES[m]
        elif m in _TONES:
            tone = m
    return base, shape, tone


def _cp(b: int) -> str:
    return bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b)


def encode_tcvn3(text: str) -> str:
    """Unicode → TCVN3 as cp1252 characters. Capitals with tones do not exist in TCVN3: they are
    written lower case (the `.VnTimeH` fonts draw them as capitals)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _TCVN3_CAPS:
            out.append(_cp(_TCVN3_CAPS[ch]))
            continue
        base, shape, tone = _split(ch)
        low = base.lower()
        vowel = _BASES.get((low, shape), low if not shape else None)
        if vowel in _TCVN3_VOWELS and (tone or shape or ord(ch) > 0x7F):
            if base.isupper() and not tone and ch.upper() in _TCVN3_CAPS:
                out.append(_cp(_TCVN3_CAPS[ch.upper()]))
            else:
                out.append(_cp(_TCVN3_VOWELS[vowel][_TONES[tone]]))
        elif ch == "Đ":
            out.append(_cp(0xA7))
        else:
            out.append(ch)
    return "".join(out)


# VNI: shape+tone → mark byte (lower case marks; capitals' marks are 0x20 lower)
_VNI_MARK = {
    ("", "\u0301"): 0xF9, ("", "\u0300"): 0xF8, ("", "\u0309"): 0xFB, ("", "\u0303"): 0xF5, ("", "\u0323"): 0xEF,
    ("^", ""): 0xE2, ("^", "\u0301"): 0xE1, ("^", "\u0300"): 0xE0, ("^", "\u0309"): 0xE5, ("^", "\u0303"): 0xE3,
    ("^", "\u0323"): 0xE4,
    ("(", ""): 0xEA, ("(", "\u0301"): 0xE9, ("(", "\u0300"): 0xE8, ("(", "\u0309"): 0xFA, ("(", "\u0303"): 0xFC,
    ("(", "\u0323"): 0xEB,
}
_VNI_I = {"": "i", "\u0301": 0xED, "\u0300": 0xEC, "\u0309": 0xE6, "\u0303": 0xF3, "\u0323": 0xF2}


def encode_vni(text: str) -> str:
    """Unicode → VNI Windows as cp1252 characters (capitals get the capitals' mark bytes)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        base, shape, tone = _split(ch)
        up = base.isupper()
        low = base.lower()
        if ch in "đĐ":
            out.append(_cp(0xD1 if up or ch == "Đ" else 0xF1))
            continue
        if low not in "aeiouy" or ord(ch) < 0x80:
            out.append(ch)
            continue
        if low == "i" and tone:
            b = _VNI_I[tone]
            out.append(_cp(b - 0x20 if up else b))
            continue
        if low == "y" and tone == "\u0323":
            out.append(_cp(0xCE if up else 0xEE))
            continue
        if shape == "+":  # ơ ư are single bytes, tones follow them
            out.append(_cp({"o": 0xF4, "u": 0xF6}[low] - (0x20 if up else 0)))
            shape = ""
        else:
            out.append(base)
        if shape or tone:
            b = _VNI_MARK[(shape, tone)]
            out.append(_cp(b - 0x20 if up else b))
    return "".join(out)


def xlsx(rows: list[list[object]], fonts: dict[tuple[int, int], str] | None = None) -> bytes:
    """An .xlsx of `rows` (row 0 the headers); fonts[(row, col)] names a cell's font."""
    wb = Workbook()
    ws = wb.active
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            cell = ws.cell(row=r + 1, column=c + 1, value=v)
            if fonts and (r, c) in fonts:
                cell.font = Font(name=fonts[(r, c)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
