"""OCR that needs a person says so: orientation detection turns sideways / upside-down scans, blank
and unsure pages are flagged "Cần xem lại" with the reason, and archivists work through a scoped,
filtered, audited review list. Real tesseract (OSD and vie), real tantivy index and store."""

import io

import pytest
from PIL import ImageFilter
from sqlalchemy import select

import ingest.orientation
from archive.errors import Conflict, InvalidInput, NotFound
from archive.models import AuditEntry, IntakeBatch, IntakeBatchFile, Page
from archive.services import ocr_review
from archive.services.access import SYSTEM
from archive.services.declarations import acting_as
from archive.services.documents import document_pages, get_document, ingest_upload
from archive.services.search import search_pages
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import make_user
from tests.support.documents import png_bytes
from tests.support.review_pages import blank_page, small_page, turned


@pytest.fixture
def office(container):
    add_unit(container, SYSTEM, code="PNV", name="Phòng Nội vụ", parent_code="TINH")
    add_unit(container, SYSTEM, code="PTC", name="Phòng Tài chính", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV001", full_name="Trương Thị Quỳnh Hoa", unit_code="PNV")
    add_staff(container, SYSTEM, code="NV002", full_name="Lê Văn Tài", unit_code="PTC")
    make_user(container, "vtpnv", "archivist", "PNV")
    make_user(container, "vtptc", "archivist", "PTC")
    return container


def _upload(c, img, name: str, *, staff_code: str = "NV001", actor=SYSTEM) -> int:
    out = ingest_upload(c, actor, staff_code=staff_code, stream=io.BytesIO(png_bytes(img)), file_name=name)
    return out.document.id


def _pages(c, doc_id: int) -> list[Page]:
    with c.uow() as uow:
        rows = list(uow.session.scalars(select(Page).where(Page.document_id == doc_id).order_by(Page.number)))
        uow.session.expunge_all()
        return rows


def test_pages_scanned_sideways_and_upside_down_are_turned_read_and_found(office, tesseract):
    c = office
    ids = {deg: _upload(c, turned(small_page(), deg), f"quyet-dinh-{deg}.png") for deg in (90, 180)}
    c.queue.drain()
    for deg, doc_id in ids.items():
        [page] = _pages(c, doc_id)
        # turned counter-clockwise by `deg`: reading it needs a turn of `deg` clockwise back
        assert page.osd_rotation == deg, (deg, page.text[:80])
        assert "Quỳnh Hoa" in page.text and page.confidence > 80
        assert page.needs_review and page.review_reason == f"Trang 1: đã xoay {deg}° theo nhận dạng hướng"
        assert get_document(c, SYSTEM, doc_id).state == "indexed"  # indexed and searchable, flagged beside it
    hits = search_pages(c, SYSTEM, "Quỳnh Hoa chuyên viên Phòng Nội vụ")
    assert set(ids.values()) <= {h.document_id for h in hits.hits}


def test_a_blank_page_is_flagged_almost_white_and_not_counted_as_text(office, tesseract, monkeypatch):
    c = office
    doc_id = _upload(c, blank_page(), "trang-trang.png")
    calls = []
    monkeypatch.setattr(ingest.orientation, "detect_orientation", lambda *a, **k: calls.append(a))
    c.queue.drain()
    [page] = _pages(c, doc_id)
    assert page.text == "" and page.needs_review and page.review_reason == "Trang 1: gần như trắng"
    assert calls == [], "a blank page costs no orientation run"
    assert ocr_review.document_reasons(c, [doc_id]) == {doc_id: ["Trang 1: gần như trắng"]}
    assert [p.text for p in document_pages(c, SYSTEM, doc_id)] == [""]


def test_a_blurred_page_is_flagged_with_its_confidence(office, tesseract):
    c = office
    doc_id = _upload(c, small_page().filter(ImageFilter.GaussianBlur(4)), "mo.png")
    c.queue.drain()
    [page] = _pages(c, doc_id)
    assert page.confidence < 60 and page.needs_review
    assert f"độ tin cậy {round(page.confidence)} %" in page.review_reason and page.osd_rotation == 0


def test_a_clear_upright_page_is_not_flagged_and_costs_no_orientation_run(office, tesseract, monkeypatch):
    c = office
    calls = []
    real = ingest.orientation.detect_orientation
    monkeypatch.setattr(ingest.orientation, "detect_orientation", lambda *a, **k: calls.append(1) or real(*a, **k))
    doc_id = _upload(c, small_page(), "ro.png")
    c.queue.drain()
    [page] = _pages(c, doc_id)
    assert not page.needs_review and page.review_reason is None and page.osd_rotation == 0
    assert calls == [] and ocr_review.document_reasons(c, [doc_id]) == {}


def test_review_list_is_scoped_filtered_and_marking_done_is_audited(office, tesseract):
    c = office
    vtpnv, vtptc = acting_as(c, "vtpnv", via="test"), acting_as(c, "vtptc", via="test")
    a = _upload(c, blank_page(), "a.png", actor=vtpnv)
    b = _upload(c, turned(blank_page(), 90).resize((900, 1200)), "b.png", staff_code="NV002", actor=vtptc)
    c.queue.drain()
    with c.uow() as uow:
        batch = IntakeBatch(source="cli", name="lo-1.zip", created_by="system")
        uow.session.add(batch)
        uow.session.flush()
        uow.session.add(IntakeBatchFile(batch_id=batch.id, position=1, path="b.png", document_id=b))
        batch_id = batch.id
        uow.commit()

    everything = ocr_review.review_list(c, SYSTEM)
    assert [(r.document_id, r.reason) for r in everything] == [(a, "Trang 1: gần như trắng"),
                                                               (b, "Trang 1: gần như trắng")]
    assert everything[0].uploader == "vtpnv" and everything[0].unit_code == "PNV"
    assert [r.document_id for r in ocr_review.review_list(c, SYSTEM, unit="PTC")] == [b]
    assert [r.document_id for r in ocr_review.review_list(c, SYSTEM, uploader="vtpnv")] == [a]
    assert [r.document_id for r in ocr_review.review_list(c, SYSTEM, batch=batch_id)] == [b]
    assert ocr_review.review_list(c, SYSTEM, uploader="khong-ai") == []
    with pytest.raises(InvalidInput, match="Không có đơn vị"):
        ocr_review.review_list(c, SYSTEM, unit="KHONGCO")
    # scope: each archivist sees their own unit's pages only, and cannot mark another's
    assert [r.document_id for r in ocr_review.review_list(c, vtpnv)] == [a]
    page_b = ocr_review.review_list(c, vtptc)[0].page_id
    with pytest.raises(NotFound):
        ocr_review.mark_reviewed(c, vtpnv, page_b)

    page_a = everything[0].page_id
    done = ocr_review.mark_reviewed(c, vtpnv, page_a)
    assert done.document_id == a
    assert [r.document_id for r in ocr_review.review_list(c, SYSTEM)] == [b]
    assert ocr_review.document_reasons(c, [a, b]) == {b: ["Trang 1: gần như trắng"]}
    with pytest.raises(Conflict, match="đã được vtpnv đánh dấu đã xem"):
        ocr_review.mark_reviewed(c, vtpnv, page_a)
    with pytest.raises(NotFound):
        ocr_review.mark_reviewed(c, vtpnv, 999_999)
    with c.uow() as uow:
        entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "page.review_done")).one()
        assert (entry.actor, entry.target_id, entry.details["page"]) == ("vtpnv", str(a), 1)
        row = uow.session.get(Page, page_a)
        assert row.reviewed_by == "vtpnv" and row.reviewed_at is not None
