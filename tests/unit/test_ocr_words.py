"""OCR word boxes: the TSV of tesseract's run read as words, boxes mapped from the deskewed image
back onto the page image OCR was given; and the `ocr_words` derivative format round-trips."""

from __future__ import annotations

from PIL import Image, ImageDraw

from archive.services.ocr_words import from_json, to_json
from ingest.ocr import OcrWord, _words

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"


def _row(left, top, width, height, text="Hà", conf=91.5, level=5) -> str:
    return f"{level}\t1\t2\t1\t3\t1\t{left}\t{top}\t{width}\t{height}\t{conf}\t{text}\n"


def test_word_rows_only_with_text_and_confidence():
    tsv = HEADER + _row(0, 0, 100, 50, level=4) + _row(10, 20, 30, 40) + _row(1, 1, 1, 1, text=" ") + \
        _row(5, 5, 5, 5, conf=-1)
    words = _words(tsv, angle=0.0, ocr_size=(200, 200), page_size=(200, 200))
    assert words == (OcrWord("Hà", 91.5, 10, 20, 30, 40, 2, 1, 3),)


def test_boxes_on_a_deskewed_image_map_back_onto_the_page():
    page = Image.new("L", (1200, 1600), 255)
    ImageDraw.Draw(page).rectangle((300, 400, 599, 459), fill=0)  # a word 300 × 60 px
    for angle in (2.0, -2.5):
        rotated = page.rotate(angle, resample=Image.NEAREST, expand=True, fillcolor=255)  # as the deskew does
        x0, y0, x1, y1 = Image.eval(rotated, lambda v: 255 - v).getbbox()
        tsv = HEADER + _row(x0, y0, x1 - x0, y1 - y0)
        (w,) = _words(tsv, angle=angle, ocr_size=rotated.size, page_size=page.size)
        # the box of a rotated box is a little larger; its centre lands where the word is
        assert abs((w.left + w.width / 2) - 450) <= 3 and abs((w.top + w.height / 2) - 430) <= 3
        assert 295 <= w.left <= 300 and 595 <= w.left + w.width <= 610


def test_the_derivative_format_round_trips():
    words = (OcrWord("Nguyễn", 93.1, 412, 388, 160, 38, 2, 1, 3), OcrWord("Văn", 90.0, 590, 388, 90, 38, 2, 1, 3))
    back = from_json(to_json(4, (2480, 3508), words))
    assert (back.page, back.width, back.height, back.words) == (4, 2480, 3508, words)
