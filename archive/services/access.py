"""Who may do what where: roles (vai trò) scoped to unit subtrees, clearance, and the checks.

Every service calls these first. Out-of-scope records raise NotFound (their existence is not
revealed); an action the caller's role does not allow on a visible record raises Forbidden.

Administration never reaches beyond the administrator (không vượt quyền): nobody grants,
resets, mints a token for or edits an account unless the account lies wholly inside their
own ADMINISTER scope and clearance (`check_account`), nobody gives a clearance above their
own, and the province-wide catalogs belong to the root admin, whose grant covers a root unit
(`require_root_admin`). An actor whose password is temporary (must_change_password) holds no
scope at all until they change it: every check here refuses them with PasswordChangeRequired.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session, aliased

from archive.errors import Conflict, Forbidden, NotFound
from archive.models import Delegation, Staff, Unit, User, utcnow


class PasswordChangeRequired(Forbidden):
    """The caller's password is temporary (set by an admin): only changing it, or logging out, is allowed."""


PASSWORD_CHANGE_REQUIRED = "Mật khẩu hiện tại là mật khẩu tạm thời; bạn cần đổi mật khẩu trước khi tiếp tục."


class Role(str, enum.Enum):
    ADMIN = "admin"              # Sở Nội vụ system administrator
    HR_OFFICER = "hr_officer"    # cán bộ tổ chức: read, update, transfer in scope
    ARCHIVIST = "archivist"      # văn thư lưu trữ: upload/attach scans in scope
    AUDITOR = "auditor"          # kiểm tra: read-only in scope + audit views
    UNIT_HEAD = "unit_head"      # thủ trưởng đơn vị: read, approve
    STAFF = "staff"              # the staff member: own record only


class Action(str, enum.Enum):
    READ = "read"
    SEARCH = "search"
    DOWNLOAD = "download"
    READ_SENSITIVE = "read_sensitive"
    CREATE = "create"
    UPDATE = "update"
    TRANSFER = "transfer"
    UPLOAD = "upload"
    APPROVE = "approve"
    AUDIT = "audit"
    ADMINISTER = "administer"  # units, users, catalogs


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.HR_OFFICER: frozenset({Action.READ, Action.SEARCH, Action.DOWNLOAD, Action.READ_SENSITIVE, Action.CREATE,
                                Action.UPDATE, Action.TRANSFER}),
    Role.ARCHIVIST: frozenset({Action.READ, Action.SEARCH, Action.UPLOAD}),
    Role.AUDITOR: frozenset({Action.READ, Action.SEARCH, Action.DOWNLOAD, Action.AUDIT}),
    Role.UNIT_HEAD: frozenset({Action.READ, Action.SEARCH, Action.APPROVE}),
    Role.STAFF: frozenset(),
}
OWN_RECORD_ACTIONS = frozenset({Action.READ, Action.DOWNLOAD})


@dataclass(frozen=True)
class Grant:
    role: Role
    unit_code: str


@dataclass(frozen=True)
class Actor:
    """The caller of a service: a user (via session or token) or the operator's CLI (system)."""

    name: str
    grants: tuple[Grant, ...] = ()
    clearance: int = 0
    user_id: int | None = None
    staff_id: int | None = None
    ip: str = ""
    is_system: bool = False
    credential_id: int | None = None  # the session or API token this request came with
    must_change_password: bool = False  # a temporary password: nothing but changing it is allowed

    def units_for(self, action: Action) -> frozenset[str]:
        if self.must_change_password:
            return frozenset()
        return frozenset(g.unit_code for g in self.grants if action in ROLE_ACTIONS[g.role])

    def may_somewhere(self, action: Action) -> bool:
        return self.is_system or bool(self.units_for(action))


SYSTEM = Actor(name="system", clearance=2, is_system=True)


def cli_actor() -> Actor:
    """Operators on the server act as the system; the audit log names the OS user."""
    import getpass

    return Actor(name=f"cli:{getpass.getuser()}", clearance=2, is_system=True)


def refuse_pending(actor: Actor) -> None:
    """A temporary password opens nothing but the password change (see accounts.change_password)."""
    if actor.must_change_password and not actor.is_system:
        raise PasswordChangeRequired(PASSWORD_CHANGE_REQUIRED)


def unit_ancestry(session: Session, unit: Unit) -> list[Unit]:
    """The unit and its ancestors, root first."""
    ids = [int(i) for i in unit.path.strip("/").split("/") if i]
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    return [units[i] for i in ids if i in units]


def scope_codes(session: Session, unit: Unit) -> tuple[str, ...]:
    """Codes of every unit whose subtree covers records managed by `unit`: its ancestors, and
    through active delegations (ủy quyền) of it or an ancestor, the delegate and its ancestors."""
    chain = unit_ancestry(session, unit)
    codes = [u.code for u in chain]
    delegations = session.scalars(
        select(Delegation).where(Delegation.unit_id.in_([u.id for u in chain]), Delegation.revoked_at.is_(None))
    ).all()
    for d in delegations:
        delegate = session.get(Unit, d.delegate_unit_id)
        codes += [u.code for u in unit_ancestry(session, delegate)]
    return tuple(dict.fromkeys(codes))


def check_staff(session: Session, actor: Actor, staff: Staff | None, action: Action) -> Staff:
    """NotFound when the record is outside everything the actor may see; Forbidden when it is
    visible but this action is not allowed."""
    refuse_pending(actor)
    if staff is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    if actor.is_system:
        return staff
    own = actor.staff_id is not None and actor.staff_id == staff.id
    codes = set(scope_codes(session, staff.unit))
    visible_units = actor.units_for(Action.READ)
    visible = own or (bool(codes & visible_units) and staff.restriction_level <= actor.clearance)
    if not visible:
        raise NotFound("Không tìm thấy hồ sơ.")
    if own and action in OWN_RECORD_ACTIONS:
        return staff
    if codes & actor.units_for(action) and staff.restriction_level <= actor.clearance:
        return staff
    raise Forbidden("Bạn không có quyền thực hiện thao tác này với hồ sơ này.")


def check_unit(session: Session, actor: Actor, unit: Unit | None, action: Action) -> Unit:
    """For actions on a unit itself (create staff there, administer it)."""
    refuse_pending(actor)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    if actor.is_system:
        return unit
    codes = {u.code for u in unit_ancestry(session, unit)}
    if not codes & actor.units_for(Action.READ) and not codes & actor.units_for(action):
        raise NotFound(f"Không tìm thấy đơn vị có mã {unit.code}.")
    if not codes & actor.units_for(action):
        raise Forbidden("Bạn không có quyền thực hiện thao tác này tại đơn vị này.")
    return unit


def require(actor: Actor, action: Action) -> None:
    refuse_pending(actor)
    if not actor.may_somewhere(action):
        raise Forbidden("Bạn không có quyền thực hiện thao tác này.")


def _covers(session: Session, actor: Actor, unit: Unit, action: Action) -> bool:
    return bool({u.code for u in unit_ancestry(session, unit)} & actor.units_for(action))


def check_clearance(actor: Actor, clearance: int) -> None:
    """Nobody hands out a clearance (mức tiếp cận) above their own."""
    if not actor.is_system and clearance > actor.clearance:
        raise Forbidden(f"Bạn không thể cấp mức tiếp cận {clearance}, cao hơn mức tiếp cận của chính bạn.")


def check_account(session: Session, actor: Actor, user: User | None, action: Action = Action.ADMINISTER, *,
                  whole: bool = True) -> User:
    """An account may be administered (grant, restrict, reset, token, expiry, revoke) only by an actor
    whose own scope holds the whole account: its home unit and the scope of every active grant,
    and whose clearance is at least the account's. Otherwise an admin of a district could reset
    the password of a province-wide officer homed there and act as them.

    NotFound when the account's home unit is outside the actor's sight (as for records);
    Forbidden when it is visible but reaches beyond. `whole=False` checks the home unit only
    (enough to look an account up)."""
    refuse_pending(actor)
    if user is None:
        raise NotFound("Không tìm thấy tài khoản.")
    if actor.is_system:
        return user
    home = session.get(Unit, user.unit_id)
    if not _covers(session, actor, home, action):
        if _covers(session, actor, home, Action.READ):
            raise Forbidden(f"Bạn không có quyền quản trị tài khoản {user.username}.")
        raise NotFound(f"Không tìm thấy tài khoản {user.username}.")
    if not whole:
        return user
    now = utcnow()
    for g in user.grants:
        if g.revoked_at is None and (g.expires_at is None or g.expires_at > now):
            if not _covers(session, actor, session.get(Unit, g.scope_unit_id), action):
                raise Forbidden(f"Tài khoản {user.username} có quyền vượt ra ngoài phạm vi quản trị của bạn.")
    if user.clearance > actor.clearance:
        raise Forbidden(f"Tài khoản {user.username} có mức tiếp cận cao hơn mức tiếp cận của bạn.")
    return user


def is_root_admin(session: Session, actor: Actor) -> bool:
    """The province's own admin: an ADMINISTER grant over a root unit (the operator's CLI too)."""
    if actor.is_system:
        return True
    codes = actor.units_for(Action.ADMINISTER)
    return bool(codes) and session.scalar(
        select(Unit.id).where(Unit.code.in_(codes), Unit.parent_id.is_(None)).limit(1)) is not None


def require_root_admin(session: Session, actor: Actor) -> None:
    """Province-wide data (the catalogs) is edited by the root admin only."""
    require(actor, Action.ADMINISTER)
    if not is_root_admin(session, actor):
        raise Forbidden("Chỉ quản trị viên cấp tỉnh mới sửa được danh mục dùng chung toàn tỉnh.")


def subtree_ids(units: list[Unit]) -> Select:
    """SELECT of the ids of `units` and every unit below them (by materialised path)."""
    return select(Unit.id).where(or_(*[Unit.path.like(f"{u.path}%") for u in units]))


def staff_seen_from(units: list[Unit], clearance: int) -> ColumnElement[bool]:
    """The SQL condition a staff row meets when it is managed in the subtrees of `units`, or in a
    unit that delegated to them (unit_delegations, not revoked), within `clearance` — the query
    form of check_staff, for list pages that filter in the database."""
    subtree = subtree_ids(units)
    delegator = aliased(Unit)
    delegated = (select(Unit.id).join(delegator, Unit.path.like(delegator.path.concat("%")))
                 .join(Delegation, Delegation.unit_id == delegator.id)
                 .where(Delegation.revoked_at.is_(None), Delegation.delegate_unit_id.in_(subtree)))
    return and_(or_(Staff.unit_id.in_(subtree), Staff.unit_id.in_(delegated)), Staff.restriction_level <= clearance)


def refuse_ended_unit(session: Session, unit: Unit) -> Unit:
    """Nothing new goes into a unit that was merged or dissolved (sáp nhập, giải thể): new records,
    transfers, child units and grants go to its successor (archive/services/unit_reorganisation.py)."""
    if unit.ended_at is None:
        return unit
    successor = session.get(Unit, unit.successor_id) if unit.successor_id else None
    verb = "đã sáp nhập" if unit.end_kind == "merge" else "đã giải thể"
    if successor is not None:
        raise Conflict(f"Đơn vị {unit.code} {verb} vào đơn vị {successor.code} ({successor.name}); "
                       "hãy chọn đơn vị kế thừa.")
    raise Conflict(f"Đơn vị {unit.code} {verb}; hãy chọn đơn vị khác.")
