"""The profile's account model (issue 17): per unit (Hà Nội Đ5.3 "Mỗi đơn vị được cấp một tài khoản") refuses a
second active account of a unit's role with the article quoted, and leaves nothing behind; per person (TP.HCM
Đ7.1) allows it; a revoked account frees the unit's place."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from archive.bootstrap import build
from archive.db import migrate
from archive.errors import Conflict
from archive.models import AuditEntry, User
from archive.services.access import SYSTEM
from archive.services.accounts import revoke_user
from archive.services.units import add_unit
from archive.settings import Settings
from archive.task_queue import NullQueue
from tests.support.accounts import make_user


def _office(tmp_path, profile: str):
    s = Settings(data_dir=tmp_path / profile, profile=profile)
    s.data_dir.mkdir(parents=True)
    migrate(s.database_url)
    c = build(s, queue=NullQueue())
    add_unit(c, SYSTEM, code="TINH", name="Sở Nội vụ")
    add_unit(c, SYSTEM, code="A", name="Phòng Alpha", parent_code="TINH")
    return c


def _counts(c) -> tuple[int, int]:
    with c.uow() as uow:
        s = uow.session
        return (s.scalar(select(func.count(User.id))),
                s.scalar(select(func.count(AuditEntry.seq)).where(AuditEntry.action == "user.create")))


def test_ha_noi_gives_each_unit_one_account_of_a_role(tmp_path) -> None:
    c = _office(tmp_path, "ha-noi")
    try:
        make_user(c, "tccb.a", "hr_officer", "A")
        before = _counts(c)
        with pytest.raises(Conflict) as exc:
            make_user(c, "tccb.a2", "hr_officer", "A")
        message = str(exc.value)
        assert "Điều 5 khoản 3" in message and "Quyết định số 6033/QĐ-UBND" in message
        assert "mỗi đơn vị được cấp một tài khoản" in message and "tccb.a" in message
        assert _counts(c) == before  # no account, no audit entry
        make_user(c, "truong.a", "unit_head", "A")  # another role of the same unit
        make_user(c, "tccb.tinh", "hr_officer", "TINH")  # the same role in another unit
        revoke_user(c, SYSTEM, "tccb.a", reason="chuyển công tác (Đ5.3: hủy tài khoản, lập tài khoản mới)")
        make_user(c, "tccb.a2", "hr_officer", "A")
    finally:
        c.close()


def test_tp_hcm_gives_each_person_an_account(tmp_path) -> None:
    c = _office(tmp_path, "tp-hcm")
    try:
        make_user(c, "tccb.a", "hr_officer", "A")
        make_user(c, "tccb.a2", "hr_officer", "A")
        assert _counts(c)[0] == 2
    finally:
        c.close()
