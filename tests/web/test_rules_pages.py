"""Quản trị › Quy định và lịch (in-process): the active profile's rules with their articles, the deadline
calculator on the office calendar, and the swap-day table — kept by the root admin, audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from archive.bootstrap import build
from archive.db import migrate
from archive.errors import Forbidden, InvalidInput
from archive.models import AuditEntry
from archive.services import office_calendar as oc
from archive.services.access import SYSTEM, Actor
from archive.services.units import add_unit
from archive.settings import Settings
from tests.support.accounts import csrf_of, make_user, web_logged_in


@pytest.fixture
def lang_son(tmp_path):  # noqa: ANN001, ANN201
    s = Settings(data_dir=tmp_path / "data", profile="lang-son")
    s.data_dir.mkdir(parents=True)
    migrate(s.database_url)
    c = build(s)
    add_unit(c, SYSTEM, code="TINH", name="Sở Nội vụ")
    add_unit(c, SYSTEM, code="H1", name="UBND huyện", parent_code="TINH")
    make_user(c, "quantri", "admin", "TINH", clearance=2)
    make_user(c, "qt.huyen", "admin", "H1")
    yield c
    c.close()


def test_the_page_shows_the_profile_computes_a_deadline_and_keeps_the_swap_table(lang_son) -> None:
    from archive.app import create_app

    app = create_app(container=lang_son)
    admin = web_logged_in(app, "quantri")
    page = admin.get("/quan-tri/quy-dinh").text
    assert "Tỉnh Lạng Sơn" in page and "570/QĐ-UBND" in page and "Điều 8 khoản 1" in page
    assert "5 ngày làm việc" in page
    # Lạng Sơn Đ8.1: 5 working days from Wednesday 19/8/2026 count the make-up Saturday 22/8
    r = admin.get("/quan-tri/quy-dinh", params={"su_kien": "transfer_between_units", "ngay": "19/08/2026"})
    assert r.status_code == 200 and "25/08/2026" in r.text
    # a 2027 announcement: Monday 3/5 and Tuesday 4/5 off
    token = csrf_of(page)
    r = admin.post("/quan-tri/quy-dinh/lich", data={"csrf": token, "day": "04/05/2027", "kind": "off",
                                                    "reason": "Nghỉ bù dịp 30/4–1/5", "decision_ref": "TB 1/TB-BNV"},
                   follow_redirects=False)
    assert r.status_code == 303
    assert "04/05/2027" in admin.get("/quan-tri/quy-dinh").text
    # 5 working days from Thursday 29/4/2027: 3/5 is Labour Day observed, 4/5 now off → 5, 6, 7, 10, 11
    r = admin.get("/quan-tri/quy-dinh", params={"su_kien": "transfer_between_units", "ngay": "29/04/2027"})
    assert "11/05/2027" in r.text
    with lang_son.uow() as uow:
        entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "calendar.set")).one()
        assert entry.actor == "quantri" and entry.target_id == "2027-05-04"
    r = admin.post("/quan-tri/quy-dinh/lich/2027-05-04/xoa", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and oc.swap_days(lang_son) == []


def test_bad_input_is_a_vietnamese_message_and_changes_nothing(lang_son) -> None:
    from archive.app import create_app

    admin = web_logged_in(create_app(container=lang_son), "quantri")
    token = csrf_of(admin.get("/quan-tri/quy-dinh").text)
    for data, words in [({"day": "31/02/2027", "kind": "off", "reason": "x", "decision_ref": "y"}, "dd/mm/yyyy"),
                        ({"day": "04/05/2027", "kind": "maybe", "reason": "x", "decision_ref": "y"}, "ngày nghỉ hay"),
                        ({"day": "04/05/2027", "kind": "off", "reason": "", "decision_ref": "y"}, "lý do"),
                        ({"day": "04/05/2027", "kind": "off", "reason": "x", "decision_ref": ""}, "số văn bản"),
                        ({"day": "04/05/2300", "kind": "off", "reason": "x", "decision_ref": "y"}, "khoảng")]:
        r = admin.post("/quan-tri/quy-dinh/lich", data={"csrf": token, **data})
        assert r.status_code == 422 and words in r.text, (data, r.text[:300])
    r = admin.get("/quan-tri/quy-dinh", params={"su_kien": "nope", "ngay": "01/01/2026"})
    assert r.status_code == 422 and "Sự kiện không hợp lệ" in r.text
    assert oc.swap_days(lang_son) == []


def test_only_the_root_admin_changes_the_table(lang_son) -> None:
    from archive.app import create_app

    district = web_logged_in(create_app(container=lang_son), "qt.huyen")
    page = district.get("/quan-tri/quy-dinh")
    assert page.status_code == 200 and 'action="/quan-tri/quy-dinh/lich"' not in page.text  # read, no form
    r = district.post("/quan-tri/quy-dinh/lich", data={"csrf": csrf_of(page.text), "day": "04/05/2027",
                                                       "kind": "off", "reason": "x", "decision_ref": "y"})
    assert r.status_code == 403 and oc.swap_days(lang_son) == []
    with pytest.raises(Forbidden):
        oc.set_swap_day(lang_son, Actor(name="someone"), date(2027, 5, 4), working=False, reason="x", decision_ref="y")


def test_deadlines_for_an_event_follow_the_profile_and_the_table(lang_son) -> None:
    dues = oc.deadlines_for(lang_son, "leaving", date(2026, 8, 21))
    assert [(d.rule.id, d.due) for d in dues] == [("leaving", date(2026, 8, 27))]  # 22 (làm bù), 24, 25, 26, 27
    with pytest.raises(InvalidInput):
        oc.deadlines_for(lang_son, "leaving", date(1800, 1, 1))


def test_an_unknown_profile_stops_the_settings_with_the_choices(tmp_path) -> None:
    with pytest.raises(ValueError, match="ARCHIVE_PROFILE 'ha-tay' không có.*lang-son"):
        Settings(data_dir=tmp_path, profile="ha-tay")


def test_the_api_gives_the_profile_deadlines_and_keeps_the_table(lang_son) -> None:
    from archive.app import create_app
    from tests.support.accounts import logged_in

    app = create_app(container=lang_son)
    api = logged_in(app, "quantri")
    assert api.get("/api/v1/profile").json()["code"] == "lang-son"
    r = api.get("/api/v1/profile/due", params={"event": "transfer_between_units", "date": "2026-08-19"})
    assert r.status_code == 200 and r.json()[0]["due"] == "2026-08-25" and r.json()[0]["article"] == "Điều 8 khoản 1"
    r = api.put("/api/v1/calendar/2027-05-04", json={"working": False, "reason": "Nghỉ bù", "decision_ref": "TB 1"})
    assert r.status_code == 200 and api.get("/api/v1/calendar").json()[0]["day"] == "2027-05-04"
    assert api.put("/api/v1/calendar/2027-05-05", json={"working": False, "reason": "", "decision_ref": "x"}).status_code == 422
    assert api.get("/api/v1/profile/due", params={"event": "x", "date": "2026-01-01"}).status_code == 422
    district = logged_in(app, "qt.huyen")
    assert district.put("/api/v1/calendar/2027-05-06", json={"working": True, "reason": "x",
                                                             "decision_ref": "y"}).status_code == 403
    assert api.delete("/api/v1/calendar/2027-05-04").status_code == 204
    assert api.delete("/api/v1/calendar/2027-05-04").status_code == 404
    assert api.get("/api/v1/calendar").json() == []
