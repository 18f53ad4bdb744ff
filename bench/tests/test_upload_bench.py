"""The upload benchmark's PDF passes ingest validation, and a few-MB run goes through the API.

No test here looks at a duration or a rate.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pypdfium2

from bench import upload as upload_bench
from ingest import validate_file


def test_large_pdf_is_one_valid_page_of_about_the_asked_size(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    size = upload_bench.write_large_pdf(path, 3 * upload_bench.MB)
    assert size == path.stat().st_size
    assert 3 * upload_bench.MB - 2 * upload_bench.IMAGE_WIDTH <= size <= 3 * upload_bench.MB
    checked = validate_file(path, max_pages=500, max_image_pixels=120_000_000)
    assert (checked.kind, checked.page_count) == ("pdf", 1)
    pdf = pypdfium2.PdfDocument(str(path))  # a real reader renders it too, not only pypdf
    try:
        assert len(pdf) == 1
        assert pdf[0].render(scale=0.05).to_pil().size[0] > 0
    finally:
        pdf.close()


def test_upload_run_stores_the_file_through_the_api_and_reports_both_targets() -> None:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert upload_bench.main(["--size-mb", "4"]) == 0
    out = buffer.getvalue()
    rows = {r["metric"]: r for r in (json.loads(line) for line in out.splitlines() if line.startswith("{"))}
    assert rows["api_upload_mb_per_s"]["document_state"] == "queued"  # stored, job queued: a 201
    assert rows["validate_file_alone"]["pages"] == 1
    assert {"rss_before_mb", "peak_mb"} <= set(rows["server_rss_growth_mb"])
    summary = [line for line in out.splitlines() if line.startswith("SUMMARY upload:")]
    assert len(summary) == 1
    assert "server RSS growth" in summary[0] and "plain copy" in summary[0]
    assert "targets met" in summary[0] or "TARGET MISSED" in summary[0]
