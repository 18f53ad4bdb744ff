"""OCR of rendered Vietnamese scans: the input tesseract gets, and what preprocessing buys."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bench.cer import cer
from bench.corpus.render import degrade, image_only_pdf, render_page_with_truth
from ingest.ocr import ocr_image, write_netpbm
from ingest.preprocess import PreprocessOptions
from ingest.render import rasterise_pdf_page
from tests.support.documents import CV_LINES


@pytest.fixture(scope="module")
def cv_strip() -> tuple[Image.Image, str]:
    """The top of a CV page (all eight lines, 12 pt Noto Serif, 300 dpi): OCR in well under a second."""
    img, truth = render_page_with_truth(CV_LINES, font_pt=12, serif=True, family="noto")
    return img.crop((0, 0, img.width, 900)), truth


@pytest.mark.parametrize("mode,suffix", [("1", ".bmp"), ("L", ".bmp"), ("RGB", ".bmp")])
def test_the_page_goes_to_tesseract_uncompressed_with_its_pixels_intact(tmp_path, mode, suffix):
    arr = (np.arange(40 * 30).reshape(30, 40) % 256).astype(np.uint8)
    img = Image.fromarray(arr).convert(mode)
    path = write_netpbm(img, tmp_path / "page")
    assert path.suffix == suffix
    with Image.open(path) as back:
        assert back.mode == mode and np.array_equal(np.asarray(back), np.asarray(img))


def test_the_page_file_carries_the_scan_resolution_for_tesseract(tmp_path):
    from ingest.ocr import write_uncompressed

    path = write_uncompressed(Image.new("L", (40, 30), 255), tmp_path / "page", 200)
    with Image.open(path) as back:
        assert [round(v) for v in back.info["dpi"]] == [200, 200]


def test_a_transparent_image_is_flattened_onto_white_paper(tmp_path):
    img = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    path = write_netpbm(img, tmp_path / "page")
    with Image.open(path) as back:
        assert back.mode == "L" and (np.asarray(back) == 255).all()


def test_a_scanned_pdf_page_is_rasterised_gray_at_the_requested_dpi(tmp_path):
    page, _ = render_page_with_truth(CV_LINES)
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(image_only_pdf([page], dpi=300))
    raster = rasterise_pdf_page(pdf, 0, dpi=300)
    assert raster.mode == "L"
    assert abs(raster.width - page.width) <= 1 and abs(raster.height - page.height) <= 1
    common = (min(raster.width, page.width), min(raster.height, page.height))
    diff = np.abs(np.asarray(raster.crop((0, 0, *common)), dtype=int) - np.asarray(page.crop((0, 0, *common))))
    assert diff.mean() < 3  # JPEG q90 in the PDF, nothing else


def test_a_clean_vietnamese_page_is_read_exactly(tesseract, cv_strip):
    img, truth = cv_strip
    result = ocr_image(img)
    assert cer(result.text, truth) <= 0.005, result.text
    assert result.confidence > 80


@pytest.mark.parametrize("seed,speckle", [(0, 1e-4), (1, 3e-4)])
def test_dust_specks_no_longer_turn_into_punctuation(tesseract, cv_strip, seed, speckle):
    img, truth = cv_strip
    scanned = degrade(img, seed=seed, skew_deg=1.5, blur=1.0, speckle=speckle, jpeg_quality=50)  # "heavy"
    pipeline = cer(ocr_image(scanned).text, truth)
    without_speck_filter = cer(ocr_image(scanned, options=PreprocessOptions(denoise=False)).text, truth)
    raw = cer(ocr_image(scanned, options=None).text, truth)
    assert pipeline <= 0.005
    assert pipeline < without_speck_filter
    assert pipeline < raw


@pytest.mark.parametrize("stated,size,read_at", [
    ((300, 300), (2480, 3508), 300),   # an A4 scan saying what it is
    ((72, 72), (2480, 3508), 300),     # a 300-dpi scan a phone or an editor labelled 72 dpi: 1.24 m long
    ((96, 96), (1654, 2339), 200),     # 200 dpi labelled 96
    ((72, 72), (595, 842), 72),        # a page that really is 72 dpi
    ((300, 300), (1240, 1754), 300),   # a card or a half page at 300 dpi stays 300
    (None, (4960, 7016), 600),         # no resolution, and 300 would make it 594 mm long
])
def test_a_scan_is_read_at_the_resolution_it_says_unless_that_makes_it_larger_than_any_paper(stated, size, read_at):
    from ingest.extract import scan_dpi

    frame = Image.new("L", size, 255)
    if stated:
        frame.info["dpi"] = stated
    assert scan_dpi(frame, 300) == read_at


def test_a_dusty_page_labelled_72_dpi_reads_as_it_does_labelled_300(tesseract, tmp_path):
    from bench.degrade import degrade_page
    from bench.hard_pages import pages
    from ingest import extract_pages

    page = pages(1, seed=11, dpi=300)[0]
    scan = degrade_page(page.image, "speckle_dense", seed=11, dpi=300)
    texts = {}
    for dpi in (300, 72):
        path = tmp_path / f"scan-{dpi}.png"
        scan.save(path, dpi=(dpi, dpi))
        texts[dpi] = "\n".join(p.text for p in extract_pages(path, "image"))
    assert texts[72] == texts[300]
    assert cer(texts[72], page.truth) <= 0.01
