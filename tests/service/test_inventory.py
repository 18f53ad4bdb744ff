"""Paper inventory and loans through the service layer: location (kho, giá, hộp, số thứ tự), paper
vs electronic pages, completeness per dossier and unit, loans (one open loan, overdue), scope,
audit, and bad input refused with a Vietnamese sentence and nothing written."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from archive.errors import Conflict, Forbidden, InvalidInput, NotFound
from archive.models import AuditEntry, DossierLoan, DossierLocation, StorageBox
from archive.services import completeness, inventory, loans
from archive.services.access import SYSTEM
from archive.services.staff_lifecycle import change_status
from tests.support.inventory import (
    ARCHIVIST,
    AUDITOR,
    HR,
    OTHER_ARCHIVIST,
    person,
    two_units,
    upload,
)


@pytest.fixture
def c(container):
    two_units(container)
    person(container, "NV001")
    person(container, "NV002", name="Trần Thị Bích")
    person(container, "NV201", "Q2", name="Lê Văn Cường")
    container.clock = lambda: datetime(2026, 12, 1, 3, 0)  # 1/12/2026, 10:00 in Hồ Chí Minh City
    return container


def _count(c, model) -> int:
    with c.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def _audits(c, action: str) -> list[dict]:
    """The details of each audit entry of one action, oldest first."""
    with c.uow() as uow:
        return [e.details for e in uow.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                                       .order_by(AuditEntry.seq))]


def test_an_archivist_sets_the_location_and_everyone_in_scope_reads_it(c):
    upload(c, "NV001", "so_yeu_ly_lich", pages=3)
    loc = inventory.set_location(c, ARCHIVIST, "NV001", kho="Kho 1", gia="Giá 03", hop="Hộp 015", stt=4,
                                 paper_pages=27)
    assert loc.box.code == "KHO1-GIA03-HOP015" and loc.position == 4 and loc.paper_pages == 27
    assert "Hộp 015" in loc.place and "STT 4" in loc.place
    assert inventory.get_location(c, HR, "NV001").to_dict()["stt"] == 4
    assert inventory.get_location(c, AUDITOR, "NV001").box.kho == "Kho 1"
    with c.uow() as uow:
        assert inventory.electronic_pages(uow.session, uow.session.scalar(
            select(DossierLocation.staff_id))) == 3
    # moved to another position of the same box: the old one is free again
    inventory.set_location(c, ARCHIVIST, "NV001", kho="Kho 1", gia="Giá 03", hop="Hộp 015", stt=5)
    inventory.set_location(c, ARCHIVIST, "NV002", kho="Kho 1", gia="Giá 03", hop="Hộp 015", stt=4)
    assert _count(c, StorageBox) == 1
    [box] = inventory.list_boxes(c, HR)
    assert box.dossiers == 2
    contents = inventory.get_box(c, HR, "kho1-gia03-hop015")
    assert [d["code"] for d in contents.dossiers] == ["NV002", "NV001"]
    audits = _audits(c, "inventory.location.set")
    assert len(audits) == 3 and audits[1]["before"]["stt"] == 4 and audits[1]["after"]["stt"] == 5


def test_two_dossiers_cannot_share_a_position_and_bad_places_write_nothing(c):
    inventory.set_location(c, ARCHIVIST, "NV001", kho="K1", gia="G1", hop="H1", stt=1)
    before = len(_audits(c, "inventory.location.set"))
    with pytest.raises(Conflict, match="Số thứ tự 1"):
        inventory.set_location(c, ARCHIVIST, "NV002", kho="K1", gia="G1", hop="H1", stt=1)
    for bad in ({"kho": "", "gia": "G1", "hop": "H1", "stt": 2}, {"kho": "K1", "gia": "G1", "hop": "H1", "stt": 0},
                {"kho": "K" * 40, "gia": "G1", "hop": "H1", "stt": 2},
                {"kho": "K9", "gia": "G1", "hop": "H1", "stt": 2, "paper_pages": -1}):
        with pytest.raises(InvalidInput) as err:
            inventory.set_location(c, ARCHIVIST, "NV002", **bad)
        assert "/" not in str(err.value) and "Traceback" not in str(err.value)
    assert _count(c, StorageBox) == 1 and _count(c, DossierLocation) == 1
    assert len(_audits(c, "inventory.location.set")) == before


def test_only_archivists_in_scope_set_locations(c):
    with pytest.raises(Forbidden):
        inventory.set_location(c, HR, "NV001", kho="K1", gia="G1", hop="H1", stt=1)
    with pytest.raises(NotFound):
        inventory.set_location(c, OTHER_ARCHIVIST, "NV001", kho="K1", gia="G1", hop="H1", stt=1)
    inventory.set_location(c, SYSTEM, "NV201", kho="K2", gia="G1", hop="H1", stt=1)
    assert [b.code for b in inventory.list_boxes(c, ARCHIVIST)] == []  # a Q2 box: not in Q1's sight
    with pytest.raises(NotFound):
        inventory.get_box(c, ARCHIVIST, "K2-G1-H1")
    assert _count(c, DossierLocation) == 1


def test_loans_one_open_per_dossier_returned_and_overdue(c):
    loan = loans.lend(c, ARCHIVIST, "NV001", borrower_name="Phạm Thu Hà", borrower_unit="Phòng Nội vụ",
                      purpose="Xét nâng lương", due_date=date(2026, 12, 10))
    assert loan.open and not loan.overdue
    with pytest.raises(Conflict, match="đang được cho mượn"):
        loans.lend(c, ARCHIVIST, "NV001", borrower_name="Người khác", borrower_unit="X", purpose="Y",
                   due_date=date(2026, 12, 10))
    # recorded after the fact: lent in November, due before today → overdue
    late = loans.lend(c, ARCHIVIST, "NV002", borrower_name="Vũ Quốc Khánh", borrower_unit="Thanh tra tỉnh",
                      purpose="Thanh tra", lent_on=date(2026, 11, 2), due_date=date(2026, 11, 20))
    assert late.overdue and late.days_overdue == 11
    assert [x.staff_code for x in loans.list_loans(c, HR, overdue=True)] == ["NV002"]
    assert {x.staff_code for x in loans.list_loans(c, HR, open_only=True)} == {"NV001", "NV002"}
    back = loans.return_loan(c, ARCHIVIST, "NV002", note="Đủ tờ")
    assert not back.open and not back.overdue
    assert loans.list_loans(c, HR, overdue=True) == []
    with pytest.raises(Conflict, match="không đang được cho mượn"):
        loans.return_loan(c, ARCHIVIST, "NV002")
    again = loans.lend(c, ARCHIVIST, "NV002", borrower_name="Vũ Quốc Khánh", borrower_unit="Thanh tra tỉnh",
                       purpose="Lần hai", due_date=date(2026, 12, 3))
    assert [x.id for x in loans.loans_of_staff(c, AUDITOR, "NV002")] == [again.id, late.id]
    assert len(_audits(c, "loan.out")) == 3 and len(_audits(c, "loan.back")) == 1


def test_a_loan_to_an_account_takes_its_name_and_unit(c):
    from tests.support.accounts import make_user

    make_user(c, "pham.ha", "hr_officer", "Q1")
    loan = loans.lend(c, ARCHIVIST, "NV001", borrower_user="pham.ha", purpose="Xem xét",
                      due_date=date(2026, 12, 5))
    assert loan.borrower_user == "pham.ha" and loan.borrower_unit == "UBND Quận 1"
    with pytest.raises(NotFound):
        loans.lend(c, ARCHIVIST, "NV002", borrower_user="khong.co", purpose="X", due_date=date(2026, 12, 5))


def test_bad_loans_are_refused_in_vietnamese_and_write_nothing(c):
    base = {"borrower_name": "A", "borrower_unit": "B", "purpose": "C", "due_date": date(2026, 12, 10)}
    for change, words in (({"due_date": None}, "hạn trả"), ({"purpose": " "}, "mục đích"),
                          ({"borrower_name": ""}, "người mượn"), ({"lent_on": date(2026, 12, 2)}, "sau ngày hôm nay"),
                          ({"due_date": date(2026, 11, 30)}, "trước ngày mượn"),
                          ({"due_date": date(2028, 1, 1)}, "tối đa")):
        with pytest.raises(InvalidInput, match=words):
            loans.lend(c, ARCHIVIST, "NV001", **{**base, **change})
    with pytest.raises(Forbidden):
        loans.lend(c, HR, "NV001", **base)
    with pytest.raises(NotFound):
        loans.lend(c, OTHER_ARCHIVIST, "NV001", **base)
    with pytest.raises(NotFound):
        loans.lend(c, ARCHIVIST, "KHONG_CO", **base)
    assert _count(c, DossierLoan) == 0 and _audits(c, "loan.out") == []
    assert loans.list_loans(c, OTHER_ARCHIVIST) == []


def test_completeness_of_a_dossier_and_of_the_units(c):
    for t in ("so_yeu_ly_lich", "giay_khai_sinh", "giay_chung_nhan_suc_khoe", "van_bang_chung_chi",
              "quyet_dinh_tuyen_dung"):
        upload(c, "NV001", t)
    assert completeness.dossier_completeness(c, HR, "NV001").complete
    change_status(c, SYSTEM, "NV001", status="nghi_huu", effective_date=date(2026, 11, 1))
    one = completeness.dossier_completeness(c, HR, "NV001")
    assert [m.name for m in one.missing] == ["Quyết định nghỉ hưu"] and one.percent < 100
    upload(c, "NV001", "quyet_dinh_nghi_huu")
    assert completeness.dossier_completeness(c, HR, "NV001").complete

    report = completeness.completeness_report(c, AUDITOR)
    rates = {u.unit_code: u for u in report.units}
    assert (rates["Q1"].dossiers, rates["Q1"].complete, rates["Q1"].percent) == (2, 1, 50)
    assert rates["Q2"].percent == 0
    assert [d.staff_code for d in report.incomplete] == ["NV002", "NV201"]
    assert [d.staff_code for d in completeness.completeness_report(c, HR).dossiers] == ["NV001", "NV002"]
    assert [d.staff_code for d in completeness.completeness_report(c, AUDITOR, unit="Q2").dossiers] == ["NV201"]
    with pytest.raises(NotFound):
        completeness.completeness_report(c, HR, unit="Q2")
    with pytest.raises(NotFound):
        completeness.dossier_completeness(c, HR, "NV201")
    assert _audits(c, "completeness.list")


def test_the_root_admin_edits_the_checklist_and_others_cannot(c):
    from tests.support.retention import ADMIN_A

    comp = completeness.set_component(c, ADMIN_A, "ban_tu_kiem_diem", name="Bản tự kiểm điểm",
                                      document_types=["ban_nhan_xet_danh_gia"], required=True,
                                      statuses=["dang_cong_tac"], source="TT 11/2012/TT-BNV")
    assert comp.required and comp.statuses == ("dang_cong_tac",)
    assert "ban_tu_kiem_diem" in {m.code for m in completeness.dossier_completeness(c, HR, "NV001").missing}
    with pytest.raises(InvalidInput, match="Loại tài liệu"):
        completeness.set_component(c, ADMIN_A, "x", name="X", document_types=["khong_co"])
    with pytest.raises(InvalidInput, match="Trạng thái"):
        completeness.set_component(c, ADMIN_A, "x", name="X", document_types=["khac"], statuses=["bay"])
    with pytest.raises(Forbidden):
        completeness.set_component(c, ARCHIVIST, "x", name="X", document_types=["khac"])
    assert "x" not in {k.code for k in completeness.list_components(c, HR)}
    assert completeness.seed_missing_components(c) == 0
