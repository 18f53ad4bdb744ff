"""Which OCR'd page needs a person (trang cần xem lại) — the one rule, pure.

A page is flagged when it is almost blank (ink ratio below `blank_ink_ratio` and fewer than
`min_words` words read), when tesseract's
mean word confidence is below `min_confidence`, when it read fewer than `min_words` words, or
when the page was turned by orientation detection (OSD) before it could be read. Text-layer
pages (the PDF's own text) are never flagged. The reasons are Vietnamese phrases; a page's
sentence is "Trang 2: gần như trắng".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReviewRule:
    """Thresholds of the rule (archive.settings: ocr_review_*)."""

    min_confidence: float = 60.0   # mean word confidence 0–100 below which a person should look
    min_words: int = 3             # fewer words than this on a page that has ink: suspicious
    blank_ink_ratio: float = 0.003  # share of dark pixels below which a page is taken as blank
    osd_min_confidence: float = 1.5  # tesseract's orientation confidence needed to turn a page


@dataclass(frozen=True)
class PageFacts:
    """What the rule looks at for one page."""

    number: int
    source: str              # "ocr" | "text_layer"
    confidence: float        # 0–100
    words: int               # words tesseract read
    ink_ratio: float | None  # None when not measured (text layer)
    rotation: int = 0        # degrees the page was turned (clockwise) before OCR


def is_blank(ink_ratio: float | None, rule: ReviewRule) -> bool:
    """Little enough ink for the page to be blank paper (dust, grain) — or one short line."""
    return ink_ratio is not None and ink_ratio < rule.blank_ink_ratio


def looks_blank(ink_ratio: float | None, words: int, rule: ReviewRule) -> bool:
    """A blank page (trang trắng): little ink and fewer than `min_words` words read on it — a page
    with one short line has as little ink as dust, but its words count."""
    return is_blank(ink_ratio, rule) and words < rule.min_words


def may_be_rotated(confidence: float, words: int, rule: ReviewRule) -> bool:
    """Cheap signal from the first OCR run that orientation detection is worth its run."""
    return confidence < rule.min_confidence or words < rule.min_words


def review_reasons(page: PageFacts, rule: ReviewRule = ReviewRule()) -> list[str]:
    """The reasons (Vietnamese phrases) the page needs a person; [] when it does not."""
    if page.source != "ocr":
        return []
    if looks_blank(page.ink_ratio, page.words, rule):
        return ["gần như trắng"]
    reasons: list[str] = []
    if page.rotation % 360:
        reasons.append(f"đã xoay {page.rotation % 360}° theo nhận dạng hướng")
    if page.words == 0:
        reasons.append("không nhận dạng được chữ nào")
    else:
        if page.confidence < rule.min_confidence:
            reasons.append(f"độ tin cậy {round(page.confidence)} %")
        if page.words < rule.min_words:
            reasons.append(f"chỉ có {page.words} từ")
    return reasons


def review_sentence(page: PageFacts, rule: ReviewRule = ReviewRule()) -> str | None:
    """"Trang 2: gần như trắng" (reasons joined by ", "), or None when the page is fine."""
    reasons = review_reasons(page, rule)
    return f"Trang {page.number}: {', '.join(reasons)}" if reasons else None


__all__ = ["PageFacts", "ReviewRule", "is_blank", "looks_blank", "may_be_rotated", "review_reasons",
           "review_sentence"]
