"""Reading an untrusted image within bounds: frames counted before any is decoded, sizes checked
before pixels are allocated.

A TIFF's pages are a chain of directories (IFDs); Pillow finds the n-th only by walking the
chain, and decoding every frame to count them made a 720 KB file of 5,000 blank frames cost
7–22 s before the page limit refused it. `count_tiff_frames` follows the chain's pointers
alone (a few bytes per page) and stops one past the limit.
"""

from __future__ import annotations

import os
import struct
from typing import BinaryIO

from ingest.errors import InvalidUpload

MIN_SIDE_PX = 32  # smaller than this holds nothing legible (and tesseract cannot read a 2 × 2 file)

DAMAGED = "Ảnh bị hỏng, không đọc được."
BOMB = "Ảnh quá lớn (nghi là 'bom giải nén'); hãy quét ở 300 dpi."


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
