"""Printed documents — reports, biên bản, forms — as PDF with fonts that hold Vietnamese.

One place for the fonts so every printed page looks alike: "serif" is Liberation Serif (metric-
compatible with Times New Roman, which NĐ 30/2020 asks administrative documents for) and "sans"
is DejaVu Sans. Both are TrueType from Debian packages `scripts/setup.sh` installs
(fonts-liberation2, fonts-dejavu-core), cover every Vietnamese letter, and are embedded (subset)
in the PDF, so a reader without them shows the same glyphs. Not TeX Gyre Termes: it is OpenType
with CFF outlines, which fpdf2 embeds as a TrueType font program — a PDF/A validator rejects it.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

_LIBERATION = Path("/usr/share/fonts/truetype/liberation2")
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class FontFamily:
    name: str
    regular: Path
    bold: Path
    italic: Path
    bold_italic: Path


FAMILIES = (
    FontFamily("serif", _LIBERATION / "LiberationSerif-Regular.ttf", _LIBERATION / "LiberationSerif-Bold.ttf",
               _LIBERATION / "LiberationSerif-Italic.ttf", _LIBERATION / "LiberationSerif-BoldItalic.ttf"),
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
