"""Lines tesseract's layout left out (dòng bị bỏ sót) are found by their ink and read on their own.

The strips are regulation lines in Liberation Serif (bench.hard_pages.strip); a left-out line is
made by taking its words out of tesseract's own reading of the strip, and one whole page where
tesseract really leaves a line out is drawn from the bench's seeds.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pikepdf
import pypdf

from bench.degrade import degrade_page
from bench.hard_pages import pages, strip
from ingest import page_quality
from ingest.ocr import OcrWord, ocr_image, reread_lines, text_of_words
from ingest.text_layer import with_added_words
from ingest.unread_lines import split_lines, sure_line, unread_ink, unread_lines, with_lines

LINES = ["2. Cán bộ, công chức, viên chức, người lao động quy định tại Quy chế này bao gồm:",
         "a) Cán bộ, công chức theo quy định của Luật Cán bộ, công chức năm 2008 (sửa đổi,",
         "bổ sung tại Luật sửa đổi, bổ sung một số điều của Luật Cán bộ, công chức và Luật"]


def _word(text: str, left: int, top: int, width: int = 120, height: int = 40, conf: float = 95.0,
          line: int = 1) -> OcrWord:
    return OcrWord(text=text, conf=conf, left=left, top=top, width=width, height=height, block=1, par=1, line=line)


def _strip_without_its_middle_line():
    page = strip(LINES).image
    read = ocr_image(page, options=None).words
    def key(word: OcrWord) -> tuple[int, int, int]:
        return word.block, word.par, word.line

    lines = sorted({key(w) for w in read})
    assert len(lines) == 3, [w.text for w in read]
    return page, read, tuple(w for w in read if key(w) != lines[1]), [w for w in read if key(w) == lines[1]]


def test_a_band_of_a_lines_ink_where_no_word_was_read_is_found(tesseract):
    page, read, without, middle = _strip_without_its_middle_line()
    assert unread_lines(unread_ink(page, read), read) == []  # every line read: nothing left out
    found = unread_lines(unread_ink(page, without), without)
    assert len(found) == 1
    band = found[0]
    top, bottom = min(w.top for w in middle), max(w.top + w.height for w in middle)
    assert band.top <= top + 4 and band.bottom >= bottom - 4 and band.bottom - band.top < 2 * (bottom - top)
    assert band.left <= min(w.left for w in middle) + 4


def test_a_rule_a_signature_and_leftover_grains_are_not_lines():
    words = tuple(_word("công", 100 + 150 * i, 100) for i in range(10))  # a line of words 40 px high
    ink = np.zeros((600, 2000), dtype=bool)
    for x in range(100, 1700):  # a table's horizontal rule sloping across the page: a band 30 px high
        y = 250 + x * 30 // 1600
        ink[y:y + 3, x] = True
    ink[330:370, 900:1100] = True  # a signature-sized blot: a fifth of the text's width
    rng = np.random.default_rng(3)
    ys, xs = rng.integers(420, 460, 300), rng.integers(100, 1700, 300)  # a band of scattered grains
    ink[ys, xs] = True
    assert unread_lines(ink, words) == []


def test_a_left_out_line_is_read_on_its_own_and_put_back_in_its_place(tesseract):
    page, read, without, middle = _strip_without_its_middle_line()
    with tempfile.TemporaryDirectory() as tmp:
        recovered = reread_lines(page, without, Path(tmp), lang="vie", dpi=300, timeout=60)
    assert len(recovered) == 1 and sure_line(recovered[0][0]) and recovered[0][1] == ()  # nothing replaced
    assert " ".join(w.text for w in recovered[0][0]) == LINES[1]
    text = text_of_words(with_lines(without, recovered))
    assert [line for line in text.split("\n") if line] == LINES  # between the line above and the line below


def test_a_line_read_unsure_or_without_letters_is_not_kept():
    assert sure_line((_word("Cán", 0, 0), _word("bộ,", 130, 0, conf=90)))
    assert not sure_line((_word("so,", 0, 0, conf=30), _word("_-Ă*", 130, 0, conf=40)))
    assert not sure_line((_word("———", 0, 0, conf=95),))
    assert not sure_line(())


def test_a_page_where_tesseract_leaves_out_a_line_reads_it_and_its_text_layer_holds_it(tesseract, monkeypatch):
    # the bench's seed 901, speck-cloud page 14 (bench.ocr_kinds --kinds speckle_clustered --seed 901), as
    # its clouds were cut until the margin went from 10 to 2: on that 1-bit page tesseract's layout gives
    # the second line of point 2 no block, no line, no word
    scan = degrade_page(pages(15, seed=901, dpi=300)[14].image, "speckle_clustered", seed=901 * 10_000 + 3014, dpi=300)
    monkeypatch.setattr(page_quality, "CLOUD_INK_MARGIN", 10)
    bitmap, _, _ = page_quality.prepare(scan)
    monkeypatch.undo()
    assert bitmap.mode == "1"
    result = ocr_image(bitmap, text_layer=True)
    recovered = [w for w in result.words if w.line >= 10_000]
    assert "2008" in [w.text for w in recovered] and len(recovered) >= 12
    lines = result.text.split("\n")
    at = next(i for i, line in enumerate(lines) if "2008" in line)
    assert "Quy chế này bao gồm:" in lines[at - 1] and lines[at].startswith("a) Cán bộ, công chức")
    layer = pypdf.PdfReader(io.BytesIO(result.layer_pdf)).pages[0].extract_text().split()
    assert layer.count("2008") == result.text.split().count("2008") >= 1
    assert sorted(layer) == sorted(result.text.split())


def test_added_words_span_their_boxes_invisible_in_the_layers_font(tesseract):
    page = strip(LINES[:1]).image
    layer = ocr_image(page, options=None, text_layer=True).layer_pdf
    out = with_added_words(layer, [("Luật", (400, 200, 160, 50))], dpi=300)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        ops = [(list(operands), str(op)) for operands, op in pikepdf.parse_content_stream(pdf.pages[0])]
        height = float(pdf.pages[0].MediaBox[3])
    tail = ops[ops.index(([], "BT"), len(ops) - 8):]
    assert [op for _, op in tail] == ["BT", "Tr", "Tf", "Tm", "Tz", "TJ", "ET"]
    assert tail[1][0] == [3]  # invisible, as tesseract's own words
    size, (x, y), scale = float(tail[2][0][1]), [float(v) for v in tail[3][0][4:]], float(tail[4][0][0])
    assert abs(size - 50 * 72 / 300) < 0.01 and abs(x - 400 * 72 / 300) < 0.01
    assert abs(y - (height - 250 * 72 / 300)) < 0.01
    assert abs(len("Luật ") * 0.5 * size * scale / 100 - 160 * 72 / 300) < 0.05  # DW 500: half an em a code
    assert pypdf.PdfReader(io.BytesIO(out)).pages[0].extract_text().split()[-1] == "Luật"
    assert with_added_words(layer, [], dpi=300) == layer


def test_a_page_of_ink_tesseract_reads_no_word_in_is_not_read_band_by_band():
    words = tuple(_word("công", 100 + 150 * i, 50) for i in range(10))
    ink = np.zeros((1400, 2000), dtype=bool)

    def handwriting(top: int) -> None:  # strokes of a line's height across the width
        for x in range(100, 1600, 9):
            ink[top:top + 40, x:x + 3] = True
        ink[top + 18:top + 22, 100:1600] = True

    handwriting(150)
    assert len(unread_lines(ink, words)) == 1  # one line left out: read
    for top in range(250, 1300, 120):
        handwriting(top)
    assert unread_lines(ink, words) == []  # nine: not print tesseract left out, nothing read


def _margin_page(conf: float = 50.0) -> tuple[OcrWord, ...]:
    """Three list lines whose numbers the layout took for a column (block 2), each line keeping its "."."""
    words: list[OcrWord] = []
    for i in range(3):
        top = 100 + 75 * i
        words += [OcrWord(".", 92.0, 277, top + 34, 6, 7, 1, i + 1, 1),
                  OcrWord("Quản", 96.0, 300, top, 110, 45, 1, i + 1, 1),
                  OcrWord("lý", 96.0, 425, top, 45, 50, 1, i + 1, 1)]
    words += [OcrWord(junk, conf, 236, 100 + 75 * i, 44, 46, 2, 1, i + 1) for i, junk in enumerate(("©€O", "Œ", "H>"))]
    return tuple(words)


def test_a_column_of_doubted_words_cut_off_the_starts_of_lines_makes_those_lines_read_again():
    words = _margin_page()
    found = split_lines(words)
    assert [old[-1].text for _, old in found] == ["©€O", "Œ", "H>"]
    band, old = found[1]
    assert [w.text for w in old] == [".", "Quản", "lý", "Œ"]
    assert (band.left, band.top, band.right) == (236, 175, 470) and band.bottom >= 175 + 50
    # a confident number down a narrow column (a table's STT) is read as it is; so is a wide block
    assert split_lines(_margin_page(conf=95.0)) == []
    wide = tuple(replace(w, width=400) if w.block == 2 else w for w in _margin_page())
    assert split_lines(wide) == []


def test_a_line_read_again_takes_the_place_of_both_its_pieces():
    words = _margin_page()
    _, old = split_lines(words)[1]
    new = (OcrWord("5.", 97.0, 236, 175, 40, 45, 1, 1, 1), OcrWord("Quản", 97.0, 300, 175, 110, 45, 1, 1, 1),
           OcrWord("lý", 97.0, 425, 175, 45, 50, 1, 1, 2))
    out = with_lines(words, [(new, old)])
    assert text_of_words(out).split("\n") == [". Quản lý", "", "5. Quản lý", "", ". Quản lý", "", "©€O", "H>"]
    assert {(w.block, w.par, w.line) for w in out if w.conf == 97.0} == {(1, 2, 1)}  # the line's own place


def test_a_list_whose_numbers_tesseract_took_for_a_column_gets_them_back(tesseract):
    # the bench's seed 905, speck-cloud page 9: "4." … "9." read as a column of junk ("©€O", "Œ", …)
    scan = degrade_page(pages(10, seed=905, dpi=300)[9].image, "speckle_clustered", seed=905 * 10_000 + 3009, dpi=300)
    text = ocr_image(scan).text
    for number in ("4. Quản lý tổ chức", "5. Quản lý đào tạo", "6. Quản lý khen thưởng"):
        assert number in text, text
    assert not {"©€O", "Œ", "H>", "(©", "ƠI"} & set(text.split())  # the column read as junk is gone
