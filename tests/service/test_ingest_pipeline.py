"""The pipeline through the service layer: real files, real OCR, real tantivy index and store."""

import hashlib
import io
import os
import threading

import pytest
from sqlalchemy import func, select

from archive.errors import InvalidInput, NotFound
from archive.models import AuditEntry, Document, Job, Page, Staff
from archive.services import documents, jobs
from archive.services.documents import check_upload, document_pages, get_document, ingest_received, ingest_upload
from archive.services.search import search_pages
from archive.services.access import SYSTEM
from archive.services.staff import add_staff
from archive.services.units import add_unit
from ingest import InvalidUpload, Receiver
from storage import StorageError
from tests.support import hostile_files as hostile
from tests.support.hostile_files import read_only
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
        assert uow.session.scalar(select(func.count()).select_from(Job).where(Job.kind == "extract")) == 1


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


# -- hostile input ---------------------------------------------------------------------------


def _stored_as_before_the_bounds(c, data: bytes, content_type: str) -> int:
    """A document stored by a version that validated less (or under looser settings): the object,
    the row and its extract job, queued — what an upgrade finds in the archive."""
    sha = hashlib.sha256(data).hexdigest()
    path = c.settings.tmp_dir / "legacy"
    c.settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    c.store.put_file(path, sha256=sha, content_type=content_type)
    path.unlink(missing_ok=True)
    with c.uow() as uow:
        staff_id = uow.session.scalar(select(Staff.id))
        doc = Document(staff_id=staff_id, document_type="khac", file_name="cu.bin", content_type=content_type,
                       sha256=sha, size=len(data), page_count=1, state="queued")
        uow.session.add(doc)
        uow.session.flush()
        job = jobs.enqueue(uow.session, "extract", target_type="document", target_id=doc.id)
        uow.commit()
        doc_id, job_id = doc.id, job.id
    c.queue.send_job(job_id, "extract")
    return doc_id


def _job_of(c, doc_id: int) -> Job:
    with c.uow() as uow:
        job = uow.session.scalar(select(Job).where(Job.target_id == str(doc_id)))
        uow.session.expunge(job)
        return job


@pytest.mark.parametrize("build,content_type,message", [
    (lambda: hostile.pdf_huge_page(50), "application/pdf", "khổ quá lớn"),
    (hostile.pdf_flate_bomb, "application/pdf", "bom giải nén"),
    (hostile.png_tiny, "image/png", "quá nhỏ"),
    (lambda: hostile.tiff_frames(600), "image/tiff", "vượt giới hạn 500 trang"),
])
def test_extraction_keeps_the_upload_bounds_and_fails_at_once(container, staff, monkeypatch, build, content_type,
                                                              message):
    """What validation now refuses, a stored original cannot make a worker render, inflate or OCR."""
    import ingest.extract

    def no_render(*_a, **_k):
        raise AssertionError("a page outside the bounds must not be rendered")

    monkeypatch.setattr(ingest.extract, "rasterise_pdf_page", no_render)
    monkeypatch.setattr(ingest.extract, "ocr_image", no_render)
    doc_id = _stored_as_before_the_bounds(container, build(), content_type)
    container.queue.drain()
    doc = get_document(container, SYSTEM, doc_id)
    assert doc.state == "failed" and message in doc.error, doc.error
    job = _job_of(container, doc_id)
    assert (job.state, job.attempts) == ("failed", 1), "a deterministic failure is not tried three times"


def test_a_page_tesseract_refuses_fails_the_job_at_once_with_a_clear_reason(container, staff, monkeypatch):
    import pytesseract

    def refuses(*_a, **_k):
        raise pytesseract.TesseractError(1, "Error in pixRead: image file not found: P4 Image file P4 cannot be read!")

    monkeypatch.setattr(pytesseract, "run_and_get_multiple_output", refuses)
    monkeypatch.setattr(pytesseract.pytesseract, "run_tesseract", refuses)  # the run that also keeps the text layer
    out = _ingest(container, hostile.png_blank_page(), "trang.png")
    container.queue.drain()
    doc = get_document(container, SYSTEM, out.document.id)
    assert doc.state == "failed" and doc.error.startswith("Không nhận dạng được chữ ở trang 1"), doc.error
    assert "pixRead" not in doc.error
    assert (_job_of(container, doc.id).attempts) == 1


def test_a_tiny_image_is_refused_at_upload_and_a_blank_page_is_an_empty_page(container, staff, tesseract):
    with pytest.raises(InvalidUpload, match=r"quá nhỏ \(1 × 1 điểm ảnh"):
        _ingest(container, hostile.png_tiny(), "cham.png")
    _nothing_stored(container)
    out = _ingest(container, hostile.png_blank_page(), "trang-trang.png")
    container.queue.drain()
    doc = get_document(container, SYSTEM, out.document.id)
    assert (doc.state, doc.error) == ("indexed", None)
    [page] = document_pages(container, SYSTEM, doc.id)
    assert (page.text, page.source) == ("", "ocr")


@pytest.mark.parametrize("build", [hostile.pdf_deep_page_tree, hostile.pdf_wide_kids, hostile.pdf_page_count_bomb,
                                   hostile.pdf_flate_bomb, lambda: hostile.pdf_huge_page(50),
                                   hostile.tiff_multipage_damaged_tail, lambda: hostile.tiff_frames(5000)])
def test_resource_bombs_leave_no_partial_state(container, staff, build):
    with pytest.raises(InvalidUpload):
        _ingest(container, build(), "bom")
    _nothing_stored(container)


@pytest.mark.parametrize("document_type", ["khong_co_trong_danh_muc", "so_yeu_ly_lich\n", "SO_YEU_LY_LICH", ""])
def test_a_document_type_outside_the_catalog_is_refused_before_a_byte_is_read(container, staff, document_type):
    class Unread(io.BytesIO):
        def read(self, *_a):  # noqa: ANN002
            raise AssertionError("the body must not be read")

    with pytest.raises(InvalidInput) as caught:
        ingest_upload(container, SYSTEM, staff_code="NV001", stream=Unread(), file_name="a.pdf",
                      document_type=document_type)
    message = str(caught.value)
    assert "không có trong danh mục loại tài liệu" in message and "so_yeu_ly_lich" in message
    assert "\n" not in message
    _nothing_stored(container)


@pytest.mark.parametrize("sent,unwanted", hostile.HOSTILE_FILE_NAMES)
def test_file_names_are_stored_as_safe_display_names_and_audited_as_sent(container, staff, sent, unwanted):
    data = born_digital_pdf([f"Tên tệp {sent!r}"])
    doc = _ingest(container, data, sent).document
    assert unwanted not in doc.file_name and doc.file_name.strip(". ") == doc.file_name and doc.file_name
    with container.uow() as uow:
        entry = uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "document.upload"))
        assert entry.details["file_name"] == doc.file_name
        assert entry.details["file_name_sent"].isprintable()


def test_a_right_to_left_override_cannot_disguise_the_extension(container, staff):
    doc = _ingest(container, born_digital_pdf(["a"]), "hoso\u202egnp.exe").document
    assert doc.file_name == "hosognp.exe"  # what the bytes of the name say, in the order they say it


def test_undecodable_file_names_from_a_disk_are_stored(container, staff):
    name = os.fsdecode(b"h\xe1\xbb\x93 s\xff.pdf")  # "hồ s" then a byte that is no UTF-8
    doc = _ingest(container, born_digital_pdf(["a"]), name).document
    assert doc.file_name == "hồ s\ufffd.pdf"


def test_six_concurrent_uploads_of_the_same_new_bytes_make_one_document_and_one_job(container, staff, monkeypatch):
    """Three multipart-style (ingest_upload) and three raw-body-style (check_upload → Receiver →
    ingest_received) uploads, all past the same-bytes lookup before any of them inserts."""
    data = born_digital_pdf(CV_LINES)
    everyone_checked = threading.Barrier(6, timeout=30)
    real_validate = documents.validate_file

    def validate_together(*a, **k):
        everyone_checked.wait()
        return real_validate(*a, **k)

    monkeypatch.setattr(documents, "validate_file", validate_together)

    def multipart() -> documents.IngestOutcome:
        return _ingest(container, data, "cv.pdf")

    def raw_body() -> documents.IngestOutcome:
        target = check_upload(container, SYSTEM, "NV001")
        receiver = Receiver(tmp_dir=container.settings.tmp_dir, max_bytes=container.settings.max_upload_bytes)
        receiver.write(data)
        return ingest_received(container, SYSTEM, target=target, received=receiver.finish(), file_name="cv.pdf")

    outcomes, errors = [], []

    def run(fn) -> None:  # noqa: ANN001
        try:
            outcomes.append(fn())
        except Exception as exc:  # noqa: BLE001 — collected: the test says which
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in (multipart, raw_body) * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len({o.document.id for o in outcomes}) == 1 and len(outcomes) == 6
    assert sorted(o.created for o in outcomes) == [False] * 5 + [True]
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Document)) == 1
        assert uow.session.scalar(select(func.count()).select_from(Job).where(Job.kind == "extract")) == 1
    assert len(container.queue.sent_process) == 1
    assert list(container.settings.tmp_dir.iterdir()) == []


def test_an_upload_to_a_read_only_store_is_a_storage_error_leaving_nothing(container, staff):
    root = container.store.root  # the local store's directory, created on first use
    with read_only(root):
        with pytest.raises(StorageError) as caught:
            _ingest(container, born_digital_pdf(["a"]), "a.pdf")
    assert str(root) not in str(caught.value) and "không cho ghi" in str(caught.value)
    _nothing_stored(container)
    assert list((root / "tmp").iterdir()) == []


def test_parallel_requests_for_one_page_image_all_answer_and_record_it_once(container, staff):
    """Eight requests at once used to collide on one temp name per process (os.replace: FileNotFoundError)."""
    from concurrent.futures import ThreadPoolExecutor

    from archive.models import Derivative
    from archive.services.documents import page_image

    doc = _ingest(container, born_digital_pdf(CV_LINES, pages=1), "cv.pdf").document
    with ThreadPoolExecutor(max_workers=8) as pool:
        images = list(pool.map(lambda _: page_image(container, SYSTEM, doc.id, 1, width=160), range(8)))
    assert len(set(images)) == 1 and images[0].startswith(b"\x89PNG")
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Derivative)) == 1
    assert list(container.settings.tmp_dir.iterdir()) == []
