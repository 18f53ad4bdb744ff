"""Scanner streaks (vệt quét): the dark vertical lines a speck of dirt on a document feeder's glass
draws down every page it scans.

The feeder moves the paper past a fixed sensor line, so a dirty sensor pixel paints one image column
(or two or three) dark from where the dirt sat to the page's end — exactly vertical in the image,
whatever the page's own skew. Left on the page, tesseract takes the line for a column gap: it reads
the text left of it and then the text right of it, each line cut in two, and loses the letters the
line crosses (pages with one to three streaks read at 6–70 % CER, raw tesseract and ours alike).

A streak is found where, band after band of the page (STREAK_BAND_MM of rows), a run of at most
STREAK_MAX_WIDTH_MM of columns is dark in nearly every row while the columns just beside it are
mostly paper: text never is (a stem is a few millimetres tall, and the band holds three lines), a
photo or a seal is wide, and a table's vertical rule is met by the table's horizontal rules, which
keeps it (STREAK_TABLE_CROSSINGS). Its columns are then painted, row by row, as the darker of what
lies beside them: paper where both sides are paper, and where a stroke meets the line from either
side, the stroke carried across it — a stem the streak runs along comes out a little wider rather
than cut (`tháng` read "thár g" with the lighter side; 8 pages 0.38 % CER with the lighter side,
0.29 % with the darker, 0.30 % with their mean).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.preprocess import true_runs

# Bands of rows the page is looked at in, and how many consecutive bands a streak must darken (a
# streak is at least 40 mm long; a letter's stroke or a seal's ring is not that thin and that long
# at once; a frame drawn round a photo may be, and painting its sides out costs the text nothing).
STREAK_BAND_MM = 20.0
STREAK_MIN_BANDS = 2
# A streak is at most this wide (a dirty sensor pixel or three, blurred by the optics) …
STREAK_MAX_WIDTH_MM = 1.0
# … its columns are darker than paper by this much in at least this share of a band's rows …
STREAK_DARKER = 60
STREAK_DARK_SHARE = 0.8
# … and the columns beside it (3 px off, past the blurred rim) are so dark in at most this share
# (text beside the line: a column through three lines of text is dark in ≤ 60 % of its rows).
STREAK_SIDE_SHARE = 0.6
# A vertical line met by at least this many horizontal lines — ink STREAK_CROSS_MM long on both
# sides of it (a rule across it), or STREAK_JOIN_MM on one side (a rule ending on a table's outer
# border) — is a table's, not a streak, and stays: a Mẫu 2C table has a rule under every row, while
# text has few strokes that long (a dash, the short line under a decision's heading and under
# "Độc lập - Tự do - Hạnh phúc").
STREAK_TABLE_CROSSINGS = 5
STREAK_CROSS_MM = 1.5
STREAK_JOIN_MM = 5.0
# Where a streak starts and ends: the rows on from its bands where its columns stay dark, with
# gaps of at most this (a lighter stretch of the line) bridged.
STREAK_GAP_MM = 1.0


@dataclass(frozen=True)
class Streak:
    """One streak: image columns [left, right) from row `top` to row `bottom`."""

    left: int
    right: int
    top: int
    bottom: int


def find_streaks(gray: np.ndarray, *, paper: int, dpi: float = 300) -> list[Streak]:
    """The scanner streaks of a gray page (see the module's docstring); `paper` is its paper level."""
    height, width = gray.shape
    band = max(8, round(STREAK_BAND_MM / 25.4 * dpi))
    max_width = max(2, round(STREAK_MAX_WIDTH_MM / 25.4 * dpi))
    if height < band * STREAK_MIN_BANDS or width < 4 * max_width:
        return []
    dark_level = paper - STREAK_DARKER
    step = max(1, round(dpi / 75))  # every fourth row at 300 dpi: a streak darkens them all
    bands = height // band
    sampled = gray[:bands * band].reshape(bands, band, width)[:, ::step]
    shares = (sampled <= dark_level).sum(axis=1, dtype=np.int32) / sampled.shape[1]  # (bands, columns)
    darks = shares >= STREAK_DARK_SHARE
    if not darks.any():  # most pages: one pass over a quarter of the rows
        return []
    found: list[list[tuple[int, int, int]]] = []  # runs of bands: (band, left, right)
    open_runs: list[list[tuple[int, int, int]]] = []
    for b in range(bands):
        share, dark = shares[b], darks[b]
        here = []
        for left, right in true_runs(dark):
            if right - left > max_width or left < 3 or right + 3 > width:
                continue
            if share[left - 3] <= STREAK_SIDE_SHARE and share[right + 2] <= STREAK_SIDE_SHARE:
                here.append((b, left, right))
        still_open = []
        for run in open_runs:
            _, left, right = run[-1]
            match = next((seg for seg in here if seg[1] <= right and seg[2] >= left), None)
            if match is None:
                found.append(run)
            else:
                run.append(match)
                here.remove(match)
                still_open.append(run)
        open_runs = still_open + [[seg] for seg in here]
    found.extend(open_runs)
    streaks = []
    for run in found:
        if len(run) < STREAK_MIN_BANDS:
            continue
        left, right = min(seg[1] for seg in run), max(seg[2] for seg in run)
        top, bottom = _extent(gray, left, right, run[0][0] * band, (run[-1][0] + 1) * band, dark_level,
                              gap=max(1, round(STREAK_GAP_MM / 25.4 * dpi)))
        if bottom - top < STREAK_MIN_BANDS * band:
            continue  # dark in its bands but not as one straight line: a skewed rule or a frame's edge
        streak = Streak(left=left, right=right, top=top, bottom=bottom)
        if _crossings(gray, streak, dark_level, dpi) < STREAK_TABLE_CROSSINGS:
            streaks.append(streak)
    return streaks


def _extent(gray: np.ndarray, left: int, right: int, top: int, bottom: int, dark_level: int, *,
            gap: int) -> tuple[int, int]:
    """The rows a streak found in the bands [top, bottom) really darkens: the runs of rows where its
    columns are all dark (gaps up to `gap` rows bridged) that meet those bands — a streak starts
    and ends anywhere in a band, above or below it."""
    merged: list[list[int]] = []
    for r0, r1 in true_runs((gray[:, left:right] <= dark_level).all(axis=1)):
        if merged and r0 - merged[-1][1] <= gap:
            merged[-1][1] = r1
        else:
            merged.append([r0, r1])
    over = [(r0, r1) for r0, r1 in merged if r0 < bottom and r1 > top]
    if not over:
        return top, bottom
    return min(r0 for r0, _ in over), max(r1 for _, r1 in over)


def _sides(gray: np.ndarray, streak: Streak, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """The columns `offset` px left and right of a streak (past its blurred rim), over its rows."""
    width = gray.shape[1]
    left = max(0, streak.left - 1 - offset)
    right = min(width - 1, streak.right + offset)
    return gray[streak.top:streak.bottom, left], gray[streak.top:streak.bottom, right]


def _crossings(gray: np.ndarray, streak: Streak, dark_level: int, dpi: float) -> int:
    """How many horizontal lines meet the streak: runs of rows dark STREAK_CROSS_MM on both sides of
    it (a rule across it) or STREAK_JOIN_MM on one side (a rule ending on a table's border)."""
    cross = max(2, round(STREAK_CROSS_MM / 25.4 * dpi))
    join = max(cross, round(STREAK_JOIN_MM / 25.4 * dpi))
    rows = gray[streak.top:streak.bottom]

    def dark_for(length: int, side: int) -> np.ndarray:
        if side < 0:
            x0, x1 = max(0, streak.left - 2 - length), max(0, streak.left - 2)
        else:
            x0, x1 = min(gray.shape[1], streak.right + 2), min(gray.shape[1], streak.right + 2 + length)
        if x1 - x0 < length:
            return np.zeros(len(rows), dtype=bool)
        return (rows[:, x0:x1] <= dark_level).all(axis=1)

    meets = (dark_for(cross, -1) & dark_for(cross, 1)) | dark_for(join, -1) | dark_for(join, 1)
    return len(true_runs(meets))


def without_streaks(gray: np.ndarray, streaks: list[Streak]) -> np.ndarray:
    """`gray` with each streak's columns (and a pixel of rim each side) painted as what lies beside
    them, row by row: the darker of the two sides, so paper unless a stroke meets the line, and
    never darker than the pixel was."""
    if not streaks:
        return gray
    out = gray.copy()
    width = gray.shape[1]
    for streak in streaks:
        beside = np.minimum(*_sides(gray, streak, 2))
        x0, x1 = max(0, streak.left - 1), min(width, streak.right + 1)
        column = out[streak.top:streak.bottom, x0:x1]
        np.maximum(column, beside[:, None], out=column)  # never darker than it was
    return out


__all__ = ["Streak", "find_streaks", "without_streaks"]
