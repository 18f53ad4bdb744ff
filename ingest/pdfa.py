"""Two-layer PDF/A-2b archival copy (bản lưu trữ PDF/A) of a scanned or born-digital document.

Each page is the original scan unchanged — JPEG passes through as is, PNG and TIFF frames are
wrapped losslessly by img2pdf, a PDF's own page (its embedded scan image, its text) is copied as
it is — with the page's invisible text layer from the extract job's tesseract run placed over it
as a Form XObject. Our OCR preprocessing deskews (rotates about the centre, page grown), so the
layer's matrix rotates it back: the archived image is the original, never the 1-bit OCR page.

pikepdf's PDF/A support prepares the file (sRGB OutputIntent, pdfaid XMP, trailer ID) and checks
it; a document it cannot make conform (fonts not embedded, transparency, encryption …) raises
NotConvertible with a Vietnamese reason, so no invalid copy is ever produced. The document
description of TT 05/2025/TT-BNV goes into XMP twice: the Dublin Core properties that fit
(dc:title, dc:language, dc:description …), and every field in the `tt05` namespace, declared
with a PDF/A extension schema as PDF/A-2 requires (pikepdf's checker knows only the standard
namespaces, so that block is added after its check; veraPDF validates the result in the tests).
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, Mapping
from xml.sax.saxutils import escape

import img2pdf
import pikepdf
from pikepdf import Name, pdfa
from PIL import Image

from ingest.ocr import PageGeometry

TT05_NS = "https://cbccvc.vn/ns/tt05-2025/1.0/"
TT05_PREFIX = "tt05"
# field key (as in documents.description) → (XMP property name, Vietnamese label)
TT05_PROPERTIES: dict[str, tuple[str, str]] = {
    "ma_ho_so": ("maHoSo", "Mã hồ sơ"),
    "ma_dinh_danh": ("maDinhDanh", "Mã định danh tài liệu"),
    "ten_loai": ("tenLoai", "Tên loại văn bản"),
    "so_ky_hieu": ("soVaKyHieu", "Số và ký hiệu"),
    "ngay_van_ban": ("ngayThangNam", "Ngày, tháng, năm văn bản"),
    "co_quan_ban_hanh": ("coQuanBanHanh", "Tên cơ quan, tổ chức ban hành"),
    "trich_yeu": ("trichYeuNoiDung", "Trích yếu nội dung"),
    "ngon_ngu": ("ngonNgu", "Ngôn ngữ"),
    "so_trang": ("soTrang", "Số trang"),
    "ky_hieu_thong_tin": ("kyHieuThongTin", "Ký hiệu thông tin"),
    "tu_khoa": ("tuKhoa", "Từ khóa"),
    "che_do_su_dung": ("cheDoSuDung", "Chế độ sử dụng"),
    "muc_do_tin_cay": ("mucDoTinCay", "Mức độ tin cậy"),
    "but_tich": ("butTich", "Bút tích"),
    "tinh_trang_vat_ly": ("tinhTrangVatLy", "Tình trạng vật lý"),
}


class NotConvertible(Exception):
    """The document cannot become a valid PDF/A-2b ("không chuyển được"); the message says why, in Vietnamese."""


@dataclass(frozen=True)
class TextLayer:
    """One page's invisible text layer: tesseract's text-only PDF and the frame it was laid out in."""

    number: int  # 1-based page
    pdf: bytes
    geometry: PageGeometry


@dataclass(frozen=True)
class ArchivalMetadata:
    title: str
    language: str = "vi"
    fields: Mapping[str, str] = field(default_factory=dict)  # TT05_PROPERTIES keys → NFC text


@dataclass(frozen=True)
class ArchivalResult:
    pages: int
    layered_pages: int  # pages that got an OCR text layer
    images: str         # how the page images were carried over, for the record


def unturned_geometry(g: PageGeometry, rotation: int) -> PageGeometry:
    """The frame of a layer read from the page turned `rotation`° clockwise, expressed against the
    page as scanned (what layer_matrix and _overlay expect)."""
    r = rotation % 360
    if r == 0:
        return g
    width, height = (g.height, g.width) if r in (90, 270) else (g.width, g.height)
    return replace(g, width=width, height=height, angle=g.angle - r)


def own_rotation(page: pikepdf.Page) -> int:
    """A PDF page's /Rotate (inherited from its page tree when not on the page), clockwise degrees."""
    node, hops = page.obj, 0
    while node is not None and hops < 64:
        value = node.get("/Rotate")
        if value is not None:
            try:
                return int(value) % 360 // 90 * 90
            except (TypeError, ValueError):
                return 0
        node, hops = node.get("/Parent"), hops + 1
    return 0


def build_archival_pdf(original: Path, kind: str, layers: Mapping[int, TextLayer], meta: ArchivalMetadata,
                       out: BinaryIO, *, default_dpi: float = 300) -> ArchivalResult:
    """Write the PDF/A-2b copy of `original` (kind "pdf" | "jpeg" | "png" | "tiff") to `out`."""
    opened: list[pikepdf.Pdf] = []  # text layers stay open until the save: qpdf copies stream data lazily
    try:
        if kind == "pdf":
            pdf, images = _open_pdf(original), "các trang PDF giữ nguyên (ảnh quét nhúng sẵn, không nén lại)"
        else:
            dpi = next((t.geometry.dpi for t in layers.values()), default_dpi)
            pdf, images = _wrap_images(original, kind, dpi)
        layered = 0
        for number, layer in sorted(layers.items()):
            if not 1 <= number <= len(pdf.pages):
                continue
            src = pikepdf.open(io.BytesIO(layer.pdf))
            opened.append(src)
            page = pdf.pages[number - 1]
            # the extract job read a PDF page as shown, its own /Rotate applied: the layer's frame is that
            # turned page's, expressed here against the page as drawn (an image original has none)
            geometry = unturned_geometry(layer.geometry, own_rotation(page)) if kind == "pdf" else layer.geometry
            _overlay(pdf, page, src, geometry)
            layered += 1
        _write_pdfa(pdf, meta, out)
        return ArchivalResult(pages=len(pdf.pages), layered_pages=layered, images=images)
    finally:
        for src in opened:
            src.close()


def _open_pdf(path: Path) -> pikepdf.Pdf:
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError as exc:
        raise NotConvertible("Tệp PDF được mã hóa bằng mật khẩu.") from exc
    except pikepdf.PdfError as exc:
        raise NotConvertible("Tệp PDF bị hỏng, không đọc được cấu trúc.") from exc
    if pdf.is_encrypted:
        raise NotConvertible("Tệp PDF được mã hóa; PDF/A không cho phép mã hóa.")
    return pdf


def _wrap_images(path: Path, kind: str, dpi: float) -> tuple[pikepdf.Pdf, str]:
    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    note = {"jpeg": "ảnh JPEG giữ nguyên từng byte", "png": "ảnh PNG bọc không mất dữ liệu",
            "tiff": "từng khung TIFF bọc không mất dữ liệu"}.get(kind, "ảnh bọc không mất dữ liệu")
    try:
        data = img2pdf.convert(str(path), layout_fun=layout, rotation=img2pdf.Rotation.ifvalid)
    except img2pdf.AlphaChannelError:
        # PDF/A-2b could hold a soft mask, but img2pdf will not split one out: the page is the
        # image composed on white paper (what a viewer shows), kept lossless as PNG
        data = _flattened_pages(path, layout)
        note = "ảnh có kênh trong suốt: ghép trên nền trắng, lưu không mất dữ liệu"
    return pikepdf.open(io.BytesIO(data)), note


def _flattened_pages(path: Path, layout) -> bytes:  # noqa: ANN001
    frames: list[bytes] = []
    with Image.open(path) as img:
        for i in range(getattr(img, "n_frames", 1)):
            img.seek(i)
            rgba = img.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            buf = io.BytesIO()
            flat.save(buf, format="PNG")
            frames.append(buf.getvalue())
    return img2pdf.convert(frames, layout_fun=layout)


def layer_matrix(box: tuple[float, float, float, float], g: PageGeometry) -> tuple[float, ...]:
    """The `cm` matrix taking the text layer (points of the deskewed OCR image) onto the page box.

    The OCR image is the page image rotated by g.angle counter-clockwise about its centre (y up:
    a rotation by +angle), so a layer point goes: points → OCR pixels, minus the OCR image's
    centre, rotated by -angle, plus the page image's centre, then pixels → the page's points.
    """
    x0, y0, x1, y1 = box
    sx, sy = (x1 - x0) / g.width, (y1 - y0) / g.height
    k = g.dpi / 72.0
    t = math.radians(g.angle)
    cos, sin = math.cos(t), math.sin(t)
    cx, cy = g.width / 2, g.height / 2
    ox, oy = g.ocr_width / 2, g.ocr_height / 2
    return (sx * k * cos, -sy * k * sin, sx * k * sin, sy * k * cos,
            x0 + sx * (cx - cos * ox - sin * oy), y0 + sy * (cy + sin * ox - cos * oy))


def _overlay(pdf: pikepdf.Pdf, page: pikepdf.Page, layer: pikepdf.Pdf, g: PageGeometry) -> None:
    form = pdf.copy_foreign(layer.pages[0].as_form_xobject())
    name = page.add_resource(form, Name.XObject, prefix="OCR")
    box = tuple(float(v) for v in page.cropbox)
    box = (min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3]))
    matrix = " ".join(f"{v:.6f}" for v in layer_matrix(box, g))
    # the page's own drawing is wrapped in q … Q so its graphics state cannot move the layer
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    page.contents_add(pdf.make_stream(f"\nQ\nq {matrix} cm {name} Do Q\n".encode("ascii")), prepend=False)


def _write_pdfa(pdf: pikepdf.Pdf, meta: ArchivalMetadata, out: BinaryIO) -> None:
    fields = {k: v for k, v in meta.fields.items() if k in TT05_PROPERTIES and str(v).strip()}
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:title"] = meta.title
        xmp["dc:language"] = [meta.language]
        if fields.get("trich_yeu"):
            xmp["dc:description"] = fields["trich_yeu"]
        if fields.get("co_quan_ban_hanh"):
            xmp["dc:publisher"] = [fields["co_quan_ban_hanh"]]
        if fields.get("tu_khoa"):
            xmp["dc:subject"] = [w.strip() for w in fields["tu_khoa"].split(";") if w.strip()]
        if fields.get("ma_dinh_danh"):
            xmp["dc:identifier"] = fields["ma_dinh_danh"]
        xmp["xmp:CreatorTool"] = "cbccvc-archive"
    open_action = pdf.Root.get("/OpenAction")
    if isinstance(open_action, pikepdf.Array):
        # an initial view (page + zoom), not an action: harmless, but pikepdf's checker cannot
        # vouch for it, and the copy is only written when the checker passes it
        del pdf.Root["/OpenAction"]
    try:
        pdfa.prepare(pdf, "2b")
        report = pdfa.check(pdf, "2b")
    except (pikepdf.PdfError, ValueError) as exc:
        raise NotConvertible("Không đọc được đủ cấu trúc tệp để chuyển sang PDF/A-2b.") from exc
    if not report.passed:
        raise NotConvertible(_reason(report))
    if fields:
        _add_tt05_xmp(pdf, fields)
    pdf.save(out, **report.save_kwargs)


def _reason(report: pdfa.Report) -> str:
    rules = sorted({f.rule.split(":")[-1] for f in report.findings})
    text = " ".join(f.message.lower() for f in report.findings)
    if "font" in text and ("embed" in text or "program" in text):
        why = "có phông chữ không được nhúng vào tệp"
    elif "encrypt" in text:
        why = "tệp được mã hóa"
    elif "transparen" in text or "smask" in text:
        why = "tệp dùng hiệu ứng trong suốt không hợp lệ"
    else:
        why = "tệp có thành phần PDF/A-2b không cho phép"
    shown = ", ".join(rules[:5])
    return f"Không chuyển được sang PDF/A-2b vì {why} (quy tắc {shown})."


_RDF_END = re.compile(r"</rdf:RDF>")


def _add_tt05_xmp(pdf: pikepdf.Pdf, fields: Mapping[str, str]) -> None:
    """Insert the tt05 properties and their PDF/A extension schema into the XMP packet."""
    stream = pdf.Root.Metadata
    text = bytes(stream.read_bytes()).decode("utf-8")
    props = "".join(f"<{TT05_PREFIX}:{TT05_PROPERTIES[k][0]}>{escape(str(v))}</{TT05_PREFIX}:{TT05_PROPERTIES[k][0]}>"
                    for k, v in fields.items())
    schema_props = "".join(
        "<rdf:li rdf:parseType=\"Resource\">"
        f"<pdfaProperty:name>{name}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        f"<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{escape(label)}</pdfaProperty:description></rdf:li>"
        for name, label in TT05_PROPERTIES.values())
    block = (
        f'<rdf:Description rdf:about="" xmlns:{TT05_PREFIX}="{TT05_NS}">{props}</rdf:Description>'
        '<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
        ' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
        ' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
        '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
        "<pdfaSchema:schema>Thông tin tài liệu số hóa theo Thông tư 05/2025/TT-BNV</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{TT05_NS}</pdfaSchema:namespaceURI>"
        f"<pdfaSchema:prefix>{TT05_PREFIX}</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{schema_props}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
    )
    text, n = _RDF_END.subn(lambda _m: block + "</rdf:RDF>", text, count=1)
    if n != 1:
        raise NotConvertible("Không ghi được siêu dữ liệu XMP của tài liệu.")
    stream.write(text.encode("utf-8"))


def read_tt05_xmp(data: bytes) -> dict[str, str]:
    """The tt05 properties of an archival copy (for checks and tests): field key → value."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        text = bytes(pdf.Root.Metadata.read_bytes()).decode("utf-8")
    out: dict[str, str] = {}
    from xml.sax.saxutils import unescape
    for key, (name, _label) in TT05_PROPERTIES.items():
        m = re.search(rf"<{TT05_PREFIX}:{name}>(.*?)</{TT05_PREFIX}:{name}>", text, re.S)
        if m:
            out[key] = unescape(m.group(1))
    return out
