"""Validate an uploaded file before anything is stored: type by magic bytes, integrity, limits.

Accepted: PDF, TIFF (multi-page), PNG, JPEG. Encrypted or corrupt PDFs, decompression bombs
and files over the page limit are refused with a message a person can act on.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ingest.errors import InvalidUpload

KINDS = {
    "pdf": "application/pdf",
    "tiff": "image/tiff",
    "png": "image/png",
    "jpeg": "image/jpeg",
}


_KIND_OF_CONTENT_TYPE = {content_type: kind for kind, content_type in KINDS.items()}


def kind_of_content_type(content_type: str) -> str:
    """The file kind a validated upload was stored with (its content type is recorded once, at upload)."""
    try:
        return _KIND_OF_CONTENT_TYPE[content_type]
    except KeyError:
        raise InvalidUpload(f"Bản gốc đã lưu có định dạng không hỗ trợ ({content_type}).") from None


@dataclass(frozen=True)
class ValidatedFile:
    kind: str          # one of KINDS
    content_type: str
    page_count: int


def detect_kind(head: bytes) -> str | None:
    """File type from its first bytes (the name and the client's content type are not trusted)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def _pdf_pages(path: Path) -> int:
    try:
        # An open file, not a path: given a path, pypdf reads the whole file into memory
        # first (+1 GB of RSS for a 1 GB scan); from a file it seeks to the xref and reads
        # only the objects it needs.
        with open(path, "rb") as fh:
            reader = PdfReader(fh, strict=False)
            if reader.is_encrypted:
                raise InvalidUpload("PDF được mã hoá hoặc đặt mật khẩu; hãy gửi bản không mã hoá.")
            return len(reader.pages)
    except InvalidUpload:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise InvalidUpload(f"PDF bị hỏng, không đọc được: {exc}") from None


def _image_pages(path: Path, max_pixels: int) -> int:
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                n = getattr(img, "n_frames", 1)
                for i in range(n):
                    img.seek(i)
                    if img.width * img.height > max_pixels:
                        raise InvalidUpload("Ảnh quá lớn (nghi là 'bom giải nén'); hãy quét ở 300 dpi.")
                    img.load()  # decodes the frame: catches truncated or corrupt data
                return n
    except InvalidUpload:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidUpload("Ảnh quá lớn (nghi là 'bom giải nén'); hãy quét ở 300 dpi.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InvalidUpload(f"Ảnh bị hỏng, không đọc được: {exc}") from None


def validate_file(path: Path, *, max_pages: int, max_image_pixels: int) -> ValidatedFile:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if not head:
        raise InvalidUpload("Tệp rỗng (0 byte).")
    kind = detect_kind(head)
    if kind is None:
        raise InvalidUpload("Định dạng không được hỗ trợ: chỉ nhận PDF, TIFF, PNG hoặc JPEG.")
    pages = _pdf_pages(path) if kind == "pdf" else _image_pages(path, max_image_pixels)
    if pages == 0:
        raise InvalidUpload("Tệp không có trang nào.")
    if pages > max_pages:
        raise InvalidUpload(f"Tệp có {pages} trang, vượt giới hạn {max_pages} trang.")
    return ValidatedFile(kind=kind, content_type=KINDS[kind], page_count=pages)
