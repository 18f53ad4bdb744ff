"""The pipeline through the service layer: real files, real OCR, real tantivy index and store."""

import io

import pytest
from sqlalchemy import func, select

from archive.errors import InvalidInput, NotFound
from archive.models import Document, Job, Page
from archive.services.documents import document_pages, get_document, ingest_upload
from archive.services.search import search_pages
from archive.services.access import SYSTEM
from archive.services.staff import add_staff
from archive.services.units import add_unit
from ingest import InvalidUpload
from tests.support.cer import cer
from tests.support.documents import CV_LINES, born_digital_pdf, png_bytes, rendered_page, scanned_pdf


@pytest.fixture
def staff(container):
    add_unit(container, SYSTEM, code="PTCKH", name="Phòng Tài chính - Kế hoạch", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV001", full_name="Đặng Thị Hồng Nhung", unit_code="PTCKH", status="nghi_huu")
    return "NV001"


def _ingest(c, data: bytes, name: str, **kw):
    return ingest_upload(c, SYSTEM, staff_code=kw.pop("staff_code", "NV001"), stream=io.BytesIO(data), file_name=name,
                         **kw)


def test_scanned_vietnamese_page_is_ocred_indexed_and_found(container, staff, tesseract):
    img, truth = rendered_page()
    out = _ingest(container, png_bytes(img), "so-yeu-ly-lich.png", document_type="so_yeu_ly_lich")
    assert out.created and out.document.state == "queued"
    container.queue.drain()

    doc = get_document(container, SYSTEM, out.document.id)
    assert doc.state == "indexed" and doc.page_count == 1
    [page] = document_pages(container, SYSTEM, doc.id)
    assert page.source == "ocr" and page.confidence > 80
    assert cer(truth, page.text) <= 0.01, page.text

    unaccented = search_pages(container, SYSTEM, "dang thi hong nhung tan phu duc hoa")
    assert [(h.document_id, h.page) for h in unaccented.hits] == [(doc.id, 1)]
    assert "Đức" in unaccented.hits[0].snippet.matches
    phrase = search_pages(container, SYSTEM, '"Ủy ban nhân dân huyện Đức Hòa"')
    assert phrase.total == 1 and phrase.hits[0].staff_code == "NV001"
    assert search_pages(container, SYSTEM, '"huyện Ủy ban nhân dân"').total == 0  # order matters in a phrase


def test_status_filter_finds_retired_staff_and_excludes_others(container, staff):
    _ingest(container, born_digital_pdf(CV_LINES), "cv.pdf")
    container.queue.drain()
    assert search_pages(container, SYSTEM, "ke toan", statuses=["nghi_huu"]).total == 1
    assert search_pages(container, SYSTEM, "ke toan", statuses=["dang_cong_tac", "tu_tran"]).total == 0
    assert search_pages(container, SYSTEM, "ke toan").facets["status"] == {"nghi_huu": 1}


def test_exact_diacritics_rank_first(container, staff):
    add_staff(container, SYSTEM, code="NV002", full_name="Nguyên Văn Bình", unit_code="TINH")
    add_staff(container, SYSTEM, code="NV003", full_name="Nguyễn Văn Bình", unit_code="TINH")
    _ingest(container, born_digital_pdf(["Giấy khai sinh của ông Nguyên Văn Bình"]), "a.pdf", staff_code="NV002")
    _ingest(container, born_digital_pdf(["Giấy khai sinh của ông Nguyễn Văn Bình"]), "b.pdf", staff_code="NV003")
    container.queue.drain()
    exact = search_pages(container, SYSTEM, "Nguyễn Văn Bình")
    assert [h.staff_code for h in exact.hits] == ["NV003", "NV002"]
    assert exact.hits[0].score > exact.hits[1].score
    other = search_pages(container, SYSTEM, "Nguyên Văn Bình")
    assert [h.staff_code for h in other.hits] == ["NV002", "NV003"]


def test_born_digital_pdf_uses_its_text_layer_without_ocr(container, staff, monkeypatch):
    import ingest.extract

    def no_ocr(*_a, **_k):
        raise AssertionError("OCR must not run on a page with a text layer")

    monkeypatch.setattr(ingest.extract, "ocr_image", no_ocr)
    out = _ingest(container, born_digital_pdf(CV_LINES, pages=2), "cv.pdf")
    container.queue.drain()
    pages = document_pages(container, SYSTEM, out.document.id)
    assert [(p.number, p.source) for p in pages] == [(1, "text_layer"), (2, "text_layer")]
    assert "Đặng Thị Hồng Nhung" in pages[0].text and "Trang 2" in pages[1].text


def test_image_only_pdf_pages_are_ocred_in_order(container, staff, tesseract):
    p1, _ = rendered_page(["Trang thứ nhất: quyết định nâng lương"])
    p2, _ = rendered_page(["Trang thứ hai: quyết định khen thưởng"])
    out = _ingest(container, scanned_pdf([p1, p2]), "qd.pdf")
    container.queue.drain()
    pages = document_pages(container, SYSTEM, out.document.id)
    assert [(p.number, p.source) for p in pages] == [(1, "ocr"), (2, "ocr")]
    assert "nâng lương" in pages[0].text and "khen thưởng" in pages[1].text
    hit = search_pages(container, SYSTEM, "khen thuong").hits[0]
    assert (hit.document_id, hit.page) == (out.document.id, 2)


def test_same_bytes_for_same_staff_is_idempotent(container, staff):
    data = born_digital_pdf(CV_LINES)
    first = _ingest(container, data, "cv.pdf")
    second = _ingest(container, data, "cv-lan-2.pdf")
    assert not second.created and second.document.id == first.document.id
    assert container.queue.sent_process == [first.document.id]
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Document)) == 1
        assert uow.session.scalar(select(func.count()).select_from(Job)) == 1


def _nothing_stored(c) -> None:
    with c.uow() as uow:
        for table in (Document, Job, Page):  # (the audit log has only the staff/unit creation)
            assert uow.session.scalar(select(func.count()).select_from(table)) == 0
    assert list(c.store.list_keys()) == []
    assert list(c.settings.tmp_dir.iterdir()) == []
    assert c.queue.sent_process == []


@pytest.mark.parametrize("data,message", [
    (b"", "rỗng"),
    (b"GIF89a not supported", "không được hỗ trợ"),
    (b"%PDF-1.4\nbroken", "PDF bị hỏng"),
])
def test_bad_upload_leaves_no_partial_state(container, staff, data, message):
    with pytest.raises(InvalidUpload, match=message):
        _ingest(container, data, "x")
    _nothing_stored(container)


def test_over_the_page_limit_leaves_no_partial_state(container, staff):
    container.settings.max_pages = 1
    with pytest.raises(InvalidUpload, match="vượt giới hạn 1 trang"):
        _ingest(container, born_digital_pdf(["a"], pages=2), "x.pdf")
    _nothing_stored(container)


def test_over_the_size_limit_leaves_no_partial_state(container, staff):
    container.settings.max_upload_bytes = 1000
    with pytest.raises(InvalidUpload, match="quá lớn"):
        _ingest(container, born_digital_pdf(CV_LINES * 5), "x.pdf")
    _nothing_stored(container)


def test_unknown_staff_code_is_refused_before_reading(container):
    with pytest.raises(NotFound, match="NV999"):
        _ingest(container, born_digital_pdf(["a"]), "x.pdf", staff_code="NV999")
    _nothing_stored(container)


def test_original_is_kept_byte_for_byte(container, staff):
    data = born_digital_pdf(CV_LINES)
    out = _ingest(container, data, "cv.pdf")
    with container.store.open(out.document.sha256) as fh:
        assert fh.read() == data
    assert container.store.verify(out.document.sha256)


def test_page_images_are_rendered_for_pdfs_and_multipage_tiffs_and_kept_as_derivatives(container, staff,
                                                                                        monkeypatch):
    from io import BytesIO as _B

    from PIL import Image

    from archive.services.documents import page_image

    pdf = _ingest(container, born_digital_pdf(CV_LINES, pages=2), "cv.pdf").document
    img, _ = rendered_page(["Trang một"])
    buf = _B()
    img.save(buf, format="TIFF", save_all=True, append_images=[rendered_page(["Trang hai"])[0]])
    tiff = _ingest(container, buf.getvalue(), "scan.tif").document
    first = {}
    for doc, page in ((pdf, 2), (tiff, 2)):
        first[doc.id] = png = page_image(container, SYSTEM, doc.id, page, width=160)
        thumb = Image.open(_B(png))
        assert thumb.format == "PNG" and thumb.width == 160 and thumb.height > 200  # A4 portrait
    from archive.models import Derivative
    from archive.services import documents

    with container.uow() as uow:
        rows = [(r.kind, r.source_sha256, r.params, r.sha256)
                for r in uow.session.scalars(select(Derivative).order_by(Derivative.id))]
    assert [r[:3] for r in rows] == [
        ("page_image", pdf.sha256, "page=2;width=160"), ("page_image", tiff.sha256, "page=2;width=160")]
    # in the store's derivatives namespace under their own hash, apart from the originals
    assert set(container.derivatives.list_keys()) == {r[3] for r in rows}
    assert set(container.store.list_keys()) == {pdf.sha256, tiff.sha256}
    assert not (container.settings.data_dir / "derivatives").exists()  # nothing kept beside the store

    def no_render(*_a, **_k):
        raise AssertionError("a recorded derivative must not be rendered again")

    monkeypatch.setattr(documents, "render_page", no_render)
    assert page_image(container, SYSTEM, pdf.id, 2, width=160) == first[pdf.id]  # from the object store
    with pytest.raises(NotFound):
        page_image(container, SYSTEM, pdf.id, 3, width=160)
    with pytest.raises(InvalidInput):
        page_image(container, SYSTEM, pdf.id, 1, width=123)
