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
import ingest.ocr
from ingest.ocr import OcrWord, doubted_lines, ocr_image, only_boxes, voted_words, without_cloud_lines
from ingest.page_quality import (
    CLOUD_INK_MARGIN,
    SpeckClouds,
    clear_clouds,
    measure,
    prepare,
    speck_clouds,
)
from ingest.preprocess import crowded_tiles, dilate_cross, tile_boxes

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


def test_each_word_is_taken_from_the_reading_tesseract_was_surer_of():
    first = (_word("đối", 80.0, 1, 10), _word("mới", 96.0, 1, 120), _word("sơ", 70.0, 2, 10), _word("hồ", 60.0, 2, 300))
    second = (_word("đổi", 91.0, 1, 12),   # the same box, read surer: taken
              _word("mởi", 60.0, 1, 120),  # read less surely: the first reading stays
              _word("sợ", 90.0, 2, 200),   # another place on the line: not the same word
              _word("hổ", 99.0, 2, 340))   # overlapping too little (IoU 0.14)
    voted = voted_words(first, second)
    assert [w.text for w in voted] == ["đổi", "mới", "sơ", "hồ"]
    assert voted[0].conf == 91.0 and (voted[0].left, voted[0].line) == (10, 1)  # first's box and line
    assert voted_words(first, ()) == first


def test_only_the_lines_holding_a_doubted_word_are_read_again():
    words = (_word("hồ", 96.0, 1, 10), _word("sơ", 95.0, 1, 120),      # a line read surely
             _word("đối", 90.0, 2, 10), _word("mới", 97.0, 2, 300))    # a line holding a doubted word
    assert doubted_lines(words) == [(6, 193, 344, 237)]  # its words' box, ¼ of its height above and below
    page = Image.new("L", (400, 300), 0)
    second = np.asarray(only_boxes(page, doubted_lines(words)))
    assert (second[193:237, 6:344] == 0).all() and second.sum() == 255 * (400 * 300 - 44 * 338)


def test_a_clouded_page_is_read_a_second_time_as_its_kept_ink_in_gray_on_white():
    scan, _ = _clouded_strip(1)
    prepared, angle, quality = prepare(scan)
    second = quality.second_reading
    assert prepared.mode == "1" and second is not None and second.mode == "L" and second.size == prepared.size
    ink = ~np.asarray(prepared)
    gray = np.asarray(second)
    # the same ink, in gray: paper wherever the 1-bit page is paper three pixels round (the gray
    # page is turned bilinearly, the 1-bit one by nearest pixel), dark where it is ink
    assert (gray[~dilate_cross(ink, 3)] == 255).all()
    assert np.median(gray[ink]) < 100 and (gray < 255).sum() > ink.sum()
    # pages without clouds, and clouded pages below 250 dpi, are read once
    assert prepare(degrade_page(strip(LINES, font_pt=12).image, "speckle_dense", seed=3, dpi=300))[2].second_reading is None
    assert prepare(strip(LINES, font_pt=12).image)[2].second_reading is None


def test_ocr_of_a_clouded_page_votes_between_its_two_readings(tesseract, monkeypatch):
    calls = []

    def spy(first, second):
        calls.append((first, second))
        return voted_words(first, second)

    monkeypatch.setattr(ingest.ocr, "voted_words", spy)
    scan, truth = _clouded_strip(2)
    result = ocr_image(scan)
    assert len(calls) == 1 and calls[0][0] and calls[0][1]
    assert cer(result.text, truth) <= 0.2
    ocr_image(strip(LINES, font_pt=12).image)  # a clean page: one reading, no vote
    assert len(calls) == 1
