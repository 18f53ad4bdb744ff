"""Document corrections through their doors: the API (PATCH type, move, withdraw, reocr, rotate) and
the CLI (`archive doc retype|move|withdraw|reocr|rotate|withdrawn`); the web forms in-process.

Scoped (outside: 404), archivist/admin only (HR: 403), bad input 4xx / non-zero exit in Vietnamese
with nothing changed, the original byte-identical after each."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select

from archive.app import create_app
from archive.domain import JobState
from archive.models import AuditEntry, Document, Job
from archive.services.access import SYSTEM
from archive.services.documents import ingest_upload
from archive.services.search import search_pages
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import csrf_of, logged_in, make_user, web_logged_in
from tests.support.documents import born_digital_pdf
from tests.support.processes import cli, cli_json, service_env

PHRASE = "Quyết định tiếp nhận công chức về công tác tại Phòng Nội vụ huyện"


@pytest.fixture
def docs(container):
    add_unit(container, SYSTEM, code="PNV", name="Phòng Nội vụ", parent_code="TINH")
    add_unit(container, SYSTEM, code="PYT", name="Phòng Y tế", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="PNV")
    add_staff(container, SYSTEM, code="NV002", full_name="Trần Thị Bình", unit_code="PNV")
    ids = []
    for i in range(3):
        out = ingest_upload(container, SYSTEM, staff_code="NV001", file_name=f"qd-{i}.pdf",
                            stream=io.BytesIO(born_digital_pdf([PHRASE, f"Bản số {i}"])))
        ids.append(out.document.id)
    container.queue.drain()
    make_user(container, "luutru", "archivist", "PNV")
    make_user(container, "tochuc", "hr_officer", "PNV")
    make_user(container, "ngoai", "archivist", "PYT")
    make_user(container, "quantri", "admin", "TINH", clearance=2)
    return ids


def _hash(c, document_id: int) -> str:
    with c.uow() as uow:
        sha = uow.session.get(Document, document_id).sha256
    return hashlib.sha256(b"".join(c.store.iter_chunks(sha))).hexdigest()


def _run_recorded_jobs(c) -> None:
    """Work the CLI recorded (its own process sent it to its queue): run it here, as a worker would."""
    with c.uow() as uow:
        queued = [(j.id, j.kind) for j in uow.session.scalars(select(Job).where(Job.state == JobState.QUEUED.value))]
    for job in queued:
        c.queue.send_job(*job)
    c.queue.wake("index")
    c.queue.drain()


def test_api_corrects_type_dossier_withdraws_and_refuses_bad_input_in_vietnamese(container, docs):
    app = create_app(container=container)
    archivist, hr, outsider, admin = (logged_in(app, u) for u in ("luutru", "tochuc", "ngoai", "quantri"))
    a, b, d = docs
    originals = {i: _hash(container, i) for i in docs}

    r = archivist.patch(f"/api/v1/documents/{a}", json={"document_type": "quyet_dinh_nang_luong"})
    assert r.status_code == 200 and r.json()["document_type"] == "quyet_dinh_nang_luong"
    bad = archivist.patch(f"/api/v1/documents/{a}", json={"document_type": "khong-co"})
    assert bad.status_code == 422 and "danh mục loại tài liệu" in bad.json()["detail"]
    assert hr.patch(f"/api/v1/documents/{a}", json={"document_type": "khac"}).status_code == 403
    assert outsider.patch(f"/api/v1/documents/{a}", json={"document_type": "khac"}).status_code == 404

    r = archivist.post(f"/api/v1/documents/{b}/move", json={"staff_code": "NV002", "reason": "Nộp nhầm hồ sơ"})
    assert r.status_code == 200 and r.json()["staff_code"] == "NV002"
    missing = archivist.post(f"/api/v1/documents/{d}/move", json={"staff_code": "KHONG-CO"})
    assert missing.status_code == 404 and "Không tìm thấy cán bộ" in missing.json()["detail"]

    empty = archivist.post(f"/api/v1/documents/{d}/withdraw", json={"reason": " "})
    assert empty.status_code == 422 and "lý do" in empty.json()["detail"]
    r = archivist.post(f"/api/v1/documents/{d}/withdraw", json={"reason": "Bản trùng"})
    assert r.status_code == 200
    again = archivist.post(f"/api/v1/documents/{d}/withdraw", json={"reason": "Bản trùng"})
    assert again.status_code == 409 and "đã bị thu hồi" in again.json()["detail"]

    bad_turn = archivist.post(f"/api/v1/documents/{a}/pages/1/rotate", json={"turn": 45})
    assert bad_turn.status_code == 422 and "90°" in bad_turn.json()["detail"]
    r = archivist.post(f"/api/v1/documents/{a}/pages/1/rotate", json={"turn": 90})
    assert r.status_code == 202 and r.json() == {"document_id": a, "page": 1, "rotation": 90}
    busy = archivist.post(f"/api/v1/documents/{a}/reocr")
    assert busy.status_code == 409  # its turned page is waiting to be read again
    container.queue.drain()
    assert archivist.post(f"/api/v1/documents/{a}/reocr").status_code == 202
    container.queue.drain()

    hits = search_pages(container, SYSTEM, f'"{PHRASE}"')
    assert sorted((h.document_id, h.staff_code) for h in hits.hits) == [(a, "NV001"), (b, "NV002")]
    assert [w["id"] for w in admin.get("/api/v1/withdrawn-documents").json()] == [d]
    assert archivist.get("/api/v1/withdrawn-documents").status_code == 403
    kinds = [c["kind"] for c in archivist.get(f"/api/v1/documents/{a}/corrections").json()]
    assert kinds == ["retype", "rotate", "reocr"]
    assert {i: _hash(container, i) for i in docs} == originals


def test_cli_corrects_and_exits_non_zero_in_vietnamese_on_bad_input(container, docs):
    env = service_env(container.settings.data_dir)
    a, b, d = docs
    originals = {i: _hash(container, i) for i in docs}

    r = cli(env, "doc", "retype", str(a), "so_yeu_ly_lich")
    assert r.returncode == 0 and "so_yeu_ly_lich" in r.stdout, r.stdout + r.stderr
    r = cli(env, "doc", "retype", str(a), "khong-co")
    assert r.returncode != 0 and "danh mục loại tài liệu" in r.stderr
    r = cli(env, "doc", "move", str(b), "NV002", "--reason", "Nộp nhầm")
    assert r.returncode == 0 and "NV002" in r.stdout, r.stdout + r.stderr
    r = cli(env, "doc", "move", str(b), "NV002")
    assert r.returncode != 0 and "đã ở trong hồ sơ NV002" in r.stderr
    r = cli(env, "doc", "withdraw", str(d), "--reason", "Bản trùng")
    assert r.returncode == 0 and "Đã thu hồi" in r.stdout, r.stdout + r.stderr
    r = cli(env, "doc", "rotate", str(a), "1", "--turn", "45")
    assert r.returncode != 0 and "90°" in r.stderr
    r = cli(env, "doc", "rotate", str(a), "1", "--turn", "180")
    assert r.returncode == 0 and "180°" in r.stdout, r.stdout + r.stderr
    r = cli(env, "doc", "reocr", "999999")
    assert r.returncode != 0 and "Không tìm thấy tài liệu số 999999" in r.stderr
    assert [w["id"] for w in cli_json(env, "doc", "withdrawn")] == [d]

    _run_recorded_jobs(container)
    hits = search_pages(container, SYSTEM, f'"{PHRASE}"')
    assert sorted((h.document_id, h.staff_code, h.document_type) for h in hits.hits) == [
        (a, "NV001", "so_yeu_ly_lich"), (b, "NV002", "khac")]
    with container.uow() as uow:
        actions = [e.action for e in uow.session.scalars(select(AuditEntry).where(AuditEntry.action.like("document.%")))]
    assert {"document.retype", "document.move", "document.withdraw", "document.rotate"} <= set(actions)
    assert {i: _hash(container, i) for i in docs} == originals


def test_web_forms_correct_from_the_dossier_and_hide_the_withdrawn(container, docs):
    a, b, d = docs
    app = create_app(container=container)
    web = web_logged_in(app, "luutru")
    page = web.get("/ho-so/NV001")
    assert page.status_code == 200 and "Hiệu chỉnh tài liệu" in page.text and "Nhận dạng lại" in page.text
    csrf = csrf_of(page.text)
    r = web.post(f"/ho-so/NV001/tai-lieu/{d}/thu-hoi", data={"csrf": csrf, "reason": "Bản trùng"},
                 follow_redirects=False)
    assert r.status_code == 303
    shown = web.get("/ho-so/NV001").text
    assert "Đã thu hồi tài liệu số" in shown and f'data-document="{d}"' not in shown
    bad = web.post(f"/ho-so/NV001/tai-lieu/{a}/doi-loai", data={"csrf": csrf, "document_type": "khong-co"})
    assert bad.status_code == 422 and "danh mục loại tài liệu" in bad.text
    r = web.post(f"/ho-so/NV001/tai-lieu/{b}/chuyen-ho-so", data={"csrf": csrf, "staff_code": "NV002"},
                 follow_redirects=False)
    assert r.status_code == 303
    viewer = web.get(f"/ho-so/NV001/tai-lieu/{a}")
    assert "Xoay 90° trái" in viewer.text and "Xoay 180°" in viewer.text
    r = web.post(f"/ho-so/NV001/tai-lieu/{a}/trang/1/xoay", data={"csrf": csrf, "turn": "90"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"/tai-lieu/{a}?trang=1")
    # HR officers see no correction forms; the admin sees the dossier's withdrawn list
    assert "Hiệu chỉnh tài liệu" not in web_logged_in(app, "tochuc").get("/ho-so/NV001").text
    admin_page = web_logged_in(app, "quantri").get("/ho-so/NV001").text
    assert 'id="withdrawn-documents"' in admin_page and "Bản trùng" in admin_page


# --- page references (gộp, tách, sắp xếp lại trang; issue 11) ------------------------------------------------------

P1 = "Quyết định tiếp nhận công chức về công tác tại Sở Nội vụ tỉnh"
P2 = "Bảng lương kèm theo hệ số phụ cấp chức vụ lãnh đạo năm hai nghìn"
P3 = "Phiếu đánh giá xếp loại chất lượng viên chức hằng năm của đơn vị"


@pytest.fixture
def paged(container, docs):
    """Two more documents of NV001 with different pages: a two-page one and a one-page one."""
    from tests.support.paged_documents import distinct_pages_pdf

    ids = []
    for name, pages in (("hai-trang.pdf", [[P1], [P2]]), ("mot-trang.pdf", [[P3]])):
        out = ingest_upload(container, SYSTEM, staff_code="NV001", file_name=name,
                            stream=io.BytesIO(distinct_pages_pdf(pages)))
        ids.append(out.document.id)
    container.queue.drain()
    return ids


def _hits(c, phrase: str) -> list[tuple[int, int]]:
    return sorted((h.document_id, h.page) for h in search_pages(c, SYSTEM, f'"{phrase}"').hits)


def _vietnamese(text: str) -> bool:
    return any(ch in text for ch in "ạảãáàâăđêôơưếềệổộờợứừ")


def test_api_merges_splits_reorders_and_refuses_bad_page_lists_in_vietnamese(container, docs, paged):
    app = create_app(container=container)
    archivist, hr, outsider = (logged_in(app, u) for u in ("luutru", "tochuc", "ngoai"))
    two, one = paged
    originals = {i: _hash(container, i) for i in (*docs, *paged)}

    for body, status, words in (
            ({"documents": [two]}, 422, "hai tài liệu"),
            ({"documents": [two, two]}, 422, "một lần"),
            ({"documents": [two, one], "order": [1, 2]}, 422, "đúng một lần"),
            ({"documents": [two, 999_999]}, 404, "Không tìm thấy tài liệu"),
            ({"documents": "12,15"}, 422, "documents")):
        r = archivist.post("/api/v1/documents/merge", json=body)
        assert r.status_code == status and words in r.json()["detail"] and _vietnamese(r.json()["detail"]), r.text
    assert hr.post("/api/v1/documents/merge", json={"documents": [two, one]}).status_code == 403
    assert outsider.post("/api/v1/documents/merge", json={"documents": [two, one]}).status_code == 404
    assert archivist.post(f"/api/v1/documents/{two}/split", json={"at_page": 1}).status_code == 422
    past = archivist.post(f"/api/v1/documents/{two}/split", json={"at_page": 3})
    assert past.status_code == 422 and _vietnamese(past.json()["detail"])
    bad = archivist.post(f"/api/v1/documents/{two}/reorder", json={"order": [1, 1]})
    assert bad.status_code == 422 and "3,1,2" in bad.json()["detail"]
    with container.uow() as uow:
        assert uow.session.get(Document, two).page_count == 2 and uow.session.get(Document, one).withdrawn_at is None

    r = archivist.post("/api/v1/documents/merge", json={"documents": [two, one], "order": [3, 1, 2]})
    assert r.status_code == 200 and (r.json()["id"], r.json()["page_count"]) == (two, 3)
    container.queue.drain()
    assert _hits(container, P3) == [(two, 1)] and _hits(container, P2) == [(two, 3)]
    gone = archivist.post(f"/api/v1/documents/{one}/split", json={"at_page": 2})
    assert gone.status_code == 409 and "thu hồi" in gone.json()["detail"]  # merged away: withdrawn

    r = archivist.post(f"/api/v1/documents/{two}/reorder", json={"order": [2, 3, 1]})
    assert r.status_code == 200
    container.queue.drain()
    assert _hits(container, P1) == [(two, 1)] and _hits(container, P3) == [(two, 3)]
    r = archivist.post(f"/api/v1/documents/{two}/split", json={"at_page": 3})
    assert r.status_code == 200
    new = r.json()["new_document"]
    assert (r.json()["document"]["page_count"], new["page_count"], new["staff_code"]) == (2, 1, "NV001")
    container.queue.drain()
    assert _hits(container, P3) == [(new["id"], 1)]
    kinds = [c["kind"] for c in archivist.get(f"/api/v1/documents/{two}/corrections").json()]
    assert kinds == ["merge", "reorder", "split"]
    assert {i: _hash(container, i) for i in originals} == originals


def test_cli_merges_splits_reorders_and_exits_non_zero_in_vietnamese(container, docs, paged):
    env = service_env(container.settings.data_dir)
    two, one = paged
    originals = {i: _hash(container, i) for i in paged}

    r = cli(env, "doc", "reorder", str(two), "1,1")
    assert r.returncode != 0 and "đúng một lần" in r.stderr, r.stdout + r.stderr
    r = cli(env, "doc", "reorder", str(two), "hai,một")
    assert r.returncode != 0 and "dấu phẩy" in r.stderr
    r = cli(env, "doc", "split", str(two), "1")
    assert r.returncode != 0 and "từ 2 đến 2" in r.stderr
    r = cli(env, "doc", "merge", str(two))
    assert r.returncode != 0 and "hai tài liệu" in r.stderr
    r = cli(env, "doc", "reorder", str(two), "2,1")
    assert r.returncode == 0 and "Đã sắp xếp lại" in r.stdout, r.stdout + r.stderr
    r = cli(env, "doc", "merge", str(two), str(one), "--order", "1,3,2")
    assert r.returncode == 0 and "nay có 3 trang" in r.stdout, r.stdout + r.stderr
    out = cli_json(env, "doc", "split", str(two), "3", "--json")
    new = out["new_document"]["id"]

    _run_recorded_jobs(container)
    assert _hits(container, P2) == [(two, 1)] and _hits(container, P1) == [(new, 1)]
    assert _hits(container, P3) == [(two, 2)]
    with container.uow() as uow:
        actions = [e.action for e in uow.session.scalars(select(AuditEntry).where(AuditEntry.action.like("document.%")))]
    assert {"document.reorder", "document.merge", "document.merged_into", "document.split"} <= set(actions)
    assert {i: _hash(container, i) for i in paged} == originals


def test_web_forms_merge_split_reorder_from_the_dossier_with_vietnamese_errors(container, docs, paged):
    two, one = paged
    app = create_app(container=container)
    web = web_logged_in(app, "luutru")
    page = web.get("/ho-so/NV001")
    assert "Gộp vào tài liệu này" in page.text and "Tách tài liệu" in page.text and "Sắp xếp lại trang" in page.text
    csrf = csrf_of(page.text)
    bad = web.post(f"/ho-so/NV001/tai-lieu/{two}/sap-xep", data={"csrf": csrf, "order": "3,1"})
    assert bad.status_code == 422 and "đúng một lần" in bad.text
    bad = web.post(f"/ho-so/NV001/tai-lieu/{two}/gop", data={"csrf": csrf, "others": "abc"})
    assert bad.status_code == 422 and "số của các tài liệu" in bad.text
    bad = web.post(f"/ho-so/NV001/tai-lieu/{two}/tach", data={"csrf": csrf, "at": "7"})
    assert bad.status_code == 422 and "từ 2 đến 2" in bad.text
    r = web.post(f"/ho-so/NV001/tai-lieu/{two}/gop", data={"csrf": csrf, "others": f"{one}", "order": ""},
                 follow_redirects=False)
    assert r.status_code == 303
    shown = web.get("/ho-so/NV001").text
    assert f"Đã gộp vào tài liệu số {two}" in shown and f'data-document="{one}"' not in shown
    r = web.post(f"/ho-so/NV001/tai-lieu/{two}/sap-xep", data={"csrf": csrf, "order": "3,2,1"}, follow_redirects=False)
    assert r.status_code == 303
    r = web.post(f"/ho-so/NV001/tai-lieu/{two}/tach", data={"csrf": csrf, "at": "3"}, follow_redirects=False)
    assert r.status_code == 303
    container.queue.drain()
    assert _hits(container, P3) == [(two, 1)] and _hits(container, P2) == [(two, 2)]
    viewer = web.get(f"/ho-so/NV001/tai-lieu/{two}?trang=1")
    assert 'id="zoom-bar"' in viewer.text and "Vừa chiều rộng" in viewer.text and "viewer.js" in viewer.text
    assert f"&amp;v={one}-1-0" in viewer.text  # page 1 is shown from the merged-in document's original
