"""Render Vietnamese text as scanned pages (trang quét) with known ground truth.

Everything here is deterministic: the same arguments (and seed, for ``degrade``) give the
same pixels on the same Pillow/FreeType build. Pages are A4, grayscale ("L"), black on
white, ~2 cm margins. Text is NFC-normalised before layout, and the ground truth of a page
is exactly the wrapped lines drawn on it, joined by "\\n".
"""

from __future__ import annotations

import io
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

A4_MM = (210.0, 297.0)
MARGIN_MM = 20.0
LINE_SPACING = 1.45  # line pitch as a multiple of the font size: room for stacked marks (Ấ, Ổ)

_NOTO = Path("/usr/share/fonts/truetype/noto")
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_TEXGYRE = Path("/usr/share/texmf/fonts/opentype/public/tex-gyre")

# (family, serif, bold) -> candidate files, first existing wins. All cover Vietnamese.
_FONT_FILES: dict[tuple[str, bool, bool], tuple[Path, ...]] = {
    ("noto", False, False): (_NOTO / "NotoSans-Regular.ttf", _DEJAVU / "DejaVuSans.ttf"),
    ("noto", False, True): (_NOTO / "NotoSans-Bold.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"),
    ("noto", True, False): (_NOTO / "NotoSerif-Regular.ttf", _DEJAVU / "DejaVuSerif.ttf"),
    ("noto", True, True): (_NOTO / "NotoSerif-Bold.ttf", _DEJAVU / "DejaVuSerif-Bold.ttf"),
    # TeX Gyre Termes / Heros: Times- and Helvetica-like, as in most Vietnamese office documents.
    ("texgyre", False, False): (_TEXGYRE / "texgyreheros-regular.otf",),
    ("texgyre", False, True): (_TEXGYRE / "texgyreheros-bold.otf",),
    ("texgyre", True, False): (_TEXGYRE / "texgyretermes-regular.otf",),
    ("texgyre", True, True): (_TEXGYRE / "texgyretermes-bold.otf",),
}
FontFamily = Literal["noto", "texgyre"]
Align = Literal["left", "center", "right"]


class FontNotFound(RuntimeError):
    """No installed font covers Vietnamese for the requested style."""


class TextLine(NamedTuple):
    """One logical line with layout hints; a plain ``str`` means left-aligned, regular."""

    text: str
    align: Align = "left"
    bold: bool = False


def font_path(*, serif: bool = False, bold: bool = False, family: FontFamily = "noto") -> Path:
    """Path of an installed font covering Vietnamese, or raise ``FontNotFound``."""
    for candidate in _FONT_FILES[(family, serif, bold)]:
        if candidate.is_file():
            return candidate
    package = "fonts-texgyre" if family == "texgyre" else "fonts-noto-core (or fonts-dejavu-core)"
    raise FontNotFound(
        f"no Vietnamese-capable {family} {'serif' if serif else 'sans'} font found; "
        f"install the Debian package {package} (apt-get install {package.split()[0]})"
    )


@lru_cache(maxsize=64)
def vietnamese_font(
    size_px: int, *, serif: bool = False, bold: bool = False, family: FontFamily = "noto"
) -> ImageFont.FreeTypeFont:
    """A FreeType font of ``size_px`` pixels whose glyphs cover Vietnamese (tiếng Việt)."""
    path = font_path(serif=serif, bold=bold, family=family)
    # BASIC layout: NFC Vietnamese is all precomposed, and it keeps output independent of raqm.
    return ImageFont.truetype(str(path), size_px, layout_engine=ImageFont.Layout.BASIC)


def page_size_px(dpi: int) -> tuple[int, int]:
    """A4 (width, height) in pixels at ``dpi``."""
    return round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)


def _as_line(line: str | TextLine) -> TextLine:
    line = line if isinstance(line, TextLine) else TextLine(line)
    text = " ".join(unicodedata.normalize("NFC", line.text).split())
    return TextLine(text, line.align, line.bold)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap; a word wider than the line is split between characters."""
    if not text:
        return [""]
    out: list[str] = []
    current = ""
    for word in text.split(" "):
        trial = f"{current} {word}" if current else word
        if font.getlength(trial) <= width:
            current = trial
            continue
        if current:
            out.append(current)
        current = ""
        for ch in word:
            if current and font.getlength(current + ch) > width:
                out.append(current)
                current = ""
            current += ch
    out.append(current)
    return out


@dataclass(frozen=True)
class _Layout:
    dpi: int
    font_pt: float
    serif: bool
    family: FontFamily

    @property
    def size_px(self) -> int:
        return max(1, round(self.font_pt * self.dpi / 72))

    @property
    def margin_px(self) -> int:
        return round(MARGIN_MM / 25.4 * self.dpi)

    @property
    def pitch_px(self) -> int:
        return round(self.size_px * LINE_SPACING)

    @property
    def text_width_px(self) -> int:
        return page_size_px(self.dpi)[0] - 2 * self.margin_px

    @property
    def lines_per_page(self) -> int:
        usable = page_size_px(self.dpi)[1] - 2 * self.margin_px
        return max(1, usable // self.pitch_px)

    def font(self, bold: bool) -> ImageFont.FreeTypeFont:
        return vietnamese_font(self.size_px, serif=self.serif, bold=bold, family=self.family)

    def wrap(self, lines: Sequence[str | TextLine]) -> list[TextLine]:
        wrapped: list[TextLine] = []
        for raw in lines:
            line = _as_line(raw)
            for piece in _wrap(line.text, self.font(line.bold), self.text_width_px):
                wrapped.append(TextLine(piece, line.align, line.bold))
        return wrapped

    def draw(self, lines: Sequence[TextLine]) -> Image.Image:
        width, height = page_size_px(self.dpi)
        img = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(img)
        y = self.margin_px
        for line in lines:
            font = self.font(line.bold)
            x: float = self.margin_px
            if line.align != "left":
                slack = self.text_width_px - font.getlength(line.text)
                x += slack / 2 if line.align == "center" else slack
            draw.text((x, y), line.text, fill=0, font=font)
            y += self.pitch_px
        return img


def render_pages(
    lines: Sequence[str | TextLine],
    *,
    dpi: int = 300,
    font_pt: float = 12,
    serif: bool = False,
    family: FontFamily = "noto",
) -> list[tuple[Image.Image, str]]:
    """Wrap ``lines`` and flow them over as many A4 pages as needed: (image, truth) each."""
    layout = _Layout(dpi, font_pt, serif, family)
    wrapped = layout.wrap(lines)
    per_page = layout.lines_per_page
    chunks = [wrapped[i : i + per_page] for i in range(0, len(wrapped), per_page)] or [[]]
    return [(layout.draw(chunk), "\n".join(line.text for line in chunk)) for chunk in chunks]


def render_page_with_truth(
    lines: Sequence[str | TextLine],
    *,
    dpi: int = 300,
    font_pt: float = 12,
    serif: bool = False,
    family: FontFamily = "noto",
) -> tuple[Image.Image, str]:
    """One A4 page and its ground truth (the wrapped, NFC lines joined by "\\n").

    Raises ``ValueError`` if the text does not fit on one page; use ``render_pages``.
    """
    pages = render_pages(lines, dpi=dpi, font_pt=font_pt, serif=serif, family=family)
    if len(pages) > 1:
        raise ValueError(f"text needs {len(pages)} pages; use render_pages()")
    return pages[0]


def render_page(
    lines: Sequence[str | TextLine],
    *,
    dpi: int = 300,
    font_pt: float = 12,
    serif: bool = False,
    family: FontFamily = "noto",
) -> Image.Image:
    """One A4 grayscale page with ``lines`` wrapped to the text width (see module doc)."""
    return render_page_with_truth(lines, dpi=dpi, font_pt=font_pt, serif=serif, family=family)[0]


# A fixed timestamp keeps the PDF bytes reproducible (Pillow would stamp the current time).
_FIXED_PDF_DATE = time.gmtime(1_751_241_600)  # 2025-06-30T00:00:00Z


def image_only_pdf(
    images: Sequence[Image.Image],
    dpi: int = 300,
    *,
    jpeg_quality: int = 90,
    created: time.struct_time = _FIXED_PDF_DATE,
) -> bytes:
    """A PDF with one JPEG image per page and no text layer, as a scanner (máy quét) writes.

    The bytes depend only on the arguments, so a corpus can be checked by hash.
    """
    if not images:
        raise ValueError("a PDF needs at least one page")
    pages = [im if im.mode in ("L", "RGB") else im.convert("L") for im in images]
    buf = io.BytesIO()
    pages[0].save(
        buf,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=float(dpi),
        quality=jpeg_quality,
        creationDate=created,
        modDate=created,
    )
    return buf.getvalue()


def _speckle(img: Image.Image, rng: np.random.Generator, fraction: float) -> Image.Image:
    """Dust: ~``fraction`` of pixels hit; 80 % become dark 2x2 specks, the rest white dropouts."""
    pixels = np.asarray(img, dtype=np.uint8).copy()
    height, width = pixels.shape
    hits = int(rng.binomial(pixels.size, fraction))
    ys = rng.integers(0, height - 1, size=hits)
    xs = rng.integers(0, width - 1, size=hits)
    dark = rng.random(hits) < 0.8
    shade = rng.integers(0, 96, size=hits, dtype=np.uint8)
    dy, dx, dv = ys[dark], xs[dark], shade[dark]
    for oy, ox in ((0, 0), (0, 1), (1, 0), (1, 1)):
        pixels[dy + oy, dx + ox] = dv
    pixels[ys[~dark], xs[~dark]] = 255
    return Image.fromarray(pixels)


def degrade(
    img: Image.Image,
    *,
    seed: int,
    skew_deg: float = 0,
    blur: float = 0,
    speckle: float = 0,
    jpeg_quality: int | None = None,
) -> Image.Image:
    """A scanner-like copy of ``img``: rotate, blur, add specks, JPEG — deterministic by seed.

    ``skew_deg`` rotates counter-clockwise about the centre (page size kept, white fill);
    ``blur`` is a Gaussian radius in pixels; ``speckle`` is the fraction of pixels hit by
    dust (mostly dark 2x2 specks, some white dropouts); ``jpeg_quality`` round-trips
    through JPEG.
    """
    out = img.convert("L")
    if skew_deg:
        # bilinear: as good as bicubic at 300 dpi for this purpose, and 3x faster
        out = out.rotate(skew_deg, resample=Image.Resampling.BILINEAR, fillcolor=255)
    if blur > 0:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if speckle > 0:
        out = _speckle(out, np.random.default_rng(seed), speckle)
    if jpeg_quality is not None:
        buf = io.BytesIO()
        out.save(buf, format="JPEG", quality=jpeg_quality)
        buf.seek(0)
        out = Image.open(buf)
        out.load()
        out = out.convert("L")
    return out
