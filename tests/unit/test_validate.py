"""Bad input is refused before anything is stored, with a message a person can act on."""

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from ingest import InvalidUpload, receive_stream, validate_file
from tests.support.documents import born_digital_pdf, png_bytes, rendered_page


def _write(tmp_path: Path, data: bytes, name: str = "f") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def check(path: Path, **kw):
    return validate_file(path, max_pages=kw.get("max_pages", 10), max_image_pixels=kw.get("max_pixels", 50_000_000))


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
