"""Accounts (tài khoản): create, grant/restrict/extend, expire, revoke; log in; bearer tokens.

Accounts are granted by the Sở Nội vụ (role admin). Passwords are argon2id hashes; repeated
failures lock the account for a while; sessions end after an idle timeout; API tokens are
scoped to their user's grants, expire and can be revoked. Only token hashes are stored.

An admin administers only accounts wholly inside their own scope and clearance
(`access.check_account`). A password set by someone else — an admin's reset, or the initial
password of an account an admin made — is temporary (must_change_password): until its owner
changes it, the Actor `authenticate` returns holds no scope and every access check refuses it
(access.PasswordChangeRequired): it may change its password and log out. A reset ends every
session and token of the account; a change ends all but the one it was made with.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from archive.context import Context
from archive.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
    shown,
)
from archive.models import AccessToken, RoleGrant, Staff, Unit, User, utcnow
from archive.services import audit
from archive.services.access import (
    Action,
    Actor,
    Grant,
    Role,
    check_account,
    check_clearance,
    check_staff,
    check_unit,
    refuse_ended_unit,
    refuse_pending,
)
from archive.services.passwords import hash_password, verify_password

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")  # fullmatch: `$` would let "an\n" through
SESSION_PREFIX, API_PREFIX = "ss_", "at_"
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$uQyrQmB0dV0rP1jc1wX0tD0ETtPLqLQvJ6tB0m1n0mY"
# A token's last use is written at most this often: every request writing (and syncing) it
# cost a database commit per API call, while the idle timeout is counted in minutes.
LAST_USED_PRECISION = timedelta(seconds=60)


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(f"Vai trò không hợp lệ: {value!r}. Chọn: {', '.join(r.value for r in Role)}.") from None


@dataclass(frozen=True)
class UserView:
    username: str
    full_name: str
    unit_code: str
    roles: tuple[tuple[str, str], ...]  # (role, scope unit code) of active grants
    clearance: int
    expires_at: datetime | None
    revoked: bool
    locked: bool
    must_change_password: bool = False

    def to_dict(self) -> dict:
        return {"username": self.username, "full_name": self.full_name, "unit_code": self.unit_code,
                "roles": [{"role": r, "scope": u} for r, u in self.roles], "clearance": self.clearance,
                "expires_at": self.expires_at.isoformat() + "Z" if self.expires_at else None,
                "revoked": self.revoked, "locked": self.locked, "must_change_password": self.must_change_password}


def _active(grant: RoleGrant, now: datetime) -> bool:
    return _in_force(grant.expires_at, grant.revoked_at, now)


def _in_force(expires_at: datetime | None, revoked_at: datetime | None, now: datetime) -> bool:
    return revoked_at is None and (expires_at is None or expires_at > now)


def _view(session, user: User) -> UserView:
    now = utcnow()
    unit_codes = {u.id: u.code for u in session.scalars(select(Unit))}
    return UserView(username=user.username, full_name=user.full_name, unit_code=unit_codes[user.unit_id],
                    roles=tuple((g.role, unit_codes[g.scope_unit_id]) for g in user.grants if _active(g, now)),
                    clearance=user.clearance, expires_at=user.expires_at, revoked=user.revoked_at is not None,
                    locked=bool(user.locked_until and user.locked_until > now),
                    must_change_password=user.must_change_password)


def _user(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username).options(selectinload(User.grants)))
    if user is None:
        raise NotFound(f"Không tìm thấy tài khoản {shown(username)}.")
    return user


def _not_own(actor: Actor, user: User) -> None:
    """Nobody extends or widens their own account: a time-limited admin could otherwise keep themself on."""
    if not actor.is_system and actor.user_id == user.id:
        raise Forbidden("Bạn không thể tự gia hạn hay tự cấp quyền cho tài khoản của chính mình.")


def _unit(session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị có mã {shown(code)}.")
    return unit


def create_user(c: Context, actor: Actor, *, username: str, password: str, unit_code: str, role: str,
                scope_code: str | None = None, full_name: str = "", clearance: int = 0,
                staff_code: str | None = None, expires_at: datetime | None = None,
                must_change_password: bool | None = None) -> UserView:
    """`must_change_password` defaults to True when a person (an admin) chose the password: it is
    the account's initial password, known to someone else. The operator's CLI provisions
    accounts with passwords it was handed (scripts, integrations) and marks them temporary
    only when asked (`archive user add --temporary`)."""
    role_ = parse_role(role)
    if must_change_password is None:
        must_change_password = not actor.is_system
    if not _USERNAME.fullmatch(username or ""):
        raise InvalidInput("Tên đăng nhập: 3–64 ký tự chữ thường không dấu, số, '.', '_' hoặc '-'.")
    if not 0 <= clearance <= 2:
        raise InvalidInput("Mức tiếp cận phải là 0, 1 hoặc 2.")
    with c.uow() as uow:
        s = uow.session
        unit = _unit(s, unit_code)
        scope = _unit(s, scope_code) if scope_code else unit
        check_unit(s, actor, scope, Action.ADMINISTER)
        check_unit(s, actor, unit, Action.ADMINISTER)
        refuse_ended_unit(s, unit)
        refuse_ended_unit(s, scope)
        check_clearance(actor, clearance)
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict(f"Tài khoản {username} đã tồn tại.")
        _one_account_per_unit(c, s, unit, role_)  # the profile's account model (issue 17)
        staff_id = None
        if staff_code:
            staff = s.scalar(select(Staff).where(Staff.code == staff_code))
            if staff is None:
                raise NotFound(f"Không tìm thấy cán bộ có mã {shown(staff_code)}.")
            # an own-record account opens that record to its holder: only for records the admin manages
            staff_id = check_staff(s, actor, staff, Action.ADMINISTER).id
        elif role_ is Role.STAFF:
            raise InvalidInput("Tài khoản vai trò staff phải gắn với một cán bộ (--staff-code).")
        user = User(username=username, full_name=full_name, unit_id=unit.id, staff_id=staff_id,
                    password_hash=hash_password(password, username=username, full_name=full_name),
                    clearance=clearance, expires_at=expires_at, must_change_password=must_change_password)
        user.grants.append(RoleGrant(role=role_.value, scope_unit_id=scope.id, granted_by=actor.name,
                                     expires_at=expires_at))
        s.add(user)
        s.flush()
        audit.append(s, actor=actor.name, ip=actor.ip, action="user.create", target_type="user", target_id=username,
                     details={"unit": unit_code, "role": role_.value, "scope": scope.code, "clearance": clearance,
                              "must_change_password": must_change_password})
        uow.commit()
        return _view(s, user)


def _one_account_per_unit(c: Context, s, unit: Unit, role: Role) -> None:  # noqa: ANN001
    """Where the profile's account model is per unit (Hà Nội Đ5.3 "Mỗi đơn vị được cấp một tài khoản",
    Đà Nẵng, Lạng Sơn, Bình Tân), a unit holds one active account of each role: a second is a Conflict."""
    from archive.services.office_calendar import active_profile

    profile = active_profile(c)
    if profile.account_model != "per_unit":
        return
    now = utcnow()
    taken = s.scalar(select(User.username).join(RoleGrant, RoleGrant.user_id == User.id).where(
        User.unit_id == unit.id, User.revoked_at.is_(None), RoleGrant.role == role.value,
        RoleGrant.revoked_at.is_(None), (RoleGrant.expires_at.is_(None)) | (RoleGrant.expires_at > now)).limit(1))
    if taken is not None:
        source = profile.regulation.split(" (")[0]
        raise Conflict(f"Theo {profile.account_model_article or 'quy định'} {source}, mỗi đơn vị được cấp một tài "
                       f"khoản: đơn vị {unit.code} đã có tài khoản {taken} với vai trò {role.value}.")


def grant_role(c: Context, actor: Actor, username: str, *, role: str, scope_code: str,
               expires_at: datetime | None = None) -> UserView:
    role_ = parse_role(role)
    with c.uow() as uow:
        s = uow.session
        user = check_account(s, actor, _user(s, username))
        _not_own(actor, user)
        scope = refuse_ended_unit(s, check_unit(s, actor, _unit(s, scope_code), Action.ADMINISTER))
        user.grants.append(RoleGrant(role=role_.value, scope_unit_id=scope.id, granted_by=actor.name,
                                     expires_at=expires_at))
        audit.append(s, actor=actor.name, ip=actor.ip, action="user.grant", target_type="user", target_id=username,
                     details={"role": role_.value, "scope": scope_code, "expires_at": expires_at})
        uow.commit()
        return _view(s, user)


def restrict_role(c: Context, actor: Actor, username: str, *, role: str, scope_code: str) -> UserView:
    """Withdraw one role over one scope (thu hẹp quyền)."""
    role_ = parse_role(role)
    with c.uow() as uow:
        s = uow.session
        user = check_account(s, actor, _user(s, username))
        scope = check_unit(s, actor, _unit(s, scope_code), Action.ADMINISTER)
        now = utcnow()
        hit = [g for g in user.grants if g.role == role_.value and g.scope_unit_id == scope.id and _active(g, now)]
        if not hit:
            raise NotFound(f"Tài khoản {shown(username)} không có vai trò {role_.value} tại {shown(scope_code)}.")
        for g in hit:
            g.revoked_at = now
        audit.append(s, actor=actor.name, ip=actor.ip, action="user.restrict", target_type="user", target_id=username,
                     details={"role": role_.value, "scope": scope_code})
        uow.commit()
        return _view(s, user)


def set_expiry(c: Context, actor: Actor, username: str, expires_at: datetime | None) -> UserView:
    """Set or extend (gia hạn) an account's expiry; None means no expiry."""
    with c.uow() as uow:
        s = uow.session
        user = check_account(s, actor, _user(s, username))
        _not_own(actor, user)
        before = user.expires_at
        user.expires_at = expires_at
        audit.append(s, actor=actor.name, ip=actor.ip, action="user.expiry", target_type="user", target_id=username,
                     details={"before": before, "after": expires_at})
        uow.commit()
        return _view(s, user)


def revoke_user(c: Context, actor: Actor, username: str, *, reason: str = "") -> None:
    with c.uow() as uow:
        s = uow.session
        user = check_account(s, actor, _user(s, username))
        _revoke(s, user, actor, reason or "thu hồi bởi quản trị")
        uow.commit()


def _revoke(session, user: User, actor: Actor, reason: str) -> None:
    now = utcnow()
    user.revoked_at = now
    session.execute(update(AccessToken).where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
                    .values(revoked_at=now))
    audit.append(session, actor=actor.name, ip=actor.ip, action="user.revoke", target_type="user",
                 target_id=user.username, details={"reason": reason})


def revoke_accounts_of_staff(session, staff_id: int, actor: Actor, reason: str) -> list[str]:
    """Called inside a transfer's transaction: the person's own account stops working."""
    users = session.scalars(select(User).where(User.staff_id == staff_id, User.revoked_at.is_(None))).all()
    for u in users:
        _revoke(session, u, actor, reason)
    return [u.username for u in users]


def _end_credentials(session, user_id: int, *, keep: int | None = None) -> int:
    """Revoke every live session and API token of a user (but `keep`); how many ended."""
    stmt = update(AccessToken).where(AccessToken.user_id == user_id, AccessToken.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(AccessToken.id != keep)
    return session.execute(stmt.values(revoked_at=utcnow())).rowcount or 0


def reset_password(c: Context, actor: Actor, username: str, new_password: str) -> None:
    """Đặt lại mật khẩu: the new password is temporary, and whoever held the account is signed out."""
    with c.uow() as uow:
        s = uow.session
        user = check_account(s, actor, _user(s, username))
        user.password_hash = hash_password(new_password, username=user.username, full_name=user.full_name)
        user.failed_logins, user.locked_until, user.must_change_password = 0, None, True
        ended = _end_credentials(s, user.id)
        audit.append(s, actor=actor.name, ip=actor.ip, action="user.password_reset", target_type="user",
                     target_id=username, details={"ended_credentials": ended})
        uow.commit()


def change_password(c: Context, actor: Actor, old_password: str, new_password: str) -> None:
    """Đổi mật khẩu: ends the account's other sessions and tokens; the one in use goes on."""
    if actor.user_id is None:
        raise Forbidden("Chỉ người dùng đã đăng nhập mới đổi được mật khẩu của mình.")
    with c.uow() as uow:
        s = uow.session
        user = s.get(User, actor.user_id)
        if not verify_password(user.password_hash, old_password):
            raise InvalidInput("Mật khẩu hiện tại không đúng.")
        if new_password == old_password:
            raise InvalidInput("Mật khẩu mới phải khác mật khẩu hiện tại.")
        user.password_hash = hash_password(new_password, username=user.username, full_name=user.full_name)
        user.must_change_password = False
        ended = _end_credentials(s, user.id, keep=actor.credential_id)
        audit.append(s, actor=actor.name, ip=actor.ip, action="user.password_change", target_type="user",
                     target_id=user.username, details={"ended_credentials": ended})
        uow.commit()


# -- authentication -----------------------------------------------------------
def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _usable(user: User, now: datetime) -> bool:
    return user.revoked_at is None and (user.expires_at is None or user.expires_at > now)


def login(c: Context, username: str, password: str, *, ip: str = "") -> str:
    """Check the password; return a new session token. Every attempt is audited."""
    s_ = c.settings
    now = utcnow()
    with c.uow() as uow:
        s = uow.session
        user = s.scalar(select(User).where(User.username == username))
        failure = None
        if user is None:
            verify_password(_DUMMY_HASH, password)  # same work as a real check: no timing hint
            failure = "unknown user"
        elif user.locked_until and user.locked_until > now:
            audit.append(s, actor=username, ip=ip, action="login.locked", target_type="user", target_id=username)
            uow.commit()
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            raise Unauthenticated(f"Tài khoản tạm khoá do nhập sai mật khẩu nhiều lần; thử lại sau {minutes} phút.")
        elif not verify_password(user.password_hash, password):
            user.failed_logins += 1
            failure = "wrong password"
            if user.failed_logins >= s_.lockout_threshold:
                user.locked_until = now + timedelta(minutes=s_.lockout_minutes)
                user.failed_logins = 0
                failure = "wrong password; locked"
        elif not _usable(user, now):
            failure = "revoked or expired"
        if failure:
            audit.append(s, actor=username, ip=ip, action="login.failure", target_type="user", target_id=username,
                         details={"reason": failure})
            uow.commit()
            raise Unauthenticated("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị thu hồi.")
        user.failed_logins = 0
        token = SESSION_PREFIX + secrets.token_urlsafe(32)
        s.add(AccessToken(user_id=user.id, kind="session", token_hash=_hash_token(token), last_used_at=now))
        audit.append(s, actor=username, ip=ip, action="login.success", target_type="user", target_id=username)
        uow.commit()
        return token


def create_api_token(c: Context, actor: Actor, username: str, *, days: int | None = 90, name: str = "") -> str:
    """A bearer token for integrations. People (an admin, or the user for themself) get at most
    ARCHIVE_API_TOKEN_MAX_DAYS and never an endless one; the operator's CLI is not capped."""
    if days is not None and not 1 <= days <= 3650:
        raise InvalidInput("Thời hạn token phải từ 1 đến 3650 ngày.")
    most = c.settings.api_token_max_days
    if not actor.is_system and (days is None or days > most):
        raise InvalidInput(f"Token API phải có thời hạn, tối đa {most} ngày.")
    with c.uow() as uow:
        s = uow.session
        user = _user(s, username)
        refuse_pending(actor)  # not even for themself: a temporary password mints nothing
        if actor.user_id != user.id:
            check_account(s, actor, user)
        if not _usable(user, utcnow()):
            raise InvalidInput(f"Tài khoản {username} đã bị thu hồi hoặc hết hạn.")
        token = API_PREFIX + secrets.token_urlsafe(32)
        expires = utcnow() + timedelta(days=days) if days else None
        s.add(AccessToken(user_id=user.id, kind="api", token_hash=_hash_token(token), name=name, expires_at=expires))
        audit.append(s, actor=actor.name, ip=actor.ip, action="token.create", target_type="user", target_id=username,
                     details={"expires_at": expires, "name": name})
        uow.commit()
        return token


def revoke_token(c: Context, token: str) -> None:
    with c.uow() as uow:
        uow.session.execute(update(AccessToken).where(AccessToken.token_hash == _hash_token(token))
                            .values(revoked_at=utcnow()))
        uow.commit()


def authenticate(c: Context, token: str, *, ip: str = "") -> Actor:
    """The Actor behind a bearer token (session or API); Unauthenticated otherwise.

    For an account with a temporary password the Actor carries `must_change_password`: it
    holds no scope, and every access check refuses it with PasswordChangeRequired."""
    now = utcnow()
    idle = timedelta(minutes=c.settings.session_idle_minutes)
    with c.uow() as uow:
        s = uow.session
        # two queries per request (token with its account, then the grants with their units'
        # codes): this runs before every API call, a search included
        found = s.execute(select(AccessToken, User).join(User, User.id == AccessToken.user_id)
                          .where(AccessToken.token_hash == _hash_token(token or ""))).first()
        row, user = found if found is not None else (None, None)
        if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
            raise Unauthenticated("Phiên làm việc không hợp lệ hoặc đã hết hạn; hãy đăng nhập lại.")
        if row.kind == "session" and now - row.last_used_at > idle:
            row.revoked_at = now
            uow.commit()
            raise Unauthenticated("Phiên làm việc đã hết hạn do không hoạt động; hãy đăng nhập lại.")
        if not _usable(user, now):
            raise Unauthenticated("Tài khoản đã bị thu hồi hoặc hết hạn.")
        actor = Actor(name=user.username, grants=_active_grants(s, user.id, now), clearance=user.clearance,
                      user_id=user.id, staff_id=user.staff_id, ip=ip, credential_id=row.id,
                      must_change_password=user.must_change_password)
        if now - row.last_used_at >= LAST_USED_PRECISION:
            row.last_used_at = now
            uow.commit()
        return actor


def _active_grants(s, user_id: int, now: datetime) -> tuple[Grant, ...]:
    rows = s.execute(select(RoleGrant.role, Unit.code, RoleGrant.expires_at, RoleGrant.revoked_at)
                     .join(Unit, Unit.id == RoleGrant.scope_unit_id)
                     .where(RoleGrant.user_id == user_id).order_by(RoleGrant.id)).all()
    return tuple(Grant(Role(role), code) for role, code, expires_at, revoked_at in rows
                 if _in_force(expires_at, revoked_at, now))


def get_user(c: Context, actor: Actor, username: str) -> UserView:
    with c.uow() as uow:
        s = uow.session
        user = _user(s, username)
        if actor.user_id != user.id:
            check_account(s, actor, user, whole=False)
        return _view(s, user)


def ensure_first_admin(c: Context, *, username: str, password: str, root_code: str, root_name: str) -> bool:
    """`archive init`: create the root unit and the first admin once. True if created now."""
    from archive.services.access import cli_actor
    from archive.services.units import add_unit

    with c.uow() as uow:
        if uow.session.scalar(select(User.id).limit(1)) is not None:
            return False
        has_root = uow.session.scalar(select(Unit.id).where(Unit.code == root_code)) is not None
    if not has_root:
        add_unit(c, cli_actor(), code=root_code, name=root_name)
    # not temporary: the password is the operator's (ARCHIVE_ADMIN_PASSWORD, or printed once on their console)
    create_user(c, cli_actor(), username=username, password=password, unit_code=root_code, role=Role.ADMIN.value,
                full_name="Quản trị hệ thống", clearance=2, must_change_password=False)
    return True


def unlock_user(c: Context, actor: Actor, username: str) -> UserView:
    """Lift a lockout (mở khoá) after repeated wrong passwords; the password itself is unchanged."""
    with c.uow() as uow:
        s = uow.session
        user = check_account(s, actor, _user(s, username))
        before = user.locked_until
        user.locked_until, user.failed_logins = None, 0
        audit.append(s, actor=actor.name, ip=actor.ip, action="user.unlock", target_type="user", target_id=username,
                     details={"locked_until": before})
        uow.commit()
        return _view(s, user)
