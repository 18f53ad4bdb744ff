"""Bad input is refused before anything is stored, with a message a person can act on."""

import io
import zlib
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin, TiffImagePlugin
from pypdf import PdfWriter

from ingest import InvalidUpload, UnreadablePage, extract_pages, receive_stream, validate_file
from ingest.image_bounds import count_tiff_frames
from ingest.ocr import OcrResult
from ingest.validate import checked_image
from tests.support import hostile_files as hostile
from tests.support.documents import born_digital_pdf, png_bytes, rendered_page


def _write(tmp_path: Path, data: bytes, name: str = "f") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def check(path: Path, **kw):
    return validate_file(path, max_pages=kw.get("max_pages", 10), max_image_pixels=kw.get("max_pixels", 50_000_000),
                         **{k: v for k, v in kw.items() if k in ("max_stream_bytes", "dpi")})


def test_accepts_png_pdf_and_multipage_tiff(tmp_path):
    img, _ = rendered_page(["Xin chào"])
    assert check(_write(tmp_path, png_bytes(img))).kind == "png"
    assert check(_write(tmp_path, born_digital_pdf(["Xin chào"], pages=2))).page_count == 2
    buf = io.BytesIO()
    img.save(buf, format="TIFF", save_all=True, append_images=[img, img])
    v = check(_write(tmp_path, buf.getvalue()))
    assert (v.kind, v.page_count, v.content_type) == ("tiff", 3, "image/tiff")


def test_unsupported_type_is_refused(tmp_path):
    with pytest.raises(InvalidUpload, match="không được hỗ trợ"):
        check(_write(tmp_path, b"PK\x03\x04 this is a zip"))


def test_corrupt_pdf_is_refused(tmp_path):
    with pytest.raises(InvalidUpload, match="PDF bị hỏng"):
        check(_write(tmp_path, b"%PDF-1.7\n garbage without xref or objects"))


def test_encrypted_pdf_is_refused(tmp_path):
    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.encrypt("mat-khau")
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(InvalidUpload, match="mã hoá"):
        check(_write(tmp_path, buf.getvalue()))


def test_too_many_pages_is_refused(tmp_path):
    with pytest.raises(InvalidUpload, match="vượt giới hạn 2 trang"):
        check(_write(tmp_path, born_digital_pdf(["a"], pages=3)), max_pages=2)


def test_truncated_image_is_refused(tmp_path):
    data = png_bytes(rendered_page(["Xin chào"])[0])
    with pytest.raises(InvalidUpload, match="Ảnh bị hỏng"):
        check(_write(tmp_path, data[: len(data) // 2]))


def test_decompression_bomb_is_refused(tmp_path):
    buf = io.BytesIO()
    Image.new("1", (12000, 12000), 1).save(buf, format="PNG")  # tiny file, 144 Mpx when decoded
    assert len(buf.getvalue()) < 200_000
    with pytest.raises(InvalidUpload, match="bom giải nén"):
        check(_write(tmp_path, buf.getvalue()), max_pixels=50_000_000)


def test_empty_and_oversized_streams_leave_no_temp_file(tmp_path):
    tmp = tmp_path / "tmp"
    with pytest.raises(InvalidUpload, match="rỗng"):
        receive_stream(io.BytesIO(b""), tmp_dir=tmp, max_bytes=100)
    with pytest.raises(InvalidUpload, match="quá lớn"):
        receive_stream(io.BytesIO(b"x" * 5_000_000), tmp_dir=tmp, max_bytes=1_000_000)
    assert list(tmp.iterdir()) == []
    got = receive_stream(io.BytesIO(b"abc"), tmp_dir=tmp, max_bytes=100)
    assert got.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" and got.size == 3


# -- hostile files: each refused at validation in Vietnamese, never a parser's own words ----------
LIMITS = {"max_pages": 500, "max_pixels": 120_000_000}


def _refusal(tmp_path: Path, data: bytes, **kw) -> str:
    path = _write(tmp_path, data, "upload")
    with pytest.raises(InvalidUpload) as caught:
        check(path, **{**LIMITS, **kw})
    message = str(caught.value)
    assert str(tmp_path) not in message and "Error" not in message and "\n" not in message, message
    return message


@pytest.mark.parametrize("build", [hostile.pdf_deep_page_tree, hostile.pdf_wide_kids, hostile.pdf_page_count_bomb,
                                   hostile.pdf_cyclic_page_tree])
def test_page_tree_bombs_are_refused_as_unreadable_pdfs(tmp_path, build):
    """pypdf raised LimitReachedError for these (a 500); the tree walk refuses them itself."""
    assert "PDF" in _refusal(tmp_path, build())


def test_a_deep_page_count_bomb_is_refused_at_the_page_limit_without_being_flattened(tmp_path):
    # 30 levels stay under the depth bound: 2**30 leaves, counted until one past the limit
    assert "vượt giới hạn 500 trang" in _refusal(tmp_path, hostile.pdf_page_count_bomb(levels=30))


@pytest.mark.parametrize("build", [hostile.pdf_flate_bomb, hostile.pdf_form_flate_bomb])
def test_a_flate_stream_inflating_to_a_gibibyte_is_refused(tmp_path, build):
    assert "bom giải nén" in _refusal(tmp_path, build())


def test_the_stream_bound_is_a_setting(tmp_path):
    small = hostile.pdf_with_page(content=hostile.stream(b"/Filter /FlateDecode", zlib.compress(b" " * 200_000)))
    assert check(_write(tmp_path, small), max_pages=10).page_count == 1
    with pytest.raises(InvalidUpload, match="bom giải nén"):
        validate_file(_write(tmp_path, small), max_pages=10, max_image_pixels=50_000_000, max_stream_bytes=100_000)


def test_a_content_stream_labelled_as_an_image_is_still_inflated_within_the_bound(tmp_path):
    labelled = hostile.stream(b"/Subtype /Image /Width 1 /Height 1 /Filter /FlateDecode", hostile.deflate_bomb())
    assert "bom giải nén" in _refusal(tmp_path, hostile.pdf_with_page(content=labelled))


def test_image_data_is_not_inflated_at_validation(tmp_path):
    """pdfium decodes an image row by row to its declared size: its data is not read here (a 1 GB scan's
    image would be), so even an image whose data inflates to 1 GiB passes."""
    image = hostile.stream(b"/Type /XObject /Subtype /Image /Width 2480 /Height 3508 /ColorSpace /DeviceGray "
                           b"/BitsPerComponent 8 /Filter /FlateDecode", hostile.deflate_bomb())
    data = hostile.pdf_with_page(content=hostile.stream(b"", b"q 595 0 0 842 0 0 cm /Im1 Do Q"),
                                 resources=b"<< /XObject << /Im1 5 0 R >> >>", more={5: image})
    assert check(_write(tmp_path, data), **LIMITS).page_count == 1


def test_a_string_holding_dictionary_ends_does_not_hide_a_stream(tmp_path):
    tricky = hostile.stream(b"/Filter /FlateDecode /Note (a >> b endobj stream\n c) /X <3e3e>", hostile.deflate_bomb())
    assert "bom giải nén" in _refusal(tmp_path, hostile.pdf_with_page(content=tricky))


def test_a_page_too_large_to_rasterise_at_the_ocr_resolution_is_refused(tmp_path):
    message = _refusal(tmp_path, hostile.pdf_huge_page(50))  # 225 Mpx at 300 dpi
    assert "khổ quá lớn" in message and "127 × 127 cm" in message
    assert check(_write(tmp_path, hostile.pdf_huge_page(50)), max_pixels=250_000_000).page_count == 1


def test_the_page_bound_follows_the_ocr_resolution(tmp_path):
    a3 = hostile.pdf_with_page(b"[0 0 842 1191]")  # A3: 14 Mpx at 300 dpi, 56 Mpx at 600
    assert validate_file(_write(tmp_path, a3), max_pages=10, max_image_pixels=20_000_000, dpi=300).page_count == 1
    with pytest.raises(InvalidUpload, match="khổ quá lớn"):
        validate_file(_write(tmp_path, a3), max_pages=10, max_image_pixels=20_000_000, dpi=600)


@pytest.mark.parametrize("build", [hostile.pdf_tiny_page, hostile.pdf_absurd_aspect_page])
def test_a_speck_of_a_page_is_refused(tmp_path, build):
    assert "quá nhỏ" in _refusal(tmp_path, build())


@pytest.mark.parametrize("build", [hostile.pdf_truncated, hostile.pdf_header_only, hostile.pdf_missing_root])
def test_broken_pdfs_are_refused_without_the_parsers_message(tmp_path, build):
    assert _refusal(tmp_path, build()) == "PDF bị hỏng, không đọc được."


def test_a_multipage_tiff_with_a_damaged_tail_is_refused_naming_the_page(tmp_path):
    assert "trang 3" in _refusal(tmp_path, hostile.tiff_multipage_damaged_tail())
    assert "trang 3" in _refusal(tmp_path, hostile.tiff_frames(3, damaged_tail=True))


@pytest.mark.parametrize("build", [hostile.tiff_ifd_loop, hostile.tiff_broken_ifd_offset])
def test_tiffs_with_broken_page_chains_are_refused(tmp_path, build):
    assert "hỏng" in _refusal(tmp_path, build())


def test_every_truncation_of_a_multipage_tiff_is_refused_or_accepted_never_raised(tmp_path):
    """Pillow raised TypeError ("Missing dimensions") or struct errors on some cuts: a 500."""
    frames = [Image.effect_noise((64, 80), 40).convert("L") for _ in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    data = buf.getvalue()
    for cut in range(8, len(data), 97):
        try:
            check(_write(tmp_path, data[:cut]), **LIMITS)
        except InvalidUpload:
            pass


def test_a_tiff_over_the_page_limit_is_refused_before_any_frame_is_decoded(tmp_path, monkeypatch):
    decoded = []
    real_load = TiffImagePlugin.TiffImageFile.load
    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "load", lambda self: decoded.append(1) or real_load(self))
    data = hostile.tiff_frames(5000)  # ~0.6 MB: 5,000 blank A4 pages sharing one page's G4 strips
    assert len(data) < 1_000_000
    assert _refusal(tmp_path, data) == "Tệp có hơn 500 trang, vượt giới hạn 500 trang."
    assert decoded == []
    assert check(_write(tmp_path, hostile.tiff_frames(3)), **LIMITS).page_count == 3


def test_tiff_frames_are_counted_from_the_directory_chain_with_an_early_stop():
    with pytest.raises(InvalidUpload, match="hơn 10 trang"):
        count_tiff_frames(io.BytesIO(hostile.tiff_frames(5000)), 10)
    assert count_tiff_frames(io.BytesIO(hostile.tiff_frames(7)), 10) == 7


def test_tiny_images_are_refused_and_blank_pages_accepted(tmp_path):
    assert "quá nhỏ (1 × 1 điểm ảnh" in _refusal(tmp_path, hostile.png_tiny())
    assert "quá nhỏ" in _refusal(tmp_path, hostile.png_tiny(500, 4))
    assert check(_write(tmp_path, hostile.png_blank_page()), **LIMITS).page_count == 1


@pytest.mark.parametrize("build", [hostile.png_truncated, hostile.png_bad_crc, hostile.jpeg_truncated])
def test_damaged_images_are_refused_without_the_decoders_message(tmp_path, build):
    assert _refusal(tmp_path, build()) == "Ảnh bị hỏng, không đọc được."


def test_an_image_claiming_billions_of_pixels_is_refused(tmp_path):
    assert "bom giải nén" in _refusal(tmp_path, hostile.jpeg_huge_dimensions())


def test_a_png_html_polyglot_is_a_valid_png(tmp_path):
    """Accepted as what its bytes are (an image); the download headers keep browsers from running it."""
    assert check(_write(tmp_path, hostile.png_html_polyglot()), **LIMITS).kind == "png"


# -- OCR of pages nobody can read -----------------------------------------------------------

def test_ocr_of_a_speck_is_empty_text_not_an_engine_error():
    from ingest import ocr_image

    for size in ((1, 1), (2, 2), (3, 500)):
        assert ocr_image(Image.new("L", size, 255)).text == ""


def test_a_page_tesseract_refuses_is_unreadable_for_good_and_a_killed_run_may_pass(monkeypatch):
    import pytesseract

    from ingest import ExtractionFailed, ocr_image

    def refuses(*_a, **_k):
        raise pytesseract.TesseractError(1, "Error in pixRead: image file not found: /tmp/ocr-x/page.pbm")

    def killed(*_a, **_k):
        raise pytesseract.TesseractError(-9, "")

    page = Image.new("L", (100, 100), 255)
    monkeypatch.setattr(pytesseract, "run_and_get_multiple_output", refuses)
    with pytest.raises(UnreadablePage) as caught:
        ocr_image(page)
    assert "/tmp" not in str(caught.value) and "pixRead" not in str(caught.value)
    assert isinstance(caught.value, InvalidUpload)  # the extract job fails at once (PermanentFailure)
    monkeypatch.setattr(pytesseract, "run_and_get_multiple_output", killed)
    with pytest.raises(ExtractionFailed) as caught:
        ocr_image(page)
    assert not isinstance(caught.value, InvalidUpload)  # tried again


def _pixels_read_by(ocr_calls: list):
    def ocr(img: Image.Image):
        ocr_calls.append(img.tobytes())
        return OcrResult(text="", confidence=0.0)

    return ocr


def test_a_single_frame_scan_is_decoded_once_from_check_to_ocr(tmp_path, monkeypatch):
    """Extraction checks the file and OCRs the pixels that check decoded (an A4 PNG at 300 dpi
    costs ~0.1 CPU-s to decode, bench.ocr_kinds' pages per CPU-second)."""
    img, _ = rendered_page(["Xin chào"])
    path = _write(tmp_path, png_bytes(img), "a.png")
    decodes = []
    real_load = PngImagePlugin.PngImageFile.load

    def load(self):
        if self.tile:  # pixels still to decode (Pillow empties `tile` once it has)
            decodes.append(1)
        return real_load(self)

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", load)
    seen: list = []
    pages = list(extract_pages(path, "png", ocr=_pixels_read_by(seen)))
    assert [p.number for p in pages] == [1]
    assert seen == [img.convert("L").tobytes()] and decodes == [1]


def test_every_frame_of_a_tiff_reaches_ocr_in_order(tmp_path):
    frames = [rendered_page([f"Trang {n}"])[0].convert("L") for n in (1, 2, 3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    seen: list = []
    assert [p.number for p in extract_pages(_write(tmp_path, buf.getvalue()), "tiff", ocr=_pixels_read_by(seen))] == [1, 2, 3]
    assert seen == [f.tobytes() for f in frames]


def test_an_error_of_the_work_on_a_checked_image_is_not_called_a_damaged_file(tmp_path):
    path = _write(tmp_path, png_bytes(rendered_page(["Xin chào"])[0]), "a.png")
    with pytest.raises(ZeroDivisionError), checked_image(path, max_pages=10, max_pixels=50_000_000) as img:
        assert img.im is not None  # decoded by the check
        1 / 0
    with pytest.raises(InvalidUpload, match="Ảnh bị hỏng"):
        with checked_image(_write(tmp_path, png_bytes(rendered_page(["a"])[0])[:500]), max_pages=10, max_pixels=50_000_000):
            pass
