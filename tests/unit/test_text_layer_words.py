"""The archival copy's invisible text layer holds the words OCR kept (lớp chữ ẩn = chữ của hồ sơ).

Layers are tesseract's own text-only PDFs of small strips; pypdf reads them back as a viewer would.
"""

from __future__ import annotations

import io
import random
from dataclasses import replace

import pikepdf
import pypdf

from bench.degrade import degrade_page
from bench.hard_pages import form_2c_rows, strip
from ingest.ocr import kept_texts, ocr_image
from ingest.text_layer import with_words


def _layer_words(layer: bytes) -> list[str]:
    return pypdf.PdfReader(io.BytesIO(layer)).pages[0].extract_text().split()


def _scales(layer: bytes) -> list[float]:
    with pikepdf.open(io.BytesIO(layer)) as pdf:
        return [float(operands[0]) for operands, op in pikepdf.parse_content_stream(pdf.pages[0]) if str(op) == "Tz"]


def _read(page) -> tuple:
    """A strip read with its layer, and the words of that run before anything was dropped."""
    result = ocr_image(page, options=None, text_layer=True)  # raw: the words are the run's own
    return result.layer_pdf, result.words


def test_a_dropped_word_leaves_the_layer_and_a_changed_word_takes_its_new_text(tesseract):
    layer, words = _read(strip(["Cán bộ, công chức được điều động, luân chuyển"]).image)
    assert _layer_words(layer) == [w.text for w in words]
    kept = (replace(words[0], text="Viên"),) + words[2:]
    edited = with_words(layer, kept_texts(words, kept))
    assert _layer_words(edited) == ["Viên"] + [w.text for w in words[2:]]
    # "Cán" → "Viên": one more letter in the same width, so the word is drawn narrower
    before, after = _scales(layer), _scales(edited)
    assert after[0] == round(before[0] * len("Cán ") / len("Viên "), 3)


def test_nothing_changed_gives_back_the_same_layer(tesseract):
    layer, words = _read(strip(["Sở Nội vụ tỉnh"]).image)
    assert with_words(layer, kept_texts(words, words)) == layer


def test_a_layer_whose_words_are_not_the_word_tables_is_left_as_written(tesseract):
    layer, words = _read(strip(["Sở Nội vụ tỉnh"]).image)
    other = (replace(words[0], text="Phòng"),) + words[1:]
    assert with_words(layer, kept_texts(other, other[1:])) == layer


def test_the_layer_of_a_mau_2c_strip_holds_no_rule_bars_and_says_what_the_text_says(tesseract):
    rows = form_2c_rows(random.Random(0), 25, 3)  # 16–18, whose long labels run up to the column rule
    scan = degrade_page(rows.image, "table_2c", seed=0, dpi=300)
    raw = ocr_image(scan, options=None, text_layer=True)
    assert "|" in _layer_words(raw.layer_pdf)  # what tesseract alone puts in the layer
    result = ocr_image(scan, text_layer=True)
    assert _layer_words(result.layer_pdf) == result.text.split()
    assert "|" not in result.text


def test_a_layer_written_in_decomposed_marks_still_matches_the_word_table(tesseract):
    import unicodedata

    layer, words = _read(strip(["Hồ sơ cán bộ"]).image)
    # the same layer with its first word in NFD (base letters and combining marks), as another
    # tesseract's renderer might write it
    with pikepdf.open(io.BytesIO(layer)) as pdf:
        ops = pikepdf.parse_content_stream(pdf.pages[0])
        first = next(i for i, (_, op) in enumerate(ops) if str(op) == "TJ")
        nfd = (unicodedata.normalize("NFD", words[0].text) + " ").encode("utf-16-be")
        ops[first] = pikepdf.ContentStreamInstruction([pikepdf.Array([pikepdf.String(nfd)])], pikepdf.Operator("TJ"))
        pdf.pages[0].Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))
        buffer = io.BytesIO()
        pdf.save(buffer)
    decomposed = buffer.getvalue()
    assert unicodedata.normalize("NFD", words[0].text) != words[0].text  # "Hồ" does decompose
    edited = with_words(decomposed, kept_texts(words, words[1:]))
    assert _layer_words(edited) == [w.text for w in words[1:]]
