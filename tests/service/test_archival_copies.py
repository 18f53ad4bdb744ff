"""Archival PDF/A-2b copies through the real pipeline: real OCR, real store, veraPDF on every copy.

One test ingests a JPEG (skewed 3°, so the deskew mapping is exercised), a PNG, a
two-frame TIFF, an image-only PDF and a born-digital PDF, drains the queue (extract → archival)
and validates all copies in one veraPDF call.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image
from sqlalchemy import select

from archive.errors import InvalidInput, NotFound
from archive.models import AuditEntry, Derivative, Document, Job
from archive.services import archival, document_description
from archive.services.access import SYSTEM
from archive.services.documents import document_pages, ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from bench.corpus.render import degrade
from ingest.pdfa import read_tt05_xmp
from tests.support.cer import cer
from tests.support.documents import CV_LINES, born_digital_pdf, png_bytes, rendered_page, scanned_pdf
from tests.support.verapdf import find_jar, validate

pytestmark = pytest.mark.slow

DECISION = ["ỦY BAN NHÂN DÂN HUYỆN ĐỨC HÒA", "Số: 123/QĐ-UBND",
            "Đức Hòa, ngày 12 tháng 3 năm 2015", "QUYẾT ĐỊNH",
            "Về việc nâng bậc lương thường xuyên đối với công chức Đặng Thị Hồng Nhung"]


def _jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90, dpi=(300, 300))
    return buf.getvalue()


def _tiff(frames: list[Image.Image]) -> bytes:
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw",
                   dpi=(300, 300))
    return buf.getvalue()


@pytest.fixture
def staff(container):
    add_unit(container, SYSTEM, code="PTCKH", name="Phòng Tài chính - Kế hoạch", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV001", full_name="Đặng Thị Hồng Nhung", unit_code="PTCKH")
    return "NV001"


def _ingest(c, data: bytes, name: str):
    return ingest_upload(c, SYSTEM, staff_code="NV001", stream=io.BytesIO(data), file_name=name).document


def _archival_bytes(c, doc_id: int) -> bytes:
    name, size, chunks = archival.open_archival_copy(c, SYSTEM, doc_id)
    data = b"".join(chunks)
    assert name.endswith(".pdfa.pdf") and len(data) == size
    return data


def _word_box_over_ink(pdf_bytes: bytes, original: Image.Image, word: str, shift: float = 0.0) -> float:
    """Share of dark pixels in the original image under the box the copy's text layer gives `word`."""
    doc = pdfium.PdfDocument(pdf_bytes)
    page = doc[0]
    width_pt, height_pt = page.get_size()
    text = page.get_textpage()
    full = text.get_text_range()
    at = full.find(word)
    assert at >= 0, full[:300]
    boxes = [text.get_charbox(i) for i in range(at, at + len(word))]
    left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
    left, right = left + shift * (right - left), right + shift * (right - left)
    bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
    sx, sy = original.width / width_pt, original.height / height_pt
    crop = original.convert("L").crop((round(left * sx), round((height_pt - top) * sy),
                                       round(right * sx), round((height_pt - bottom) * sy)))
    ink = np.asarray(crop) < 128
    return float(ink.mean())


def test_every_archival_copy_passes_verapdf_keeps_the_ocr_text_and_the_original(container, staff, tesseract,
                                                                               tmp_path):
    jar = find_jar()
    c = container
    page, _truth = rendered_page(DECISION)
    skewed = degrade(page, seed=3, skew_deg=3.0)
    p1, _ = rendered_page(["Trang một: quyết định nâng lương"])
    p2, _ = rendered_page(["Trang hai: quyết định khen thưởng"])
    originals = {
        "qd.jpg": _jpeg(skewed),
        "cv.png": png_bytes(rendered_page(CV_LINES)[0]),
        "scan.tif": _tiff([p1, p2]),
        "scan.pdf": scanned_pdf([p1, p2]),
        "cv.pdf": born_digital_pdf(CV_LINES, pages=2),
    }
    docs = {name: _ingest(c, data, name) for name, data in originals.items()}
    c.queue.drain()

    files: list[Path] = []
    copies: dict[str, bytes] = {}
    for name, doc in docs.items():
        with c.uow() as uow:
            row = uow.session.get(Document, doc.id)
            assert row.state == "indexed", (name, row.error)
            assert archival.state_of(row).state == archival.STATE_OK, (name, row.description)
            # the original is untouched, byte for byte
            with c.store.open(row.sha256) as fh:
                assert hashlib.sha256(fh.read()).hexdigest() == row.sha256 == hashlib.sha256(
                    originals[name]).hexdigest()
        copies[name] = data = _archival_bytes(c, doc.id)
        path = tmp_path / f"{Path(name).stem}-{Path(name).suffix[1:]}.pdf"
        path.write_bytes(data)
        files.append(path)

    verdicts = validate(jar, files)
    assert {p.name: v.compliant for p, v in verdicts.items()} == {p.name: True for p in files}, verdicts

    for name, doc in docs.items():
        ocr_text = "\n".join(p.text for p in document_pages(c, SYSTEM, doc.id))
        pdf = pdfium.PdfDocument(copies[name])
        copy_text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        assert len(pdf) == (2 if name in ("scan.tif", "scan.pdf", "cv.pdf") else 1)
        assert cer(ocr_text, copy_text) <= 0.005, (name, ocr_text[:200], copy_text[:200])

    # the JPEG went in unchanged (DCT passthrough), at its own size and resolution
    import pikepdf
    with pikepdf.open(io.BytesIO(copies["qd.jpg"])) as pdf:
        [image] = list(pdf.pages[0].get_images().values())
        assert image.Filter == pikepdf.Name.DCTDecode and image.read_raw_bytes() == originals["qd.jpg"]
        assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 595, 842]  # A4 at 300 dpi
    # the text layer was rotated back onto the skewed scan: a word's box lies over its ink
    # (unrotated, the box would sit ~50 px off, in the blank between lines, at 3° this far from the centre)
    assert _word_box_over_ink(copies["qd.jpg"], skewed, "QUYẾT") > 0.10
    assert _word_box_over_ink(copies["qd.jpg"], skewed, "QUYẾT", shift=3.0) < 0.02  # beside the line: paper
    # the TT 05 fields the OCR read unambiguously were prefilled, and went into the XMP
    described = document_description.get_description(c, SYSTEM, docs["qd.jpg"].id)
    assert described["so_ky_hieu"] == "123/QĐ-UBND" and described["ngay_van_ban"] == "2015-03-12"
    assert read_tt05_xmp(copies["qd.jpg"])["so_ky_hieu"] == "123/QĐ-UBND"

    # derivatives: own hashes, in the derivatives namespace, the exact kind/params the BagIt export reads
    with c.uow() as uow:
        rows = uow.session.scalars(select(Derivative).where(Derivative.kind == "archival")).all()
        assert {r.params for r in rows} == {"pdfa-2b"} and len(rows) == 5
        assert all(c.derivatives.exists(r.sha256) for r in rows)
        assert not any(c.store.exists(r.sha256) for r in rows)


def test_changing_the_description_remakes_the_copy_with_the_new_xmp(container, staff, tesseract):
    c = container
    doc = _ingest(c, born_digital_pdf(["Quyết định số 45/QĐ-UBND về việc tiếp nhận công chức"]), "qd.pdf")
    c.queue.drain()
    first = _archival_bytes(c, doc.id)
    out = document_description.update_description(c, SYSTEM, doc.id, {
        "ma_ho_so": "HS-NV001", "trich_yeu": "Tiếp nhận công chức", "che_do_su_dung": "Sử dụng có điều kiện",
        "ngay_van_ban": "05/06/2016", "so_trang": "1"})
    assert out["che_do_su_dung"] == "su_dung_co_dieu_kien" and out["ngay_van_ban"] == "2016-06-05"
    c.queue.drain()
    second = _archival_bytes(c, doc.id)
    assert second != first
    xmp = read_tt05_xmp(second)
    assert xmp["ma_ho_so"] == "HS-NV001" and xmp["che_do_su_dung"] == "Sử dụng có điều kiện"
    with c.uow() as uow:
        actions = [a.action for a in uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "document.describe" in actions and actions[-1] == "document.archival_download"


@pytest.mark.parametrize("values,message", [
    ({"ngay_van_ban": "31/02/2015"}, "ngày hợp lệ"),
    ({"che_do_su_dung": "bí mật tuyệt đối"}, "một trong"),
    ({"so_trang": "-3"}, "số nguyên dương"),
    ({"khong_co": "x"}, "không có trong Thông tư"),
    ({"ma_ho_so": "x" * 51}, "dài quá 50"),
])
def test_bad_description_is_refused_in_vietnamese_and_changes_nothing(container, staff, values, message):
    c = container
    doc = _ingest(c, born_digital_pdf(["Giấy khai sinh của bà Đặng Thị Hồng Nhung"]), "ks.pdf")
    with pytest.raises(InvalidInput, match=message):
        document_description.update_description(c, SYSTEM, doc.id, {"ma_ho_so": "HS-1", **values})
    with c.uow() as uow:
        assert uow.session.get(Document, doc.id).description in ({}, None)
        assert uow.session.scalar(select(Job).where(Job.kind == "archival")) is None


def test_a_document_ocred_before_text_layers_were_kept_is_marked_for_reextraction(container, staff, tesseract):
    c = container
    c.settings.archival_copies = False  # as before this feature: no text layers kept, no follow-up copy
    doc = _ingest(c, png_bytes(rendered_page(["Bằng tốt nghiệp đại học"])[0]), "bang.png")
    c.queue.drain()
    c.settings.archival_copies = True
    made = archival.make_archival_copy(c, doc.id)
    assert made.state.state == archival.STATE_NEEDS_REEXTRACT and made.info is None
    with pytest.raises(NotFound, match="chưa có bản lưu trữ"):
        archival.open_archival_copy(c, SYSTEM, doc.id)


def test_a_pdf_with_fonts_not_embedded_is_marked_not_convertible_with_the_reason(container, staff):
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (Quyet dinh so 12 ve viec tiep nhan cong chuc) Tj ET")
    buf = io.BytesIO()
    pdf.save(buf)
    c = container
    doc = _ingest(c, buf.getvalue(), "khong-nhung-font.pdf")
    c.queue.drain()
    state = archival.archival_state(c, SYSTEM, doc.id)
    assert state.state == archival.STATE_NOT_CONVERTIBLE
    assert state.reason.startswith("Không chuyển được sang PDF/A-2b") and "phông chữ" in state.reason
    with pytest.raises(NotFound, match="Không chuyển được"):
        archival.open_archival_copy(c, SYSTEM, doc.id)
