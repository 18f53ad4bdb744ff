"""Lines tesseract's layout left out (dòng bị bỏ sót) or cut in two, found by their ink and read again.

Now and then tesseract's page layout drops a whole clean line of a page it otherwise reads well:
no block, no line, no word for it in the word table ("a) Cán bộ, công chức theo quy định của Luật
Cán bộ, công chức năm 2008 (sửa đổi," — 80 characters — on a 1-bit page read at 0.1 % elsewhere).
On the bench's speck-cloud pages that was one page in about twenty, and it alone put a seed's
clustered speckle from ~0.5 % to 2 % CER. Read on its own as one line (`--psm 7`), the same ink
reads at 90+.

So, once the page is read: the words' boxes are painted out of its ink, and what is left is looked
for rows of a line's height and at least a quarter of the text's width (`unread_lines`: a few numpy
passes, ~7 ms a page). Signatures, seals, punched holes and table rules are narrower or thinner
than that; what is found is read as a line and kept only when tesseract is sure of it
(RECOVERED_LINE_MIN_CONF), so a band of leftover grains reads as nothing kept.

The layout can also cut lines in two: a list's stacked numbers ("2." … "9.") taken for a column of
their own, read as junk at the page's end while each line keeps only its "." (`split_lines`). Such a
line is read again whole and replaces both pieces when tesseract is surer of it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from ingest.preprocess import otsu_from_histogram, true_runs

if TYPE_CHECKING:
    from ingest.ocr import OcrWord

# A band is a line when its height is this share of the page's median word height (words of three
# letters or more: a line's box holds its ascenders and stacked marks) …
LINE_MIN_HEIGHT = 0.5
LINE_MAX_HEIGHT = 2.0
# … its ink spans at least this share of the width the page's words span (a signature, a seal
# left in black, a punched hole are narrower) …
LINE_MIN_WIDTH = 0.25
# … and each of its rows holds at least this share of the page's width in ink (a table's vertical
# rules, ~3 px each, and a speck cloud's leftover grains hold fewer).
ROW_MIN_INK = 0.02
# … and letters' stems: in at least this share of its inked columns ink fills STEM_MIN_FILL of its
# height (a table's horizontal rule, sloping across a page left unturned, makes a band of a line's
# height, but no column of it holds more than the rule's 2–4 px, save where a vertical rule crosses).
LINE_MIN_STEMS = 0.08
STEM_MIN_FILL = 0.4
# Rows of a line may part by this much (between a capital's stacked mark and the letter).
ROW_GAP_PX = 3
# Ink within this many pixels of a word's box belongs to it (a mark tesseract left out of the box).
WORD_MARGIN_PX = 3
# A page with more such bands than this is not a page with a line left out but ink tesseract does not
# read as print (handwriting, a drawing, a photograph): reading each band would cost a tesseract run
# (~0.2 s) for nothing, so none is read.
MAX_UNREAD_LINES = 6
# A line read on its own is kept when its words' mean confidence reaches this: the lines tesseract's
# layout left out read at 90+, leftover grains and scribbles far below.
RECOVERED_LINE_MIN_CONF = 80.0


@dataclass(frozen=True)
class UnreadLine:
    """A band of the page to read again as one line: a line's ink where no word was read, or both pieces
    of a line the layout cut in two (pixels of the page tesseract read)."""

    left: int
    top: int
    right: int
    bottom: int

    def crop_box(self, size: tuple[int, int], pad: int) -> tuple[int, int, int, int]:
        """The band with `pad` px of paper round it, within a page of `size`."""
        return (max(0, self.left - pad), max(0, self.top - pad), min(size[0], self.right + pad),
                min(size[1], self.bottom + pad))


def ink_of(page: Image.Image) -> np.ndarray:
    """The page's ink: black of a 1-bit page, at or below Otsu's threshold of a gray one."""
    arr = np.asarray(page)
    if page.mode == "1":
        return ~arr
    if page.mode != "L":
        arr = np.asarray(page.convert("L"))
    # Otsu's threshold from every fourth row and column: the same cut, a sixteenth of the cost
    # (the whole page's histogram is ~7 ms, most of what finding left-out lines costs)
    return arr <= otsu_from_histogram(np.bincount(arr[::4, ::4].ravel(), minlength=256))


def unread_ink(page: Image.Image, words: tuple[OcrWord, ...]) -> np.ndarray:
    """The page's ink with every read word's box (WORD_MARGIN_PX round it) painted out."""
    ink = ink_of(page)  # a new array: painting it leaves the page alone
    m = WORD_MARGIN_PX
    for w in words:
        ink[max(0, w.top - m):w.top + w.height + m, max(0, w.left - m):w.left + w.width + m] = False
    return ink


def unread_lines(ink: np.ndarray, words: tuple[OcrWord, ...]) -> list[UnreadLine]:
    """Bands of `ink` (the page's ink, read words painted out: `unread_ink`) the size of a line of
    text: LINE_MIN_HEIGHT–LINE_MAX_HEIGHT of the median word's height, LINE_MIN_WIDTH of the words'
    width, ROW_MIN_INK per row, stems (LINE_MIN_STEMS). Boxes in `words`' pixels; none on a page with no
    word read or with more than MAX_UNREAD_LINES of them."""
    heights = [w.height for w in words if sum(ch.isalpha() for ch in w.text) >= 3]
    if not heights:
        return []
    line_height = statistics.median(heights)
    text_width = max(w.left + w.width for w in words) - min(w.left for w in words)
    height, width = ink.shape
    rows = np.count_nonzero(ink, axis=1) >= max(1, ROW_MIN_INK * width)
    out: list[UnreadLine] = []
    for top, bottom in _joined(true_runs(rows), ROW_GAP_PX):
        if not LINE_MIN_HEIGHT * line_height <= bottom - top <= LINE_MAX_HEIGHT * line_height:
            continue
        fill = ink[top:bottom].sum(axis=0)
        columns = np.flatnonzero(fill)
        left, right = int(columns[0]), int(columns[-1]) + 1
        stems = np.count_nonzero(fill >= STEM_MIN_FILL * (bottom - top)) / len(columns)
        if right - left >= LINE_MIN_WIDTH * text_width and stems >= LINE_MIN_STEMS:
            out.append(UnreadLine(left=left, top=top, right=right, bottom=bottom))
    return out if len(out) <= MAX_UNREAD_LINES else []


# A block of words no wider than this many line heights, each word doubted (below SPLIT_WORD_MAX_CONF)
# and just left of a line of another block (closer than SPLIT_MAX_GAP line heights, the boxes overlapping
# by half a line height at most), is the starts of
# those lines cut off by the layout: list numbers "2." … "9." stacked down the margin, taken for a
# column of their own and read as "©€O", "(©", "Œ" while each line kept only its "." (one page of
# 77 on the bench, every number of its list lost, raw tesseract alike). Each such line is read again
# whole, as one line.
MARGIN_COLUMN_MAX_WIDTH = 2.5
SPLIT_MAX_GAP = 2.0
SPLIT_WORD_MAX_CONF = 90.0
# At most this many such lines of a page are read again (a tesseract run each, ~0.15 s).
MAX_SPLIT_LINES = 12


def split_lines(words: tuple[OcrWord, ...]) -> list[tuple[UnreadLine, tuple[OcrWord, ...]]]:
    """Lines the layout cut in two (MARGIN_COLUMN_MAX_WIDTH): for each, the band holding both pieces
    and the words read there, the line's own first, its cut-off start last."""
    heights = [w.height for w in words if sum(ch.isalpha() for ch in w.text) >= 3]
    if not heights:
        return []
    line_height = statistics.median(heights)
    lines = by_line(words)
    blocks: dict[int, list[OcrWord]] = {}
    for word in words:
        blocks.setdefault(word.block, []).append(word)
    out: list[tuple[UnreadLine, tuple[OcrWord, ...]]] = []
    for block, members in blocks.items():
        if max(w.left + w.width for w in members) - min(w.left for w in members) > MARGIN_COLUMN_MAX_WIDTH * line_height:
            continue
        for start in members:
            if start.conf >= SPLIT_WORD_MAX_CONF:
                continue
            middle = start.top + start.height / 2
            for key, line in lines.items():
                gap = min(w.left for w in line) - (start.left + start.width)
                top, bottom = min(w.top for w in line), max(w.top + w.height for w in line)
                if key[0] != block and -line_height / 2 <= gap < SPLIT_MAX_GAP * line_height and top <= middle <= bottom:
                    band = UnreadLine(left=start.left, top=min(top, start.top), right=max(w.left + w.width for w in line),
                                      bottom=max(bottom, start.top + start.height))
                    out.append((band, (*line, start)))
                    break
    return out[:MAX_SPLIT_LINES]


def by_line(words: tuple[OcrWord, ...]) -> dict[tuple[int, int, int], list[OcrWord]]:
    """Words by the line tesseract put them on (block, paragraph, line), in reading order."""
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for word in words:
        lines.setdefault((word.block, word.par, word.line), []).append(word)
    return lines


def _joined(runs: list[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    """Runs (start, stop) with those parted by at most `gap` joined."""
    out: list[tuple[int, int]] = []
    for start, stop in runs:
        if out and start - out[-1][1] <= gap:
            out[-1] = (out[-1][0], stop)
        else:
            out.append((start, stop))
    return out


def line_image(ink: np.ndarray, line: UnreadLine, pad: int) -> tuple[Image.Image, tuple[int, int]]:
    """The band's unread ink, black on white with `pad` px of paper round it, and where its corner
    lies on the page (neighbouring lines' words are already painted out of `ink`)."""
    height, width = ink.shape
    x0, y0, x1, y1 = line.crop_box((width, height), pad)
    crop = np.where(ink[y0:y1, x0:x1], 0, 255).astype(np.uint8)
    return Image.fromarray(crop), (x0, y0)


def sure_line(words: tuple[OcrWord, ...]) -> bool:
    """Whether a line read on its own is text: a word of two letters or more, mean confidence at
    least RECOVERED_LINE_MIN_CONF."""
    if not words or not any(sum(ch.isalpha() for ch in w.text) >= 2 for w in words):
        return False
    return sum(w.conf for w in words) / len(words) >= RECOVERED_LINE_MIN_CONF


def with_lines(words: tuple[OcrWord, ...], lines: list[tuple[tuple[OcrWord, ...], tuple[OcrWord, ...]]]
               ) -> tuple[OcrWord, ...]:
    """`words` with lines read on their own put in: each (new words, the words they replace).

    A line read again (`split_lines`) takes the place, block, paragraph and line number of the first
    word it replaces, and the words it replaces go (words are the same by their box). A line left
    out (nothing replaced) goes after the last word whose top is above it, in that word's block and
    paragraph, as a line of its own numbered from 10,000 on, which tesseract never reaches."""
    out = list(words)
    for number, (new, old) in enumerate(sorted(lines, key=lambda pair: pair[0][0].top), start=10_000):
        if old:
            boxes = {_box(w) for w in old}
            at = next((i for i, w in enumerate(out) if _box(w) == _box(old[0])), len(out))
            anchor = out[at] if at < len(out) else old[0]
            placed = [replace(w, block=anchor.block, par=anchor.par, line=anchor.line) for w in new]
            out = [w for w in out[:at] if _box(w) not in boxes] + placed + [w for w in out[at:] if _box(w) not in boxes]
            continue
        top = min(w.top for w in new)
        at = 0
        for i, w in enumerate(out):
            if w.top < top:
                at = i + 1
        before = out[at - 1] if at else None
        block, par = (before.block, before.par) if before else (0, 0)
        out[at:at] = [replace(w, block=block, par=par, line=number) for w in new]
    return tuple(out)


def _box(word: OcrWord) -> tuple[int, int, int, int]:
    return word.left, word.top, word.width, word.height


__all__ = ["RECOVERED_LINE_MIN_CONF", "UnreadLine", "by_line", "ink_of", "line_image", "split_lines", "sure_line",
           "unread_ink", "unread_lines", "with_lines"]
