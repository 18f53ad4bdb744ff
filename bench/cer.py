"""Character error rate (tỉ lệ lỗi ký tự) of OCR output against ground truth.

Both texts are NFC-normalised and every run of whitespace becomes one space (line breaks
and column gaps are layout, not characters), then CER = Levenshtein distance / len(truth).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein


def normalise_for_cer(text: str) -> str:
    """NFC, whitespace runs collapsed to one space, ends stripped."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def edit_distance(hypothesis: str, truth: str) -> int:
    """Character edits (insert, delete, substitute) between the normalised texts."""
    return int(Levenshtein.distance(normalise_for_cer(hypothesis), normalise_for_cer(truth)))


def cer(hypothesis: str, truth: str) -> float:
    """Character error rate of ``hypothesis`` against ``truth``; 0.0 is perfect.

    An empty truth gives 0.0 for an empty hypothesis and 1.0 otherwise, so the rate of a
    blank page stays finite.
    """
    reference = normalise_for_cer(truth)
    if not reference:
        return 0.0 if not normalise_for_cer(hypothesis) else 1.0
    return edit_distance(hypothesis, truth) / len(reference)


def corpus_cer(pairs: Iterable[tuple[str, str]]) -> float:
    """CER over many (hypothesis, truth) pages: total edits / total truth characters."""
    edits = chars = 0
    for hypothesis, truth in pairs:
        edits += edit_distance(hypothesis, truth)
        chars += len(normalise_for_cer(truth))
    return edits / chars if chars else 0.0
