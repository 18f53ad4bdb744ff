"""A page read gray is pure paper away from its ink (ingest.page_quality.PAPER_BEYOND_INK_PX): the
back page showing through thin paper goes, the gray rim round the print stays."""

from __future__ import annotations

import numpy as np

from bench.cer import cer
from bench.degrade import degrade_page
from bench.hard_pages import strip
from ingest.ocr import ocr_image
from ingest.page_quality import PAPER_BEYOND_INK_PX, paper_beyond_ink, prepare
from ingest.preprocess import dilate_cross
from tests.unit.test_streaks import LINES


def test_only_pixels_away_from_the_ink_become_paper():
    gray = np.full((40, 40), 200, dtype=np.uint8)  # a gray sheet
    gray[10:20, 10:14] = 30  # a stroke
    gray[10:20, 14] = 150  # its blurred rim
    ink = gray <= 100
    out = paper_beyond_ink(gray, ink)
    near = dilate_cross(ink, PAPER_BEYOND_INK_PX)
    assert (out[~near] == 255).all()
    assert (out[near] == gray[near]).all(), "the stroke and its rim are as they were"
    assert out[15, 14] == 150 and gray[0, 0] == 200, "and the page given is not changed"


def test_a_strip_on_thin_paper_loses_the_back_page_and_reads_as_printed(tesseract):
    page = strip(LINES)
    img = degrade_page(page.image, "bleed_through", seed=0, dpi=300)
    prepared, _, quality = prepare(img)
    assert quality.recipe == "gray"
    arr = np.asarray(prepared)
    away = ~dilate_cross(arr <= 200, PAPER_BEYOND_INK_PX + 1)  # from the print (Otsu's ink is darker)
    assert (np.asarray(img)[away] < 240).sum() > 1000, "the back page shows through the scan"
    assert (arr[away] == 255).all(), "and not through the page tesseract reads"
    ours = cer(ocr_image(img).text, page.truth)
    raw = cer(ocr_image(img, options=None).text, page.truth)
    assert ours <= 0.001 and ours < raw, (ours, raw)
