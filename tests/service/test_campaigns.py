"""Sampling audits end to end (embedded): open over a subtree, check every sampled dossier, close, biên bản
as PDF (its text read back with pypdf) and XLSX (cells equal the checked items); scope and bad input."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from archive.errors import Conflict, Forbidden, InvalidInput, NotFound
from archive.models import AuditCampaign, AuditEntry
from archive.services import campaign_report, campaigns
from archive.services.access import SYSTEM, Actor, Grant, Role
from archive.services.staff import add_staff
from archive.services.units import add_unit


@pytest.fixture
def office(container):
    c = container
    add_unit(c, SYSTEM, code="A", name="Sở Giáo dục", parent_code="TINH")
    add_unit(c, SYSTEM, code="A1", name="Trường Nguyễn Du", parent_code="A")
    add_unit(c, SYSTEM, code="B", name="Sở Y tế", parent_code="TINH")
    for n in range(12):
        add_staff(c, SYSTEM, code=f"NV{n:03d}", full_name=f"Nguyễn Văn Số {n}", unit_code="A")
    for n in range(3):
        add_staff(c, SYSTEM, code=f"TR{n:03d}", full_name=f"Trần Thị Trường {n}", unit_code="A1")
    add_staff(c, SYSTEM, code="YT001", full_name="Lê Văn Y", unit_code="B")
    return c


AUDITOR_A = Actor(name="kiemtra.a", grants=(Grant(Role.AUDITOR, "A"),))
HR_A = Actor(name="tccb.a", grants=(Grant(Role.HR_OFFICER, "A"),))


def _check_all(c, actor, view, *, failing: dict[str, str]) -> campaigns.CampaignView:
    for item in view.items:
        if item.staff_code in failing:
            view = campaigns.check_item(c, actor, view.id, item.staff_code, checks={
                "pages_match": "no", "fields_match": "yes", "findings_reviewed": "na", "components_complete": "yes"},
                outcome="khong_dat", notes=failing[item.staff_code])
        else:
            view = campaigns.check_item(c, actor, view.id, item.staff_code, checks={
                "pages_match": "yes", "fields_match": "yes", "findings_reviewed": "yes", "components_complete": "na"},
                outcome="dat")
    return view


def test_a_campaign_end_to_end_with_its_pdf_and_xlsx_biên_bản(office) -> None:
    view = campaigns.open_campaign(office, AUDITOR_A, unit_code="A", size=5, seed="2026-12")
    assert view.population_count == 15  # A and A1, not B
    assert {i.unit_code for i in view.items} == {"A", "A1"}  # every stratum is in the sample
    assert len(view.items) == 5 and not any(i.staff_code.startswith("YT") for i in view.items)
    first = view.items[0].staff_code
    view = _check_all(office, AUDITOR_A, view, failing={first: "Thiếu 2 trang quyết định tuyển dụng"})
    with pytest.raises(Conflict):  # results are fixed once closed; closing twice is refused
        campaigns.close_campaign(office, AUDITOR_A, view.id)
        campaigns.close_campaign(office, AUDITOR_A, view.id)
    closed = campaigns.get_campaign(office, AUDITOR_A, view.id)
    assert closed.state == "closed"
    r = closed.rates
    assert (r.sampled, r.checked, r.passed, r.failed, r.discrepancies) == (5, 5, 4, 1, 1)
    assert r.pass_percent == 80.0 and r.check_yes_percent["pages_match"] == 80.0
    assert r.check_yes_percent["components_complete"] == 100.0  # n.a. answers are left out

    view = campaigns.record_report(office, AUDITOR_A, closed.id, "pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(campaign_report.pdf(view))).pages)
    flat = " ".join(text.split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "Độc lập - Tự do - Hạnh phúc" in flat
    assert "BIÊN BẢN KIỂM TRA HỒ SƠ" in flat and "NGƯỜI KIỂM TRA" in flat
    assert first in flat and "Thiếu 2 trang quyết định tuyển dụng" in flat and "80,0%" in flat

    wb = load_workbook(io.BytesIO(campaign_report.xlsx(view)))
    rows = list(wb["Hồ sơ"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3], r[7]) for r in rows] == [
        (i.staff_code, "Không" if i.staff_code == first else "Có", "Không đạt" if i.staff_code == first else "Đạt")
        for i in closed.items]
    wrong = list(wb["Sai lệch"].iter_rows(min_row=2, values_only=True))
    assert [(w[0], w[5]) for w in wrong] == [(first, "Thiếu 2 trang quyết định tuyển dụng")]
    with office.uow() as uow:
        actions = set(uow.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("campaign.%"))))
    assert actions == {"campaign.open", "campaign.check", "campaign.close", "campaign.report"}


def test_the_same_seed_draws_the_same_sample_and_percent_works(office) -> None:
    one = campaigns.open_campaign(office, SYSTEM, unit_code="A", percent=20, seed="s1")
    two = campaigns.open_campaign(office, SYSTEM, unit_code="A", percent=20, seed="s1")
    assert [i.staff_code for i in one.items] == [i.staff_code for i in two.items]
    assert len(one.items) == 3  # ⌈20% × 15⌉


def test_an_auditor_of_a_cannot_open_a_campaign_over_b_nor_see_one(office) -> None:
    with pytest.raises(NotFound):
        campaigns.open_campaign(office, AUDITOR_A, unit_code="B", size=1)
    over_b = campaigns.open_campaign(office, SYSTEM, unit_code="B", size=1)
    with pytest.raises(NotFound):
        campaigns.get_campaign(office, AUDITOR_A, over_b.id)
    assert over_b.id not in {v.id for v in campaigns.list_campaigns(office, AUDITOR_A)}
    with pytest.raises(Forbidden):  # an HR officer is not an auditor
        campaigns.open_campaign(office, HR_A, unit_code="A", size=1)


def test_bad_input_is_refused_in_vietnamese_and_leaves_nothing(office) -> None:
    for kwargs in ({"size": 0}, {"percent": 0}, {"percent": 101}, {}, {"size": 2, "percent": 5},
                   {"size": 2, "seed": "a\x00b"}, {"size": 2, "seed": "x" * 65}):
        with pytest.raises(InvalidInput):
            campaigns.open_campaign(office, AUDITOR_A, unit_code="A", **kwargs)
    with office.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditCampaign)) == 0
    view = campaigns.open_campaign(office, AUDITOR_A, unit_code="A", size=2, seed="x")
    code = view.items[0].staff_code
    with pytest.raises(InvalidInput, match="có, không hoặc không áp dụng"):
        campaigns.check_item(office, AUDITOR_A, view.id, code, checks={"pages_match": "maybe"}, outcome="dat")
    with pytest.raises(InvalidInput):  # a "no" cannot pass
        campaigns.check_item(office, AUDITOR_A, view.id, code, outcome="dat", checks={
            "pages_match": "no", "fields_match": "yes", "findings_reviewed": "yes", "components_complete": "yes"})
    with pytest.raises(NotFound):
        campaigns.check_item(office, AUDITOR_A, view.id, "YT001", outcome="dat", checks={
            c: "yes" for c in campaigns.CHECKS})
    with pytest.raises(Conflict, match="chưa kiểm tra"):
        campaigns.close_campaign(office, AUDITOR_A, view.id)
    assert all(i.outcome is None for i in campaigns.get_campaign(office, AUDITOR_A, view.id).items)
