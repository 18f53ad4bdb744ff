"""Keep freed page-sized arrays for the next page (bộ nhớ trang): glibc malloc tuning for OCR work.

Every page's preparation allocates a dozen arrays of a page's size (8.7 MB each at 300 dpi A4:
gray, ink masks, window sums). glibc serves blocks that large with mmap and unmaps them again on
free, so each page touches fresh memory and pays a minor fault per 4 KB page — on the VMs we run
on ~0.1 ms each, 0.05–0.3 CPU-s of kernel time per page (bench.ocr_kinds, `ru_minflt` ~7,000 a
page). Raising the mmap and trim thresholds keeps up to a bounded amount of freed heap for reuse:
after its first page a worker prepares pages with almost no faults. The bound (64 MiB blocks,
128 MiB kept) is what a 600 dpi page's arrays need; larger blocks (a 1 GB upload's buffers) still
go to mmap and back to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger(__name__)

_M_TRIM_THRESHOLD = -1   # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 64 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 128 * 1024 * 1024
_done = False


def keep_page_memory() -> bool:
    """Tune this process's malloc once (glibc on Linux only); True when it was tuned."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt: nothing to tune
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    _done = (bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
             and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)))
    if not _done:
        log.debug("mallopt refused the page-memory thresholds")
    return _done
