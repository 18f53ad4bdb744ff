"""One pdfium call at a time in a process (khóa pdfium).

PDFium is not thread-safe, not even across different documents: two threads drawing at once
fail with "Failed to load page" or corrupt the process (pypdfium2's documentation, "Incompatibility
with Threading"). The API serves page images and checks uploads from a thread pool, so every
use of pdfium — opening, measuring, drawing, closing — happens while holding PDFIUM. Workers
run one job per process and take it uncontended. Work on the pixels afterwards (Pillow, numpy,
tesseract) runs outside it, so only the drawing itself is serialised.
"""

from __future__ import annotations

import threading

PDFIUM = threading.RLock()  # re-entrant: a helper holding it may call another that takes it

__all__ = ["PDFIUM"]
