"""Degradations real offices produce on scans (hư hại ảnh quét), one function per kind, seeded.

Every kind takes a clean gray page (white paper, black ink) and a numpy Generator and returns a
scan-like image: gray ("L") or colour ("RGB") as a scanner would write it, at the same size
(so the ground truth is the clean page's). None of it is tuned to the OCR pipeline: the
parameters are what the kinds look like on real dossiers (a 6 mm punched hole, a 30 mm stamp,
a 1–3 px dust grain at 300 dpi), scaled by the page's DPI.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

Kind = Callable[[Image.Image, np.random.Generator, int], Image.Image]


def _mm(dpi: int, mm: float) -> int:
    return max(1, round(mm / 25.4 * dpi))


def scan_finish(img: Image.Image, rng: np.random.Generator, *, blur: float = 0.5, quality: int = 85,
                skew_deg: float | None = None) -> Image.Image:
    """What every scanner adds: a small skew, optics blur, sensor grain, JPEG."""
    skew = float(rng.uniform(-1.0, 1.0)) if skew_deg is None else skew_deg
    fill = 255 if img.mode == "L" else (255, 255, 255)
    out = img.rotate(skew, resample=Image.Resampling.BILINEAR, fillcolor=fill) if abs(skew) > 0.05 else img
    if blur > 0:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(out, dtype=np.int16)
    arr = np.clip(arr + rng.normal(0, 3, arr.shape).astype(np.int16), 0, 255).astype(np.uint8)
    out = Image.fromarray(arr, out.mode)
    buf = io.BytesIO()
    out.save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    with Image.open(buf) as jpeg:
        return jpeg.convert(out.mode)


def _specks(arr: np.ndarray, rng: np.random.Generator, ys: np.ndarray, xs: np.ndarray, max_side: int) -> None:
    """Dark grains of 1…max_side px (square-ish, random shade) at (ys, xs), in place."""
    h, w = arr.shape
    sides = rng.integers(1, max_side + 1, size=ys.size)
    shades = rng.integers(0, 110, size=ys.size).astype(np.uint8)
    for side in range(1, max_side + 1):
        pick = sides == side
        for oy in range(side):
            for ox in range(side):
                if side > 2 and (oy, ox) in ((0, 0), (side - 1, side - 1)):
                    continue  # round the corners of the bigger grains
                arr[np.clip(ys[pick] + oy, 0, h - 1), np.clip(xs[pick] + ox, 0, w - 1)] = shades[pick]


def clean(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    return scan_finish(img, rng)


def _salt(img: Image.Image, rng: np.random.Generator, dpi: int, fraction: float) -> Image.Image:
    arr = np.asarray(img).copy()
    n = int(arr.size * fraction)
    _specks(arr, rng, rng.integers(0, arr.shape[0], n), rng.integers(0, arr.shape[1], n), max(1, round(3 * dpi / 300)))
    return scan_finish(Image.fromarray(arr), rng, blur=0.4)


def speckle_dense(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """Salt noise all over the page: ~0.1 % of pixels start a 1–3 px grain (~9,000 on A4), some
    touching each other or the strokes — raw tesseract reads such pages at a few % CER."""
    return _salt(img, rng, dpi, 0.001)


def speckle_extreme(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """A stress case beyond what offices send: 0.25 % of pixels (~22,000 grains on A4), raw
    tesseract ≈ 25 % CER. Reported, not held to the noise target."""
    return _salt(img, rng, dpi, 0.0025)


def speckle_clustered(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """Toner spatter: a dozen clouds of grains, dense in the middle, some over text."""
    arr = np.asarray(img).copy()
    h, w = arr.shape
    for _ in range(12):
        cy, cx = rng.integers(0, h), rng.integers(0, w)
        radius = _mm(dpi, float(rng.uniform(5, 20)))
        speck_cloud(arr, rng, int(cy), int(cx), radius, int(rng.integers(300, 1500)), dpi)
    return scan_finish(Image.fromarray(arr), rng, blur=0.4)


def speck_cloud(arr: np.ndarray, rng: np.random.Generator, cy: int, cx: int, radius: int, grains: int, dpi: int) -> None:
    """One toner cloud in place: `grains` 1–3 px grains (at 300 dpi) round (cy, cx), normally
    spread with σ = radius / 2, so dense in the middle and sparse at the rim."""
    h, w = arr.shape
    r = np.abs(rng.normal(0, radius / 2, grains))
    a = rng.uniform(0, 2 * math.pi, grains)
    ys = np.clip((cy + r * np.sin(a)).astype(int), 0, h - 1)
    xs = np.clip((cx + r * np.cos(a)).astype(int), 0, w - 1)
    _specks(arr, rng, ys, xs, max(1, round(3 * dpi / 300)))


def specks_touching(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """Grains stuck to the strokes: each starts on a pixel next to ink, so it joins a glyph."""
    arr = np.asarray(img).copy()
    ink = arr < 128
    edge = np.zeros_like(ink)
    edge[1:-1, 1:-1] = ~ink[1:-1, 1:-1] & (ink[:-2, 1:-1] | ink[2:, 1:-1] | ink[1:-1, :-2] | ink[1:-1, 2:])
    ys, xs = np.nonzero(edge)
    pick = rng.choice(ys.size, size=min(ys.size, int(ys.size * 0.01)), replace=False)
    _specks(arr, rng, ys[pick], xs[pick], max(1, round(2 * dpi / 300)))
    # and a lighter sprinkle of free grains, as on any such page
    n = int(arr.size * 0.0005)
    _specks(arr, rng, rng.integers(0, arr.shape[0], n), rng.integers(0, arr.shape[1], n), 2)
    return scan_finish(Image.fromarray(arr), rng, blur=0.4)


def photocopy(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """A copy of a copy: strokes thickened, grey uneven background, toner grains, streaks."""
    out = img.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.GaussianBlur(1.0))
    arr = np.asarray(out, dtype=np.float32)
    h, w = arr.shape
    background = 200 + 18 * np.sin(np.linspace(0, rng.uniform(2, 5), w))[None, :] + rng.normal(0, 6, (h, w))
    arr = np.where(arr > 128, np.minimum(arr, background), arr * 0.35 + 10)
    arr[:, rng.integers(0, w, 3)] -= 40  # drum streaks
    page = np.clip(arr, 0, 255).astype(np.uint8)
    n = int(page.size * 0.0008)
    _specks(page, rng, rng.integers(0, h, n), rng.integers(0, w, n), 2)
    return scan_finish(Image.fromarray(page), rng, blur=0.6, quality=75)


def faded(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """An old ribbon or low toner: ink at ~60 % gray, paper slightly dark, strokes thin."""
    thin = img.filter(ImageFilter.GaussianBlur(0.8))
    arr = np.asarray(thin, dtype=np.float32) / 255
    ink_level = float(rng.uniform(140, 165))
    paper = float(rng.uniform(225, 240))
    return scan_finish(Image.fromarray((ink_level + arr * (paper - ink_level)).astype(np.uint8)), rng, blur=0.6)


def _tint(img: Image.Image, paper: tuple[int, int, int], ink: tuple[int, int, int]) -> np.ndarray:
    """The gray page coloured: white → paper, black → ink, as an RGB float array."""
    a = np.asarray(img, dtype=np.float32)[..., None] / 255
    return np.asarray(ink, np.float32) + a * (np.asarray(paper, np.float32) - np.asarray(ink, np.float32))


def yellowed(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """Old paper: yellow-brown, darker toward the edges, with foxing spots; a colour scan."""
    rgb = _tint(img, (236, 220, 172), (40, 32, 25))
    h, w = img.height, img.width
    # darker toward the edges: computed on a small grid and scaled up (a full-size grid is slow)
    yy, xx = np.mgrid[0:64, 0:64].astype(np.float32) / 63
    edge = np.clip(np.minimum(np.minimum(yy, 1 - yy), np.minimum(xx, 1 - xx)) / 0.15, 0, 1)
    shade = np.asarray(Image.fromarray((edge * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BILINEAR),
                       dtype=np.float32) / 255
    rgb *= (0.85 + 0.15 * shade)[..., None]
    for _ in range(15):  # foxing: soft brown spots, each drawn in its own window
        cy, cx, r = int(rng.integers(0, h)), int(rng.integers(0, w)), _mm(dpi, float(rng.uniform(1, 4)))
        y0, y1, x0, x1 = max(0, cy - 3 * r), min(h, cy + 3 * r), max(0, cx - 3 * r), min(w, cx + 3 * r)
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        spot = np.exp(-(((ys - cy) ** 2 + (xs - cx) ** 2) / (2 * r * r)))
        rgb[y0:y1, x0:x1] -= spot[..., None] * np.asarray((40, 55, 70), np.float32)
    return scan_finish(Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB"), rng, blur=0.5)


def _between(rng: np.random.Generator, low: int, high: int, side: int) -> int:
    """A random position in [low, high), or the middle of a strip too small for that range."""
    return int(rng.integers(low, high)) if high > low else side // 2


def red_stamp(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """A round red seal (con dấu, 36 mm) pressed over text lines, ink multiplied, plus a star."""
    page = img.convert("RGB")
    stamp = Image.new("RGB", img.size, (255, 255, 255))
    draw = ImageDraw.Draw(stamp)
    r = _mm(dpi, 18)
    for _ in range(2):
        cx = _between(rng, r + _mm(dpi, 25), img.width - r - _mm(dpi, 20), img.width)
        cy = _between(rng, r + _mm(dpi, 30), img.height - r - _mm(dpi, 30), img.height)
        colour = (int(rng.integers(190, 225)), int(rng.integers(20, 60)), int(rng.integers(30, 70)))
        width = _mm(dpi, 0.9)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=colour, width=width)
        ri = round(r * 0.72)
        draw.ellipse([cx - ri, cy - ri, cx + ri, cy + ri], outline=colour, width=max(1, width // 2))
        star = [(cx + (ri * 0.5 if k % 2 == 0 else ri * 0.2) * math.sin(k * math.pi / 5),
                 cy - (ri * 0.5 if k % 2 == 0 else ri * 0.2) * math.cos(k * math.pi / 5)) for k in range(10)]
        draw.polygon(star, fill=colour)
        for k in range(0, 360, 9):  # the seal's lettering ring, as dashes (letters would be text)
            a0 = math.radians(k)
            rr = (r + ri) / 2
            x0, y0 = cx + rr * math.cos(a0), cy + rr * math.sin(a0)
            draw.ellipse([x0 - width, y0 - width, x0 + width, y0 + width], fill=colour)
    stamp = stamp.filter(ImageFilter.GaussianBlur(0.8))
    return scan_finish(ImageChops.multiply(page, stamp), rng, blur=0.5)


def signature(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """A blue ballpoint scribble (chữ ký) across two or three lines of text."""
    page = img.convert("RGB")
    draw = ImageDraw.Draw(page)
    for _ in range(2):
        x0 = float(rng.uniform(img.width * 0.45, img.width * 0.6))
        y0 = float(rng.uniform(img.height * 0.2, img.height * 0.7))
        pts = []
        for t in np.linspace(0, 1, 160):
            x = x0 + t * _mm(dpi, 55)
            y = y0 + _mm(dpi, 7) * math.sin(t * 22 + rng.uniform(-0.15, 0.15)) + _mm(dpi, 3) * math.sin(t * 5)
            pts.append((x, y))
        draw.line(pts, fill=(25, 35, 140), width=_mm(dpi, 0.5), joint="curve")
    return scan_finish(page, rng, blur=0.5)


def punched_holes(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """Two 6 mm holes of a hole punch in the left margin, scanned as dark discs with a rim."""
    page = img.copy()
    draw = ImageDraw.Draw(page)
    r = _mm(dpi, 3)
    cx = _mm(dpi, 11)
    for cy in (img.height // 2 - _mm(dpi, 40), img.height // 2 + _mm(dpi, 40)):
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=int(rng.integers(20, 60)))
    return scan_finish(page, rng)


def folded_corner(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """A dog-eared top-right corner: the fold shows the dark scanner lid, with a shadow edge."""
    page = img.copy()
    draw = ImageDraw.Draw(page)
    a, b = _mm(dpi, float(rng.uniform(25, 40))), _mm(dpi, float(rng.uniform(25, 40)))
    w = img.width
    draw.polygon([(w - a, 0), (w, 0), (w, b)], fill=35)
    draw.line([(w - a, 0), (w, b)], fill=120, width=_mm(dpi, 0.6))
    return scan_finish(page, rng)


def table_grid(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """A ruled Mẫu 2C page scanned as it is (the page itself carries the grid)."""
    return scan_finish(img, rng)


def colour_scan(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """A colour scan of a plain page: off-white paper, blue-black ink, colour JPEG."""
    rgb = _tint(img, (246, 243, 235), (30, 30, 60))
    return scan_finish(Image.fromarray(rgb.astype(np.uint8), "RGB"), rng, blur=0.6, quality=80)


def uneven_light(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """A page photographed or scanned lit unevenly: light falling off from one edge or corner by
    20–50 %, on every other page a hand's or the phone's soft shadow across it; a gray JPEG."""
    h, w = img.height, img.width
    # the light on a small grid, scaled up (a full-size grid is slow)
    gy, gx = (a.astype(np.float32) for a in np.mgrid[0:64, 0:64] / 63)
    angle = float(rng.uniform(0, 2 * np.pi))
    along = np.cos(angle) * (gx - 0.5) + np.sin(angle) * (gy - 0.5)
    light = 1.0 - float(rng.uniform(0.2, 0.5)) * (along - along.min()) / (along.max() - along.min())
    if rng.random() < 0.5:
        middle, width = float(rng.uniform(0.2, 0.8)), float(rng.uniform(0.05, 0.12))
        light *= 1 - float(rng.uniform(0.15, 0.3)) * np.exp(-((gx - middle) / width) ** 2)
    light_full = np.asarray(Image.fromarray((light * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BILINEAR),
                            dtype=np.float32) / 255
    ink, paper = float(rng.uniform(25, 45)), float(rng.uniform(235, 250))
    page = ink + np.asarray(img, dtype=np.float32) / 255 * (paper - ink)
    return scan_finish(Image.fromarray(np.clip(page * light_full, 0, 255).astype(np.uint8)), rng, blur=0.7, quality=75)


def feeder_streaks(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """A page through a document feeder with dirt on its glass: one to three lines 1–3 px wide and
    30–140 dark, exactly vertical in the image whatever the page's skew (the sensor stays put as
    the paper moves), most from the top of the page, some from where the dirt fell on, to the end."""
    skew = float(rng.uniform(-1.0, 1.0))
    page = img.rotate(skew, resample=Image.Resampling.BILINEAR, fillcolor=255)
    arr = np.asarray(page).copy()
    h, w = arr.shape
    for _ in range(int(rng.integers(1, 4))):
        x, width, shade = int(rng.integers(w // 10, w - w // 10)), int(rng.integers(1, 4)), int(rng.integers(30, 141))
        top = 0 if rng.random() < 0.7 else int(rng.integers(0, h // 2))
        arr[top:, x:x + width] = np.minimum(arr[top:, x:x + width], shade)
    return scan_finish(Image.fromarray(arr), rng, skew_deg=0.0)


def bleed_through(img: Image.Image, rng: np.random.Generator, dpi: int) -> Image.Image:
    """Thin paper written on both sides (giấy pơ-luya): the back page's text shows through, mirrored,
    blurred by the paper and at 25–40 % of its darkness, its lines falling between the front's (the
    back here is the front mirrored and shifted by a few millimetres)."""
    back = ImageOps.mirror(img).filter(ImageFilter.GaussianBlur(1.5 * dpi / 300))
    shift = int(rng.integers(_mm(dpi, 2), _mm(dpi, 5)))
    back = ImageChops.offset(back, 0, shift)
    front = np.asarray(img, dtype=np.float32)
    behind = 255 - (255 - np.asarray(back, dtype=np.float32)) * float(rng.uniform(0.25, 0.4))
    return scan_finish(Image.fromarray(np.minimum(front, behind).astype(np.uint8)), rng)


KINDS: dict[str, Kind] = {
    "clean": clean,
    "speckle_dense": speckle_dense,
    "speckle_extreme": speckle_extreme,
    "speckle_clustered": speckle_clustered,
    "specks_touching": specks_touching,
    "photocopy": photocopy,
    "faded": faded,
    "yellowed": yellowed,
    "red_stamp": red_stamp,
    "signature": signature,
    "punched_holes": punched_holes,
    "folded_corner": folded_corner,
    "table_2c": table_grid,
    "colour_scan": colour_scan,
    "uneven_light": uneven_light,
    # the last: the kinds before them draw the same pages as before they came
    "feeder_streaks": feeder_streaks,
    "bleed_through": bleed_through,
}
# kinds whose trouble is noise on the page (the ≤ 0.5 % target applies to each)
NOISE_KINDS = ("speckle_dense", "speckle_clustered", "specks_touching", "photocopy")


def degrade_page(img: Image.Image, kind: str, *, seed: int, dpi: int) -> Image.Image:
    """``img`` degraded as ``kind``, deterministic by ``seed``."""
    return KINDS[kind](img.convert("L"), np.random.default_rng(seed), dpi)
