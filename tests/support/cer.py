"""Character error rate for OCR checks: edit distance over NFC text with whitespace collapsed."""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(truth: str, ocr: str) -> float:
    a, b = normalise(truth), normalise(ocr)
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1] / max(1, len(a))
