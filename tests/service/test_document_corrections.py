"""Document corrections through the service layer: real files, real store, tantivy, real OCR for rotation.

Every correction leaves the stored original byte-identical; a withdrawn document is in no search
result, not in the dossier list, and still in the store; a moved one is found under its new person.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from archive.errors import Conflict, Forbidden, InvalidInput, NotFound
from archive.models import AuditEntry, Document, Job, Page
from archive.models.document_corrections import DocumentCorrection
from archive.services import document_corrections as dc
from archive.services.access import SYSTEM
from archive.services.documents import document_pages, get_document, list_documents, page_image
from archive.services.search import search_pages
from tests.support.corrections import actor as _actor
from tests.support.corrections import make_office, without_automatic_review
from tests.support.corrections import stored_hash as _stored_hash
from tests.support.corrections import upload as _upload
from tests.support.documents import born_digital_pdf, png_bytes, rendered_page

PHRASE = "Quyết định nâng bậc lương thường xuyên cho công chức Phòng Nội vụ"


@pytest.fixture
def settings(settings):
    return without_automatic_review(settings)


@pytest.fixture
def office(container):
    return make_office(container, auditor=True)


def _corrections(c, kind: str) -> list[dict]:
    with c.uow() as uow:
        return [{"actor": r.actor, "before": r.before, "after": r.after} for r in
                uow.session.scalars(select(DocumentCorrection).where(DocumentCorrection.kind == kind))]


def _retention_jobs(c, document_id: int) -> int:
    with c.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == "retention", Job.target_type == "document", Job.target_id == str(document_id)))


def _audits(c, action: str) -> list[dict]:
    """The details of each audit entry of `action`."""
    with c.uow() as uow:
        return [e.details for e in uow.session.scalars(select(AuditEntry).where(AuditEntry.action == action))]


def test_retype_changes_type_in_search_audits_before_after_and_keeps_the_original(office):
    doc = _upload(office, born_digital_pdf([PHRASE]), "qd.pdf")
    before = _stored_hash(office, doc.sha256)
    archivist = _actor(office, "luutru")
    retention_before = _retention_jobs(office, doc.id)

    view = dc.change_type(office, archivist, doc.id, "quyet_dinh_nang_luong")
    office.queue.drain()

    assert view.document_type == "quyet_dinh_nang_luong"
    assert _stored_hash(office, doc.sha256) == before == doc.sha256
    hits = search_pages(office, SYSTEM, f'"{PHRASE}"', document_types=["quyet_dinh_nang_luong"])
    assert [h.document_id for h in hits.hits] == [doc.id]
    [entry] = _audits(office, "document.retype")
    assert entry["before"] == {"document_type": "khac"}
    assert entry["after"] == {"document_type": "quyet_dinh_nang_luong"}
    [row] = _corrections(office, "retype")
    assert row["actor"] == "luutru" and row["after"] == {"document_type": "quyet_dinh_nang_luong"}
    assert _retention_jobs(office, doc.id) == retention_before + 1  # recorded again for the new type


def test_withdrawn_document_is_in_no_search_result_nor_the_dossier_but_still_in_the_store(office):
    data = born_digital_pdf([PHRASE])
    doc = _upload(office, data, "qd.pdf")
    assert search_pages(office, SYSTEM, f'"{PHRASE}"').total == 1
    before = _stored_hash(office, doc.sha256)

    dc.withdraw(office, _actor(office, "luutru"), doc.id, "  Nộp nhầm   bản nháp  ")
    office.queue.drain()

    assert search_pages(office, SYSTEM, f'"{PHRASE}"').total == 0
    assert search_pages(office, SYSTEM, "Phòng Nội vụ").total == 0
    assert [d.id for d in list_documents(office, SYSTEM, "NV001")] == []
    assert _stored_hash(office, doc.sha256) == before  # kept byte for byte, no hard delete
    with office.uow() as uow:
        row = uow.session.get(Document, doc.id)
        assert row.withdrawn_by == "luutru" and row.withdraw_reason == "Nộp nhầm bản nháp"
    [listed] = dc.list_withdrawn(office, _actor(office, "kiemtra"))
    assert listed.id == doc.id and listed.reason == "Nộp nhầm bản nháp"
    with pytest.raises(Forbidden):  # the "Đã thu hồi" list is for admins and auditors
        dc.list_withdrawn(office, _actor(office, "luutru"))
    with pytest.raises(Conflict):  # withdrawn: no more corrections
        dc.change_type(office, SYSTEM, doc.id, "so_yeu_ly_lich")
    # a search index rebuilt from the database leaves it out too
    from archive.work.kinds.index import reindex_all

    reindex_all(office)
    office.queue.drain()
    assert search_pages(office, SYSTEM, f'"{PHRASE}"').total == 0
    # the same file uploaded again to that dossier is refused with why, not answered "already here"
    with pytest.raises(Conflict, match="đã bị thu hồi"):
        _upload(office, data, "qd-lai.pdf")
    assert [d.id for d in list_documents(office, SYSTEM, "NV001")] == []


def test_moved_document_is_found_under_the_new_person_not_the_old(office):
    doc = _upload(office, born_digital_pdf([PHRASE]), "qd.pdf")
    before = _stored_hash(office, doc.sha256)

    view = dc.move_to_dossier(office, _actor(office, "luutru"), doc.id, "NV002", "Nộp nhầm hồ sơ")
    office.queue.drain()

    assert view.staff_code == "NV002"
    hits = search_pages(office, SYSTEM, f'"{PHRASE}"')
    assert [(h.document_id, h.staff_code) for h in hits.hits] == [(doc.id, "NV002")]
    assert [d.id for d in list_documents(office, SYSTEM, "NV001")] == []
    assert [d.id for d in list_documents(office, SYSTEM, "NV002")] == [doc.id]
    assert _stored_hash(office, doc.sha256) == before
    [entry] = _audits(office, "document.move")
    assert entry["before"] == {"staff": "NV001"} and entry["after"] == {"staff": "NV002"}


def test_move_to_a_dossier_that_has_the_same_bytes_is_a_conflict_and_changes_nothing(office):
    data = born_digital_pdf([PHRASE])
    doc = _upload(office, data, "qd.pdf")
    _upload(office, data, "qd.pdf", staff_code="NV002")
    with pytest.raises(Conflict):
        dc.move_to_dossier(office, SYSTEM, doc.id, "NV002")
    assert get_document(office, SYSTEM, doc.id).staff_code == "NV001"
    assert _corrections(office, "move") == [] and _audits(office, "document.move") == []


def test_corrections_are_scoped_and_for_archivists_and_admins_only(office):
    doc = _upload(office, born_digital_pdf([PHRASE]), "qd.pdf")
    yt = _upload(office, born_digital_pdf(["Giấy chứng nhận sức khỏe của viên chức y tế"]), "yt.pdf",
                 staff_code="YT001")
    archivist, hr = _actor(office, "luutru"), _actor(office, "tochuc")
    with pytest.raises(NotFound):  # the target dossier is outside the archivist's scope: it does not exist
        dc.move_to_dossier(office, archivist, doc.id, "YT001")
    with pytest.raises(NotFound):  # a document outside scope does not exist either
        dc.withdraw(office, archivist, yt.id, "không thuộc phạm vi")
    with pytest.raises(Forbidden):  # HR reads the dossier but does not correct its documents
        dc.change_type(office, hr, doc.id, "so_yeu_ly_lich")
    with pytest.raises(Forbidden):
        dc.reocr_document(office, hr, doc.id)
    assert get_document(office, SYSTEM, doc.id).document_type == "khac"
    assert get_document(office, SYSTEM, doc.id).staff_code == "NV001"
    with office.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(DocumentCorrection)) == 0


@pytest.mark.parametrize("call, error", [
    (lambda c, d: dc.change_type(c, SYSTEM, d, "khong_co_loai_nay"), InvalidInput),
    (lambda c, d: dc.withdraw(c, SYSTEM, d, "   "), InvalidInput),
    (lambda c, d: dc.withdraw(c, SYSTEM, d, "x" * 1001), InvalidInput),
    (lambda c, d: dc.move_to_dossier(c, SYSTEM, d, "KHONG-CO"), NotFound),
    (lambda c, d: dc.move_to_dossier(c, SYSTEM, d, "NV001"), InvalidInput),
    (lambda c, d: dc.rotate_page(c, SYSTEM, d, 1, 45), InvalidInput),
    (lambda c, d: dc.rotate_page(c, SYSTEM, d, 9, 90), NotFound),
    (lambda c, d: dc.change_type(c, SYSTEM, 999_999, "so_yeu_ly_lich"), NotFound),
], ids=["unknown-type", "empty-reason", "long-reason", "unknown-staff", "same-dossier", "bad-angle",
        "no-such-page", "no-such-document"])
def test_bad_input_is_refused_in_vietnamese_and_nothing_changes(office, call, error):
    doc = _upload(office, born_digital_pdf([PHRASE]), "qd.pdf")
    with pytest.raises(error) as exc:
        call(office, doc.id)
    assert any(ch in str(exc.value) for ch in "ạảãáàâăđêôơưếềệổộờợứừ"), str(exc.value)
    after = get_document(office, SYSTEM, doc.id)
    assert (after.document_type, after.staff_code, after.state) == ("khac", "NV001", "indexed")
    with office.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(DocumentCorrection)) == 0
        assert uow.session.scalars(select(Page.rotation).where(Page.document_id == doc.id)).all() == [0]
        assert uow.session.get(Document, doc.id).withdrawn_at is None


def test_reocr_records_an_extract_job_and_replaces_the_pages(office):
    doc = _upload(office, born_digital_pdf([PHRASE]), "qd.pdf")
    before = _stored_hash(office, doc.sha256)
    view = dc.reocr_document(office, _actor(office, "luutru"), doc.id)
    assert view.state == "queued"
    with pytest.raises(Conflict):  # already waiting for its extract job
        dc.reocr_document(office, SYSTEM, doc.id)
    office.queue.drain()
    assert get_document(office, SYSTEM, doc.id).state == "indexed"
    [page] = document_pages(office, SYSTEM, doc.id)
    assert PHRASE.split()[0] in page.text
    assert search_pages(office, SYSTEM, f'"{PHRASE}"').total == 1  # pages replaced, not appended
    assert _stored_hash(office, doc.sha256) == before
    with office.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == "extract", Job.target_id == str(doc.id))) == 2


def test_sideways_page_rotated_is_read_again_and_found_and_the_original_is_untouched(office, tesseract):
    img, _truth = rendered_page()
    sideways = img.rotate(90, expand=True)  # scanned a quarter turn to the left
    doc = _upload(office, png_bytes(sideways), "quet-nghieng.png", document_type="so_yeu_ly_lich")
    phrase = '"Ủy ban nhân dân huyện Đức Hòa"'
    assert search_pages(office, SYSTEM, phrase).total == 0
    before = _stored_hash(office, doc.sha256)
    unturned = page_image(office, SYSTEM, doc.id, 1, width=160)

    rotation = dc.rotate_page(office, _actor(office, "luutru"), doc.id, 1, 90)
    assert rotation == 90
    office.queue.drain()

    hits = search_pages(office, SYSTEM, phrase)
    assert [(h.document_id, h.page) for h in hits.hits] == [(doc.id, 1)]
    assert _stored_hash(office, doc.sha256) == before
    turned = page_image(office, SYSTEM, doc.id, 1, width=160)
    from PIL import Image

    a, b = Image.open(io.BytesIO(unturned)), Image.open(io.BytesIO(turned))
    assert a.width == b.width == 160 and (a.height < a.width) and (b.height > b.width)  # turned upright
    assert page_image(office, SYSTEM, doc.id, 1, width=160) == turned  # its own derivative, kept
    with office.uow() as uow:
        assert uow.session.scalar(select(Page.rotation).where(Page.document_id == doc.id)) == 90
        payloads = [j.payload for j in uow.session.scalars(select(Job).where(Job.kind == "extract"))]
    assert {"only_pages": [1]} in payloads  # only the turned page was read again
    [entry] = _audits(office, "document.rotate")
    assert entry["before"] == {"page": 1, "rotation": 0}
    assert entry["after"] == {"page": 1, "rotation": 90}
    assert dc.rotate_page(office, SYSTEM, doc.id, 1, -90) == 0  # and back (left)
