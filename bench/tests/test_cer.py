"""Character error rate: NFC, whitespace-collapsed Levenshtein over the truth's length."""

from __future__ import annotations

import unicodedata

from bench.cer import cer, corpus_cer, normalise_for_cer


def test_decomposed_and_composed_text_are_the_same_characters() -> None:
    truth = "Nguyễn Thị Hồng Nhung"
    assert cer(unicodedata.normalize("NFD", truth), truth) == 0.0


def test_line_breaks_and_runs_of_spaces_are_layout_not_errors() -> None:
    assert cer("Độc lập -  Tự do\n\n- Hạnh phúc ", "Độc lập - Tự do - Hạnh phúc") == 0.0


def test_each_missing_diacritic_is_one_substitution() -> None:
    truth = "Nguyễn Văn An"
    assert cer("Nguyen Van An", truth) == 2 / len(truth)


def test_blank_truth_gives_zero_for_blank_output_and_one_otherwise() -> None:
    assert cer("", "  ") == 0.0
    assert cer("x", "") == 1.0


def test_corpus_rate_weights_pages_by_their_length() -> None:
    pairs = [("abcd", "abcd"), ("", "ab")]
    assert corpus_cer(pairs) == 2 / 6
    assert normalise_for_cer(" a \t b\n") == "a b"
