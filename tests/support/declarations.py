"""An office under TP.HCM QĐ 51/2024 for the declaration tests: units, a person, the three signers, the PKI.

Units: TINH (the province; Sở Nội vụ acts at its root) → A (Sở Giáo dục). Staff NV001 (an ordinary
civil servant of A) and CB001 (a cadre the Ban Thường vụ Thành ủy manages, in A). Accounts:
`nvan` (staff, own record NV001), `binh` (hr_officer of A: verifies), `cuong` (unit_head of A:
approves), `snv` (hr_officer at TINH: Sở Nội vụ verifier), `gdsnv` (unit_head at TINH: Giám đốc Sở),
`canbo` (staff, own record CB001). The test CA is trusted; the three signers' certificates are registered.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from archive.models import User
from archive.services import certificates, declarations
from archive.services.access import SYSTEM, Actor, Grant, Role
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import make_user
from tests.support.test_pki import TestPki, test_pki


@dataclass(frozen=True)
class Office:
    c: object
    pki: TestPki
    an: Actor
    binh: Actor
    cuong: Actor
    snv: Actor
    gdsnv: Actor
    cb: Actor


def _actor(c, username: str) -> Actor:
    return declarations.acting_as(c, username, via="test")


def tp_hcm_office(c, *, register_keys: bool = False, profile: str = "tp-hcm") -> Office:
    """The office above in container `c`, switched to `profile` (tp-hcm unless given)."""
    c.settings.profile = profile
    add_unit(c, SYSTEM, code="A", name="Sở Giáo dục và Đào tạo", parent_code="TINH")
    add_staff(c, SYSTEM, code="NV001", full_name="Nguyễn Văn An", unit_code="A",
              profile={"hometown": "Hà Nội", "current_address": "12 Lê Lợi, Quận 1"})
    add_staff(c, SYSTEM, code="CB001", full_name="Phạm Văn Cán", unit_code="A",
              profile={"management_category": "btv_thanh_uy", "hometown": "Huế"})
    make_user(c, "nvan", "staff", "A", staff_code="NV001")
    make_user(c, "canbo", "staff", "TINH", staff_code="CB001")  # (per-unit profiles: one staff account per unit)
    make_user(c, "binh", "hr_officer", "A")
    make_user(c, "cuong", "unit_head", "A")
    make_user(c, "snv", "hr_officer", "TINH")
    make_user(c, "gdsnv", "unit_head", "TINH")
    pki = test_pki()
    certificates.add_ca(c, SYSTEM, pki.root_pem + pki.intermediate_pem)
    from tests.support.test_pki import PASSWORD

    for username, ident in (("nvan", pki.person), ("binh", pki.hr_head), ("cuong", pki.unit_head)):
        if register_keys:
            certificates.add_user_certificate(c, SYSTEM, username, p12=ident.p12, password=PASSWORD)
        else:
            certificates.add_user_certificate(c, SYSTEM, username, cert=ident.cert_pem)
    return Office(c, pki, *(_actor(c, u) for u in ("nvan", "binh", "cuong", "snv", "gdsnv", "canbo")))


def user_id(c, username: str) -> int:
    with c.uow() as uow:
        return uow.session.scalar(select(User.id).where(User.username == username))


__all__ = ["Office", "tp_hcm_office", "Grant", "Role"]
