"""Reading an untrusted image within bounds: frames counted before any is decoded, sizes checked
before pixels are allocated.

A TIFF's pages are a chain of directories (IFDs); Pillow finds the n-th only by walking the
chain, and decoding every frame to count them made a 720 KB file of 5,000 blank frames cost
7–22 s before the page limit refused it. `count_tiff_frames` follows the chain's pointers
alone (a few bytes per page) and stops one past the limit.

Pillow's notes on a scanner's odd TIFF tags ("Metadata Warning, tag 296 had too many entries")
are Python warnings, which reach the terminal of whoever runs `archive ingest` (or the
server's stderr) and name Pillow's files; `pillow_notes_logged` turns them into debug log
lines. libtiff's errors on damaged data ("TIFFFillStrip: Read error on strip 0; got
18446744073692775070 bytes …") are printed by libtiff itself to the C stderr, under our one
Vietnamese sentence: `pillow_notes_logged` also unsets libtiff's error handler (Pillow already
replaces its warning handler), so the refusal is told once, by us — Pillow still raises.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import os
import struct
import warnings
from typing import BinaryIO, Iterator

from PIL import Image

from ingest.errors import InvalidUpload

MIN_SIDE_PX = 32  # smaller than this holds nothing legible (and tesseract cannot read a 2 × 2 file)

DAMAGED = "Ảnh bị hỏng, không đọc được."
BOMB = "Ảnh quá lớn (nghi là 'bom giải nén'); hãy quét ở 300 dpi."

log = logging.getLogger(__name__)


@functools.cache
def silence_libtiff_errors() -> bool:
    """Unset the error handler of the libtiff Pillow links (whose default prints to the C stderr).

    The library is found among this process's mappings, so it is the very copy Pillow uses
    (its wheel bundles one under a hashed name); False where it cannot be found (then libtiff
    still prints, nothing else changes)."""
    from PIL import _imaging  # noqa: F401 — loads libtiff into the process

    try:
        with open("/proc/self/maps") as maps:
            path = next((line.split()[-1] for line in maps if "/libtiff" in line), None)
        if path is None:
            return False
        libtiff = ctypes.CDLL(path)  # already loaded: the same library, not a second copy
        libtiff.TIFFSetErrorHandler.restype = ctypes.c_void_p
        libtiff.TIFFSetErrorHandler.argtypes = [ctypes.c_void_p]
        libtiff.TIFFSetErrorHandler(None)
    except (OSError, AttributeError) as exc:  # no /proc, or a libtiff without the function
        log.debug("libtiff's error handler left as it is: %s", exc)
        return False
    return True


@contextlib.contextmanager
def pillow_notes_logged() -> Iterator[None]:
    """Pillow's warnings inside the block go to the debug log, not to stderr, and libtiff prints
    nothing; a decompression bomb warning is raised as an error (the caller refuses the file)."""
    silence_libtiff_errors()
    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        finally:
            for note in notes:
                log.debug("image decoder note: %s", note.message)


def count_tiff_frames(fh: BinaryIO, limit: int) -> int:
    """Pages of a classic TIFF, from its directory chain; InvalidUpload past `limit` or on a loop."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(0)
    head = fh.read(8)
    order = "<" if head[:2] == b"II" else ">"
    (offset,) = struct.unpack(order + "I", head[4:8])
    seen: set[int] = set()
    frames = 0
    while offset:
        if offset in seen:
            raise InvalidUpload(DAMAGED)
        if offset + 2 > size:  # a pointer past the end: the chain ends here (Pillow stops there too)
            break
        seen.add(offset)
        frames += 1
        if frames > limit:
            raise InvalidUpload(f"Tệp có hơn {limit} trang, vượt giới hạn {limit} trang.")
        fh.seek(offset)
        (entries,) = struct.unpack(order + "H", fh.read(2))
        fh.seek(offset + 2 + 12 * entries)
        pointer = fh.read(4)
        if len(pointer) < 4:
            break
        (offset,) = struct.unpack(order + "I", pointer)
    return frames


def check_frame_size(number: int, width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise InvalidUpload(BOMB)
    if min(width, height) < MIN_SIDE_PX:
        raise InvalidUpload(f"Ảnh quá nhỏ ({width} × {height} điểm ảnh ở trang {number}); "
                            f"trang quét phải rộng và cao ít nhất {MIN_SIDE_PX} điểm ảnh.")
