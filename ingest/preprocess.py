"""Prepare a scanned page (trang quét) for OCR: grayscale, drop dust specks, deskew, binarise.

Each step is a pure function on a PIL image or a numpy ink mask, so what it buys can be
measured on its own (CER and CPU seconds; bench/ocr times the whole stage against raw
tesseract).

Budget: tesseract itself takes ~2 CPU-s per A4 page at 300 dpi, and the whole pipeline
must stay within ~10 % of that, so every step here is a few numpy passes over the page
(tens of milliseconds), never a per-pixel rank filter (a 3×3 median costs ~0.3 s).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter


@dataclass(frozen=True)
class PreprocessOptions:
    denoise: bool = True   # remove tiny isolated specks (bụi) that tesseract reads as . , ' -
    deskew: bool = True
    binarise: bool = True  # hand tesseract a 1-bit page: no second thresholding, smaller file
    max_skew_deg: float = 5.0
    # Gray levels above Otsu's threshold still counted as ink. The hook above (dấu hỏi) is
    # a hairline that anti-aliasing leaves mid-gray, and at Otsu's threshold it breaks and
    # reads as an acute: phổ → phố, đổi → đối, kể → kế (8 such errors in 10 clean pages,
    # 1 with +10; degraded pages unchanged, +15 starts merging blurred glyphs).
    ink_bias: int = 10
    # A speck (at 300 dpi) fits in 3×3 px and has ≤ 6 ink pixels: a 2×2 dust grain that
    # JPEG has smeared by a pixel or two. The smallest marks that must survive — the dot
    # below (dấu nặng: ạ ị ọ), the dot of i, a full stop — have ≥ 7 ink pixels from 8 pt
    # up (≥ 16 at 11–13 pt), and the 2 px blank ring keeps the thin tip of a hook above
    # (dấu hỏi) that thresholding cuts off at 8 pt. Below 8 pt dots become dust-sized.
    # tests/unit/test_preprocess_specks.py checks every Vietnamese mark in four fonts.
    max_speck_px: int = 3
    max_speck_area: int = 6
    speck_clearance_px: int = 2
    # Measure each page first and choose its recipe (ingest.page_quality): a clean page goes to
    # tesseract gray, a dusty one is binarised and cleared of specks. False: this fixed recipe.
    adaptive: bool = True


def to_grayscale(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, "white")
        img = Image.alpha_composite(background, img)
    return img.convert("L")


# Light that falls off across the page — a phone photo, a book's gutter, a hand's shadow — takes the
# paper from ~240 on one side to ~130 on the other, and no single threshold (ours or tesseract's)
# then separates ink from paper: text in the dim part comes out black or not at all. The paper's own
# brightness is estimated at 1/8 scale, as the brightest pixel within ~4.7 mm (no letter is that
# wide, so each window holds paper), and the page is evened when that varies by at least this much
# between the 5th and the 98th percentile. Scanned pages measure 1–10, photocopies 16–49, yellowed
# paper 31–36. On 24 pages lit unevenly (spreads 20–103; scratch pages, not bench.degrade) raw
# tesseract read 9.9 % and 1.0 % CER on two sets of twelve, the pipeline without evening 10.1 % and
# 0.62 %, with it 0.11 % on both; it helped from a spread of 42 (0.78 → 0.26 %). Below 40 evening
# changed only tesseract's noise (yellowed paper, 9 pages: 0.12 → 0.15 %; photocopies equal in
# sum), so it is left out there. The spread is taken from the 5th percentile, not the 2nd: a photo on
# the page (a Mẫu 2C's 4 × 6 cm, ~4 % of A4) is no paper, and measured from the 2nd (spreads 68–89)
# the page was evened and the photo turned into blobs tesseract read as text ("rẻ *x> 4đèG"; 3
# pages 2.77 % CER, raw 2.51 %); from the 5th a photo measures 1, lit-unevenly pages 41–103, and of
# 41 bench pages only three moved, by 1–3, none across 40.
UNEVEN_PAPER_MIN_SPREAD = 40
UNEVEN_PAPER_LOW_PERCENTILE = 5


def _sliding_max(a: np.ndarray, size: int) -> np.ndarray:
    """The maximum over a size × size window round each pixel (edges repeated): two 1-d passes.
    PIL's MaxFilter gives the same (tests/unit/test_uneven_light.py) but as a rank filter, ~30 ms
    on an A4 page's 1/8 scale against ~0.2 ms here, and this runs on every page."""
    r = size // 2
    rows = np.pad(a, ((r, r), (0, 0)), mode="edge")
    a = np.maximum.reduce([rows[k:k + a.shape[0]] for k in range(size)])
    columns = np.pad(a, ((0, 0), (r, r)), mode="edge")
    return np.maximum.reduce([columns[:, k:k + a.shape[1]] for k in range(size)])


def evened_lighting(gray: Image.Image, dpi: float = 300) -> Image.Image:
    """The page with its paper brought to one level (nền giấy đều): each pixel divided by the paper's
    brightness round it and multiplied by the page's paper level (its 90th percentile), so ink stays
    as dark against the paper as it was; the page itself when its paper is even enough
    (UNEVEN_PAPER_MIN_SPREAD). A few milliseconds to measure, ~0.1 s to even an A4 page at 300 dpi."""
    scale = max(2, round(8 * dpi / 300))
    if min(gray.size) < scale * 16:
        return gray
    small = gray.reduce(scale)
    paper = Image.fromarray(_sliding_max(np.asarray(small), 7)).filter(ImageFilter.GaussianBlur(2))
    levels = np.asarray(paper)
    low, level, high = np.percentile(levels, [UNEVEN_PAPER_LOW_PERCENTILE, 90, 98])
    if high - low < UNEVEN_PAPER_MIN_SPREAD:
        return gray
    around = np.asarray(paper.resize(gray.size, Image.BILINEAR), dtype=np.uint16)
    evened = np.asarray(gray, dtype=np.uint16) * int(level) // np.maximum(around, 1)
    return Image.fromarray(np.minimum(evened, 255).astype(np.uint8))


def otsu_from_histogram(hist: Sequence[int]) -> int:
    """Otsu's threshold from a 256-bin gray histogram: values ≤ it are ink."""
    counts = np.asarray(hist[:256], dtype=np.float64)
    total = counts.sum()
    if total == 0:
        return 127
    cum = np.cumsum(counts)
    cum_mean = np.cumsum(counts * np.arange(256))
    mean_all = cum_mean[-1] / total
    w0 = cum / total
    w1 = 1.0 - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_all * w0 - cum_mean / total) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = 0
    return int(np.argmax(between))


def otsu_threshold(gray: np.ndarray) -> int:
    return otsu_from_histogram(np.bincount(gray.ravel(), minlength=256))


def _window_sums(padded: np.ndarray, pad: int, sizes: tuple[int, ...]) -> list[np.ndarray]:
    """Sums of a 0/1 uint8 array over size×size windows centred on each pixel, one per size.

    `padded` is the array with `pad` zeros on every side (pad ≥ largest size // 2); sizes
    are odd, increasing, ≤ 15 so sums fit uint8. Separable shifted adds, the vertical sum
    of each size grown from the previous one: ~2 ms per add on an A4 page at 300 dpi, so
    the 3×3 and 7×7 sums of a page take ~30 ms (an integral image takes ~150 ms).
    """
    height, width = padded.shape[0] - 2 * pad, padded.shape[1] - 2 * pad
    out: list[np.ndarray] = []
    vertical: np.ndarray | None = None
    summed = 0  # the vertical sums cover rows centre - summed … centre + summed
    for size in sizes:
        r = size // 2
        if vertical is None:
            vertical = padded[pad - r:pad - r + height].copy()
            new_rows = [*range(pad - r + 1, pad + r + 1)]
        else:
            new_rows = [*range(pad - r, pad - summed), *range(pad + summed + 1, pad + r + 1)]
        for i in new_rows:
            vertical += padded[i:i + height]
        summed = r
        horizontal = vertical[:, pad - r:pad - r + width].copy()
        for j in range(pad - r + 1, pad + r + 1):
            horizontal += vertical[:, j:j + width]
        out.append(horizontal)
    return out


def speck_mask(ink: np.ndarray, *, max_px: int = 3, max_area: int = 6, clearance_px: int = 2) -> np.ndarray:
    """Ink pixels of specks: ≤ max_area pixels within max_px×max_px, with a blank ring round them.

    A max_px×max_px window whose ink count equals that of the window grown by
    `clearance_px` on every side holds ink that touches nothing else (any 8-connected path
    out of it would cross the ring), so clearing it never bites into a larger glyph, and
    marks with more than `max_area` pixels (diacritics, full stops) are never cleared.
    This is a connected-component filter restricted to tiny components, done with window
    sums in numpy (~40 ms a page) instead of labelling every component.
    """
    if max_px % 2 == 0 or max_px + 2 * clearance_px > 15:
        raise ValueError("max_px must be odd and max_px + 2 × clearance_px at most 15")
    r = max_px // 2
    pad = r + clearance_px
    inner, outer = _window_sums(np.pad(ink.view(np.uint8), pad), pad, (max_px, max_px + 2 * clearance_px))
    centres = (inner == outer) & (inner > 0) & (inner <= max_area)
    # np.nonzero over a whole page costs ~25 ms; over the few rows holding a centre, ~1 ms
    rows = np.flatnonzero(centres.any(axis=1))
    row_index, xs = np.nonzero(centres[rows])
    ys = rows[row_index]
    # the specks are every ink pixel of the windows round those centres: few, so index them
    specks = np.zeros((ink.shape[0] + 2 * r, ink.shape[1] + 2 * r), dtype=bool)
    for dy in range(max_px):
        for dx in range(max_px):
            specks[ys + dy, xs + dx] = True
    return specks[r:r + ink.shape[0], r:r + ink.shape[1]] & ink


def dilate_cross(mask: np.ndarray, steps: int = 1) -> np.ndarray:
    """`mask` grown by `steps` pixels up, down, left and right (a diamond), four shifted ORs a step."""
    out = mask.copy()
    for _ in range(steps):
        grown = out.copy()
        grown[1:] |= out[:-1]
        grown[:-1] |= out[1:]
        grown[:, 1:] |= out[:, :-1]
        grown[:, :-1] |= out[:, 1:]
        out = grown
    return out


def crowded_tiles(marks: np.ndarray, *, tile: int, min_count: int, grow: int = 1) -> np.ndarray:
    """Which tile×tile squares of a page hold at least `min_count` marked pixels, with `grow`
    rings of squares round them: where something (specks) crowds, one bool per square."""
    height, width = marks.shape
    rows, cols = -(-height // tile), -(-width // tile)
    padded = np.zeros((rows * tile, cols * tile), dtype=bool)
    padded[:height, :width] = marks
    crowded = padded.reshape(rows, tile, cols, tile).sum(axis=(1, 3)) >= min_count
    return dilate_cross(crowded, grow) if grow else crowded


def true_runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in a 1-d bool array."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.view(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def tile_boxes(tiles: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (row0, row1, col0, col1, in squares) that cover the True squares of `tiles`: each
    band of consecutive rows holding one, cut into its runs of columns holding one."""
    boxes = []
    for r0, r1 in true_runs(tiles.any(axis=1)):
        boxes.extend((r0, r1, c0, c1) for c0, c1 in true_runs(tiles[r0:r1].any(axis=0)))
    return boxes


def remove_specks(gray: Image.Image, threshold: int | None = None, *, max_px: int = 3, max_area: int = 6,
                  clearance_px: int = 2) -> Image.Image:
    """The page with dust specks painted white (paper); `threshold` as from Otsu (≤ is ink)."""
    arr = np.asarray(gray)
    t = otsu_from_histogram(gray.histogram()) if threshold is None else threshold
    specks = speck_mask(arr <= t, max_px=max_px, max_area=max_area, clearance_px=clearance_px)
    if not specks.any():
        return gray
    out = arr.copy()
    out[specks] = 255
    return Image.fromarray(out)


def _skew_of_ink(ink: np.ndarray, *, max_deg: float) -> float:
    """Angle (degrees, counter-clockwise as PIL's rotate) that makes text lines horizontal.

    Maximises the energy of the horizontal projection profile, computed from the ink
    pixels' coordinates rather than by rotating an image for each candidate angle.
    """
    # ~900 samples along the long side (every 4th pixel at 300 dpi) still cut every text
    # line several times, and make the 32 candidate angles cost ~10 ms in all
    step = max(1, round(max(ink.shape) / 900))
    ys, xs = np.nonzero(ink[::step, ::step])
    if ys.size < 50:
        return 0.0
    ys = ys.astype(np.float32)
    xs = xs.astype(np.float32) - xs.mean()

    def score(angle: float) -> float:
        rad = np.deg2rad(angle)
        # y after PIL's rotate(angle) about the page centre (y grows downwards)
        rows = np.rint(ys * np.cos(rad) - xs * np.sin(rad)).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        return float(np.dot(counts, counts))

    best = max(np.arange(-max_deg, max_deg + 0.01, 0.5), key=score)
    fine = max(np.arange(best - 0.5, best + 0.51, 0.1), key=score)
    return round(float(fine), 2)


def skew_of_ink(ink: np.ndarray, *, max_deg: float = 5.0) -> float:
    """The deskew angle of an ink mask (see `estimate_skew`)."""
    return _skew_of_ink(ink, max_deg=max_deg)


def estimate_skew(gray: Image.Image, *, max_deg: float = 5.0) -> float:
    """Skew angle in degrees: rotating the page by it (PIL, counter-clockwise) straightens it."""
    arr = np.asarray(gray)
    return _skew_of_ink(arr <= otsu_from_histogram(gray.histogram()), max_deg=max_deg)


def deskew(gray: Image.Image, *, max_deg: float = 5.0) -> Image.Image:
    return rotate_page(gray, estimate_skew(gray, max_deg=max_deg))


def rotate_page(img: Image.Image, angle: float) -> Image.Image:
    """Rotate by `angle` (counter-clockwise), page grown to keep the corners, paper-white fill."""
    if abs(angle) < 0.2:
        return img
    # nearest on a 1-bit page: ~0.03 s, and on these scans no worse for tesseract than
    # rotating the gray page bilinearly (0.15–0.27 s) and thresholding again
    resample = Image.NEAREST if img.mode == "1" else Image.BILINEAR
    return img.rotate(angle, resample=resample, expand=True, fillcolor=255)


def bitmap_from_ink(ink: np.ndarray) -> Image.Image:
    """A 1-bit page (mode "1", paper = 1) from an ink mask."""
    height, width = ink.shape
    return Image.frombytes("1", (width, height), np.packbits(~ink, axis=1).tobytes())


def binarise(gray: Image.Image, threshold: int | None = None) -> Image.Image:
    """Black-and-white (mode "1") at Otsu's threshold unless one is given."""
    t = otsu_from_histogram(gray.histogram()) if threshold is None else threshold
    lut = [0 if v <= t else 255 for v in range(256)]
    return gray.point(lut, "1")


def preprocess(img: Image.Image, options: PreprocessOptions = PreprocessOptions()) -> Image.Image:
    """The page as tesseract should see it: 1-bit (or gray with `binarise=False`)."""
    return preprocess_with_angle(img, options)[0]


def preprocess_with_angle(img: Image.Image, options: PreprocessOptions = PreprocessOptions()) -> tuple[Image.Image, float]:
    """`preprocess` and the deskew angle it applied (0 when it did not rotate): the archival
    copy maps OCR word boxes from the deskewed page back onto the scan with it."""
    gray = to_grayscale(img)
    threshold = min(254, otsu_from_histogram(gray.histogram()) + options.ink_bias)
    if not options.binarise:
        if options.denoise:
            gray = remove_specks(gray, threshold, max_px=options.max_speck_px, max_area=options.max_speck_area,
                                 clearance_px=options.speck_clearance_px)
        if not options.deskew:
            return gray, 0.0
        angle = estimate_skew(gray, max_deg=options.max_skew_deg)
        page = gray
    else:
        # one ink mask serves speck removal, skew estimate and the 1-bit page
        ink = np.asarray(gray) <= threshold
        if options.denoise:
            ink &= ~speck_mask(ink, max_px=options.max_speck_px, max_area=options.max_speck_area,
                               clearance_px=options.speck_clearance_px)
        page = bitmap_from_ink(ink)
        if not options.deskew:
            return page, 0.0
        angle = _skew_of_ink(ink, max_deg=options.max_skew_deg)
    rotated = rotate_page(page, angle)
    return rotated, (angle if rotated is not page else 0.0)
