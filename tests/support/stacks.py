"""Scanned stacks as a sheet-fed scanner makes them: cover sheets and pages, skewed and blurred,
at a given dpi, in one image-only PDF; and zips of batches (good ones and hostile ones)."""

from __future__ import annotations

import io
import zipfile

import img2pdf
from PIL import Image, ImageDraw, ImageFilter

from archive.services.cover_sheets import render_cover_sheets


def cover_pdf(staff_code: str, document_type: str, full_name: str = "Nguyễn Văn An") -> bytes:
    return render_cover_sheets([(staff_code, full_name, "Phòng Nội vụ", document_type, "Sơ yếu lý lịch")])


def raster(pdf_bytes: bytes, dpi: int) -> list[Image.Image]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        return [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(pdf))]
    finally:
        pdf.close()


def text_page(title: str, dpi: int) -> Image.Image:
    """An A4 page with a few lines of text (what a dossier page looks like to the QR reader: no QR)."""
    w, h = round(8.27 * dpi), round(11.69 * dpi)
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    for n in range(12):
        d.text((dpi, dpi + n * dpi // 3), f"{title} — dong {n + 1}: Quyet dinh ve viec nang bac luong", fill=0)
    return img


def as_scanned(img: Image.Image, *, angle: float = 2.0, blur: float = 1.0) -> Image.Image:
    return img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255).filter(ImageFilter.GaussianBlur(blur))


def stack_pdf(items: list[Image.Image], dpi: int) -> bytes:
    """Pages as a scanner writes them: one JPEG per page, wrapped losslessly into a PDF."""
    jpegs = []
    for img in items:
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=85, dpi=(dpi, dpi))
        jpegs.append(buf.getvalue())
    return img2pdf.convert(jpegs)


def scanned_stack(parts: list[tuple[str, str, int] | int], *, dpi: int = 200, angle: float = 2.0,
                  blur: float = 1.0) -> bytes:
    """parts: (staff code, type, n pages) = a cover then n pages; an int n = n pages without a cover."""
    pages: list[Image.Image] = []
    for part in parts:
        if isinstance(part, int):
            pages += [as_scanned(text_page(f"Trang le {i + 1}", dpi), angle=angle, blur=blur) for i in range(part)]
            continue
        code, doc_type, n = part
        pages += [as_scanned(p, angle=angle, blur=blur) for p in raster(cover_pdf(code, doc_type), dpi)]
        pages += [as_scanned(text_page(f"{code} {doc_type} trang {i + 1}", dpi), angle=angle, blur=blur)
                  for i in range(n)]
    return stack_pdf(pages, dpi)


def make_zip(members: dict[str, bytes], *, compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def symlink_zip(name: str = "lien-ket.pdf", target: str = "/etc/passwd") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo(name)
        info.external_attr = (0o120777 << 16)
        z.writestr(info, target)
    return buf.getvalue()


def bomb_zip(size: int = 300 * 1024 * 1024) -> bytes:
    """One member of zeros that deflates ~1000×: a decompression bomb (written in chunks)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("NV001/so_yeu_ly_lich/bom.pdf", "w", force_zip64=True) as out:
            chunk = b"\0" * (1 << 20)
            for _ in range(size // len(chunk)):
                out.write(chunk)
    return buf.getvalue()
