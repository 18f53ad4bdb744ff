"""How clean a scanned page is (chất lượng trang quét), measured cheaply, and which recipe it gets.

One recipe for every page loses twice: cleaning a clean page (thresholding it ourselves, painting
out specks) costs marks that tesseract's own binarisation keeps, and handing a noisy page to
tesseract as it is lets it read dust as punctuation. So each page is measured first — dust
density, paper and ink levels, coloured ink — on the page's own ink mask (a few numpy passes,
~50 ms at 300 dpi A4), and the measurement picks the recipe:

- ``gray``: a clean page goes to tesseract gray (it binarises it itself);
- ``clean``: a dusty page is binarised by us (Otsu + 10) and cleared of specks, harder the
  denser the dust.

Seal-red ink over black print, and signature-blue while it is a small share of the ink, are
taken out of the gray page in both recipes (`gray_without_colour`); a page written all in one
colour keeps it. So are a document feeder's vertical streaks (ingest.streaks). The speck areas
follow the scan's DPI.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from PIL import Image, ImageChops

from ingest.preprocess import (
    PreprocessOptions,
    bitmap_from_ink,
    crowded_tiles,
    dilate_cross,
    evened_lighting,
    otsu_from_histogram,
    rotate_page,
    skew_of_ink,
    speck_mask,
    tile_boxes,
    to_grayscale,
)
from ingest.streaks import find_streaks, without_streaks

Recipe = Literal["gray", "clean"]

# Specks per megapixel above which a page is dusty. A clean scan (JPEG grain, a dot or two of
# dust) measures 0–20; a page with visible dust ≥ 150 (≈ 1,300 grains on A4 at 300 dpi).
DUSTY_SPECKS_PER_MP = 60.0
# Above this the dust is dense (salt noise): grains touch each other and the strokes, so few
# have a 2 px blank ring, and the second ring filter asks for 1 px (speck_passes).
DENSE_SPECKS_PER_MP = 400.0
# A speck cloud (đám bụi: toner spatter, a dirty platen) is where isolated grains crowd: a
# square of 4 mm (47 px at 300 dpi) with ≥ 12 grain pixels (~4 grains, ~1,700 grains/MP against
# ~60 for a dusty page as a whole). Inside a cloud and one square round it, grains touch each
# other and the strokes, so few have the blank ring the speck filter needs.
CLOUD_TILE_MM = 4.0
CLOUD_MIN_SPECK_PX = 12
# … and there ink must be nearly as dark as the print: a grain of 1–3 px comes out of the
# scanner's optics lighter than a 4 px stroke's core (blur takes most of its darkness), so
# cutting at the page's ink level + this keeps the strokes' cores and drops most grains
# (clustered speckle 2.5 % → 0.4 % CER, bench.ocr_kinds dev seeds). The cut strokes then get back
# one pixel of their rim from the ordinary threshold — without it the stacked marks of ồ ề ổ thin
# to nothing — and the ring filters run again on what the cut set free. With the lines read again
# and the cloud's marks taken for dust (ingest.ocr), a cut closer to the print pays: on 51 clustered
# pages of three seeds, margin 14 / 10 / 6 / 3 / 2 / 0 / −4 gave 0.52 / 0.39 / 0.36 / 0.32 / — / 0.31 /
# 0.36 % CER, and on 24 fresh ones (seed 907) 10 / 2 / 0 gave 0.44 / 0.30 / 0.28 %.
CLOUD_INK_MARGIN = 2
# A page dense with dust all over (DENSE_SPECKS_PER_MP) has no clouds: its crowded squares are the
# whole page, and there the cut thinned a blurred scan's strokes (a Mẫu 2C form's name misread,
# tests/service/test_consistency.py) while the 1 px ring filter already reads such pages at ≤ 0.3 %.
# Below ~300 dpi a stroke is 2–3 px wide and its core comes out as light as a grain: the cut then
# takes the hook above (ổ → ố: dense speckle at 200 dpi 0.07 % → 0.4 %), so it is left out there.
CLOUD_MIN_DPI = 250
# A dusty page on gray paper (a photocopy of a copy: background ≈ 200, the 90th percentile below
# this) goes to tesseract gray with the dust painted out, not 1-bit: its LSTM reads the gray page's
# blurred hook above (ổ, ể) that any threshold of ours breaks (photocopy at 200 dpi 0.55 % → 0.24 %).
GRAY_PAPER_BELOW = 235
# A page with speck clouds, read 1-bit, is read a second time as the same ink in its own gray on white
# paper (the kept ink grown by a pixel, everything else paper), and each word kept from whichever
# reading tesseract is surer of (ingest.ocr.voted_words). The two err apart: 1-bit loses thin marks
# that the gray edges keep (đổi → đối), the gray page reads some grain clusters the 1-bit does not.
# On clustered speckle, 1-bit alone 0.47 %, gray alone 0.44 %, voted 0.37 % CER (27 development
# pages), 0.33 / 0.29 / 0.28 % on 12 others; specks touching strokes 0.17 → 0.03 % (8 pages). Most
# of the gain is outside the clouds themselves (voting only words in clouds: 0.43 %), so every line
# holding a doubted word is read again (ingest.ocr.DOUBTED_WORD_MAX_CONF), on such pages only. The
# 1-bit reading stays the first (its words and lines are kept): the other way round voted 0.45 %.
SECOND_READING = True
# A page tesseract reads gray is made pure paper farther than this from its ink (the pixels at or
# below Otsu's threshold, dust taken out): the back page's text showing through thin paper, JPEG
# ringing, paper grain and stains go, while the gray rim round every stroke and mark — what
# tesseract's own binarisation reads a blurred hook from — stays. On a made-up bleed-through kind
# (3 pages) 0.81 % → 0.08 % CER; on 55 fresh bench pages of the gray kinds (seed 227) clean 0.30 →
# 0.08 %, colour scan 0.19 → 0.05 %, yellowed 0.14 → 0.07 %, photocopy 0.16 → 0.10 % (@200 0.44 →
# 0.39 %), the rest within a character (faded 0.07 → 0.08 %, red stamp 0.17 → 0.19 %). Four pixels
# read the faded pages worse (0.06 → 0.25 % on 3 pages) and gained nothing elsewhere.
PAPER_BEYOND_INK_PX = 2
# Skew below this is left to tesseract on the gray recipe (it follows slightly sloping lines,
# and rotating a gray page costs ~0.2 s and blurs it once more).
GRAY_DESKEW_MIN_DEG = 1.0
# A pixel is seal-red (signature-blue) when its red (blue) channel exceeds both others by this
# much (a red seal ≈ 150, blue ballpoint ≈ 100; gray print, blue-black toner and yellowed
# paper < 40), and it is lightened from _CHROMA_FROM on.
_CHROMA = 70
_CHROMA_FROM = 40
# Coloured ink is taken out only when at least this share of the ink is black print …
_MIN_BLACK_PRINT = 0.15
# … and blue only while it is at most this share of all ink (a signature or two).
_MAX_BLUE_SHARE = 0.10


@dataclass(frozen=True)
class SpeckClouds:
    """Where a page's isolated specks crowd (đám bụi): one bool per `tile`×`tile` px square."""

    tiles: np.ndarray = field(compare=False)
    tile: int

    def share(self, left: int, top: int, width: int, height: int) -> float:
        """Share of a box (page pixels) that lies in a cloud."""
        if width <= 0 or height <= 0:
            return 0.0
        t = self.tile
        ys = np.clip(np.arange(top, top + height) // t, 0, self.tiles.shape[0] - 1)
        xs = np.clip(np.arange(left, left + width) // t, 0, self.tiles.shape[1] - 1)
        return float(self.tiles[np.ix_(ys, xs)].mean())


@dataclass(frozen=True)
class PageQuality:
    """What was measured on one page: dust, levels, colour — and the recipe they give."""

    specks_per_mp: float    # isolated ink specks (≤ 3×3 px, blank ring) per megapixel
    paper: int              # gray level of the paper (90th percentile)
    ink: int                # gray level of the ink (median of the pixels at or below Otsu's threshold)
    coloured_share: float   # share of dark-or-saturated pixels that are coloured ink (seal, signature)
    recipe: Recipe
    dense: bool = False     # dust so dense it touches strokes: the 5×5 ring filter asks only a 1 px ring
    clouds: SpeckClouds | None = field(default=None, compare=False, repr=False)  # recipe "clean", not dense
    # a clouded 1-bit page's second rendering for tesseract (SECOND_READING), turned as the page was
    second_reading: Image.Image | None = field(default=None, compare=False, repr=False)


def gray_without_colour(img: Image.Image) -> tuple[Image.Image, float]:
    """The page in gray with seal-red and signature-blue ink turned to paper; the coloured share.

    A red seal (con dấu) in luminance is as dark as print (≈ 80), so tesseract reads its rings
    as letters; a blue signature scribbled across lines, likewise. Both go when there is black
    print for them to sit on. Red always then: seals are red (Nghị định 30/2020/NĐ-CP, Phụ lục I
    on seals over signatures), never the text. Blue only while it is a small share of the ink
    (a signature, not values filled in with a blue pen); a page written all in one colour keeps it.
    """
    if img.mode not in ("RGB", "RGBA", "P", "CMYK"):
        return (img if img.mode == "L" else to_grayscale(img)), 0.0
    rgb = img.convert("RGB")
    gray = rgb.convert("L")
    # PIL's C channel operations: ~0.1 s for an A4 page at 300 dpi (numpy takes ~0.5 s)
    r, g, b = rgb.split()
    redness = ImageChops.subtract(r, ImageChops.lighter(g, b))
    blueness = ImageChops.subtract(b, ImageChops.lighter(r, g))
    hard = [255 if v >= _CHROMA else 0 for v in range(256)]
    red, blue = redness.point(hard), blueness.point(hard)
    dark = gray.point([255 if v < 160 else 0 for v in range(256)])
    coloured = ImageChops.lighter(red, blue)
    ink_total = ImageChops.lighter(coloured, dark).histogram()[255]
    if not ink_total:
        return gray, 0.0
    red_n, blue_n = red.histogram()[255], blue.histogram()[255]
    share = (red_n + blue_n) / ink_total
    black_print = ImageChops.subtract(dark, coloured).histogram()[255] / ink_total
    if black_print < _MIN_BLACK_PRINT:
        return gray, share
    # coloured pixels become paper by how coloured they are: a stroke's anti-aliased rim is
    # less saturated than its core, and a hard cut would leave the rim as a gray ghost;
    # blue-black print (blueness ≈ 30) and JPEG colour noise stay below the ramp
    ramp = [max(0, min(255, (v - _CHROMA_FROM) * 255 // (_CHROMA - _CHROMA_FROM))) for v in range(256)]
    mask = redness.point(ramp) if red_n else None
    if blue_n and blue_n / ink_total <= _MAX_BLUE_SHARE:
        mask = blueness.point(ramp) if mask is None else ImageChops.lighter(mask, blueness.point(ramp))
    if mask is None:
        return gray, share
    return Image.composite(Image.new("L", gray.size, 255), gray, mask), share


# The largest speck (ink px within 3×3, blank ring round it) a page's dust is counted by.
MEASURED_SPECK_AREA = 6


def measured_speck_area(dpi: float) -> int:
    """The largest speck counted as dust for the page's recipe: MEASURED_SPECK_AREA down to 200 dpi,
    below that by area — smaller than the smallest dot below (dấu nặng) at the scan's resolution
    (9 px at 200 dpi, ~5 at 150, where the 6 px bound counted a clean page's dots below as 81
    specks/MP, the page was cleaned as dusty and lost them: 1.63 % CER against raw tesseract's
    0.06 %). Whether dust is dense is still counted at 6 px: at 150 dpi dust grains and dots below
    are alike, and a clouded page measured so read better than with the smaller bound."""
    return max(2, round(MEASURED_SPECK_AREA * min(1.0, (dpi / 200) ** 2)))


def _measure(gray: Image.Image, coloured_share: float,
             dpi: float = 300) -> tuple[PageQuality, np.ndarray, np.ndarray]:
    arr = np.asarray(gray)
    hist = gray.histogram()
    threshold = otsu_from_histogram(hist)
    ink = arr <= threshold
    all_specks = speck_mask(ink, max_px=3, max_area=MEASURED_SPECK_AREA, clearance_px=2)
    area = measured_speck_area(dpi)
    specks = all_specks if area == MEASURED_SPECK_AREA else speck_mask(ink, max_px=3, max_area=area, clearance_px=2)
    megapixels = arr.size / 1e6
    # grains, not pixels: a grain is 1–6 px, call it 3
    per_mp = float(specks.sum()) / 3 / megapixels if megapixels else 0.0
    all_per_mp = float(all_specks.sum()) / 3 / megapixels if megapixels else 0.0
    cum = np.cumsum(hist)
    paper = int(np.searchsorted(cum, 0.9 * cum[-1]))
    ink_count = cum[threshold]
    ink_level = int(np.searchsorted(cum, ink_count / 2)) if ink_count else threshold
    quality = PageQuality(specks_per_mp=round(per_mp, 1), paper=paper, ink=ink_level,
                          coloured_share=round(coloured_share, 3),
                          recipe="clean" if per_mp >= DUSTY_SPECKS_PER_MP else "gray",
                          dense=all_per_mp >= DENSE_SPECKS_PER_MP)
    return quality, ink, specks


def measure(gray: Image.Image, *, coloured_share: float = 0.0, dpi: float = 300) -> PageQuality:
    """Dust density and levels of a gray page, and the recipe they give."""
    return _measure(gray, coloured_share, dpi)[0]


def speck_passes(quality: PageQuality, options: PreprocessOptions, dpi: float = 300) -> list[tuple[int, int, int]]:
    """The ring filters (window px, max ink px, blank ring px) a page's dust calls for, in order.

    Every dusty page gets the isolated-grain pass and a second one for grains that touch each
    other (two or three in a 5×5 window); both run twice, since clearing one grain can leave its
    neighbour with a blank ring. On dense dust a grain rarely has a 2 px blank ring, so the
    second pass asks for 1 px: on such pages it took dense-speckle CER from 2.6 % to 0.7 %
    (bench.ocr_kinds). The areas shrink with the scan's resolution, linearly: at 12 pt a dot
    below (dấu nặng) has 16–28 ink px at 300 dpi and 9–14 at 200, and the 300-dpi bound of 12
    erased most of them at 200 dpi; by area (× 0.44) it left the dust.
    """
    scale = min(1.0, dpi / 300)
    first = (options.max_speck_px, max(2, round(options.max_speck_area * scale)), options.speck_clearance_px)
    second = (5, max(3, round(12 * scale)), 1 if quality.dense else 2)
    return [first, second, first, second]


def prepare(img: Image.Image, options: PreprocessOptions = PreprocessOptions(),
            dpi: float = 300) -> tuple[Image.Image, float, PageQuality]:
    """The page as tesseract should see it, the deskew angle applied, and what was measured."""
    gray, share = gray_without_colour(img)
    gray = without_scanner_streaks(evened_lighting(gray, dpi), dpi)
    quality, ink, specks = _measure(gray, share, dpi)
    if quality.recipe == "gray" or not options.binarise:
        if options.denoise:
            # the few isolated grains of a clean scan still read as `.` `,` `'`: taken out of the ink
            # (the ring filter never takes a mark for one, tests/unit/test_preprocess_specks.py), they
            # lie ≥ 3 px from what is left, so paper_beyond_ink paints them with the rest
            ink = ink & ~specks
            gray = Image.fromarray(paper_beyond_ink(np.asarray(gray), ink))
        return (*_deskewed(gray, ink, options, GRAY_DESKEW_MIN_DEG), quality)
    arr = np.asarray(gray)
    threshold = min(254, otsu_from_histogram(gray.histogram()) + options.ink_bias)
    ink = arr <= threshold
    clouded = False
    if options.denoise:
        passes = speck_passes(quality, options, dpi)
        for max_px, max_area, clearance in passes:
            ink &= ~speck_mask(ink, max_px=max_px, max_area=max_area, clearance_px=clearance)
        if not quality.dense:  # dust all over is no cloud: the 1 px ring filter is its measure
            quality = replace(quality, clouds=speck_clouds(specks, dpi))
            clouded = dpi >= CLOUD_MIN_DPI and bool(quality.clouds.tiles.any())
            if clouded:
                ink = clear_clouds(ink, arr, quality.clouds, quality.ink, passes[:2])
    if quality.paper < GRAY_PAPER_BELOW:
        # gray paper: tesseract reads the gray page, with what our filters took for dust painted out
        painted = paper_beyond_ink(arr, ink) if options.denoise else arr.copy()
        painted[(arr <= threshold) & ~ink] = 255
        return (*_deskewed(Image.fromarray(painted), ink, options, GRAY_DESKEW_MIN_DEG), quality)
    page, angle = _deskewed(bitmap_from_ink(ink), ink, options, 0.0)
    if SECOND_READING and clouded:
        strokes = Image.fromarray(np.where(dilate_cross(ink, 1), arr, 255).astype(np.uint8))
        quality = replace(quality, second_reading=rotate_page(strokes, angle) if angle else strokes)
    return page, angle, quality


def paper_beyond_ink(gray: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """A copy of the gray page with every pixel farther than PAPER_BEYOND_INK_PX from `ink` made paper."""
    out = gray.copy()
    out[~dilate_cross(ink, PAPER_BEYOND_INK_PX)] = 255
    return out


def without_scanner_streaks(gray: Image.Image, dpi: float = 300) -> Image.Image:
    """The page with the vertical lines a dirty document feeder draws taken out (ingest.streaks)."""
    arr = np.asarray(gray)
    # the paper level (90th percentile) from a sixteenth of the pixels: PIL's histogram of the whole
    # page costs ~9 ms, as much as the rest of the search
    cum = np.cumsum(np.bincount(arr[::4, ::4].ravel(), minlength=256))
    found = find_streaks(arr, paper=int(np.searchsorted(cum, 0.9 * cum[-1])), dpi=dpi)
    return Image.fromarray(without_streaks(arr, found)) if found else gray


def _deskewed(page: Image.Image, ink: np.ndarray, options: PreprocessOptions,
              min_deg: float) -> tuple[Image.Image, float]:
    """The page turned level by its ink, and the angle turned (0 when it was left as it was).

    A gray page is left alone below ``min_deg``: tesseract finds slightly skewed lines itself, and
    turning a gray page blurs it; a 1-bit page is always levelled (``min_deg`` 0)."""
    if not options.deskew:
        return page, 0.0
    angle = skew_of_ink(ink, max_deg=options.max_skew_deg)
    if abs(angle) < min_deg:
        return page, 0.0
    rotated = rotate_page(page, angle)
    return rotated, (angle if rotated is not page else 0.0)


def speck_clouds(specks: np.ndarray, dpi: float = 300) -> SpeckClouds:
    """Where a page's isolated specks crowd into clouds (đám bụi), and one 4 mm square round them."""
    scale = dpi / 300
    tile = max(8, round(CLOUD_TILE_MM / 25.4 * dpi))
    min_count = max(3, round(CLOUD_MIN_SPECK_PX * scale * scale))
    return SpeckClouds(tiles=crowded_tiles(specks, tile=tile, min_count=min_count, grow=1), tile=tile)


def clear_clouds(ink: np.ndarray, gray: np.ndarray, clouds: SpeckClouds, ink_level: int,
                 passes: list[tuple[int, int, int]]) -> np.ndarray:
    """`ink` with the grains of speck clouds taken out (CLOUD_INK_MARGIN says how and why).

    Outside the clouds nothing changes. Inside, only ink nearly as dark as the page's print is
    kept, grown back by a pixel into the ordinary ink mask, and the ring filters run again (each
    once: a second round changed nothing on the bench pages) — box by box round the clouds, a
    few numpy passes over a tenth of the page rather than the whole.
    """
    tiles, tile = clouds.tiles, clouds.tile
    out = ink
    margin = 8  # the ring filters see a little past a box's edge
    height, width = ink.shape
    for r0, r1, c0, c1 in tile_boxes(tiles):
        y0, y1 = r0 * tile, min(height, r1 * tile)
        x0, x1 = c0 * tile, min(width, c1 * tile)
        py0, py1, px0, px1 = max(0, y0 - margin), min(height, y1 + margin), max(0, x0 - margin), min(width, x1 + margin)
        cloud = np.zeros((py1 - py0, px1 - px0), dtype=bool)
        cloud[y0 - py0:y1 - py0, x0 - px0:x1 - px0] = np.repeat(np.repeat(tiles[r0:r1, c0:c1], tile, axis=0),
                                                                tile, axis=1)[:y1 - y0, :x1 - x0]
        box = ink[py0:py1, px0:px1]
        dark = box & (gray[py0:py1, px0:px1] <= ink_level + CLOUD_INK_MARGIN)
        kept = box & (dilate_cross(dark, 1) | ~cloud)
        for max_px, max_area, clearance in passes:
            kept &= ~(speck_mask(kept, max_px=max_px, max_area=max_area, clearance_px=clearance) & cloud)
        if out is ink:
            out = ink.copy()
        out[py0:py1, px0:px1] = kept
    return out


__all__ = ["DENSE_SPECKS_PER_MP", "DUSTY_SPECKS_PER_MP", "PageQuality", "SpeckClouds", "clear_clouds", "gray_without_colour",
           "measure", "prepare", "speck_clouds", "speck_passes"]
