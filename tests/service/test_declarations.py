"""Kê khai → xác thực → phê duyệt (TP.HCM QĐ 51/2024 Đ7.2), embedded: the record stays as approved until
the unit head signs; a send-back with its reason; routing by diện quản lý; the deadlines on the dashboard."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.errors import Conflict, Forbidden, InvalidInput
from archive.models import AuditEntry
from archive.services import declarations, signing
from archive.services.access import SYSTEM
from archive.services.deadlines import deadline_report
from archive.services.declaration_views import declaration_queue
from archive.services.staff import get_staff
from tests.support.declarations import tp_hcm_office
from tests.support.test_pki import PASSWORD


@pytest.fixture
def office(container):
    return tp_hcm_office(container)


def _declare(o, values):
    d = declarations.open_declaration(o.c, o.an)
    d = declarations.save_draft(o.c, o.an, d.id, values)
    return declarations.add_evidence(o.c, o.an, d.id, filename="ban-sao-bang.pdf", content_type="application/pdf",
                                     data=b"%PDF-1.4 ban sao bang tot nghiep")


def test_the_record_is_unchanged_until_the_unit_head_approves(office) -> None:
    o = office
    d = _declare(o, {"hometown": "Đà Nẵng", "foreign_language": "Tiếng Anh B2"})
    changed = {f.key: (f.approved, f.declared) for f in d.changed_fields}
    assert changed == {"hometown": ("Hà Nội", "Đà Nẵng"), "foreign_language": ("", "Tiếng Anh B2")}
    d = declarations.sign(o.c, o.an, d.id, p12=o.pki.person.p12, password=PASSWORD)
    assert d.state == "declared" and d.declared_by == "nvan"
    assert get_staff(o.c, SYSTEM, "NV001").profile["hometown"] == "Hà Nội"
    d = declarations.sign(o.c, o.binh, d.id, p12=o.pki.hr_head.p12, password=PASSWORD)
    assert d.state == "verified"
    assert get_staff(o.c, SYSTEM, "NV001").profile["hometown"] == "Hà Nội"
    d = declarations.sign(o.c, o.cuong, d.id, p12=o.pki.unit_head.p12, password=PASSWORD)
    assert d.state == "applied" and [s["step"] for s in d.signatures] == ["declare", "verify", "approve"]
    profile = get_staff(o.c, SYSTEM, "NV001").profile
    assert profile["hometown"] == "Đà Nẵng" and profile["foreign_language"] == "Tiếng Anh B2"
    assert profile["current_address"] == "12 Lê Lợi, Quận 1"  # undeclared fields kept
    name, pdf = declarations.signed_export(o.c, o.an, "NV001")
    roots = signing.load_certificates(o.pki.root_pem)
    checks = signing.validate(pdf, roots)
    assert [c.ok for c in checks] == [True, True, True] and name.endswith(".pdf")
    with o.c.uow() as uow:
        actions = set(uow.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "declaration")))
    assert {"declaration.open", "declaration.edit", "declaration.declare", "declaration.verify",
            "declaration.approve", "declaration.apply"} <= actions


def test_a_send_back_carries_its_reason_and_the_person_declares_again(office) -> None:
    o = office
    d = _declare(o, {"hometown": "Đà Nẵng"})
    d = declarations.sign(o.c, o.an, d.id, p12=o.pki.person.p12, password=PASSWORD)
    with pytest.raises(InvalidInput):
        declarations.send_back(o.c, o.binh, d.id, "")
    d = declarations.send_back(o.c, o.binh, d.id, "Quê quán khác với bản sao giấy khai sinh")
    assert d.state == "sent_back" and d.sent_back_reason.startswith("Quê quán") and d.signatures == []
    with pytest.raises(Forbidden):  # back with the person: nothing for the HR head to sign now
        declarations.sign(o.c, o.binh, d.id, p12=o.pki.hr_head.p12, password=PASSWORD)
    d = declarations.save_draft(o.c, o.an, d.id, {"hometown": "Quảng Nam"})
    d = declarations.sign(o.c, o.an, d.id, p12=o.pki.person.p12, password=PASSWORD)
    assert d.state == "declared" and d.sent_back_reason == "" and [s["step"] for s in d.signatures] == ["declare"]
    assert get_staff(o.c, SYSTEM, "NV001").profile["hometown"] == "Hà Nội"


def test_only_the_right_people_sign_each_step(office) -> None:
    o = office
    d = _declare(o, {"hometown": "Đà Nẵng"})
    with pytest.raises(Forbidden):  # the HR head cannot declare for the person
        declarations.sign(o.c, o.binh, d.id, p12=o.pki.hr_head.p12, password=PASSWORD)
    with pytest.raises(InvalidInput):  # a wrong password is one Vietnamese sentence
        declarations.sign(o.c, o.an, d.id, p12=o.pki.person.p12, password="sai")
    with pytest.raises(signing.SignatureRefused, match="người dùng khác"):  # someone else's key
        declarations.sign(o.c, o.an, d.id, p12=o.pki.hr_head.p12, password=PASSWORD)
    d = declarations.sign(o.c, o.an, d.id, p12=o.pki.person.p12, password=PASSWORD)
    with pytest.raises(Forbidden):  # the unit head does not verify
        declarations.sign(o.c, o.cuong, d.id, p12=o.pki.unit_head.p12, password=PASSWORD)
    with pytest.raises(InvalidInput):  # fields the profile does not let a person declare
        declarations.save_draft(o.c, o.an, d.id, {"salary_step": 5})



def test_bad_evidence_and_bad_values_leave_nothing_behind(office) -> None:
    o = office
    d = declarations.open_declaration(o.c, o.an)
    with pytest.raises(InvalidInput, match="PDF, JPEG"):  # the bytes are not what the type says
        declarations.add_evidence(o.c, o.an, d.id, filename="x.pdf", content_type="application/pdf", data=b"MZ\x90")
    with pytest.raises(InvalidInput):
        declarations.save_draft(o.c, o.an, d.id, {"hometown": "x" * 400})
    view = declarations.get_declaration(o.c, o.an, d.id)
    assert view.evidence == [] and view.changed_fields == [] and view.state == "draft"


def test_a_declaration_of_a_ban_thuong_vu_cadre_goes_to_so_noi_vu(office) -> None:
    o = office
    d = declarations.open_declaration(o.c, o.cb)
    assert d.route == "so_noi_vu"
    from archive.models import Declaration

    with o.c.uow() as uow:  # (the cadre's own certificate is not part of this test: mark it declared)
        row = uow.session.get(Declaration, d.id)
        row.state = "declared"
        uow.commit()
    with pytest.raises(Forbidden, match="Sở Nội vụ"):
        declarations.send_back(o.c, o.binh, d.id, "Thiếu bản sao quyết định")
    d = declarations.send_back(o.c, o.snv, d.id, "Thiếu bản sao quyết định")
    assert d.state == "sent_back" and d.sent_back_by == "snv"
    assert [v.id for v in declaration_queue(o.c, o.snv)] == [d.id]


def test_the_steps_appear_on_the_deadline_dashboard(office) -> None:
    o = office
    d = _declare(o, {"hometown": "Đà Nẵng"})
    declarations.sign(o.c, o.an, d.id, p12=o.pki.person.p12, password=PASSWORD)
    rows = {(r.event.staff_code, r.rule.id): r for r in deadline_report(o.c, SYSTEM).rows}
    assert rows[("NV001", "declare")].state == "done_on_time"      # account_issued → declared
    assert rows[("NV001", "verify")].state in ("pending", "due_soon")  # declared → verify in 5 WD
    assert rows[("CB001", "declare")].state in ("pending", "due_soon")
    declarations.sign(o.c, o.binh, d.id, p12=o.pki.hr_head.p12, password=PASSWORD)
    rows = {(r.event.staff_code, r.rule.id): r for r in deadline_report(o.c, SYSTEM).rows}
    assert rows[("NV001", "verify")].state == "done_on_time"
    assert rows[("NV001", "approve")].rule.days == 15
    view = declarations.get_declaration(o.c, o.cuong, d.id)
    assert [s.step for s in view.deadlines] == ["declare", "verify", "approve"]


def test_a_second_open_declaration_is_refused(office) -> None:
    declarations.open_declaration(office.c, office.an)
    with pytest.raises(Conflict):
        declarations.open_declaration(office.c, office.an)
