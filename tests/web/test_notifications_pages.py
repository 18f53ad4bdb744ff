"""Thông báo and Báo cáo định kỳ (in-process, Hà Nội profile): the bell counts one's unread notifications, the
page marks one read and keeps an e-mail address; a report is made from the form and downloaded in scope; the
Cảnh báo page shows the next submission day; the API answers the same; bad input is a 4xx in Vietnamese."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from archive.bootstrap import build
from archive.db import migrate
from archive.services.access import SYSTEM
from archive.services.staff import add_staff
from archive.services.units import add_unit
from archive.settings import Settings
from archive.task_queue import NullQueue
from archive.work import run_job, start_kind
from tests.support.accounts import csrf_of, logged_in, make_user, web_logged_in


@pytest.fixture
def office(tmp_path):
    s = Settings(data_dir=tmp_path / "data", profile="ha-noi")
    s.data_dir.mkdir(parents=True)
    migrate(s.database_url)
    c = build(s, queue=NullQueue())
    c.clock = lambda: datetime(2026, 12, 1, 3, 0)
    add_unit(c, SYSTEM, code="TINH", name="Sở Nội vụ")
    add_unit(c, SYSTEM, code="A", name="Phòng Alpha", parent_code="TINH")
    add_unit(c, SYSTEM, code="B", name="Phòng Bêta", parent_code="TINH")
    add_staff(c, SYSTEM, code="A1", full_name="Nguyễn Văn An", unit_code="A", birth_date=date(1965, 6, 5), gender="nam")
    add_staff(c, SYSTEM, code="B1", full_name="Phạm Thị Dung", unit_code="B", profile={"contract_end_date": "2027-01-15"})
    make_user(c, "tccb.a", "hr_officer", "A")
    make_user(c, "truong.b", "unit_head", "B")
    run_job(c, c.registry, start_kind(c, c.registry, "warnings"), "test")
    yield c
    c.close()


@pytest.fixture
def app(office):
    from archive.app import create_app

    return create_app(container=office)


def test_the_bell_counts_and_the_page_marks_read_and_keeps_an_address(app) -> None:
    hr = web_logged_in(app, "tccb.a")
    home = hr.get("/").text
    assert 'id="notification-bell"' in home and 'id="notification-count">1<' in home
    page = hr.get("/thong-bao")
    assert page.status_code == 200
    assert "Sắp đến tuổi nghỉ hưu: Nguyễn Văn An (A1)" in page.text and "Phạm Thị Dung" not in page.text
    assert "Cảnh báo hôm nay" in page.text and "61 tuổi 6 tháng" in page.text
    n_id = int(page.text.split('action="/thong-bao/')[1].split("/")[0])
    r = hr.post(f"/thong-bao/{n_id}/da-doc", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    after = hr.get("/thong-bao").text
    assert "Đã đánh dấu thông báo là đã đọc." in after and 'id="notification-count"' not in after
    bad = hr.post("/thong-bao/thu", data={"csrf": csrf_of(after), "address": "khong-phai-thu"})
    assert bad.status_code == 422 and "Địa chỉ thư điện tử không hợp lệ." in bad.text
    good = hr.post("/thong-bao/thu", data={"csrf": csrf_of(after), "address": "tccb.a@sonoivu.vn"})
    assert good.status_code == 200 and "Đã lưu địa chỉ nhận thông báo." in good.text
    assert 'value="tccb.a@sonoivu.vn"' in good.text
    head = web_logged_in(app, "truong.b")
    assert hr.post(f"/thong-bao/{n_id + 1}/da-doc", data={"csrf": csrf_of(after)}).status_code == 404
    assert "Sắp hết hạn hợp đồng: Phạm Thị Dung (B1)" in head.get("/thong-bao").text


def test_a_report_is_made_from_the_form_and_downloaded_in_scope(app) -> None:
    hr = web_logged_in(app, "tccb.a")
    page = hr.get("/bao-cao")
    assert page.status_code == 200 and "Báo cáo định kỳ" in page.text
    assert "15/12/2026" in page.text and "Điều 10 khoản 1 điểm a" in page.text and 'value="2026-H2"' in page.text
    bad = hr.post("/bao-cao", data={"csrf": csrf_of(page.text), "period": "2026-H9", "format": "pdf"})
    assert bad.status_code == 422 and "Kỳ báo cáo phải có dạng" in bad.text
    made = hr.post("/bao-cao", data={"csrf": csrf_of(page.text), "period": "2026-H2", "unit": "", "format": "pdf"},
                   follow_redirects=False)
    assert made.status_code == 303
    listed = hr.get("/bao-cao").text
    assert "Đã lập báo cáo số 1 kỳ 2026-H2." in listed and 'href="/bao-cao/1/tai-ve"' in listed
    file = hr.get("/bao-cao/1/tai-ve")
    assert file.status_code == 200 and file.headers["content-type"] == "application/pdf"
    assert file.content.startswith(b"%PDF") and "bao-cao-2026-H2-1.pdf" in file.headers["content-disposition"]
    head = web_logged_in(app, "truong.b")
    assert head.get("/bao-cao/1/tai-ve").status_code == 404  # unit A's numbers are not unit B's head's
    assert 'href="/bao-cao/1/tai-ve"' not in head.get("/bao-cao").text
    dashboard = hr.get("/canh-bao").text
    assert 'id="next-report-deadline"' in dashboard and "Hạn nộp báo cáo định kỳ tiếp theo: 15/12/2026" in dashboard


def test_the_api_gives_warnings_notifications_and_reports(app) -> None:
    api = logged_in(app, "tccb.a")
    w = api.get("/api/v1/warnings").json()["warnings"]
    assert [(x["kind"], x["staff_code"], x["due"]) for x in w] == [("retirement", "A1", "2026-12-31")]
    assert api.get("/api/v1/warnings", params={"kind": "x"}).status_code == 422
    body = api.get("/api/v1/notifications").json()
    assert body["unread"] == 1
    n_id = body["notifications"][0]["id"]
    assert api.post(f"/api/v1/notifications/{n_id}/read").json()["read"] is True
    assert api.get("/api/v1/notifications", params={"unread": True}).json()["notifications"] == []
    assert api.post("/api/v1/notifications/9999/read").status_code == 404
    r = api.post("/api/v1/reports", json={"period": "2026-H2", "format": "xlsx"})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    listed = api.get("/api/v1/reports").json()
    assert [x["id"] for x in listed["reports"]] == [rid]
    assert listed["next_submission"] == {"period": "Đợt 2", "due": "2026-12-15", "article": "Điều 10 khoản 1 điểm a",
                                         "covers": "2026-H2"}
    file = api.get(f"/api/v1/reports/{rid}")
    assert file.status_code == 200 and file.content[:2] == b"PK"
    bad = api.post("/api/v1/reports", json={"period": "2026-H2", "format": "doc"})
    assert bad.status_code == 422 and "pdf hoặc xlsx" in bad.text
    assert logged_in(app, "truong.b").get(f"/api/v1/reports/{rid}").status_code == 404


def test_ids_no_column_can_hold_are_not_found(app) -> None:
    api = logged_in(app, "tccb.a")
    for n in (0, -1, 2**31, 2**70):
        assert api.post(f"/api/v1/notifications/{n}/read").status_code == 404
        assert api.get(f"/api/v1/reports/{n}").status_code == 404
