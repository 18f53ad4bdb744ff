"""Thông báo: warnings told to the people who act on them, in the app and (optionally) by e-mail.

Who is told: every account not revoked holding an active HR officer (cán bộ tổ chức) or unit head
(thủ trưởng đơn vị) grant whose scope covers the record (its unit's ancestors and delegations,
archive.services.access.scope_codes) and whose clearance reaches the record's restriction level.
A notification is unique per (user, warning key): the daily `warnings` job may run any number
of times and tells each person each thing once (`notify`). A user reads only their own
notifications; marking one read and setting one's e-mail address are audited.

E-mail: `pending_mail` lists what is unread, not yet sent, to users with an address enabled;
the `notify_mail` job sends it (archive.services.mailer) and records each sent message at once
(a message that left cannot be unsent, so it is never sent twice); a refused address is recorded
on the notification and not retried; a server that is down fails the job, which is retried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.errors import InvalidInput, NotFound
from archive.models import Notification, NotificationEmail, RoleGrant, Staff, Unit, User
from archive.services import audit
from archive.services.access import Actor, Role, refuse_pending, scope_codes
from archive.services.mailer import Mail
from archive.services.warnings import Warning

NOTIFIED_ROLES = (Role.HR_OFFICER.value, Role.UNIT_HEAD.value)
_ADDRESS = re.compile(r"[^@\s<>,;\"]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}|[^@\s<>,;\"]{1,64}@localhost")
MAIL_PREFIX = "[Hồ sơ CBCCVC]"


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    staff_code: str
    title: str
    body: str
    due: str | None
    created_at: datetime
    read: bool
    emailed: bool

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "staff_code": self.staff_code, "title": self.title,
                "body": self.body, "due": self.due, "created_at": self.created_at.isoformat() + "Z",
                "read": self.read, "emailed": self.emailed}


def _view(n: Notification) -> NotificationView:
    return NotificationView(n.id, n.kind, n.staff_code, n.title, n.body, n.due.isoformat() if n.due else None,
                            n.created_at, n.read_at is not None, n.emailed_at is not None)


def body_of(w: Warning) -> str:
    return f"{w.detail} Hạn: {w.due:%d/%m/%Y}. Căn cứ: {w.article}. Đơn vị: {w.unit_name} ({w.unit_code})."


def recipients(s: Session, unit: Unit, restriction_level: int, now: datetime) -> list[int]:
    """Ids of the accounts told about a record managed by `unit` (see the module docstring)."""
    codes = scope_codes(s, unit)
    q = (select(User.id).join(RoleGrant, RoleGrant.user_id == User.id).join(Unit, Unit.id == RoleGrant.scope_unit_id)
         .where(User.revoked_at.is_(None), (User.expires_at.is_(None)) | (User.expires_at > now),
                RoleGrant.revoked_at.is_(None), (RoleGrant.expires_at.is_(None)) | (RoleGrant.expires_at > now),
                RoleGrant.role.in_(NOTIFIED_ROLES), Unit.code.in_(codes), User.clearance >= restriction_level)
         .distinct())
    return sorted(s.scalars(q))


def plan(s: Session, warnings: list[Warning], now: datetime) -> list[tuple[int, Warning]]:
    """(user id, warning) pairs to tell, before de-duplication."""
    units: dict[tuple[int, int], list[int]] = {}
    out: list[tuple[int, Warning]] = []
    levels = dict(s.execute(select(Staff.id, Staff.restriction_level)
                            .where(Staff.id.in_({w.staff_id for w in warnings}))).all()) if warnings else {}
    unit_of = dict(s.execute(select(Staff.id, Staff.unit_id)
                             .where(Staff.id.in_({w.staff_id for w in warnings}))).all()) if warnings else {}
    for w in warnings:
        cache_key = (unit_of[w.staff_id], levels[w.staff_id])
        if cache_key not in units:
            units[cache_key] = recipients(s, s.get(Unit, unit_of[w.staff_id]), levels[w.staff_id], now)
        out.extend((uid, w) for uid in units[cache_key])
    return out


def notify(s: Session, pairs: list[tuple[int, Warning]], now: datetime) -> int:
    """Add the notifications not told yet (unique per user and key); how many were added."""
    if not pairs:
        return 0
    told = set()
    keys = list({w.key for _u, w in pairs})
    for i in range(0, len(keys), 500):
        told |= set(s.execute(select(Notification.user_id, Notification.key)
                              .where(Notification.key.in_(keys[i:i + 500]))).all())
    added = 0
    for uid, w in pairs:
        if (uid, w.key) in told:
            continue
        told.add((uid, w.key))
        s.add(Notification(user_id=uid, key=w.key, kind=w.kind, staff_code=w.staff_code, title=w.title[:300],
                           body=body_of(w), due=w.due, created_at=now))
        added += 1
    s.flush()
    return added


def _own(actor: Actor) -> int:
    refuse_pending(actor)
    if actor.user_id is None:
        raise InvalidInput("Thông báo gắn với một tài khoản; hãy chọn tài khoản (--user).")
    return actor.user_id


def list_notifications(c: Context, actor: Actor, *, unread: bool = False, limit: int = 100) -> list[NotificationView]:
    """The actor's own notifications, newest first."""
    uid = _own(actor)
    if not 1 <= limit <= 1000:
        raise InvalidInput("Số dòng phải từ 1 đến 1000.")
    q = select(Notification).where(Notification.user_id == uid).order_by(Notification.id.desc()).limit(limit)
    if unread:
        q = q.where(Notification.read_at.is_(None))
    with c.uow() as uow:
        return [_view(n) for n in uow.session.scalars(q)]


def unread_count(c: Context, actor: Actor) -> int:
    if actor.user_id is None or actor.must_change_password:
        return 0
    with c.uow() as uow:
        return uow.session.scalar(select(func.count(Notification.id)).where(
            Notification.user_id == actor.user_id, Notification.read_at.is_(None))) or 0


def mark_read(c: Context, actor: Actor, notification_id: int) -> NotificationView:
    uid = _own(actor)
    with c.uow() as uow:
        s = uow.session
        # an id no INTEGER column holds names nothing (SQLite overflows, PostgreSQL refuses the value)
        n = s.get(Notification, notification_id) if 0 < notification_id < 2**31 else None
        if n is None or n.user_id != uid:
            raise NotFound("Không tìm thấy thông báo.")
        if n.read_at is None:
            n.read_at = c.clock()
            audit.append(s, actor=actor.name, ip=actor.ip, action="notification.read", target_type="notification",
                         target_id=n.id, details={"key": n.key})
        view = _view(n)
        uow.commit()
    return view


def email_of(c: Context, actor: Actor) -> tuple[str, bool]:
    uid = _own(actor)
    with c.uow() as uow:
        row = uow.session.get(NotificationEmail, uid)
        return (row.address, row.enabled) if row else ("", False)


def set_email(c: Context, actor: Actor, address: str, *, enabled: bool = True) -> None:
    """The actor's own address for notifications ("" removes it)."""
    uid = _own(actor)
    address = (address or "").strip()
    if address and (len(address) > 254 or not _ADDRESS.fullmatch(address)):
        raise InvalidInput("Địa chỉ thư điện tử không hợp lệ.")
    with c.uow() as uow:
        s = uow.session
        row = s.get(NotificationEmail, uid)
        if not address:
            if row is not None:
                s.delete(row)
        elif row is None:
            s.add(NotificationEmail(user_id=uid, address=address, enabled=enabled))
        else:
            row.address, row.enabled = address, enabled
        audit.append(s, actor=actor.name, ip=actor.ip, action="notification.email", target_type="user",
                     target_id=actor.name, details={"enabled": bool(address) and enabled})
        uow.commit()


def set_email_of(c: Context, username: str, address: str) -> None:
    """The operator sets someone's address (CLI on the server)."""
    with c.uow() as uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"Không tìm thấy tài khoản {username[:40]}.")
        actor = Actor(name=user.username, user_id=user.id)
    set_email(c, actor, address)


def actor_of(c: Context, username: str) -> Actor:
    """An Actor standing for one account, to list its notifications from the CLI."""
    with c.uow() as uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"Không tìm thấy tài khoản {username[:40]}.")
        return Actor(name=f"cli:{user.username}", user_id=user.id)


@dataclass(frozen=True)
class PendingMail:
    notification_id: int
    mail: Mail


def pending_mail(s: Session, limit: int = 500) -> list[PendingMail]:
    rows = s.execute(select(Notification, NotificationEmail.address)
                     .join(NotificationEmail, NotificationEmail.user_id == Notification.user_id)
                     .where(NotificationEmail.enabled.is_(True), Notification.read_at.is_(None),
                            Notification.emailed_at.is_(None), Notification.mail_error.is_(None))
                     .order_by(Notification.id).limit(limit)).all()
    return [PendingMail(n.id, Mail(to=address, subject=f"{MAIL_PREFIX} {n.title}",
                                   body=f"{n.title}\n\n{n.body}\n\nXem trong phần mềm: trang Thông báo (/thong-bao).\n"))
            for n, address in rows]


def record_sent(c: Context, notification_id: int) -> None:
    with c.uow() as uow:
        n = uow.session.get(Notification, notification_id)
        if n is not None:
            n.emailed_at = c.clock()
        uow.commit()


def record_refused(c: Context, notification_id: int, reason: str) -> None:
    with c.uow() as uow:
        n = uow.session.get(Notification, notification_id)
        if n is not None:
            n.mail_error = reason[:500]
        uow.commit()


__all__ = ["NotificationView", "list_notifications", "mark_read", "notify", "pending_mail", "plan", "recipients",
           "set_email", "unread_count"]
