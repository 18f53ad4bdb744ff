"""The one rule that says an OCR'd page needs a person (ingest.page_review), and the cheap ink count."""

from PIL import Image

from ingest.orientation import ink_ratio
from ingest.page_review import (
    PageFacts,
    ReviewRule,
    is_blank,
    looks_blank,
    may_be_rotated,
    review_reasons,
    review_sentence,
)

RULE = ReviewRule(min_confidence=60, min_words=3, blank_ink_ratio=0.003)


def _page(**kw) -> PageFacts:
    base = {"number": 1, "source": "ocr", "confidence": 92.0, "words": 40, "ink_ratio": 0.02, "rotation": 0}
    return PageFacts(**(base | kw))


def test_a_confident_page_with_text_needs_nobody():
    assert review_reasons(_page(), RULE) == [] and review_sentence(_page(), RULE) is None


def test_a_text_layer_page_is_never_flagged_even_without_confidence_figures():
    assert review_reasons(_page(source="text_layer", confidence=0, words=0, ink_ratio=None), RULE) == []


def test_an_almost_white_page_says_so_and_nothing_else():
    assert review_sentence(_page(number=2, ink_ratio=0.0005, confidence=12, words=1), RULE) == "Trang 2: gần như trắng"


def test_low_confidence_is_reported_as_a_rounded_percentage():
    assert review_sentence(_page(confidence=38.4), RULE) == "Trang 1: độ tin cậy 38 %"


def test_one_short_line_has_as_little_ink_as_dust_but_its_words_keep_it_from_being_blank():
    assert review_reasons(_page(ink_ratio=0.0007, words=7, confidence=94), RULE) == []
    assert looks_blank(0.0007, 2, RULE) and not looks_blank(0.0007, 3, RULE) and not looks_blank(0.02, 0, RULE)


def test_few_words_on_a_page_with_ink_is_flagged():
    assert review_reasons(_page(words=2), RULE) == ["chỉ có 2 từ"]
    assert review_reasons(_page(words=0, confidence=0), RULE) == ["không nhận dạng được chữ nào"]


def test_a_page_turned_by_orientation_detection_is_flagged_with_the_angle():
    assert review_sentence(_page(number=3, rotation=90), RULE) == "Trang 3: đã xoay 90° theo nhận dạng hướng"
    assert review_sentence(_page(rotation=180, confidence=50), RULE) == (
        "Trang 1: đã xoay 180° theo nhận dạng hướng, độ tin cậy 50 %")


def test_thresholds_come_from_the_rule():
    strict = ReviewRule(min_confidence=95, min_words=100, blank_ink_ratio=0.01)
    assert review_reasons(_page(), strict) == ["độ tin cậy 92 %", "chỉ có 40 từ"]
    assert review_reasons(_page(words=2), ReviewRule(blank_ink_ratio=0.05)) == ["gần như trắng"]
    assert not is_blank(0.02, RULE) and not is_blank(None, RULE)


def test_orientation_detection_runs_only_on_a_doubtful_first_reading():
    assert not may_be_rotated(92.0, 40, RULE)
    assert may_be_rotated(38.0, 40, RULE) and may_be_rotated(92.0, 1, RULE)


def test_ink_ratio_tells_white_paper_from_a_page_with_text():
    white = Image.new("L", (800, 1100), 250)
    for x in (100, 400, 700):
        white.paste(30, (x, 500, x + 2, 502))  # a few specks of dust
    text = Image.new("L", (800, 1100), 255)
    for y in range(100, 1000, 40):
        text.paste(0, (80, y, 720, y + 12))  # dark lines, as a page of text
    assert ink_ratio(white) < RULE.blank_ink_ratio < ink_ratio(text)
    assert ink_ratio(Image.new("RGBA", (50, 50), (0, 0, 0, 0))) == 0.0  # transparent = white paper
