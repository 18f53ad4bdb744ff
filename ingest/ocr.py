"""Vietnamese OCR of one page image with tesseract (`vie`), text, mean word confidence and words.

Each page is measured and prepared by its own recipe (ingest.page_quality: gray to tesseract when
clean, binarised and cleared of dust when dusty, seal-red and signature-blue ink taken out), and
words tesseract read from dust (marks only, low confidence) and table rules read as bars (`|`) are
dropped from words and text. A page with speck clouds, read 1-bit, is read once more — the lines
holding a doubted word — as its kept ink in gray on white, and each word is taken from whichever
reading tesseract was surer of (`voted_words`). A line of ink where tesseract's layout read no word
at all is read on its own and put back in its place (ingest.unread_lines).

The same run's word table (TSV) is kept as `OcrResult.words`: each word's text, confidence and
box in the pixels of the page image we were given (boxes on a deskewed page are mapped back),
with tesseract's block / paragraph / line numbers — what reading a form's fields needs.

Asked for it (`text_layer=True`), the same tesseract run also writes the page's invisible text
layer (a text-only PDF, `-c textonly_pdf=1`) laid out at the DPI we pass, together with the
geometry of the image tesseract read (deskewed, so grown and rotated): the archival copy
(ingest.pdfa) maps that layer back onto the original scan without a second OCR pass. The layer
holds the words kept, in their kept text, as the page's text does (ingest.text_layer).
"""

from __future__ import annotations

import csv
import io
import logging
import math
import os
import tempfile
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytesseract
from PIL import Image

from ingest.errors import ExtractionFailed, UnreadablePage
from ingest.page_memory import keep_page_memory
from ingest.page_quality import PageQuality, SpeckClouds
from ingest.page_quality import prepare as prepare_page
from ingest.preprocess import PreprocessOptions, preprocess_with_angle, to_grayscale
from ingest.text_layer import with_added_words, with_words
from ingest.unread_lines import by_line, ink_of, line_image, split_lines, sure_line, unread_ink, unread_lines, with_lines
from search.text import nfc
from storage import owned_prefix

# One thread per tesseract process: parallelism comes from running several workers, and
# OpenMP threads inside each would only fight over the same two cores.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# and page-sized arrays reused from page to page instead of faulted in afresh (ingest.page_memory)
keep_page_memory()

log = logging.getLogger(__name__)

# Below this many pixels on a side there is nothing to read, and leptonica refuses the file
# outright (a 1 × 1 page is a netpbm file too short for it to recognise): answer "no text".
MIN_OCR_SIDE_PX = 8


@dataclass(frozen=True)
class PageGeometry:
    """How the image tesseract read relates to the page image it was given (khung ảnh).

    The OCR image is the page rotated by `angle` degrees (counter-clockwise, as PIL's
    `rotate`, about the centre, grown to keep the corners): its centre is the page's centre.
    `dpi` is what tesseract was told, so its PDF page is `ocr_width × 72 / dpi` points wide.
    """

    width: int
    height: int
    ocr_width: int
    ocr_height: int
    angle: float
    dpi: float


@dataclass(frozen=True)
class OcrWord:
    """One word tesseract read (từ nhận dạng): NFC text, confidence 0–100 and its box.

    The box (`left`, `top`, `width`, `height`) is in pixels of the page image given to
    `ocr_image` (not the deskewed image tesseract saw); `block`, `par`, `line` are tesseract's
    layout numbers (a line is unique by all three).
    """

    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    block: int
    par: int
    line: int

    def to_json(self) -> dict:
        return {"text": self.text, "conf": self.conf, "left": self.left, "top": self.top, "width": self.width,
                "height": self.height, "block": self.block, "par": self.par, "line": self.line}

    @classmethod
    def from_json(cls, d: dict) -> "OcrWord":
        return cls(text=str(d["text"]), conf=float(d["conf"]), left=int(d["left"]), top=int(d["top"]),
                   width=int(d["width"]), height=int(d["height"]), block=int(d.get("block", 0)),
                   par=int(d.get("par", 0)), line=int(d.get("line", 0)))


@dataclass(frozen=True)
class OcrResult:
    text: str          # NFC
    confidence: float  # mean word confidence 0–100; 0 when no word was found
    layer_pdf: bytes | None = None       # tesseract's text-only PDF of the page (text_layer=True)
    geometry: PageGeometry | None = None
    # the same run's words with boxes in the given image's pixels, and that image's (width, height)
    words: tuple[OcrWord, ...] = ()
    size: tuple[int, int] | None = None
    # orientation (ingest.orientation): degrees the page was turned clockwise before this run, ink share
    rotation: int = 0
    ink_ratio: float | None = None


def _words(tsv: str, *, angle: float, ocr_size: tuple[int, int], page_size: tuple[int, int],
           origin: tuple[int, int] = (0, 0)) -> tuple[OcrWord, ...]:
    """The word rows (level 5) of tesseract's TSV, boxes mapped from the OCR image onto the page;
    `origin` is where the image tesseract read lies on the OCR image (a line cut out of it)."""
    out: list[OcrWord] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = nfc(row.get("text") or "").strip()
        try:
            if row.get("level") != "5" or not text:
                continue
            conf = float(row.get("conf") or -1)
            left, top, w, h = (int(row[k]) for k in ("left", "top", "width", "height"))
            block, par, line = (int(row[k]) for k in ("block_num", "par_num", "line_num"))
        except (KeyError, TypeError, ValueError):
            continue
        if conf < 0:
            continue
        out.append(OcrWord(text=text, conf=round(conf, 2), left=left + origin[0], top=top + origin[1], width=w,
                           height=h, block=block, par=par, line=line))
    return _mapped(tuple(out), angle=angle, ocr_size=ocr_size, page_size=page_size)


def _mapped(words: tuple[OcrWord, ...], *, angle: float, ocr_size: tuple[int, int],
            page_size: tuple[int, int]) -> tuple[OcrWord, ...]:
    """Words with boxes on the OCR image (the page turned `angle` degrees and grown to `ocr_size`),
    their boxes mapped onto the page: each the box round its turned-back corners."""
    if abs(angle) <= 1e-9:
        return words
    rad = math.radians(angle)
    cos, sin = math.cos(rad), math.sin(rad)
    ocx, ocy = ocr_size[0] / 2, ocr_size[1] / 2
    pcx, pcy = page_size[0] / 2, page_size[1] / 2

    def to_page(x: float, y: float) -> tuple[float, float]:
        # PIL's rotate(angle) turns the page counter-clockwise about its centre (y points down):
        # undo it about the OCR image's centre, which is the page's centre
        dx, dy = x - ocx, y - ocy
        return pcx + dx * cos - dy * sin, pcy + dx * sin + dy * cos

    out = []
    for word in words:
        corners = [to_page(x, y) for x in (word.left, word.left + word.width) for y in (word.top, word.top + word.height)]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        x0, y0 = max(0, round(min(xs))), max(0, round(min(ys)))
        x1, y1 = min(page_size[0], round(max(xs))), min(page_size[1], round(max(ys)))
        out.append(replace(word, left=x0, top=y0, width=max(1, x1 - x0), height=max(1, y1 - y0)))
    return tuple(out)


def _mean_confidence(tsv: str) -> float:
    confs = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        try:
            conf = float(row.get("conf") or -1)
        except ValueError:
            continue
        if conf >= 0 and (row.get("text") or "").strip():
            confs.append(conf)
    return round(sum(confs) / len(confs), 2) if confs else 0.0


def prepare_with_angle(img: Image.Image, options: PreprocessOptions, dpi: float = 300) -> tuple[Image.Image, float]:
    """The page tesseract reads and the deskew angle applied (0 when it did not rotate).

    With `options.adaptive` (the default) the page is measured and gets its own recipe
    (ingest.page_quality: gray when clean, cleaned when dusty); otherwise `preprocess`'s one.
    """
    if options.adaptive:
        prepared, angle, _ = prepare_page(img, options, dpi)
        return prepared, angle
    return preprocess_with_angle(img, options)


def ocr_image(
    img: Image.Image, *, lang: str = "vie", options: PreprocessOptions | None = PreprocessOptions(),
    timeout: int = 300, text_layer: bool = False, dpi: float = 300, tmp_dir: Path | None = None,
    rotation: int = 0,
) -> OcrResult:
    """OCR one page; `options=None` skips preprocessing (the benchmark's raw-tesseract anchor).

    `text_layer=True` also returns tesseract's text-only PDF of the page, laid out at `dpi`,
    and the geometry that maps it back onto `img`. Temp files go under `tmp_dir` (the
    settings' tmp dir) with an owner-tagged name, so the janitor removes a killed worker's.

    A page tesseract refuses raises UnreadablePage (the same page fails every time); a missing
    engine, a timeout or a killed process raise ExtractionFailed (they may pass).
    """
    if min(img.size) < MIN_OCR_SIDE_PX:
        return OcrResult(text="", confidence=0.0)
    # `rotation` (clockwise, a multiple of 90, from orientation detection) turns the page first;
    # it joins the deskew angle, so boxes and the text layer still map back onto `img`
    page = img.rotate(-rotation, expand=True) if rotation % 360 else img
    dusty = False
    clouds: SpeckClouds | None = None
    quality: PageQuality | None = None
    if options is None:
        prepared, angle = page, 0.0
    elif options.adaptive:  # the page measured, its recipe chosen (ingest.page_quality)
        prepared, angle, quality = prepare_page(page, options, dpi)
        dusty, clouds = quality.recipe == "clean", quality.clouds
    else:  # the angle maps word boxes (and the text layer) back onto the page
        prepared, angle = prepare_with_angle(page, options, dpi)
    angle -= rotation % 360
    layer: bytes | None = None
    second: str | None = None
    # lines tesseract's layout left out or cut in two, read on their own: (words, the words they replace)
    reread: list[tuple[tuple[OcrWord, ...], tuple[OcrWord, ...]]] = []
    with tempfile.TemporaryDirectory(prefix=owned_prefix("ocr-"), dir=tmp_dir) as tmp, _tesseract_errors(timeout):
        page_file = write_uncompressed(prepared, Path(tmp) / "page", dpi)
        if text_layer:
            text, tsv, layer = _run_with_layer(page_file, Path(tmp) / "out", lang=lang, dpi=dpi, timeout=timeout)
        else:
            # one tesseract run for both: the text as tesseract lays it out, and word confidences
            # (the page's DPI travels in the BMP header)
            text, tsv = pytesseract.run_and_get_multiple_output(
                str(page_file), extensions=["txt", "tsv"], lang=lang, timeout=timeout
            )
        # boxes on the image tesseract read (not mapped back onto the page): the second page is its twin
        on_ocr_image = _words(tsv, angle=0.0, ocr_size=prepared.size, page_size=prepared.size)
        if options is not None and options.adaptive:
            reread = reread_lines(prepared, on_ocr_image, Path(tmp), lang=lang, dpi=dpi, timeout=timeout)
        if quality is not None and quality.second_reading is not None:  # a clouded page (page_quality.SECOND_READING)
            doubted = doubted_lines(on_ocr_image)
            second_file = write_uncompressed(only_boxes(quality.second_reading, doubted), Path(tmp) / "second", dpi)
            second = pytesseract.run_and_get_multiple_output(str(second_file), extensions=["tsv"], lang=lang,
                                                             timeout=timeout)[0]
    geometry = None
    if text_layer:
        geometry = PageGeometry(width=img.width, height=img.height, ocr_width=prepared.width,
                                ocr_height=prepared.height, angle=angle, dpi=float(dpi))
    words = _mapped(on_ocr_image, angle=angle, ocr_size=prepared.size, page_size=img.size)  # the TSV parsed once
    text, confidence = nfc(text).strip(), _mean_confidence(tsv)
    if options is not None and options.adaptive:
        kept = words
        if second is not None:
            kept = voted_words(words, _words(second, angle=angle, ocr_size=prepared.size, page_size=img.size))
        def on_page(line: tuple[OcrWord, ...]) -> tuple[OcrWord, ...]:
            return _mapped(line, angle=angle, ocr_size=prepared.size, page_size=img.size)

        found = [(on_page(new), on_page(old)) for new, old in reread]
        kept = with_lines(kept, found)
        def cloud_share(word: OcrWord) -> float:
            return clouds.share(*_box_on_turned_page(word, img.size, rotation)) if clouds is not None else 0.0

        kept = tuple(w for w in without_rule_bars(kept)
                     if not is_dust_word(w, dusty_page=dusty, in_cloud=cloud_share(w) >= CLOUD_LINE_MIN_SHARE))
        if clouds is not None:
            kept = without_cloud_lines(kept, cloud_share)
        if kept != words:  # dust read as marks, or a word read better the second time: the text is the kept words
            if layer is not None:  # and so is the archival copy's text layer
                layer = with_words(layer, kept_texts(words, kept))
                # the words of lines read again, boxes on the image tesseract read, as they were kept (a
                # word in the box of one read the first time is already there, in its new text)
                read_boxes = {(w.left, w.top, w.width, w.height) for w in words}
                added = zip(kept_texts(tuple(w for new, _ in found for w in new), kept),
                            (w for new, _ in reread for w in new), (w for new, _ in found for w in new))
                layer = with_added_words(layer, [(now, (w.left, w.top, w.width, w.height)) for (_, now), w, placed
                                                 in added if now and (placed.left, placed.top, placed.width,
                                                                      placed.height) not in read_boxes], dpi=dpi)
            words, text = kept, text_of_words(kept)
            confidence = round(sum(w.conf for w in kept) / len(kept), 2) if kept else 0.0
    return OcrResult(text=text, confidence=confidence, layer_pdf=layer, geometry=geometry,
                     words=words, size=(img.width, img.height), rotation=rotation % 360)


def reread_lines(page: Image.Image, words: tuple[OcrWord, ...], tmp: Path, *, lang: str, dpi: float,
                 timeout: int) -> list[tuple[tuple[OcrWord, ...], tuple[OcrWord, ...]]]:
    """Lines of `page` (the image tesseract read) its layout left out or cut in two (ingest.unread_lines),
    each read on its own as one line: (the words read, the words of the first reading they replace),
    boxes on `page`. A line is kept when tesseract is sure of it (`sure_line`) and, read again, surer
    than of the words it replaces."""
    unread = unread_ink(page, words)
    jobs = [(unread, band, ()) for band in unread_lines(unread, words)]
    splits = split_lines(words)
    if splits:
        whole = ink_of(page)
        jobs += [(whole, band, old) for band, old in splits]
    out = []
    for number, (ink, band, old) in enumerate(jobs):
        image, origin = line_image(ink, band, pad=(band.bottom - band.top) // 3 + 8)
        base = tmp / f"line-{number}"
        pytesseract.pytesseract.run_tesseract(
            str(write_uncompressed(image, base, dpi)), str(base), extension="tsv", lang=lang, timeout=timeout,
            config=f"--psm 7 --dpi {round(dpi)} -c tessedit_create_tsv=1")
        tsv = base.with_suffix(".tsv").read_text(encoding="utf-8")
        read = _words(tsv, angle=0.0, ocr_size=page.size, page_size=page.size, origin=origin)
        if sure_line(read) and (not old or _mean_conf(read) > _mean_conf(old)):
            out.append((read, old))
    return out


def _mean_conf(words: tuple[OcrWord, ...]) -> float:
    return sum(w.conf for w in words) / len(words)


@contextmanager
def _tesseract_errors(timeout: int) -> Iterator[None]:
    """tesseract's failures as ours: a page it refuses is UnreadablePage (the same page fails every
    time); a missing engine, a timeout or a killed process are ExtractionFailed (they may pass)."""
    try:
        yield
    except pytesseract.TesseractNotFoundError as exc:
        raise ExtractionFailed("Không tìm thấy tesseract; chạy `make setup` để cài tesseract-ocr-vie.") from exc
    except pytesseract.TesseractError as exc:
        if exc.status < 0:  # killed by a signal (out of memory, shutdown): another try may pass
            raise ExtractionFailed("Tiến trình OCR bị dừng giữa chừng.") from exc
        log.warning("tesseract refused a page (%s): %s", exc.status, exc.message)
        raise UnreadablePage("Công cụ OCR không đọc được ảnh trang này.") from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise ExtractionFailed(f"OCR quá {timeout} giây cho một trang.") from exc


# On a clouded page only the lines holding a word the first reading doubts (below this) are read the
# second time — the rest of the second page is left blank: half the lines of a clouded page, and
# most of the vote's gain (clustered speckle 0.47 % → 0.40 % against 0.37 % for the whole page read
# again; specks touching strokes 0.17 → 0.04 % against 0.03 %) for about half its cost.
DOUBTED_WORD_MAX_CONF = 93.0


def doubted_lines(words: tuple[OcrWord, ...]) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom) of the lines holding a word read below DOUBTED_WORD_MAX_CONF,
    a quarter of their height more above and below (the stacked marks)."""
    boxes = []
    for line in by_line(words).values():
        if min(w.conf for w in line) >= DOUBTED_WORD_MAX_CONF:
            continue
        left, top = min(w.left for w in line), min(w.top for w in line)
        right, bottom = max(w.left + w.width for w in line), max(w.top + w.height for w in line)
        pad = (bottom - top) // 4
        boxes.append((max(0, left - 4), max(0, top - pad), right + 4, bottom + pad))
    return boxes


def only_boxes(page: Image.Image, boxes: list[tuple[int, int, int, int]]) -> Image.Image:
    """`page` with everything outside `boxes` made paper."""
    out = Image.new("L", page.size, 255)
    for box in boxes:
        out.paste(page.crop(box), box[:2])
    return out


# Two readings' words are the same word when their boxes overlap this much (intersection over union).
SAME_WORD_MIN_OVERLAP = 0.6


def voted_words(first: tuple[OcrWord, ...], second: tuple[OcrWord, ...]) -> tuple[OcrWord, ...]:
    """`first` with each word's text and confidence taken from `second` where `second` read the same
    box (SAME_WORD_MIN_OVERLAP) differently and with more confidence; boxes and lines stay `first`'s."""
    by_middle = sorted(second, key=_middle)
    middles = [_middle(w) for w in by_middle]
    out = []
    for word in first:
        # only words whose middle lies within this word's height can overlap it enough
        near = by_middle[bisect_left(middles, word.top):bisect_right(middles, word.top + word.height)]
        match = max(near, key=lambda other: _overlap(word, other), default=None)
        if (match is not None and match.text != word.text and match.conf > word.conf
                and _overlap(word, match) >= SAME_WORD_MIN_OVERLAP):
            word = replace(word, text=match.text, conf=match.conf)
        out.append(word)
    return tuple(out)


def _middle(word: OcrWord) -> float:
    return word.top + word.height / 2


def _overlap(a: OcrWord, b: OcrWord) -> float:
    """Intersection over union of two words' boxes."""
    width = min(a.left + a.width, b.left + b.width) - max(a.left, b.left)
    height = min(a.top + a.height, b.top + b.height) - max(a.top, b.top)
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    return inter / (a.width * a.height + b.width * b.height - inter)


# A word with no letter or digit that tesseract itself doubts is dust read as a mark (`¬`, `_`,
# `„`, `ˆ`, a lone `,`): on the bench's dusty pages every such word was below 60, while real
# dashes and bullets of list items read at 90+.
DUST_WORD_MAX_CONF = 60.0
# Inside a speck cloud tesseract reads grains as marks surer than that: `"` `”` `'` `.` `--` `%` at
# 62–85 on the bench's clouded pages (20 such words in 48 pages, no real one), where a real dash in a
# cloud read at 90–93; there a word of marks only is dust below this.
CLOUD_DUST_WORD_MAX_CONF = 85.0
# On a page measured dusty, a word of one or two characters read at almost no confidence is a
# grain cloud read as letters (`l`, `Ki`, `.í` at 0); real short words on those pages read ≥ 20.
DUSTY_PAGE_SHORT_WORD_MAX_CONF = 10.0


# A line whose every word lies (half or more of its box) in a speck cloud and whose words
# tesseract doubts (mean confidence below this) is the cloud read as text: "so,", "_-Ă*", "z#-"
# at 0–16 on the bench pages, where real lines under a cloud read at 65–97 (dropping such lines
# took clustered speckle from 0.41 % to 0.37 % CER; any bound from 20 to 50 did the same).
CLOUD_LINE_MAX_CONF = 40.0
CLOUD_LINE_MIN_SHARE = 0.5


def without_cloud_lines(words: tuple[OcrWord, ...], cloud_share: Callable[[OcrWord], float]) -> tuple[OcrWord, ...]:
    """`words` without the lines that are a speck cloud read as text (CLOUD_LINE_MAX_CONF)."""
    dust = {key for key, line in by_line(words).items()
            if sum(w.conf for w in line) / len(line) < CLOUD_LINE_MAX_CONF
            and all(cloud_share(w) >= CLOUD_LINE_MIN_SHARE for w in line)}
    if not dust:
        return words
    return tuple(w for w in words if (w.block, w.par, w.line) not in dust)


def _box_on_turned_page(word: OcrWord, size: tuple[int, int], rotation: int) -> tuple[int, int, int, int]:
    """A word's box (left, top, width, height) on the given image of `size`, as it lies on that
    image turned `rotation` degrees clockwise (where the page was measured)."""
    width, height = size
    x, y, w, h = word.left, word.top, word.width, word.height
    turn = rotation % 360
    if turn == 90:
        return height - y - h, x, h, w
    if turn == 180:
        return width - x - w, height - y - h, w, h
    if turn == 270:
        return y, width - x - w, h, w
    return x, y, w, h


def _is_text_char(ch: str) -> bool:
    # letters and digits, but not modifier letters (ˆ ˋ ˜ are marks tesseract reads from dust)
    return unicodedata.category(ch) in ("Lu", "Ll", "Lt", "Lo", "Nd")


# "./." ends the text of a Vietnamese decision or regulation (each of shared/regulations' five ends
# so); read apart from the last word, tesseract doubts it (22–37 on the bench's pages), yet it is text.
END_OF_TEXT_MARK = "./."


def is_dust_word(word: OcrWord, *, dusty_page: bool = False, in_cloud: bool = False) -> bool:
    """A word that is only marks (no letter, no digit) read with low confidence (DUST_WORD_MAX_CONF,
    in a speck cloud CLOUD_DUST_WORD_MAX_CONF): dust, not text; on a dusty page also a one- or
    two-character word read at almost no confidence. The end-of-text mark ("./.") is never dust."""
    if word.text == END_OF_TEXT_MARK:
        return False
    doubted = word.conf < (CLOUD_DUST_WORD_MAX_CONF if in_cloud else DUST_WORD_MAX_CONF)
    if doubted and not any(_is_text_char(ch) for ch in word.text):
        return True
    return dusty_page and len(word.text) <= 2 and word.conf < DUSTY_PAGE_SHORT_WORD_MAX_CONF


# Bar glyphs: what tesseract reads a table's vertical rule as (đường kẻ dọc of a Mẫu 2C form),
# alone ("| 04/10") or stuck to the word beside the rule ("hội|"). Vietnamese text has no use for
# them: on the bench's Mẫu 2C pages they were 0.1–0.3 CER points of every seed's table kind, and
# no other kind's pipeline text held one.
RULE_BARS = "|¦│┃ǀ｜"


def without_rule_bars(words: tuple[OcrWord, ...]) -> tuple[OcrWord, ...]:
    """`words` with bars (RULE_BARS) taken off each word's ends, and words that were only bars dropped."""
    out = []
    for word in words:
        text = word.text.strip(RULE_BARS)
        if text:
            out.append(word if text == word.text else replace(word, text=text))
    return tuple(out)


def kept_texts(read: tuple[OcrWord, ...], kept: tuple[OcrWord, ...]) -> list[tuple[str, str | None]]:
    """For each word read, its text and what it is in `kept` (None when dropped). A kept word is the
    read word itself or a copy with another text or line number (ingest.unread_lines): its box says
    which (no two words of a page share a box)."""
    def key(word: OcrWord) -> tuple[int, ...]:
        return (word.left, word.top, word.width, word.height)

    now = {key(w): w.text for w in kept}
    return [(w.text, now.get(key(w))) for w in read]


def text_of_words(words: tuple[OcrWord, ...]) -> str:
    """Page text from words as tesseract's text output lays it: a line per line, a blank line
    between paragraphs and blocks."""
    lines: list[str] = []
    previous: tuple[int, int, int] | None = None
    for word in words:
        key = (word.block, word.par, word.line)
        if key != previous:
            if previous is not None and key[:2] != previous[:2]:
                lines.append("")
            lines.append(word.text)
            previous = key
        else:
            lines[-1] += " " + word.text
    return "\n".join(lines).strip()


def _run_with_layer(page_file: Path, out_base: Path, *, lang: str, dpi: float, timeout: int) -> tuple[str, str, bytes]:
    """One tesseract run writing text, word table and the text-only PDF (at the real DPI)."""
    # pytesseract's multiple-output helper takes no config, so call its runner directly
    pytesseract.pytesseract.run_tesseract(
        str(page_file), str(out_base), extension="txt pdf", lang=lang, timeout=timeout,
        config=f"--dpi {round(dpi)} -c tessedit_create_tsv=1 -c textonly_pdf=1",
    )
    text = out_base.with_suffix(".txt").read_text(encoding="utf-8")
    tsv = out_base.with_suffix(".tsv").read_text(encoding="utf-8")
    return text, tsv, out_base.with_suffix(".pdf").read_bytes()


def write_uncompressed(img: Image.Image, stem: Path, dpi: float | None = None) -> Path:
    """Save `img` uncompressed for tesseract, as BMP (1-bit, gray or colour), with its DPI.

    pytesseract would write a PNG, and zlib compression of an A4 page at 300 dpi costs
    0.07–0.3 CPU-s, a tenth of the OCR itself. Uncompressed is a header and the raw pixels,
    but which format matters: leptonica reads an 8-bit PGM slowly (a gray A4 page cost
    tesseract 1.27 CPU-s as PGM, 1.13 s as BMP, 1.20 s as PNG; 1-bit BMP and PBM 0.87 s).
    A BMP also carries the resolution, which tesseract honours: without it tesseract guesses
    one from the text size, and on a ruled Mẫu 2C table it guessed wrong and read the grid
    as letters (13.9 % CER against 0.5 % with the real DPI, bench.ocr_kinds).
    """
    if img.mode not in ("1", "L", "RGB"):
        img = to_grayscale(img)  # alpha, palette, 16-bit, CMYK: tesseract reads gray anyway
    path = stem.with_suffix(".bmp")
    if dpi:
        img.save(path, format="BMP", dpi=(round(dpi), round(dpi)))
    else:
        img.save(path, format="BMP")
    return path


# the name other stages (ingest.orientation) know it by
write_netpbm = write_uncompressed
