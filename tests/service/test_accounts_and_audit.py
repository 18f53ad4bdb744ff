"""Accounts, credentials, sensitive fields and the audit chain, through the services."""

import base64
from datetime import timedelta

import pytest
from sqlalchemy import text

from archive.crypto import FieldCipher, FieldKeyError, new_key_spec
from archive.errors import Forbidden, InvalidInput, Unauthenticated
from archive.models import utcnow
from archive.services import accounts, audit
from archive.services.access import SYSTEM
from archive.services.keys import rotate_field_keys
from archive.services.staff import add_staff, get_staff
from tests.support.accounts import PASSWORD, make_user


def test_lockout_after_repeated_failures_then_even_the_right_password_waits(container):
    make_user(container, "hr1", "hr_officer", "TINH")
    for _ in range(container.settings.lockout_threshold):
        with pytest.raises(Unauthenticated, match="không đúng"):
            accounts.login(container, "hr1", "sai-mat-khau-1", ip="10.0.0.9")
    with pytest.raises(Unauthenticated, match="tạm khoá"):
        accounts.login(container, "hr1", PASSWORD)
    with container.uow() as uow:
        actions = [e.action for e in audit.query(uow.session, actor="hr1", limit=50)]
    assert actions.count("login.failure") == container.settings.lockout_threshold
    assert "login.locked" in actions


def test_revoked_user_loses_sessions_tokens_and_login(container):
    make_user(container, "vt1", "archivist", "TINH")
    session = accounts.login(container, "vt1", PASSWORD)
    api = accounts.create_api_token(container, SYSTEM, "vt1", days=30)
    assert accounts.authenticate(container, api).name == "vt1"
    accounts.revoke_user(container, SYSTEM, "vt1")
    for token in (session, api):
        with pytest.raises(Unauthenticated):
            accounts.authenticate(container, token)
    with pytest.raises(Unauthenticated):
        accounts.login(container, "vt1", PASSWORD)


def test_expired_account_and_expired_token_are_refused(container):
    make_user(container, "kt1", "auditor", "TINH")
    token = accounts.create_api_token(container, SYSTEM, "kt1", days=1)
    accounts.set_expiry(container, SYSTEM, "kt1", utcnow() - timedelta(minutes=1))
    with pytest.raises(Unauthenticated):
        accounts.authenticate(container, token)
    accounts.set_expiry(container, SYSTEM, "kt1", utcnow() + timedelta(days=30))  # gia hạn
    assert accounts.authenticate(container, token).name == "kt1"


def test_idle_session_ends_with_a_clear_message(container):
    make_user(container, "hr2", "hr_officer", "TINH")
    token = accounts.login(container, "hr2", PASSWORD)
    container.settings.session_idle_minutes = 0
    with pytest.raises(Unauthenticated, match="không hoạt động"):
        accounts.authenticate(container, token)


def test_last_use_is_written_at_most_once_a_minute_and_keeps_an_active_session_alive(container):
    make_user(container, "hr4", "hr_officer", "TINH")
    token = accounts.login(container, "hr4", PASSWORD)

    def last_used():
        with container.uow() as uow:
            return uow.session.execute(text("SELECT last_used_at FROM access_tokens ORDER BY id DESC LIMIT 1")).scalar()

    first = last_used()
    accounts.authenticate(container, token)
    assert last_used() == first  # a second request within the minute writes nothing
    earlier = (utcnow() - timedelta(minutes=5)).isoformat(sep=" ")
    with container.uow() as uow:
        uow.session.execute(text("UPDATE access_tokens SET last_used_at = :t"), {"t": earlier})
        uow.commit()
    accounts.authenticate(container, token)
    assert last_used() > earlier  # older than the precision: recorded, so idle time restarts


def test_restricting_a_role_removes_its_scope(container):
    make_user(container, "hr3", "hr_officer", "TINH")
    view = accounts.restrict_role(container, SYSTEM, "hr3", role="hr_officer", scope_code="TINH")
    assert view.roles == ()
    token = accounts.login(container, "hr3", PASSWORD)
    assert accounts.authenticate(container, token).grants == ()


def test_weak_passwords_and_bad_roles_are_refused(container):
    with pytest.raises(InvalidInput, match="ít nhất"):
        accounts.create_user(container, SYSTEM, username="abc", password="ngan1", unit_code="TINH", role="auditor")
    with pytest.raises(InvalidInput, match="Vai trò"):
        accounts.create_user(container, SYSTEM, username="abc", password=PASSWORD, unit_code="TINH", role="boss")


def test_sensitive_fields_are_encrypted_at_rest_and_shown_only_to_allowed_roles(container):
    add_staff(container, SYSTEM, code="S1", full_name="Nông Văn Dền", unit_code="TINH",
              sensitive={"id_number": "001086012345", "ethnicity": "02", "health": "Tốt"})
    with container.uow() as uow:
        raw = uow.session.execute(text("SELECT sensitive FROM staff WHERE code = 'S1'")).scalar_one()
    assert raw.startswith("v1:") and "001086012345" not in raw and "Tốt" not in raw
    make_user(container, "hr4", "hr_officer", "TINH")
    make_user(container, "vt4", "archivist", "TINH")
    hr = accounts.authenticate(container, accounts.login(container, "hr4", PASSWORD))
    vt = accounts.authenticate(container, accounts.login(container, "vt4", PASSWORD))
    assert get_staff(container, hr, "S1").sensitive["id_number"] == "001086012345"
    assert get_staff(container, vt, "S1").sensitive is None
    with pytest.raises(InvalidInput, match="id_number"):
        add_staff(container, SYSTEM, code="S2", full_name="X Y", unit_code="TINH", sensitive={"id_number": "12ab"})


def test_key_rotation_re_encrypts_so_the_old_key_can_go(container):
    add_staff(container, SYSTEM, code="S3", full_name="Lò Thị Mai", unit_code="TINH", sensitive={"religion": "01"})
    old = container.cipher
    new_spec = new_key_spec("k2")
    old_spec = f"{old.active}:{base64.b64encode(old.keys[old.active]).decode()}"
    container.__dict__["cipher"] = FieldCipher.from_spec(f"{new_spec},{old_spec}")
    assert rotate_field_keys(container, SYSTEM) == 1
    container.__dict__["cipher"] = FieldCipher.from_spec(new_spec)  # old key removed
    assert get_staff(container, SYSTEM, "S3").sensitive == {"religion": "01"}
    container.__dict__["cipher"] = FieldCipher.from_spec(old_spec)
    with pytest.raises(FieldKeyError):
        get_staff(container, SYSTEM, "S3")


def test_ciphertext_is_bound_to_its_record():
    cipher = FieldCipher.from_spec(new_key_spec())
    token = cipher.encrypt({"id_number": "001086012345"}, aad="S1")
    with pytest.raises(FieldKeyError, match="authenticate"):
        cipher.decrypt(token, aad="S2")


def test_audit_chain_detects_edits_and_removals(container):
    make_user(container, "hr5", "hr_officer", "TINH")
    with container.uow() as uow:
        assert audit.verify(uow.session).ok
        n = audit.verify(uow.session).checked
    assert n >= 2  # the unit and the user were created through audited services
    with container.uow() as uow:
        uow.session.execute(text("UPDATE audit_log SET actor = 'ke-gian' WHERE seq = 2"))
        uow.commit()
    with container.uow() as uow:
        r = audit.verify(uow.session)
    assert not r.ok and r.first_bad_seq == 2 and "sửa" in r.reason


def test_audit_chain_detects_a_removed_tail(container):
    make_user(container, "hr6", "hr_officer", "TINH")
    with container.uow() as uow:
        last = uow.session.execute(text("SELECT max(seq) FROM audit_log")).scalar_one()
        uow.session.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": last})
        uow.commit()
    with container.uow() as uow:
        r = audit.verify(uow.session)
    assert not r.ok and "xoá" in r.reason


def test_forbidden_is_not_not_found(container):
    add_staff(container, SYSTEM, code="S7", full_name="Đinh Văn Bảy", unit_code="TINH")
    make_user(container, "head7", "unit_head", "TINH")
    head = accounts.authenticate(container, accounts.login(container, "head7", PASSWORD))
    from archive.services.staff import update_staff

    with pytest.raises(Forbidden):
        update_staff(container, head, "S7", {"grade_code": "01.002"})


def test_delegation_lets_the_delegate_manage_and_the_delegator_keep_oversight(container):
    from archive.services.search import search_pages
    from archive.services.units import add_unit, delegate
    from tests.support.documents import born_digital_pdf
    import io

    from archive.services.documents import ingest_upload

    for code, parent in (("QA", "TINH"), ("XA1", "QA"), ("QC", "TINH")):
        add_unit(container, SYSTEM, code=code, name=f"Đơn vị {code}", parent_code=parent)
    add_staff(container, SYSTEM, code="X1", full_name="Vi Văn Ủy", unit_code="XA1")
    ingest_upload(container, SYSTEM, staff_code="X1", stream=io.BytesIO(born_digital_pdf(["Hồ sơ ủy quyền"])),
                  file_name="a.pdf")
    container.queue.drain()
    make_user(container, "hr_c", "hr_officer", "QC")
    make_user(container, "hr_a", "hr_officer", "QA")
    hr_c = accounts.authenticate(container, accounts.login(container, "hr_c", PASSWORD))
    hr_a = accounts.authenticate(container, accounts.login(container, "hr_a", PASSWORD))
    from archive.errors import NotFound

    with pytest.raises(NotFound):
        get_staff(container, hr_c, "X1")
    assert search_pages(container, hr_c, "uy quyen").total == 0

    delegate(container, SYSTEM, unit_code="XA1", to_code="QC")
    container.queue.drain()  # re-scopes the indexed pages
    assert get_staff(container, hr_c, "X1").code == "X1"
    assert search_pages(container, hr_c, "uy quyen").total == 1
    assert get_staff(container, hr_a, "X1").code == "X1"  # the delegating side keeps oversight
    assert search_pages(container, hr_a, "uy quyen").total == 1


def test_admin_reset_forces_a_new_password_and_users_change_their_own(container):
    make_user(container, "nv9", "auditor", "TINH")
    accounts.reset_password(container, SYSTEM, "nv9", "mat-khau-moi-99")
    with pytest.raises(Unauthenticated):
        accounts.login(container, "nv9", PASSWORD)
    me = accounts.authenticate(container, accounts.login(container, "nv9", "mat-khau-moi-99"))
    assert me.must_change_password, "a password set by someone else is temporary"
    with pytest.raises(InvalidInput, match="hiện tại"):
        accounts.change_password(container, me, "sai-mat-khau-0", "mat-khau-cua-toi-1")
    accounts.change_password(container, me, "mat-khau-moi-99", "mat-khau-cua-toi-1")
    assert accounts.login(container, "nv9", "mat-khau-cua-toi-1").startswith("ss_")


def test_revoking_a_delegation_gives_the_dossiers_back_and_is_audited(container):
    from archive.errors import NotFound
    from archive.services.search import search_pages
    from archive.services.units import add_unit, delegate, list_delegations, revoke_delegation
    from tests.support.documents import born_digital_pdf
    import io

    from archive.services.documents import ingest_upload

    for code, parent in (("QA", "TINH"), ("XA1", "QA"), ("QC", "TINH")):
        add_unit(container, SYSTEM, code=code, name=f"Đơn vị {code}", parent_code=parent)
    add_staff(container, SYSTEM, code="X1", full_name="Vi Văn Ủy", unit_code="XA1")
    ingest_upload(container, SYSTEM, staff_code="X1", stream=io.BytesIO(born_digital_pdf(["Hồ sơ ủy quyền"])),
                  file_name="a.pdf")
    make_user(container, "hr_c", "hr_officer", "QC")
    hr_c = accounts.authenticate(container, accounts.login(container, "hr_c", PASSWORD))
    delegate(container, SYSTEM, unit_code="XA1", to_code="QC")
    container.queue.drain()
    assert search_pages(container, hr_c, "uy quyen").total == 1
    assert [(d.unit_code, d.to_unit_code) for d in list_delegations(container, SYSTEM)] == [("XA1", "QC")]

    container.queue.woken.clear()
    revoke_delegation(container, SYSTEM, unit_code="XA1", to_code="QC")
    assert container.queue.woken == ["index"], "the index consumer is woken after the commit"
    container.queue.drain()
    with pytest.raises(NotFound):
        get_staff(container, hr_c, "X1")
    assert search_pages(container, hr_c, "uy quyen").total == 0
    assert list_delegations(container, SYSTEM) == []
    with pytest.raises(NotFound, match="ủy quyền"):
        revoke_delegation(container, SYSTEM, unit_code="XA1", to_code="QC")
    with container.uow() as uow:
        [entry] = audit.query(uow.session, action="unit.delegation_revoke")
        assert (entry.target_type, entry.target_id, entry.details["to"]) == ("unit", "XA1", "QC")
