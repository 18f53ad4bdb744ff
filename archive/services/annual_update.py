"""Phiếu bổ sung lý lịch hằng năm: once a year every person in scope declares their changes.

Hà Nội QĐ 6033/2015 Đ7.2.b, Bình Tân QĐ 04/2013 Đ9.2.b and Đà Nẵng QĐ 8060/2012 Đ10.2.a have a
person's own changes (kết hôn, hộ tịch …) declared "theo định kỳ … cùng việc kê khai phiếu bổ
sung lý lịch hàng năm". The profile sets when (`annual_update_opens` MM-DD, `annual_update_days`,
`annual_update_article`; archive.services.declaration_rules.annual_rule).

A campaign (đợt kê khai) is opened for a unit's subtree in a year — by the scheduled job
`annual_update` on the profile's day (for the root unit), or by an HR officer / admin — and gives
every record in the subtree that is đang công tác a draft declaration of kind "annual". From
there it is the same flow as any declaration (archive.services.declarations: the person declares
and signs, HR verifies, the unit head approves; send-back; audit). `remind` tells each person with
an account whose phiếu is still not declared: when it opens, seven days before its due day, and
once it is overdue (notifications, unique per person and reminder, so a re-run tells no one twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.context import Context
from archive.domain import StaffStatus
from archive.errors import Conflict, InvalidInput, NotFound, shown
from archive.models import AnnualUpdateCampaign, Declaration, Notification, Staff, Unit, User
from archive.services import audit
from archive.services.access import Action, Actor, check_unit
from archive.services.declaration_rules import OPEN_STATES, AnnualRule, annual_rule
from archive.services.declarations import create_draft

REMIND_BEFORE_DAYS = 7


@dataclass(frozen=True)
class CampaignView:
    id: int
    year: int
    unit_code: str
    opens_on: date
    due_on: date
    article: str
    total: int
    declared: int      # declared, verified, approved or applied
    applied: int
    open_ids: list[int]

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["opens_on"], d["due_on"] = self.opens_on.isoformat(), self.due_on.isoformat()
        return d


def _rule(c: Context) -> AnnualRule:
    rule = annual_rule(c.settings.profile)
    if rule is None:
        raise InvalidInput("Quy định đang áp dụng không có kê khai phiếu bổ sung lý lịch hằng năm.")
    return rule


def _view(s: Session, camp: AnnualUpdateCampaign) -> CampaignView:
    rows = s.execute(select(Declaration.id, Declaration.state).where(Declaration.campaign_id == camp.id)).all()
    return CampaignView(camp.id, camp.year, camp.unit_code, camp.opens_on, camp.due_on, camp.article, len(rows),
                        sum(1 for _i, st in rows if st in ("declared", "verified", "approved", "applied")),
                        sum(1 for _i, st in rows if st == "applied"),
                        [i for i, st in rows if st in ("draft", "sent_back")])


def open_campaign(c: Context, actor: Actor, *, year: int, unit_code: str) -> CampaignView:
    """Open the year's phiếu bổ sung for `unit_code`'s subtree: one draft per record đang công tác.

    Records that already have an open declaration keep it (they are counted, not doubled).
    Conflict when the year's campaign for this unit exists."""
    rule = _rule(c)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput("Năm kê khai không hợp lệ.")
    opens = date(year, *rule.opens)
    due_on = opens + timedelta(days=rule.days)
    with c.uow() as uow:
        s = uow.session
        unit = s.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise NotFound(f"Không tìm thấy đơn vị có mã {shown(unit_code)}.")
        check_unit(s, actor, unit, Action.UPDATE)
        if s.scalar(select(AnnualUpdateCampaign.id).where(AnnualUpdateCampaign.year == year,
                                                          AnnualUpdateCampaign.unit_code == unit.code)):
            raise Conflict(f"Đợt kê khai phiếu bổ sung lý lịch năm {year} của đơn vị {unit.code} đã mở.")
        camp = AnnualUpdateCampaign(year=year, unit_code=unit.code, profile=c.settings.profile, opens_on=opens,
                                    due_on=due_on, article=rule.article, opened_by=actor.name)
        s.add(camp)
        s.flush()
        staff = s.scalars(select(Staff).where(Staff.unit_id.in_(select(Unit.id).where(Unit.path.like(f"{unit.path}%"))),
                                              Staff.status == StaffStatus.DANG_CONG_TAC.value)
                          .order_by(Staff.code)).all()
        busy = set(s.scalars(select(Declaration.staff_id).where(Declaration.staff_id.in_([x.id for x in staff]),
                                                                Declaration.state.in_(OPEN_STATES))))
        made = 0
        for st in staff:
            if st.id in busy:
                continue
            create_draft(s, st, kind="annual", event_date=opens, actor=actor, profile_code=c.settings.profile,
                         campaign_id=camp.id)
            made += 1
        audit.append(s, actor=actor.name, ip=actor.ip, action="annual_update.open", target_type="annual_update",
                     target_id=camp.id, details={"year": year, "unit": unit.code, "drafts": made,
                                                 "due": due_on.isoformat()})
        try:
            uow.commit()
        except IntegrityError:
            raise Conflict(f"Đợt kê khai phiếu bổ sung lý lịch năm {year} của đơn vị {unit.code} đã mở.") from None
        return _view(s, camp)


def campaign_status(c: Context, actor: Actor, campaign_id: int) -> CampaignView:
    with c.uow() as uow:
        s = uow.session
        camp = s.get(AnnualUpdateCampaign, campaign_id)
        if camp is None:
            raise NotFound("Không tìm thấy đợt kê khai.")
        check_unit(s, actor, s.scalar(select(Unit).where(Unit.code == camp.unit_code)), Action.READ)
        return _view(s, camp)


def due_to_open(c: Context, today: date) -> int | None:
    """The year whose campaign opens on or before `today` (within its term) under the active profile, else None."""
    rule = annual_rule(c.settings.profile)
    if rule is None:
        return None
    opens = date(today.year, *rule.opens)
    return today.year if opens <= today <= opens + timedelta(days=rule.days) else None


def remind(s: Session, today: date, now: datetime) -> int:
    """Notifications to each person whose phiếu bổ sung is not declared yet; how many were added."""
    added = 0
    for camp in s.scalars(select(AnnualUpdateCampaign).where(AnnualUpdateCampaign.opens_on <= today)):
        if today < camp.due_on - timedelta(days=REMIND_BEFORE_DAYS) and camp.last_reminder_on is not None:
            which = None
        elif today > camp.due_on:
            which = "overdue"
        elif today >= camp.due_on - timedelta(days=REMIND_BEFORE_DAYS):
            which = "soon"
        else:
            which = "open"
        pending = s.execute(select(Declaration.id, Staff.id, Staff.code)
                            .join(Staff, Staff.id == Declaration.staff_id)
                            .where(Declaration.campaign_id == camp.id, Declaration.state.in_(("draft", "sent_back")))
                            ).all()
        for decl_id, staff_id, code in pending:
            for kind in (["open"] if which is None else ["open", which]):
                for uid in s.scalars(select(User.id).where(User.staff_id == staff_id, User.revoked_at.is_(None))):
                    key = f"annual_update:{camp.id}:{decl_id}:{kind}"
                    if s.scalar(select(Notification.id).where(Notification.user_id == uid,
                                                              Notification.key == key)):
                        continue
                    title = {"open": "Mở kê khai phiếu bổ sung lý lịch", "soon": "Sắp hết hạn kê khai phiếu bổ sung lý lịch",
                             "overdue": "Quá hạn kê khai phiếu bổ sung lý lịch"}[kind]
                    s.add(Notification(user_id=uid, key=key, kind="annual_update", staff_code=code,
                                       title=f"{title} năm {camp.year}",
                                       body=f"Bản kê khai số {decl_id}. Hạn: {camp.due_on:%d/%m/%Y}. "
                                            f"Căn cứ: {camp.article}.", due=camp.due_on, created_at=now))
                    added += 1
        camp.last_reminder_on = today
    s.flush()
    return added
