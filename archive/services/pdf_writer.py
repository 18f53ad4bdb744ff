"""Printed documents — reports, biên bản, forms — as PDF with fonts that hold Vietnamese.

One place for the fonts so every printed page looks alike: "serif" is TeX Gyre Termes (a
Times New Roman metric clone; NĐ 30/2020 asks administrative documents for Times New Roman)
and "sans" is DejaVu Sans. Both come from Debian packages `scripts/setup.sh` installs
(fonts-texgyre, fonts-dejavu-core) and are embedded (subset) in the PDF, so a reader without
them shows the same glyphs — ế, ễ, ừ, Đ included.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

_TERMES = Path("/usr/share/texmf/fonts/opentype/public/tex-gyre")
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class FontFamily:
    name: str
    regular: Path
    bold: Path
    italic: Path
    bold_italic: Path


FAMILIES = (
    FontFamily("serif", _TERMES / "texgyretermes-regular.otf", _TERMES / "texgyretermes-bold.otf",
               _TERMES / "texgyretermes-italic.otf", _TERMES / "texgyretermes-bolditalic.otf"),
    FontFamily("sans", _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf",
               _DEJAVU / "DejaVuSans-Oblique.ttf", _DEJAVU / "DejaVuSans-BoldOblique.ttf"),
)


class MissingFont(RuntimeError):
    """A font file the printed documents need is not installed (run `make setup`)."""


def new_document(title: str, *, orientation: str = "P", author: str = "") -> FPDF:
    """An A4 document with both families registered, margins of an administrative page
    (NĐ 30/2020: top/bottom 20 mm, left 30 mm, right 15 mm), "serif" 13 pt selected."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    for family in FAMILIES:
        for style, path in (("", family.regular), ("B", family.bold), ("I", family.italic),
                            ("BI", family.bold_italic)):
            if not path.is_file():
                raise MissingFont(str(path))
            pdf.add_font(family.name, style, str(path))
    pdf.set_margins(left=30, top=20, right=15)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_title(nfc(title))
    if author:
        pdf.set_author(nfc(author))
    pdf.set_creator("cbccvc-archive")
    pdf.set_font("serif", size=13)
    return pdf


def to_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


def nfc(text: str) -> str:
    """Text is printed in NFC (TCVN 6909:2001) whatever form it arrived in."""
    return unicodedata.normalize("NFC", text)
