"""Pages lit unevenly (ánh sáng không đều): the paper brought to one level before OCR.

Strips of three lines in Liberation Sans (not the corpus's fonts), the light falling off from
left to right as on a phone photo; each OCR is a strip, well under a second.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bench.cer import cer
from bench.degrade import scan_finish
from bench.hard_pages import strip
from ingest.ocr import ocr_image
from ingest.preprocess import binarise, evened_lighting

LINES = ["Hồ sơ cán bộ, công chức đã nghỉ hưu, thôi việc, từ trần được lưu trữ",
         "ở cơ quan, đơn vị để theo dõi; Sở Nội vụ tổng hợp báo cáo hằng năm.",
         "Quyết định số 44/2013/QĐ-UBND ngày 10 tháng 10 năm 2013 của Ủy ban."]


def _lit(dim: float, seed: int = 1):
    """The strip with the light falling from full on the left to `dim` of it on the right."""
    page = strip(LINES, font="liberation-sans")
    a = np.asarray(page.image, dtype=np.float32) / 255
    light = np.linspace(1.0, dim, a.shape[1], dtype=np.float32)[None, :]
    lit = Image.fromarray(np.clip((30 + a * 215) * light, 0, 255).astype(np.uint8))
    return page, scan_finish(lit, np.random.default_rng(seed), blur=0.7, quality=75, skew_deg=0.0)


def test_an_evenly_lit_page_is_left_as_it_is():
    page, scan = _lit(1.0)
    assert evened_lighting(scan) is scan


def test_a_photo_on_an_evenly_lit_page_is_no_uneven_light():
    # a Mẫu 2C's 4 × 6 cm photo (~4 % of A4): measured from the 2nd percentile its dark made the
    # page "uneven", and evening it turned the photo into blobs tesseract read as text
    page = np.full((3508, 2480), 245, dtype=np.uint8)
    face = np.random.default_rng(2).normal(110, 45, (12, 8)).clip(0, 255).astype(np.uint8)
    page[180:180 + 709, 1950:1950 + 472] = np.asarray(Image.fromarray(face).resize((472, 709), Image.BICUBIC))
    scan = Image.fromarray(page)
    assert evened_lighting(scan) is scan
    dim, lit = _lit(0.5)
    assert evened_lighting(lit) is not lit, "light falling off across the page still is"


def test_the_paper_of_a_dim_page_comes_to_one_level_and_the_ink_stays_ink():
    page, scan = _lit(0.5)
    evened = np.asarray(evened_lighting(scan))
    ink = np.asarray(page.image) < 128
    columns = np.flatnonzero(ink.any(axis=0))
    start, end = int(columns[0]), int(columns[-1]) + 1
    left, right = slice(start, start + (end - start) // 4), slice(end - (end - start) // 4, end)  # text's first, last quarter
    paper_left = np.median(evened[:, left][~ink[:, left]])
    paper_right = np.median(evened[:, right][~ink[:, right]])
    assert abs(float(paper_left) - float(paper_right)) <= 8
    # one threshold now finds the strokes on both sides: as many ink pixels as on the page drawn
    found = ~np.asarray(binarise(Image.fromarray(evened)))
    assert 0.8 <= found.sum() / ink.sum() <= 1.25
    assert 0.8 <= found[:, right].sum() / max(1, ink[:, right].sum()) <= 1.25


@pytest.mark.parametrize("dim", [0.45, 0.6])
def test_a_dim_page_is_read_as_well_as_a_bright_one_and_better_than_raw_tesseract(tesseract, dim):
    page, scan = _lit(dim)
    ours = ocr_image(scan).text
    raw = ocr_image(scan, options=None).text
    assert cer(ours, page.truth) <= 0.01, ours
    assert cer(ours, page.truth) < cer(raw, page.truth), (ours, raw)


def test_the_paper_estimate_takes_the_brightest_pixel_of_each_window_as_pils_max_filter_does():
    from PIL import ImageFilter

    from ingest.preprocess import _sliding_max

    a = np.random.default_rng(0).integers(0, 255, (31, 45)).astype(np.uint8)
    assert np.array_equal(_sliding_max(a, 7), np.asarray(Image.fromarray(a).filter(ImageFilter.MaxFilter(7))))
