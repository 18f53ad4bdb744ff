"""Bombs in the streams a page reaches besides its content: font programs, ToUnicode CMaps,
tiling patterns, annotation appearances, ICC profiles, resources inherited from the page tree,
object streams — plain, and "disguised" with an image's /Subtype so that a validator trusting a
stream's own label would skip them while pdfium still loads them. Each is refused by
validate_file before pypdf or pdfium inflates it; real images and object streams still pass.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from ingest import InvalidUpload, validate_file
from ingest.pdf_bounds import BOMB_MESSAGE
from tests.support import hostile_files as hostile
from tests.support.documents import born_digital_pdf

BOMBS = {
    "font-file2": lambda d: hostile.pdf_font_file_bomb(disguised=d),
    "font-file3": lambda d: hostile.pdf_font_file_bomb(b"/FontFile3", disguised=d),
    "to-unicode": lambda d: hostile.pdf_to_unicode_bomb(disguised=d),
    "pattern": lambda d: hostile.pdf_pattern_bomb(disguised=d),
    "annotation-appearance": lambda d: hostile.pdf_annotation_appearance_bomb(disguised=d),
    "icc-profile": lambda d: hostile.pdf_icc_profile_bomb(disguised=d),
}


def _validate(tmp_path: Path, data: bytes, **kw):
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    return validate_file(path, max_pages=500, max_image_pixels=120_000_000, **kw)


def _refusal(tmp_path: Path, data: bytes, **kw) -> str:
    with pytest.raises(InvalidUpload) as caught:
        _validate(tmp_path, data, **kw)
    return str(caught.value)


@pytest.mark.parametrize("disguised", [False, True], ids=["plain", "labelled-image"])
@pytest.mark.parametrize("where", BOMBS)
def test_a_flate_bomb_in_a_non_image_stream_is_refused_even_labelled_as_an_image(tmp_path, where, disguised):
    assert _refusal(tmp_path, BOMBS[where](disguised)) == BOMB_MESSAGE


def test_a_font_bomb_in_resources_inherited_from_the_page_tree_is_refused(tmp_path):
    assert _refusal(tmp_path, hostile.pdf_inherited_resources_bomb()) == BOMB_MESSAGE


@pytest.mark.parametrize("expanded", [1 << 30, 70 << 20], ids=["1GiB", "70MiB-under-pypdf-limit"])
def test_an_object_stream_bomb_is_refused_before_pypdf_inflates_it(tmp_path, expanded):
    # 70 MiB is below pypdf's own 75 MB limit: without our bound pypdf inflated and parsed it (seconds)
    assert _refusal(tmp_path, hostile.pdf_object_stream_bomb(expanded)) == BOMB_MESSAGE


def test_an_object_stream_bomb_holding_the_page_tree_is_refused_before_the_tree_is_walked(tmp_path):
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 4: hostile.stream(b"", b"q Q")}
    in_stream = {2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"}
    data = hostile.pdf_with_object_stream(objects, in_stream, container=5, padding=1 << 30)
    assert _refusal(tmp_path, data) == BOMB_MESSAGE


def test_a_cross_reference_stream_bomb_is_refused(tmp_path):
    assert "PDF" in _refusal(tmp_path, hostile.pdf_xref_stream_bomb())


def test_a_small_object_stream_passes_and_the_bound_is_the_setting(tmp_path):
    data = hostile.pdf_object_stream_bomb(1 << 20)
    assert _validate(tmp_path, data).page_count == 1
    assert _refusal(tmp_path, data, max_stream_bytes=512 << 10) == BOMB_MESSAGE


def test_a_real_image_and_its_soft_mask_are_still_not_inflated(tmp_path):
    """An image drawn from /XObject (and its /SMask) is decoded by pdfium row by row: not read here."""
    mask = hostile.stream(b"/Type /XObject /Subtype /Image /Width 2480 /Height 3508 /ColorSpace /DeviceGray "
                          b"/BitsPerComponent 8 /Filter /FlateDecode", hostile.deflate_bomb())
    image = hostile.stream(b"/Type /XObject /Subtype /Image /Width 2480 /Height 3508 /ColorSpace /DeviceGray "
                           b"/BitsPerComponent 8 /SMask 6 0 R /Filter /FlateDecode", hostile.deflate_bomb())
    data = hostile.pdf_with_page(content=hostile.stream(b"", b"q 595 0 0 842 0 0 cm /Im1 Do Q"),
                                 resources=b"<< /XObject << /Im1 5 0 R >> >>", more={5: image, 6: mask})
    assert _validate(tmp_path, data).page_count == 1


def test_the_same_stream_as_an_image_and_as_a_font_program_is_inflated_as_the_font(tmp_path):
    bomb = hostile.stream(b"/Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 "
                          b"/Filter /FlateDecode", hostile.deflate_bomb())
    font = b"<< /Type /Font /Subtype /TrueType /BaseFont /Dep /FontDescriptor 7 0 R >>"
    descriptor = b"<< /Type /FontDescriptor /FontName /Dep /Flags 32 /FontFile2 5 0 R >>"
    data = hostile.pdf_with_page(content=hostile.stream(b"", b"/Im1 Do"),
                                 resources=b"<< /XObject << /Im1 5 0 R >> /Font << /F1 6 0 R >> >>",
                                 more={5: bomb, 6: font, 7: descriptor})
    assert _refusal(tmp_path, data) == BOMB_MESSAGE


def test_a_born_digital_pdf_with_fonts_and_a_small_icc_profile_passes(tmp_path):
    assert _validate(tmp_path, born_digital_pdf(["Sơ yếu lý lịch", "Quyết định"])).page_count == 1
    profile = hostile.stream(b"/N 1 /Filter /FlateDecode", zlib.compress(b"\0" * 4096))
    data = hostile.pdf_with_page(content=hostile.stream(b"", b"/CS0 cs 0.5 sc 0 0 595 842 re f"),
                                 resources=b"<< /ColorSpace << /CS0 [/ICCBased 5 0 R] >> >>", more={5: profile})
    assert _validate(tmp_path, data).page_count == 1
