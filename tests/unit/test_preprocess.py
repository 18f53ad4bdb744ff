from ingest.preprocess import binarise, estimate_skew, otsu_threshold, speckle_ratio
from tests.support.documents import rendered_page

import numpy as np


def test_estimate_skew_recovers_a_known_rotation():
    img, _ = rendered_page()
    rotated = img.rotate(2.0, expand=True, fillcolor=255)
    angle = estimate_skew(rotated)
    # rotating by -angle straightens the page, so the estimate is the opposite of the skew
    assert abs(angle + 2.0) <= 0.3


def test_straight_page_has_no_skew():
    img, _ = rendered_page()
    assert abs(estimate_skew(img)) <= 0.2


def test_otsu_separates_ink_from_paper():
    arr = np.array([[20] * 50 + [230] * 50], dtype=np.uint8)
    t = otsu_threshold(arr)
    assert 20 <= t < 230
    out = np.asarray(binarise(__import__("PIL.Image", fromlist=["Image"]).fromarray(arr)))
    assert set(np.unique(out)) == {0, 255}


def test_speckle_ratio_is_low_on_clean_pages_and_high_with_noise():
    img, _ = rendered_page()
    noisy = np.asarray(img).copy()
    rng = np.random.default_rng(1)
    mask = rng.random(noisy.shape) < 0.01
    noisy[mask] = 0
    from PIL import Image

    assert speckle_ratio(img) < 0.15
    assert speckle_ratio(Image.fromarray(noisy)) > 0.15
