"""Staff records (hồ sơ cán bộ): create and read. The full personnel model comes later."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from archive.bootstrap import Container
from archive.domain import STATUS_LABELS, StaffStatus
from archive.errors import Conflict, InvalidInput, NotFound
from archive.models import Staff
from archive.services.views import StaffView
from search import nfc

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def parse_status(value: str) -> StaffStatus:
    try:
        return StaffStatus(value)
    except ValueError:
        allowed = ", ".join(f"{s.value} ({STATUS_LABELS[s]})" for s in StaffStatus)
        raise InvalidInput(f"Trạng thái không hợp lệ: {value!r}. Chọn một trong: {allowed}.") from None


def add_staff(c: Container, *, code: str, full_name: str, birth_date: date | None = None,
              unit_name: str = "", status: str = StaffStatus.DANG_CONG_TAC.value) -> StaffView:
    code = code.strip()
    if not _CODE.match(code):
        raise InvalidInput("Mã cán bộ chỉ gồm chữ, số, '.', '_' hoặc '-', tối đa 32 ký tự.")
    full_name = " ".join(nfc(full_name).split())
    if not full_name or len(full_name) > 200:
        raise InvalidInput("Họ và tên không được để trống và tối đa 200 ký tự.")
    if birth_date is not None and not (date(1900, 1, 1) <= birth_date <= date.today()):
        raise InvalidInput("Ngày sinh không hợp lệ.")
    status_value = parse_status(status).value
    with c.uow() as uow:
        if uow.session.scalar(select(Staff.id).where(Staff.code == code)) is not None:
            raise Conflict(f"Mã cán bộ {code} đã tồn tại.")
        staff = Staff(code=code, full_name=full_name, birth_date=birth_date,
                      unit_name=" ".join(nfc(unit_name).split()), status=status_value)
        uow.session.add(staff)
        try:
            uow.commit()
        except IntegrityError:
            raise Conflict(f"Mã cán bộ {code} đã tồn tại.") from None
        return StaffView.of(staff)


def get_staff(c: Container, code: str) -> StaffView:
    with c.uow() as uow:
        staff = uow.session.scalar(select(Staff).where(Staff.code == code))
        if staff is None:
            raise NotFound(f"Không tìm thấy cán bộ có mã {code}.")
        return StaffView.of(staff)
