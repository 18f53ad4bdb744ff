"""A document as a list of page references: merge, split, reorder (issue 11), through the service layer.

Real born-digital PDFs and rendered scans, the embedded store and tantivy, real OCR where a page is
read again. Every correction leaves the stored originals byte-identical; search, the viewer's page
images and the extract job follow the page list; a moved page keeps its text (no new OCR).
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from archive.errors import Conflict, Forbidden, InvalidInput, NotFound
from archive.models import AuditEntry, Document, Job, Page
from archive.models.document_corrections import DocumentCorrection
from archive.services import document_corrections as dc
from archive.services import page_references as pr
from archive.services.access import SYSTEM
from archive.services.documents import (
    document_pages,
    get_document,
    ingest_upload,
    list_documents,
    page_image,
)
from archive.services.search import search_pages
from tests.support.corrections import actor as _actor
from tests.support.corrections import make_office, without_automatic_review
from tests.support.corrections import stored_hash as _stored_hash
from tests.support.corrections import upload as _upload
from tests.support.documents import png_bytes, rendered_page
from tests.support.paged_documents import distinct_pages_pdf

P1 = "Quyết định tiếp nhận công chức về công tác tại Sở Nội vụ tỉnh"
P2 = "Bảng lương kèm theo hệ số phụ cấp chức vụ lãnh đạo năm hai nghìn"
P3 = "Phiếu đánh giá xếp loại chất lượng viên chức hằng năm của đơn vị"


@pytest.fixture
def settings(settings):
    return without_automatic_review(settings)


@pytest.fixture
def office(container):
    return make_office(container)


def _hits(c, phrase: str) -> list[tuple[int, int]]:
    return sorted((h.document_id, h.page) for h in search_pages(c, SYSTEM, f'"{phrase}"').hits)


def _extract_jobs(c) -> int:
    with c.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Job).where(Job.kind == "extract"))


def _retention_jobs(c, document_id: int) -> int:
    with c.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == "retention", Job.target_id == str(document_id)))


def _texts(c, document_id: int) -> list[str]:
    return [p.text for p in document_pages(c, SYSTEM, document_id)]


def _audits(c, action: str) -> list[dict]:
    with c.uow() as uow:
        return [e.details for e in uow.session.scalars(select(AuditEntry).where(AuditEntry.action == action))]


def _state(c) -> tuple:
    """Everything a refused correction must leave as it was."""
    with c.uow() as uow:
        s = uow.session
        pages = s.execute(select(Page.document_id, Page.number, Page.text, Page.source_document_id, Page.source_page)
                          .order_by(Page.document_id, Page.number)).all()
        docs = s.execute(select(Document.id, Document.page_count, Document.state, Document.withdrawn_at)
                         .order_by(Document.id)).all()
        return pages, docs, s.scalar(select(func.count()).select_from(DocumentCorrection))


def test_merge_two_uploads_gives_one_document_found_on_both_pages_and_keeps_both_originals(office):
    a = _upload(office, distinct_pages_pdf([[P1]]), "trang-1.pdf")
    b = _upload(office, distinct_pages_pdf([[P2]]), "trang-2.pdf")
    originals = {a.sha256: _stored_hash(office, a.sha256), b.sha256: _stored_hash(office, b.sha256)}
    extracts = _extract_jobs(office)
    image_b = page_image(office, SYSTEM, b.id, 1, width=160)

    view = pr.merge(office, _actor(office, "luutru"), [a.id, b.id])
    office.queue.drain()

    assert (view.id, view.page_count) == (a.id, 2)
    assert _hits(office, P1) == [(a.id, 1)] and _hits(office, P2) == [(a.id, 2)]  # nothing twice in search
    assert [d.id for d in list_documents(office, SYSTEM, "NV001")] == [a.id]
    assert get_document(office, SYSTEM, a.id).state == "indexed"
    assert _extract_jobs(office) == extracts  # the pages' text moved with them: no new OCR
    assert {k: _stored_hash(office, k) for k in originals} == originals == {k: k for k in originals}
    assert page_image(office, SYSTEM, a.id, 2, width=160) == image_b  # the viewer shows page 2 from b's original
    with office.uow() as uow:
        absorbed = uow.session.get(Document, b.id)
        assert absorbed.withdrawn_at is not None and absorbed.withdraw_reason == f"Đã gộp vào tài liệu số {a.id}."
        assert len(absorbed.pages) == 1  # kept with its own pages, out of search as withdrawn
        row = uow.session.scalar(select(Page).where(Page.document_id == a.id, Page.number == 2))
        assert (row.source_document_id, row.source_page) == (b.id, 1)
    [entry] = _audits(office, "document.merge")
    assert entry["before"] == {"pages": [[a.id, 1, 0]]}
    assert entry["after"] == {"pages": [[a.id, 1, 0], [b.id, 1, 0]], "merged": [b.id]}
    [gone] = _audits(office, "document.merged_into")
    assert gone["after"] == {"withdrawn": True, "merged_into": a.id}
    assert [w.id for w in dc.list_withdrawn(office, SYSTEM, "NV001")] == [b.id]
    assert get_document(office, SYSTEM, b.id).withdrawn and not get_document(office, SYSTEM, a.id).withdrawn
    # a search index rebuilt from the database still has each page once
    from archive.work.kinds.index import reindex_all

    reindex_all(office)
    office.queue.drain()
    assert _hits(office, P2) == [(a.id, 2)]


def test_merge_in_a_chosen_order_then_reocr_reads_each_page_from_its_own_original(office):
    a = _upload(office, distinct_pages_pdf([[P1], [P3]]), "hai-trang.pdf")
    b = _upload(office, distinct_pages_pdf([[P2]]), "chen.pdf")

    pr.merge(office, SYSTEM, [a.id, b.id], order=[1, 3, 2])  # b's page between a's two
    office.queue.drain()
    assert [t.split()[0] for t in _texts(office, a.id)] == ["Quyết", "Bảng", "Phiếu"]
    assert _hits(office, P2) == [(a.id, 2)] and _hits(office, P3) == [(a.id, 3)]

    dc.reocr_document(office, SYSTEM, a.id)  # the extract job follows the page list, not a's file alone
    office.queue.drain()
    assert get_document(office, SYSTEM, a.id).state == "indexed"
    assert [P1 in t for t in _texts(office, a.id)] == [True, False, False]
    assert P2 in _texts(office, a.id)[1] and P3 in _texts(office, a.id)[2]
    with office.uow() as uow:
        refs = uow.session.execute(select(Page.source_document_id, Page.source_page).where(
            Page.document_id == a.id).order_by(Page.number)).all()
    assert [tuple(r) for r in refs] == [(None, None), (b.id, 1), (a.id, 2)]


def test_split_at_a_page_makes_a_second_document_of_the_same_dossier_found_under_its_own_id(office):
    data = distinct_pages_pdf([[P1], [P2], [P3]])
    doc = _upload(office, data, "ba-trang.pdf", document_type="so_yeu_ly_lich")
    before = _stored_hash(office, doc.sha256)

    first, new = pr.split(office, _actor(office, "luutru"), doc.id, 2)
    office.queue.drain()

    assert (first.id, first.page_count, new.page_count) == (doc.id, 1, 2)
    assert (new.staff_code, new.document_type, new.sha256) == ("NV001", "so_yeu_ly_lich", doc.sha256)
    assert new.file_name == "ba-trang (tách từ trang 2).pdf"
    assert _hits(office, P1) == [(doc.id, 1)]
    assert _hits(office, P2) == [(new.id, 1)] and _hits(office, P3) == [(new.id, 2)]
    assert [d.id for d in list_documents(office, SYSTEM, "NV001")] == [doc.id, new.id]
    assert _stored_hash(office, doc.sha256) == before
    with office.uow() as uow:
        assert uow.session.get(Document, new.id).part == 1
        assert uow.session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == "retention", Job.target_id == str(new.id))) >= 1  # the part is locked like its original
    [entry, other] = _audits(office, "document.split")
    assert entry["after"]["new_document"] == new.id and other["before"] == {"split_from": doc.id, "at": 2}
    # the same file uploaded again is still "already here" (the upload's uniqueness holds)
    again = ingest_upload(office, SYSTEM, staff_code="NV001", stream=io.BytesIO(data),
                          file_name="lai.pdf", document_type="khac")
    assert again.document.id == doc.id
    # the first part read again keeps its one page (not the whole original back)
    dc.reocr_document(office, SYSTEM, doc.id)
    office.queue.drain()
    assert get_document(office, SYSTEM, doc.id).page_count == 1
    assert _hits(office, P2) == [(new.id, 1)] and _hits(office, P1) == [(doc.id, 1)]
    # a second split of the new part is part 2
    _, third = pr.split(office, SYSTEM, new.id, 2)
    office.queue.drain()
    assert _hits(office, P3) == [(third.id, 1)]
    with office.uow() as uow:
        assert uow.session.get(Document, third.id).part == 2


def test_split_part_pages_show_their_own_page_of_the_original(office):
    doc = _upload(office, distinct_pages_pdf([[P1], [P2]]), "hai.pdf")
    page2 = page_image(office, SYSTEM, doc.id, 2, width=160)
    _first, new = pr.split(office, SYSTEM, doc.id, 2)
    office.queue.drain()
    assert page_image(office, SYSTEM, new.id, 1, width=160) == page2
    with pytest.raises(NotFound):
        page_image(office, SYSTEM, doc.id, 2, width=160)  # the first part has one page now


def test_reorder_moves_pages_and_their_text_without_new_ocr(office):
    doc = _upload(office, distinct_pages_pdf([[P1], [P2], [P3]]), "dao.pdf")
    images = [page_image(office, SYSTEM, doc.id, n, width=160) for n in (1, 2, 3)]
    extracts = _extract_jobs(office)

    view = pr.reorder(office, _actor(office, "luutru"), doc.id, pr.parse_order("3, 1,2"))
    office.queue.drain()

    assert view.page_count == 3
    assert _hits(office, P3) == [(doc.id, 1)] and _hits(office, P1) == [(doc.id, 2)] and _hits(office, P2) == [(doc.id, 3)]
    assert [page_image(office, SYSTEM, doc.id, n, width=160) for n in (1, 2, 3)] == [images[2], images[0], images[1]]
    assert _extract_jobs(office) == extracts
    [entry] = _audits(office, "document.reorder")
    assert entry["after"]["order"] == [3, 1, 2]
    assert pr.reorder(office, SYSTEM, doc.id, [1, 2, 3]).page_count == 3  # the same order: nothing recorded
    assert len(_audits(office, "document.reorder")) == 1
    # and back to the upload's order: every page is "itself" again, read as before
    pr.reorder(office, SYSTEM, doc.id, [2, 3, 1])
    office.queue.drain()
    with office.uow() as uow:
        assert uow.session.execute(select(Page.source_document_id, Page.source_page).where(
            Page.document_id == doc.id)).all() == [(None, None)] * 3
    assert _hits(office, P1) == [(doc.id, 1)]


@pytest.mark.parametrize("call,error", [
    (lambda c, ids: pr.merge(c, SYSTEM, [ids["a"]]), InvalidInput),
    (lambda c, ids: pr.merge(c, SYSTEM, [ids["a"], ids["a"]]), InvalidInput),
    (lambda c, ids: pr.merge(c, SYSTEM, [ids["a"], ids["other"]]), InvalidInput),
    (lambda c, ids: pr.merge(c, SYSTEM, [ids["a"], ids["withdrawn"]]), Conflict),
    (lambda c, ids: pr.merge(c, SYSTEM, [ids["a"], ids["b"]], order=[1, 1, 2]), InvalidInput),
    (lambda c, ids: pr.merge(c, SYSTEM, [ids["a"], ids["b"]], order=[1, 2]), InvalidInput),
    (lambda c, ids: pr.merge(c, SYSTEM, [ids["a"], 999_999]), NotFound),
    (lambda c, ids: pr.split(c, SYSTEM, ids["a"], 1), InvalidInput),
    (lambda c, ids: pr.split(c, SYSTEM, ids["a"], 3), InvalidInput),
    (lambda c, ids: pr.split(c, SYSTEM, ids["b"], 2), InvalidInput),
    (lambda c, ids: pr.split(c, SYSTEM, ids["withdrawn"], 2), Conflict),
    (lambda c, ids: pr.reorder(c, SYSTEM, ids["a"], [2, 2]), InvalidInput),
    (lambda c, ids: pr.reorder(c, SYSTEM, ids["a"], [1, 2, 3]), InvalidInput),
    (lambda c, ids: pr.reorder(c, SYSTEM, ids["a"], pr.parse_order("hai,một")), InvalidInput),
    (lambda c, ids: pr.reorder(c, SYSTEM, ids["a"], pr.parse_order("")), InvalidInput),
], ids=["merge-one", "merge-twice", "merge-other-dossier", "merge-withdrawn", "merge-order-repeats",
        "merge-order-short", "merge-unknown", "split-at-1", "split-past-end", "split-one-page", "split-withdrawn",
        "reorder-repeats", "reorder-too-many", "reorder-words", "reorder-empty"])
def test_bad_page_list_corrections_are_refused_in_vietnamese_and_change_nothing(office, call, error):
    ids = {"a": _upload(office, distinct_pages_pdf([[P1], [P2]]), "a.pdf").id,
           "b": _upload(office, distinct_pages_pdf([[P3]]), "b.pdf").id,
           "other": _upload(office, distinct_pages_pdf([[P3], [P1]]), "c.pdf", staff_code="NV002").id,
           "withdrawn": _upload(office, distinct_pages_pdf([[P2], [P3]]), "d.pdf").id}
    dc.withdraw(office, SYSTEM, ids["withdrawn"], "Nộp nhầm")
    office.queue.drain()
    before = _state(office)
    with pytest.raises(error) as exc:
        call(office, ids)
    message = str(exc.value)
    assert any(ch in message for ch in "ạảãáàâăđêôơưếềệổộờợứừ"), message
    assert "/" not in message and "Traceback" not in message
    assert _state(office) == before


def test_page_list_corrections_are_for_archivists_in_scope_only(office):
    a = _upload(office, distinct_pages_pdf([[P1], [P2]]), "a.pdf")
    b = _upload(office, distinct_pages_pdf([[P3]]), "b.pdf")
    far = _upload(office, distinct_pages_pdf([[P1], [P3]]), "yt.pdf", staff_code="YT001")
    before = _state(office)
    with pytest.raises(Forbidden):
        pr.reorder(office, _actor(office, "tochuc"), a.id, [2, 1])
    with pytest.raises(Forbidden):
        pr.merge(office, _actor(office, "tochuc"), [a.id, b.id])
    with pytest.raises(NotFound):  # outside the archivist's unit the document does not exist
        pr.split(office, _actor(office, "luutru"), far.id, 2)
    assert _state(office) == before


def test_merged_scan_turned_is_read_again_from_its_own_original(office, tesseract):
    page_one = distinct_pages_pdf([[P1]])
    img, _truth = rendered_page()
    a = _upload(office, page_one, "mau-2c-trang-1.pdf", document_type="so_yeu_ly_lich")
    b = _upload(office, png_bytes(img.rotate(90, expand=True)), "mau-2c-trang-2.png", document_type="so_yeu_ly_lich")
    phrase = "Ủy ban nhân dân huyện Đức Hòa"
    before = _stored_hash(office, b.sha256)

    pr.merge(office, SYSTEM, [a.id, b.id])
    office.queue.drain()
    assert _hits(office, phrase) == []  # sideways: garbage until turned
    from archive.services import archival

    state = archival.archival_state(office, SYSTEM, a.id)  # the scan's page carried over with its own OCR layer
    assert (state.state, state.pages) == (archival.STATE_OK, 2)
    assert dc.rotate_page(office, _actor(office, "luutru"), a.id, 2, 90) == 90
    office.queue.drain()

    assert _hits(office, phrase) == [(a.id, 2)]
    assert _hits(office, P1) == [(a.id, 1)]  # page 1 untouched by the partial run
    assert _stored_hash(office, b.sha256) == before
    turned = Image.open(io.BytesIO(page_image(office, SYSTEM, a.id, 2, width=160)))
    assert turned.height > turned.width  # shown upright, from b's original
    with office.uow() as uow:
        payloads = [j.payload for j in uow.session.scalars(select(Job).where(
            Job.kind == "extract", Job.target_id == str(a.id)))]
    assert {"only_pages": [2]} in payloads
    with office.uow() as uow:  # the word boxes of page 2 are those read from b's original, as the document's page 2
        words = pr.document_page_words(office, uow.session, a.id)
    assert list(words) == [2] and words[2].page == 2 and any("Đức" in w.text for w in words[2].words)


def _copy_pages(c, document_id: int) -> list[str]:
    """The text of each page of the document's archival copy, as a reader of the PDF/A file sees it."""
    from pypdf import PdfReader

    from archive.services import archival

    _name, _size, chunks = archival.open_archival_copy(c, SYSTEM, document_id)
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(b"".join(chunks))).pages]


def test_archival_copy_follows_the_merged_split_and_reordered_page_list(office):
    from archive.services import archival

    a = _upload(office, distinct_pages_pdf([[P1], [P2]]), "a.pdf")
    b = _upload(office, distinct_pages_pdf([[P3]]), "b.pdf")
    assert [P1 in t for t in _copy_pages(office, a.id)] == [True, False]

    pr.merge(office, SYSTEM, [a.id, b.id], order=[3, 1, 2])
    office.queue.drain()
    state = archival.archival_state(office, SYSTEM, a.id)
    assert (state.state, state.pages) == (archival.STATE_OK, 3)
    texts = _copy_pages(office, a.id)
    assert [P3 in texts[0], P1 in texts[1], P2 in texts[2]] == [True, True, True]

    _first, part = pr.split(office, SYSTEM, a.id, 3)
    office.queue.drain()
    assert [P3 in t for t in _copy_pages(office, a.id)] == [True, False]
    [only] = _copy_pages(office, part.id)
    assert P2 in only  # the part's own copy, not its original's
    assert archival.archival_state(office, SYSTEM, part.id).pages == 1

    pr.reorder(office, SYSTEM, a.id, [2, 1])
    office.queue.drain()
    assert [P1 in t for t in _copy_pages(office, a.id)] == [True, False]


def test_a_turned_page_remakes_the_archival_copy_shown_upright(office):
    import pikepdf

    from archive.services import archival

    doc = _upload(office, distinct_pages_pdf([[P1], [P2]]), "xoay.pdf")
    before = archival.archival_state(office, SYSTEM, doc.id)
    assert before.state == archival.STATE_OK
    dc.rotate_page(office, SYSTEM, doc.id, 2, 90)
    office.queue.drain()
    state = archival.archival_state(office, SYSTEM, doc.id)
    assert (state.state, state.pages) == (archival.STATE_OK, 2) and state.sha256 != before.sha256
    _name, _size, chunks = archival.open_archival_copy(office, SYSTEM, doc.id)
    with pikepdf.open(io.BytesIO(b"".join(chunks))) as pdf:
        assert [int(p.obj.get("/Rotate", 0)) for p in pdf.pages] == [0, 90]  # page 2 shown upright, scan untouched
    texts = _copy_pages(office, doc.id)
    assert P1 in texts[0] and P2 in texts[1]
    assert _stored_hash(office, doc.sha256) == doc.sha256


def test_an_original_merged_into_another_document_is_kept_as_long_as_that_document(office):
    from datetime import datetime

    from archive.models import LegalHold
    from archive.services.retention import lock_plan

    a = _upload(office, distinct_pages_pdf([[P1]]), "a.pdf")
    b = _upload(office, distinct_pages_pdf([[P2]]), "b.pdf")
    with office.uow() as uow:
        staff_id = uow.session.get(Document, a.id).staff_id
        uow.session.add(LegalHold(target_type="document", target_id=a.id, staff_id=staff_id, reason="Thanh tra",
                                  reference="12/QĐ-TTr", placed_by="quantri"))
        uow.commit()

    def held(sha256: str) -> bool:
        with office.uow() as uow:
            return lock_plan(uow.session, sha256, now=datetime(2026, 12, 1), permanent_years=100, margin_years=10).hold

    assert held(a.sha256) and not held(b.sha256)
    locks_before = _retention_jobs(office, b.id)
    pr.merge(office, SYSTEM, [a.id, b.id])
    office.queue.drain()
    assert held(b.sha256)  # b's original holds page 2 of a, which is on hold
    assert _retention_jobs(office, b.id) > locks_before  # its lock recomputed after the merge
