import numpy as np
from PIL import Image

from ingest.preprocess import (
    PreprocessOptions,
    binarise,
    estimate_skew,
    otsu_from_histogram,
    otsu_threshold,
    preprocess,
)
from tests.support.documents import rendered_page


def test_estimate_skew_recovers_a_known_rotation():
    img, _ = rendered_page()
    rotated = img.rotate(2.0, expand=True, fillcolor=255)
    angle = estimate_skew(rotated)
    # rotating by -angle straightens the page, so the estimate is the opposite of the skew
    assert abs(angle + 2.0) <= 0.3


def test_estimate_skew_finds_clockwise_rotations_too():
    img, _ = rendered_page()
    assert abs(estimate_skew(img.rotate(-3.5, expand=True, fillcolor=255)) - 3.5) <= 0.3


def test_straight_page_has_no_skew():
    img, _ = rendered_page()
    assert abs(estimate_skew(img)) <= 0.2


def test_blank_page_has_no_skew():
    assert estimate_skew(Image.new("L", (800, 1100), 255)) == 0.0


def test_otsu_separates_ink_from_paper():
    arr = np.array([[20] * 50 + [230] * 50], dtype=np.uint8)
    t = otsu_threshold(arr)
    assert 20 <= t < 230
    assert otsu_from_histogram(Image.fromarray(arr).histogram()) == t


def test_binarise_gives_a_one_bit_page_with_ink_black_and_paper_white():
    arr = np.array([[20] * 50 + [230] * 50], dtype=np.uint8)
    out = binarise(Image.fromarray(arr))
    assert out.mode == "1"
    bits = np.asarray(out)
    assert not bits[0, :50].any() and bits[0, 50:].all()


def test_preprocess_straightens_a_skewed_page_into_one_bit():
    img, _ = rendered_page()
    out = preprocess(img.rotate(2.0, expand=True, fillcolor=255))
    assert out.mode == "1"
    gray = out.convert("L")
    assert abs(estimate_skew(gray)) <= 0.3


def test_preprocess_without_binarising_keeps_gray_levels():
    img, _ = rendered_page()
    out = preprocess(img, PreprocessOptions(binarise=False, deskew=False))
    assert out.mode == "L" and out.size == img.size
    assert len(set(np.unique(np.asarray(out)))) > 2  # anti-aliased edges are still there


def test_a_hairline_slightly_lighter_than_otsus_threshold_stays_ink():
    # the hook above (dấu hỏi) is such a hairline: cut at Otsu's threshold it reads as an acute
    img, _ = rendered_page()
    arr = np.asarray(img).copy()
    otsu = otsu_from_histogram(img.histogram())
    arr[1500, 300:900] = otsu + 5
    out = np.asarray(preprocess(Image.fromarray(arr), PreprocessOptions(deskew=False)))
    assert not out[1500, 300:900].any()  # all black (False) in the 1-bit page
    plain = np.asarray(preprocess(Image.fromarray(arr), PreprocessOptions(deskew=False, ink_bias=0)))
    assert plain[1500, 300:900].all()
