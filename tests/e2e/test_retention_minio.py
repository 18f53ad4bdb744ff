"""Retention schedule, legal hold and disposition on a real object store (MinIO object lock) and
on the local store: the original is locked per its document type, the app's own credentials
cannot delete it, a hold blocks a disposition, and a disposition approved by two people removes
an expired object and leaves its record."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from archive.errors import Conflict, Forbidden, InvalidInput
from archive.models import AuditEntry, Derivative, DispositionRecord, Document, Page, Staff
from archive.services import disposition, legal_hold, retention
from archive.services.access import SYSTEM
from archive.services.documents import page_image
from archive.services.staff_lifecycle import change_status
from storage import RetentionLocked, RetentionMode
from tests.support.retention import ADMIN_A, ADMIN_B, ARCHIVIST, AUDITOR, add_person, archive_on, s3_bucket_url, upload


@pytest.fixture(params=["local", "s3"])
def c(request, tmp_path):
    url = s3_bucket_url(request.getfixturevalue("s3_url")) if request.param == "s3" else ""
    container = archive_on(tmp_path, url)
    yield container
    container.close()


def _sha(c, document_id: int) -> str:
    with c.uow() as uow:
        return uow.session.get(Document, document_id).sha256


def _expiring_type(c, code: str = "NV900") -> str:
    """A dossier whose owner left in 2010, and "khac" documents kept 1 year from leaving: ended long ago."""
    add_person(c, code)
    change_status(c, SYSTEM, code, status="thoi_viec", effective_date=date(2010, 1, 1), decision_ref="12/QĐ-UBND")
    retention.set_rule(c, ADMIN_A, "khac", permanent=False, years=1, counted_from="leaving",
                       decision_ref="05/QĐ-HĐXĐGTTL", reason="Tài liệu tham khảo, hết giá trị sau một năm")
    c.queue.drain()
    return code


def test_an_ingested_original_and_its_page_image_are_locked_in_compliance_mode_per_its_type(c):
    add_person(c)
    doc_id = upload(c, "NV001", "so_yeu_ly_lich")
    sha = _sha(c, doc_id)
    info = c.store.stat(sha)
    assert info.retention is not None and info.retention.mode == RetentionMode.COMPLIANCE
    years = c.settings.retention_permanent_years
    assert info.retention.until > datetime.now(timezone.utc) + timedelta(days=365 * years - 2)  # vĩnh viễn
    with pytest.raises(RetentionLocked):
        c.store.delete(sha)
    # a page image is made lazily, after the upload's job: the monthly pass locks it too
    page_image(c, SYSTEM, doc_id, 1, width=160)
    with c.uow() as uow:
        [thumb] = uow.session.scalars(select(Derivative.sha256).where(Derivative.source_sha256 == sha,
                                                                      Derivative.kind == "page_image"))
    assert c.derivatives.stat(thumb).retention is None
    retention.enqueue_pass(c, ADMIN_A)
    c.queue.drain()
    assert c.derivatives.stat(thumb).retention.mode == RetentionMode.COMPLIANCE
    with pytest.raises(RetentionLocked):
        c.derivatives.delete(thumb)


def test_a_retained_object_cannot_be_deleted_with_the_apps_own_credentials(tmp_path, s3_url):
    from minio import Minio
    from minio.error import S3Error

    c = archive_on(tmp_path, s3_bucket_url(s3_url))
    try:
        add_person(c)
        sha = _sha(c, upload(c, "NV001", "quyet_dinh_tuyen_dung"))
        store = c.store
        raw: Minio = store.client  # the very client, endpoint and keys the app runs with
        versions = [v.version_id for v in raw.list_objects(store.bucket, prefix=store.prefix + sha,
                                                           include_version=True)]
        assert versions
        for version in versions:
            with pytest.raises(S3Error) as refused:
                raw.remove_object(store.bucket, store.prefix + sha, version_id=version)
            assert refused.value.code == "AccessDenied" or "retention" in refused.value.message.lower() \
                or "worm" in refused.value.message.lower()
        assert c.store.exists(sha)
    finally:
        c.close()


def test_shortening_without_a_decision_is_refused_and_changes_nothing(c):
    with pytest.raises(retention.RetentionShortening) as refused:
        retention.set_rule(c, ADMIN_A, "khac", permanent=False, years=5)
    assert "quyết định" in str(refused.value)
    with pytest.raises(retention.RetentionShortening):  # a part of the hồ sơ gốc: never shorter than vĩnh viễn
        retention.set_rule(c, ADMIN_A, "so_yeu_ly_lich", permanent=False, years=70, decision_ref="1/QĐ", reason="x")
    with pytest.raises(Forbidden):
        retention.set_rule(c, AUDITOR, "khac", permanent=False, years=5, decision_ref="1/QĐ", reason="x")
    with pytest.raises(InvalidInput):
        retention.set_rule(c, ADMIN_A, "khac", permanent=False, years=0, decision_ref="1/QĐ", reason="x")
    rules = {r.document_type: r for r in retention.list_rules(c, ADMIN_A)}
    assert rules["khac"].permanent and rules["so_yeu_ly_lich"].legal_min_permanent
    assert "TT 09/2011/TT-BNV" in rules["so_yeu_ly_lich"].source
    # with a decision and a reason it is allowed, audited; lengthening again needs nothing
    retention.set_rule(c, ADMIN_A, "khac", permanent=False, years=5, counted_from="document_date",
                       decision_ref="7/QĐ-UBND", reason="Hội đồng xác định giá trị tài liệu")
    retention.set_rule(c, ADMIN_A, "khac", permanent=False, years=10, counted_from="document_date")
    with c.uow() as uow:
        entries = list(uow.session.scalars(select(AuditEntry.details).where(AuditEntry.action == "retention.rule")))
    assert [e["shortening"] for e in entries] == [True, False]
    assert entries[0]["decision"] == "7/QĐ-UBND"


def test_a_hold_blocks_a_disposition_and_puts_the_object_under_legal_hold(c):
    code = _expiring_type(c)
    doc_id = upload(c, code, "khac")
    sha = _sha(c, doc_id)
    assert c.store.stat(sha).retention is None  # its term ended in 2011: nothing to lock
    proposal = disposition.propose(c, ADMIN_A)
    assert [i.document_id for i in proposal.items] == [doc_id]

    with pytest.raises(Forbidden):
        legal_hold.place_hold(c, ARCHIVIST, staff_code=code, reason="Thanh tra", reference="TT-01")
    with pytest.raises(InvalidInput):
        legal_hold.place_hold(c, AUDITOR, staff_code=code, reason=" ", reference="TT-01")
    hold = legal_hold.place_hold(c, AUDITOR, staff_code=code, reason="Thanh tra công vụ năm 2026",
                                 reference="Quyết định thanh tra 15/QĐ-TTr")
    c.queue.drain()
    assert c.store.stat(sha).legal_hold
    with pytest.raises(RetentionLocked):
        c.store.delete(sha)

    disposition.approve(c, ADMIN_A, proposal.id, decision_number="09/QĐ-UBND", decision_date=date(2026, 11, 30))
    disposition.approve(c, ADMIN_B, proposal.id, decision_number="09/QĐ-UBND")
    c.queue.drain()
    done = disposition.get_proposal(c, ADMIN_A, proposal.id)
    assert done.state == "executed" and [i.outcome for i in done.items] == ["on_hold"]
    assert c.store.exists(sha)
    with c.uow() as uow:
        assert uow.session.get(Document, doc_id) is not None
        assert not list(uow.session.scalars(select(DispositionRecord)))
    assert disposition.propose(c, ADMIN_A) is None  # a document on hold is never proposed

    legal_hold.release_hold(c, ADMIN_A, hold.id, reason="Kết thúc thanh tra")
    c.queue.drain()
    assert not c.store.stat(sha).legal_hold
    with pytest.raises(Conflict):
        legal_hold.release_hold(c, ADMIN_A, hold.id, reason="lần nữa")
    [shown] = legal_hold.holds_of_staff(c, AUDITOR, code)
    assert not shown.active and shown.released_by == "admin.a"


def test_a_disposition_approved_by_two_people_removes_the_expired_object_and_leaves_its_record(c):
    code = _expiring_type(c)
    doc_id = upload(c, code, "khac")
    kept_id = upload(c, code, "so_yeu_ly_lich")  # vĩnh viễn: never proposed
    sha = _sha(c, doc_id)
    page_image(c, SYSTEM, doc_id, 1, width=160)
    with c.uow() as uow:
        [thumb] = uow.session.scalars(select(Derivative.sha256).where(Derivative.source_sha256 == sha,
                                                                      Derivative.kind == "page_image"))
    proposal = disposition.propose(c, ADMIN_A)
    assert [i.document_id for i in proposal.items] == [doc_id]

    with pytest.raises(InvalidInput):
        disposition.approve(c, ADMIN_A, proposal.id, decision_number="  ", decision_date=date(2026, 11, 30))
    with pytest.raises(Forbidden):
        disposition.approve(c, AUDITOR, proposal.id, decision_number="09/QĐ-UBND", decision_date=date(2026, 11, 30))
    first = disposition.approve(c, ADMIN_A, proposal.id, decision_number="09/QĐ-UBND",
                                decision_date=date(2026, 11, 30))
    assert first.state == "first_approved"
    with pytest.raises(Conflict):  # the same person twice is not a council
        disposition.approve(c, ADMIN_A, proposal.id, decision_number="09/QĐ-UBND")
    with pytest.raises(Conflict):
        disposition.approve(c, ADMIN_B, proposal.id, decision_number="10/QĐ-UBND")
    c.queue.drain()
    assert c.store.exists(sha)  # nothing happens before the second approval

    disposition.approve(c, ADMIN_B, proposal.id, decision_number="09/QĐ-UBND")
    c.queue.drain()
    assert not c.store.exists(sha) and not c.derivatives.exists(thumb)
    with c.uow() as uow:
        s = uow.session
        assert s.get(Document, doc_id) is None and s.get(Document, kept_id) is not None
        assert not list(s.scalars(select(Page).where(Page.document_id == doc_id)))
        assert s.scalar(select(Staff).where(Staff.code == code)) is not None  # the staff record stays
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("disposition.%")).order_by(AuditEntry.seq)))
        assert actions == ["disposition.propose", "disposition.approve", "disposition.approve", "disposition.execute"]
    [record] = disposition.records_of_staff(c, AUDITOR, code)
    assert (record.document_id, record.sha256, record.decision_number) == (doc_id, sha, "09/QĐ-UBND")
    assert record.approvers == ("admin.a", "admin.b") and record.object_deleted
    assert c.index.count() >= 0
    from archive.services.search import search_pages
    assert all(h.document_id != doc_id for h in search_pages(c, SYSTEM, "Quyết định").hits)


def test_disposing_of_one_of_two_documents_with_the_same_bytes_keeps_the_object(c, tmp_path):
    import io

    from archive.services.documents import ingest_upload
    from tests.support.documents import born_digital_pdf

    code = _expiring_type(c)
    add_person(c, "NV002")
    data = born_digital_pdf(["Giấy tờ chung của hai hồ sơ"])
    gone = ingest_upload(c, SYSTEM, staff_code=code, stream=io.BytesIO(data), file_name="a.pdf",
                         document_type="khac").document.id
    kept = ingest_upload(c, SYSTEM, staff_code="NV002", stream=io.BytesIO(data), file_name="a.pdf",
                         document_type="so_yeu_ly_lich").document.id
    c.queue.drain()
    sha = _sha(c, gone)
    proposal = disposition.propose(c, ADMIN_A)
    assert [i.document_id for i in proposal.items] == [gone]
    disposition.approve(c, ADMIN_A, proposal.id, decision_number="11/QĐ", decision_date=date(2026, 11, 30))
    disposition.approve(c, ADMIN_B, proposal.id, decision_number="11/QĐ")
    c.queue.drain()
    assert c.store.exists(sha)
    with c.uow() as uow:
        assert uow.session.get(Document, gone) is None and uow.session.get(Document, kept) is not None
    [record] = disposition.records_of_staff(c, ADMIN_A, code)
    assert not record.object_deleted


def test_a_document_merged_into_a_kept_one_is_never_destroyed(c):
    """Page references (issue 11): b's page now belongs to a kept document, so b's ended term
    proposes nothing, and an approved proposal made before the merge keeps it."""
    from archive.services import page_references

    code = _expiring_type(c)
    kept = upload(c, code, "so_yeu_ly_lich")
    expired = upload(c, code, "khac")
    proposal = disposition.propose(c, ADMIN_A)
    assert [i.document_id for i in proposal.items] == [expired]

    page_references.merge(c, SYSTEM, [kept, expired])
    c.queue.drain()
    disposition.approve(c, ADMIN_A, proposal.id, decision_number="11/QĐ-UBND", decision_date=date(2026, 11, 30))
    disposition.approve(c, ADMIN_B, proposal.id, decision_number="11/QĐ-UBND")
    c.queue.drain()
    [item] = disposition.get_proposal(c, ADMIN_A, proposal.id).items
    assert item.outcome == "referenced"
    sha = _sha(c, expired)
    assert c.store.stat(sha).size > 0  # the original page 2 of the kept document is read from
    assert page_image(c, SYSTEM, kept, 2, width=160)
    assert disposition.propose(c, ADMIN_A) is None  # and it is never proposed again
