"""bench.ocr_kinds on one small run: both engines read the same page, the table and summary print."""

from __future__ import annotations

import shutil

import pytest

from bench import ocr_kinds


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_one_page_per_kind_prints_both_cers_side_by_side(tmp_path, capsys):
    from bench.tests.test_degrade import regulation_folder

    (tmp_path / "texts").mkdir()
    texts = regulation_folder(tmp_path / "texts")
    assert ocr_kinds.main(["--pages", "1", "--kinds", "clean", "--kinds-200", "speckle_dense",
                           "--keep", str(tmp_path), "--texts", str(texts)]) == 0
    out = capsys.readouterr().out
    assert "pipeline CER" in out and "raw CER" in out
    assert "\nclean " in out and "\nspeckle_dense@200 " in out
    assert "SUMMARY ocr_kinds:" in out and "raw tesseract pages per CPU-second" in out
    for stem in ("clean-0", "speckle_dense@200-0"):
        assert (tmp_path / f"{stem}.raw.txt").read_text(encoding="utf-8").strip()
        assert (tmp_path / f"{stem}.pipeline.txt").read_text(encoding="utf-8").strip()


def test_an_unknown_kind_is_refused():
    with pytest.raises(SystemExit):
        ocr_kinds.main(["--kinds", "coffee_stain"])
