"""Mượn / trả hồ sơ giấy: who has a paper dossier, why, until when; the overdue list.

One open loan per dossier (checked here, and held in the database by the unique
`open_staff_id`). The borrower is a person's name and unit, or an account of the archive
(`borrower_user`: its full name and unit are taken from the account). Dates are calendar dates
as written on the phiếu mượn: `lent_on` (today or earlier, to record a loan after the fact)
and `due_date` (not before `lent_on`, at most MAX_LOAN_DAYS later). A loan is overdue
(quá hạn) when it is open and its due date is before today in the office's time zone.
Archivists and admins in scope record loans and returns (Action.UPLOAD); readers see them.
Every loan and return is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from archive.context import Context
from archive.errors import Conflict, InvalidInput, NotFound, shown
from archive.models import DossierLoan, Staff, Unit, User
from archive.services import audit
from archive.services.access import Action, Actor, check_staff, require, staff_seen_from
from archive.services.deadlines import local_date
from search import nfc

MAX_LOAN_DAYS = 366
MAX_BACKDATE_DAYS = 3660


@dataclass(frozen=True)
class LoanView:
    id: int
    staff_code: str
    full_name: str
    borrower_name: str
    borrower_unit: str
    borrower_user: str
    purpose: str
    lent_on: date
    due_date: date
    lent_by: str
    returned_at: datetime | None
    returned_by: str | None
    today: date

    @property
    def open(self) -> bool:
        return self.returned_at is None

    @property
    def overdue(self) -> bool:
        return self.open and self.due_date < self.today

    @property
    def days_overdue(self) -> int:
        return (self.today - self.due_date).days if self.overdue else 0

    def to_dict(self) -> dict:
        return {"id": self.id, "staff": self.staff_code, "full_name": self.full_name,
                "borrower_name": self.borrower_name, "borrower_unit": self.borrower_unit,
                "borrower_user": self.borrower_user, "purpose": self.purpose, "lent_on": self.lent_on,
                "due_date": self.due_date, "lent_by": self.lent_by, "returned_at": self.returned_at,
                "returned_by": self.returned_by, "open": self.open, "overdue": self.overdue,
                "days_overdue": self.days_overdue}


def today(c: Context) -> date:
    return local_date(c.clock(), c.settings.timezone)


def _view(loan: DossierLoan, staff: Staff, on: date) -> LoanView:
    return LoanView(loan.id, staff.code, staff.full_name, loan.borrower_name, loan.borrower_unit, loan.borrower_user,
                    loan.purpose, loan.lent_on, loan.due_date, loan.lent_by, loan.returned_at, loan.returned_by, on)


def _text(value: str | None, what: str, limit: int, *, needed: bool = True) -> str:
    text = " ".join(nfc(value or "").split())
    if needed and not text:
        raise InvalidInput(f"Cần nhập {what}.")
    if len(text) > limit:
        raise InvalidInput(f"{what[0].upper()}{what[1:]} tối đa {limit} ký tự.")
    return text


def _staff(s: Session, actor: Actor, code: str, action: Action) -> Staff:
    return check_staff(s, actor, s.scalar(select(Staff).where(Staff.code == code).options(selectinload(Staff.unit))),
                       action)


def open_loan_in_session(s: Session, staff: Staff, on: date) -> LoanView | None:
    loan = s.scalar(select(DossierLoan).where(DossierLoan.open_staff_id == staff.id))
    return _view(loan, staff, on) if loan is not None else None


def lend(c: Context, actor: Actor, code: str, *, borrower_name: str = "", borrower_unit: str = "",
         borrower_user: str = "", purpose: str, due_date: date | None, lent_on: date | None = None) -> LoanView:
    """Cho mượn hồ sơ giấy: one open loan per dossier (Conflict otherwise)."""
    on = today(c)
    lent_on = lent_on or on
    purpose = _text(purpose, "mục đích mượn", 1000)
    borrower_user = (borrower_user or "").strip()
    if due_date is None:
        raise InvalidInput("Cần nhập hạn trả hồ sơ.")
    if lent_on > on:
        raise InvalidInput("Ngày mượn không được sau ngày hôm nay.")
    if lent_on < on - timedelta(days=MAX_BACKDATE_DAYS):
        raise InvalidInput("Ngày mượn quá xa trong quá khứ.")
    if due_date < lent_on:
        raise InvalidInput("Hạn trả không được trước ngày mượn.")
    if due_date > lent_on + timedelta(days=MAX_LOAN_DAYS):
        raise InvalidInput(f"Thời hạn mượn tối đa {MAX_LOAN_DAYS} ngày.")
    with c.uow() as uow:
        s = uow.session
        staff = _staff(s, actor, code, Action.UPLOAD)
        if borrower_user:
            user = s.scalar(select(User).where(User.username == borrower_user))
            if user is None:
                raise NotFound(f"Không tìm thấy tài khoản {shown(borrower_user)}.")
            unit = s.get(Unit, user.unit_id)
            borrower_name = borrower_name or user.full_name or user.username
            borrower_unit = borrower_unit or (unit.name if unit else "")
        name = _text(borrower_name, "họ tên người mượn", 200)
        unit_name = _text(borrower_unit, "đơn vị của người mượn", 200)
        if s.scalar(select(DossierLoan.id).where(DossierLoan.open_staff_id == staff.id)) is not None:
            raise Conflict(f"Hồ sơ {staff.code} đang được cho mượn; cần ghi trả trước khi cho mượn tiếp.")
        loan = DossierLoan(staff_id=staff.id, open_staff_id=staff.id, borrower_name=name, borrower_unit=unit_name,
                           borrower_user=borrower_user, purpose=purpose, lent_on=lent_on, due_date=due_date,
                           lent_by=actor.name, return_note="")
        s.add(loan)
        try:
            s.flush()
        except IntegrityError:  # a concurrent loan of the same dossier won the unique open_staff_id
            raise Conflict(f"Hồ sơ {staff.code} đang được cho mượn; cần ghi trả trước khi cho mượn tiếp.") from None
        audit.append(s, actor=actor.name, ip=actor.ip, action="loan.out", target_type="staff", target_id=staff.code,
                     details={"loan": loan.id, "borrower": name, "unit": unit_name, "user": borrower_user,
                              "purpose": purpose, "lent_on": lent_on, "due": due_date})
        uow.commit()
        return _view(loan, staff, on)


def return_loan(c: Context, actor: Actor, code: str, *, note: str = "") -> LoanView:
    """Ghi trả hồ sơ giấy: closes the dossier's open loan."""
    note = _text(note, "ghi chú khi trả", 1000, needed=False)
    on = today(c)
    with c.uow() as uow:
        s = uow.session
        staff = _staff(s, actor, code, Action.UPLOAD)
        loan = s.scalar(select(DossierLoan).where(DossierLoan.open_staff_id == staff.id))
        if loan is None:
            raise Conflict(f"Hồ sơ {staff.code} không đang được cho mượn.")
        loan.open_staff_id, loan.returned_at, loan.returned_by, loan.return_note = None, c.clock(), actor.name, note
        s.flush()
        audit.append(s, actor=actor.name, ip=actor.ip, action="loan.back", target_type="staff", target_id=staff.code,
                     details={"loan": loan.id, "late_days": max(0, (on - loan.due_date).days), "note": note})
        uow.commit()
        return _view(loan, staff, on)


def loans_of_staff(c: Context, actor: Actor, code: str) -> list[LoanView]:
    on = today(c)
    with c.uow() as uow:
        s = uow.session
        staff = _staff(s, actor, code, Action.READ)
        rows = s.scalars(select(DossierLoan).where(DossierLoan.staff_id == staff.id).order_by(DossierLoan.id.desc()))
        return [_view(r, staff, on) for r in rows]


def list_loans(c: Context, actor: Actor, *, open_only: bool = False, overdue: bool = False,
               limit: int = 1000) -> list[LoanView]:
    """Loans of the dossiers in the caller's scope, newest first; `overdue`: open and past due (audited)."""
    require(actor, Action.READ)
    on = today(c)
    with c.uow() as uow:
        s = uow.session
        q = select(DossierLoan, Staff).join(Staff, Staff.id == DossierLoan.staff_id)
        if not actor.is_system:
            seen = list(s.scalars(select(Unit).where(Unit.code.in_(actor.units_for(Action.READ)))))
            if not seen:
                return []
            q = q.where(staff_seen_from(seen, actor.clearance))
        if open_only or overdue:
            q = q.where(DossierLoan.returned_at.is_(None))
        if overdue:
            q = q.where(DossierLoan.due_date < on).order_by(DossierLoan.due_date)
        else:
            q = q.order_by(DossierLoan.id.desc())
        out = [_view(loan, staff, on) for loan, staff in s.execute(q.limit(max(1, min(limit, 5000))))]
        audit.append(s, actor=actor.name, ip=actor.ip, action="loan.list", target_type="loans",
                     target_id="overdue" if overdue else ("open" if open_only else "all"), details={"count": len(out)})
        uow.commit()
        return out
