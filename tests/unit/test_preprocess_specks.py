"""Dust specks (bụi) go, Vietnamese diacritics and punctuation stay."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from bench.corpus.render import FontNotFound, vietnamese_font
from ingest.preprocess import PreprocessOptions, otsu_from_histogram, preprocess, remove_specks, speck_mask

# dot below (dấu nặng) on every vowel, the five tones, stacked marks, ơ/ư horns, and the
# punctuation whose dots a careless filter would take for dust
DIACRITIC_LINES = [
    "Trịnh Thị Ngọc Diệp, Lạng Sơn; Đặng Quốc Việt: ạ ặ ậ ẹ ệ ị ọ ộ ợ ụ ự ỵ.",
    "Nguyễn Hữu Tuấn ở huyện Ứng Hòa; Phạm Thị Ánh Tuyết — ẩ ẫ ể ễ ổ ỗ ở ỡ ử ữ ỷ ỹ; i j ! ? : .",
]
FONTS = [("noto", False), ("noto", True), ("texgyre", True), ("texgyre", False)]


def _line_image(text: str, size_px: int, family: str, serif: bool) -> Image.Image:
    try:
        font = vietnamese_font(size_px, serif=serif, family=family)
    except FontNotFound:
        pytest.skip(f"{family} fonts not installed")
    width = int(font.getlength(text)) + 40
    img = Image.new("L", (width, size_px * 2), 255)
    ImageDraw.Draw(img).text((20, size_px // 3), text, fill=0, font=font)
    return img


def _ink(gray: Image.Image) -> np.ndarray:
    return np.asarray(gray) <= otsu_from_histogram(gray.histogram())


@pytest.mark.parametrize("family,serif", FONTS)
@pytest.mark.parametrize("points", [8, 11, 13])
def test_diacritics_and_punctuation_are_never_taken_for_specks(family, serif, points):
    for text in DIACRITIC_LINES:
        img = _line_image(text, round(points * 300 / 72), family, serif)
        assert not speck_mask(_ink(img)).any(), text
        assert np.array_equal(np.asarray(remove_specks(img)), np.asarray(img))


def test_soft_scanned_diacritics_survive_preprocessing_unchanged():
    # blurred like a scan, so the dots below shrink and grey out at the threshold
    img = _line_image(DIACRITIC_LINES[0], round(10 * 300 / 72), "noto", True)
    soft = img.filter(ImageFilter.GaussianBlur(1.0))
    options = PreprocessOptions(deskew=False)
    with_filter = np.asarray(preprocess(soft, options))
    without = np.asarray(preprocess(soft, PreprocessOptions(deskew=False, denoise=False)))
    assert np.array_equal(with_filter, without)


SPECK_SHAPES = [(1, 1), (1, 2), (2, 1), (2, 2), (2, 3), (3, 2)]  # dust after thresholding


def _add_specks(arr: np.ndarray, rng: np.random.Generator, n: int, *, away_from: np.ndarray | None = None,
                shade: int = 40) -> None:
    """`n` dark specks of SPECK_SHAPES, each with ≥ 3 blank pixels between it and other ink."""
    height, width = arr.shape
    ink = np.zeros_like(arr, dtype=bool) if away_from is None else away_from.copy()
    placed = 0
    while placed < n:
        h, w = SPECK_SHAPES[int(rng.integers(len(SPECK_SHAPES)))]
        y, x = int(rng.integers(4, height - 8)), int(rng.integers(4, width - 8))
        if ink[y - 3:y + h + 3, x - 3:x + w + 3].any():
            continue
        arr[y:y + h, x:x + w] = shade
        ink[y:y + h, x:x + w] = True
        placed += 1


def test_isolated_specks_of_up_to_6_pixels_are_removed_from_a_blank_page():
    arr = np.full((600, 800), 255, dtype=np.uint8)
    _add_specks(arr, np.random.default_rng(3), 300)
    # Otsu's threshold of a page that is all paper and specks still falls between the two
    out = np.asarray(remove_specks(Image.fromarray(arr)))
    assert (out == 255).all()


def test_specks_beside_words_are_removed_and_every_glyph_pixel_kept():
    img = _line_image(DIACRITIC_LINES[0], 50, "noto", False)
    glyphs = np.asarray(img).copy()
    arr = glyphs.copy()
    _add_specks(arr, np.random.default_rng(5), 60, away_from=glyphs < 250)
    threshold = otsu_from_histogram(img.histogram())
    out = np.asarray(remove_specks(Image.fromarray(arr), threshold))
    assert np.array_equal(out <= threshold, glyphs <= threshold)


def test_a_dot_the_size_of_a_small_diacritic_is_kept():
    arr = np.full((40, 40), 255, dtype=np.uint8)
    arr[10:13, 10:13] = 0  # 3×3: a dot below at 8 pt
    arr[25:27, 25:27] = 0  # 2×2: dust
    out = np.asarray(remove_specks(Image.fromarray(arr), 128))
    assert (out[10:13, 10:13] == 0).all()
    assert (out[25:27, 25:27] == 255).all()


def test_a_speck_touching_a_glyph_is_left_alone_rather_than_biting_into_it():
    arr = np.full((40, 40), 255, dtype=np.uint8)
    arr[5:30, 10:14] = 0   # a stroke
    arr[30:32, 14:16] = 0  # a speck touching its corner: one blob with it
    out = np.asarray(remove_specks(Image.fromarray(arr), 128))
    assert np.array_equal(out, arr)


def test_speck_size_is_configurable():
    arr = np.full((40, 40), 255, dtype=np.uint8)
    arr[10:14, 10:14] = 0
    ink = arr <= 128
    assert not speck_mask(ink, max_px=3).any()
    assert speck_mask(ink, max_px=5, max_area=16).sum() == 16
