"""Speck clouds (đám bụi) and photocopies on gray paper: the two hard scans of issue 19.

A toner cloud over words is read through (grains lighter than the print are cut, the strokes'
rims grown back, tesseract's lines made of a cloud dropped); a dusty page on gray paper goes to
tesseract gray with its dust painted out. Strips and small arrays, each OCR under a second.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from bench.cer import cer
from bench.degrade import _mm, degrade_page, scan_finish, speck_cloud
from bench.hard_pages import strip
from ingest.ocr import OcrWord, ocr_image, without_cloud_lines
from ingest.page_quality import (
    CLOUD_INK_MARGIN,
    SpeckClouds,
    clear_clouds,
    measure,
    prepare,
    speck_clouds,
)
from ingest.preprocess import crowded_tiles, tile_boxes

LINES = ["Cập nhật hồ sơ vào phần mềm quản lý,", "đổi mới thể thức, bổ sung đầy đủ thông tin."]


def _clouded_strip(seed: int) -> tuple[Image.Image, str]:
    """Two lines with three toner clouds (10 mm, 600 grains) sitting on the words."""
    page = strip(LINES, font_pt=13)
    rng = np.random.default_rng(seed)
    arr = np.asarray(page.image.convert("L")).copy()
    height, width = arr.shape
    for cx in (width // 8, width // 4, 3 * width // 8):
        speck_cloud(arr, rng, height // 2, cx, _mm(300, 10), 600, 300)
    return scan_finish(Image.fromarray(arr), rng, blur=0.4), page.truth


def test_words_under_speck_clouds_are_read_through(tesseract):
    # every word of these strips lies in a cloud; before the cloud cut the pipeline read them at
    # ~40 % CER, raw tesseract at ~90 % (most strips read as nothing)
    ours, raw = [], []
    for seed in range(4):
        scan, truth = _clouded_strip(seed)
        ours.append(cer(ocr_image(scan).text, truth))
        raw.append(cer(ocr_image(scan, options=None).text, truth))
    assert sum(ours) / len(ours) <= 0.15, ours
    assert sum(ours) < sum(raw) / 3, (ours, raw)


def test_clouds_are_where_the_isolated_specks_crowd_and_a_square_round_them():
    specks = np.zeros((400, 400), dtype=bool)
    specks[110:130:3, 110:130:3] = True  # 49 grain pixels in one 50 px square
    specks[310:330:3, 110:130:3] = True  # and in another, further down
    specks[300, 300] = True              # one grain elsewhere: no cloud
    tiles = crowded_tiles(specks, tile=50, min_count=12, grow=1)
    assert tiles[2, 2] and tiles[1, 2] and tiles[2, 1] and tiles[3, 2] and tiles[2, 3] and tiles[6, 2]
    assert tiles.sum() == 10 and not tiles[6, 6]
    # the work round them is done in one box per band of rows and run of columns
    assert tile_boxes(tiles) == [(1, 4, 1, 4), (5, 8, 1, 4)]
    clouds = speck_clouds(specks, dpi=300)
    assert clouds.tile == 47 and clouds.share(110, 110, 20, 20) == 1.0 and clouds.share(300, 300, 10, 10) == 0.0


def test_in_a_cloud_light_grains_go_and_the_print_keeps_its_rim_outside_nothing_changes():
    gray = np.full((120, 240), 255, dtype=np.uint8)
    gray[40:60, 20:100] = 100   # a stroke's rim (anti-aliased) …
    gray[42:58, 22:98] = 20     # … round its dark core, inside the cloud
    grains = [(20, 30), (80, 50), (90, 90), (25, 70)]
    for y, x in grains:
        gray[y:y + 2, x:x + 2] = 90   # grains lighter than the print, inside the cloud
    gray[30:32, 190:192] = 90          # the same grain outside the cloud
    ink = gray <= 150
    tiles = np.zeros((1, 2), dtype=bool)
    tiles[0, 0] = True
    out = clear_clouds(ink, gray, SpeckClouds(tiles=tiles, tile=120), ink_level=20, passes=[(3, 6, 2), (5, 12, 1)])
    assert all(not out[y:y + 2, x:x + 2].any() for y, x in grains)
    assert out[41:59, 22:98].all() and out[42:58, 21:99].all()  # the core and one pixel of its rim
    assert not out[40, 20:100].any()   # but not the rest of the rim
    assert out[30:32, 190:192].all()   # outside the cloud, untouched
    assert (out <= ink).all() and CLOUD_INK_MARGIN > 0


def _word(text: str, conf: float, line: int, left: int) -> OcrWord:
    return OcrWord(text=text, conf=conf, left=left, top=100 * line, width=40, height=30, block=1, par=1, line=line)


def test_a_line_of_doubted_words_inside_a_cloud_is_dropped_and_real_lines_stay():
    tiles = np.zeros((10, 10), dtype=bool)
    tiles[:, :5] = True  # the left half of the page is a cloud
    clouds = SpeckClouds(tiles=tiles, tile=100)
    words = (
        _word("so,", 6.7, 1, 10), _word("_-Ă*", 0.0, 1, 120),       # a cloud read as a line
        _word("hồ", 95.0, 2, 10), _word("sơ", 96.0, 2, 120),         # real words under the cloud
        _word("kẽ", 20.0, 3, 10), _word("thông", 30.0, 3, 700),      # doubted, but half outside
    )
    kept = without_cloud_lines(words, lambda w: clouds.share(w.left, w.top, w.width, w.height))
    assert [w.text for w in kept] == ["hồ", "sơ", "kẽ", "thông"]


def test_a_dusty_page_on_gray_paper_goes_to_tesseract_gray_with_its_dust_painted_out():
    page = strip(LINES, font_pt=12, dpi=200)
    scan = degrade_page(page.image, "photocopy", seed=3, dpi=200)
    prepared, _, quality = prepare(scan, dpi=200)
    assert quality.recipe == "clean" and quality.paper < 235
    assert prepared.mode == "L"  # tesseract's LSTM reads the gray hook above that a threshold breaks
    assert measure(prepared).specks_per_mp < measure(scan.convert("L")).specks_per_mp / 5
    # white paper with the same dust stays 1-bit (cheaper for tesseract, as good)
    prepared, _, quality = prepare(degrade_page(page.image, "speckle_dense", seed=3, dpi=200), dpi=200)
    assert quality.paper >= 235 and prepared.mode == "1"
