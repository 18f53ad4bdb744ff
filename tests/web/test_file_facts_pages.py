"""The auditor's view of the files on the dossier page (in-process): each document's SHA-256, size and page
count; "Kiểm tra tệp" re-hashes the stored original now and says khớp / không khớp; audited; HR officers
do not get the auditor's table."""

from __future__ import annotations

from sqlalchemy import select

from archive.models import AuditEntry
from archive.services.access import SYSTEM
from archive.services.documents import get_document
from tests.support.accounts import csrf_of, make_user, web_logged_in
from tests.support.fixity import corpus, flip_a_byte, local_object_path


def test_an_auditor_sees_the_file_facts_and_rehashes_a_file(container) -> None:
    from archive.app import create_app

    [doc_id] = corpus(container, 1, anchor=False)
    doc = get_document(container, SYSTEM, doc_id)
    make_user(container, "kiemtra", "auditor", "TINH")
    make_user(container, "tccb.q1", "hr_officer", "Q1")
    app = create_app(container=container)
    web = web_logged_in(app, "kiemtra")
    page = web.get("/ho-so/NV001").text
    assert 'id="s-file-facts"' in page and doc.sha256 in page
    assert f'data-bytes="{doc.size}"' in page and f"{doc.size:,} byte".replace(",", ".") in page
    url = f"/ho-so/NV001/tai-lieu/{doc_id}/kiem-tra-tep-goc"
    r = web.post(url, data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"#doc-file-{doc_id}")
    after = web.get(r.headers["location"].split("#")[0]).text
    assert "khớp với mã đã lưu" in after and 'data-match="yes"' in after

    flip_a_byte(local_object_path(container, "originals", doc.sha256))
    r = web.post(url, data={"csrf": csrf_of(after)}, follow_redirects=True)
    assert "không khớp với mã đã lưu" in r.text and 'data-match="no"' in r.text
    with container.uow() as uow:
        checks = [e.details["result"] for e in uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "document.fixity_check").order_by(AuditEntry.seq))]
    assert checks == ["ok", "mismatch"]
    assert web.post("/ho-so/NV002/tai-lieu/%d/kiem-tra-tep-goc" % doc_id,
                    data={"csrf": csrf_of(after)}).status_code == 404  # another dossier's URL reveals nothing

    hr = web_logged_in(app, "tccb.q1")
    assert 'id="s-file-facts"' not in hr.get("/ho-so/NV001").text
