"""pdfium from several threads at once (the API's thread pool: a dossier's thumbnails are asked for
together, uploads are checked while pages are drawn). Without the process-wide lock
(ingest.pdfium_guard) most of these calls fail with "Failed to load page" or "Data format error",
and some runs corrupt the process."""

from __future__ import annotations

import threading
from pathlib import Path

from ingest.cover_split import _pages_gray
from ingest.pdf_bounds import PdfLimits, check_page_sizes
from ingest.render import page_image
from tests.support.documents import born_digital_pdf, rendered_page, scanned_pdf

LINES = ["ỦY BAN NHÂN DÂN QUẬN 1", "QUYẾT ĐỊNH về việc nâng bậc lương thường xuyên"] * 10
LIMITS = PdfLimits(max_pages=100, max_pixels=200_000_000, max_stream_bytes=50_000_000, dpi=300)


def _hammer(work, threads: int = 8) -> list[str]:
    errors: list[str] = []

    def run(k: int) -> None:
        for i in range(100):
            try:
                work(k, i)
            except Exception as exc:  # noqa: BLE001 — every failure is the finding
                errors.append(repr(exc))

    ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return errors


def test_pages_drawn_and_measured_from_six_threads_all_succeed(tmp_path: Path):
    text = tmp_path / "van-ban.pdf"
    text.write_bytes(born_digital_pdf(LINES, pages=3))
    img, _ = rendered_page()
    scan = tmp_path / "ban-quet.pdf"
    scan.write_bytes(scanned_pdf([img.resize((img.width // 3, img.height // 3))] * 2))
    expected = {n: page_image(text, "pdf", n, width_px=160).tobytes() for n in (1, 2, 3)}

    def work(k: int, i: int) -> None:
        if (k + i) % 3 == 0:
            check_page_sizes(text if i % 2 else scan, 3 if i % 2 else 2, LIMITS)
        elif (k + i) % 3 == 1:
            n = 1 + i % 3
            assert page_image(text, "pdf", n, width_px=160).tobytes() == expected[n]
        else:
            assert len(list(_pages_gray(scan if i % 2 else text, "pdf", 40))) == (2 if i % 2 else 3)

    assert _hammer(work) == []
