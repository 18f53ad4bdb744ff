"""Kê khai → xác thực → phê duyệt (TP.HCM QĐ 51/2024 Đ7.2): a person's declaration of their own record.

The person edits the fields the profile lets them declare; the change is **pending, never live**:
it sits in `declarations.changes` until the head of unit approves, and only then goes into the
record through `staff.update_staff` (the one update path; its audit entry names the approver).

Each step adds a PAdES signature to the declaration's PDF/A-2b (archive.services.signing):
the person's (kê khai), the HR head's or the Sở Nội vụ officer's (xác thực), the head of unit's
or the Giám đốc Sở Nội vụ's (phê duyệt). A step is signed either here with a PKCS#12 (uploaded
now or kept by the admin, its password typed now), or elsewhere (USB token): the signer downloads
the PDF, signs it, uploads it; the archive checks the upload adds one signature over exactly the
bytes it issued, chaining to a trusted root, by a certificate registered to that signer.
Verify and approve may send the declaration back with a reason. Every step is audited in its
transaction and scoped by the organisation tree; its day is what the deadline dashboard reads
(events `declared`, `verified`, `declared_change`; archive.services.declaration_events).

Routing by diện quản lý (profile field `management_category`): "btv_thanh_uy" → the step needs
the role's grant at the root of the record's tree (Sở Nội vụ); otherwise a grant covering the
record's unit (its HR head: role hr_officer; its head: unit_head).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.context import Context
from archive.errors import Conflict, Forbidden, InvalidInput, NotFound, shown
from archive.models import Declaration, DeclarationEvidence, DeclarationSignature, Staff, User, utcnow
from archive.services import audit, certificates, signing
from archive.services.access import Action, Actor, check_staff, unit_ancestry
from archive.services.declaration_pdf import DeclarationSheet, FieldChange, render
from archive.services.declaration_rules import (
    KINDS,
    OPEN_STATES,
    SIGNATURE_FIELDS,
    STEP_LABELS,
    declarable_fields,
    field_label,
    next_state,
    route_of,
)
from archive.services.declaration_views import DeclarationView, view_of
from archive.services.office_calendar import active_profile
from archive.services.staff import load_staff, update_staff
from archive.services.staff_profile import StaffProfile

PDF = "application/pdf"
STEP_OF_STATE = {"draft": "declare", "sent_back": "declare", "declared": "verify", "verified": "approve"}
EVIDENCE_TYPES = {"application/pdf": (b"%PDF-",), "image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG",),
                  "image/tiff": (b"II*\x00", b"MM\x00*")}
STEP_ACTION = {"verify": Action.UPDATE, "approve": Action.APPROVE}


def _store(c: Context):  # noqa: ANN202
    """Signed declarations and their evidence are originals (Đ9.4: a signed export is worth the paper):
    kept in the originals' store, so backups and the fixity cycle cover them like any scan."""
    return c.store


def _load(s: Session, declaration_id: int) -> Declaration:
    d = s.get(Declaration, declaration_id) if isinstance(declaration_id, int) else None
    if d is None:
        raise NotFound(f"Không tìm thấy bản kê khai số {shown(declaration_id)}.")
    return d


def _staff(s: Session, d: Declaration) -> Staff:
    return s.scalar(select(Staff).where(Staff.id == d.staff_id).options(selectinload(Staff.unit)))


def _visible(s: Session, actor: Actor, d: Declaration) -> Staff:
    """The declaration's record, when the actor may see it (own, or READ in scope); NotFound otherwise."""
    return check_staff(s, actor, _staff(s, d), Action.READ)


def _own(s: Session, actor: Actor, d: Declaration) -> Staff:
    staff = _visible(s, actor, d)
    if actor.staff_id != staff.id:
        raise Forbidden("Chỉ chính người có hồ sơ mới được kê khai và ký bản kê khai này.")
    return staff


def check_step(s: Session, actor: Actor, d: Declaration, step: str) -> Staff:
    """The actor may do `step` (declare, verify, approve, send back at verify/approve) on `d`."""
    if step == "declare":
        return _own(s, actor, d)
    staff = _visible(s, actor, d)
    if actor.staff_id is not None and actor.staff_id == staff.id:
        raise Forbidden("Không được tự xác thực hoặc phê duyệt bản kê khai của chính mình.")
    action = STEP_ACTION[step]
    if actor.is_system:
        return staff
    if d.route == "so_noi_vu":
        root = unit_ancestry(s, staff.unit)[0]
        if root.code not in actor.units_for(action) or staff.restriction_level > actor.clearance:
            raise Forbidden("Hồ sơ thuộc diện Ban Thường vụ Thành ủy quản lý: bước này do Sở Nội vụ thực hiện.")
        return staff
    check_staff(s, actor, staff, action)
    if step == "approve" and d.verified_by == actor.name:
        raise Forbidden("Người phê duyệt phải khác người đã xác thực.")
    return staff


def _approved_values(staff: Staff, fields: tuple[str, ...]) -> dict:
    profile = staff.profile or {}
    return {k: profile.get(k, "") for k in fields}


def _as_text(value: object) -> str:
    return "" if value is None else str(value)


def open_declaration(c: Context, actor: Actor, *, kind: str = "initial", event_date: date | None = None,
                     note: str = "") -> DeclarationView:
    """A new draft of the actor's own record; Conflict when one is already open."""
    if kind not in ("initial", "change"):
        raise InvalidInput("Loại kê khai không hợp lệ; chọn một trong: initial, change.")
    if actor.staff_id is None:
        raise Forbidden("Tài khoản của bạn không gắn với hồ sơ cán bộ nào để kê khai.")
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, s.get(Staff, actor.staff_id), Action.READ)
        d = create_draft(s, staff, kind=kind, event_date=event_date or c.clock().date(), actor=actor,
                         profile_code=c.settings.profile, note=note)
        uow.commit()
        return view_of(c, s, actor, d)


def create_draft(s: Session, staff: Staff, *, kind: str, event_date: date, actor: Actor, profile_code: str,
                 campaign_id: int | None = None, note: str = "") -> Declaration:
    """Insert a draft for `staff` (in the caller's transaction, audited); Conflict when one is open."""
    if s.scalar(select(Declaration.id).where(Declaration.staff_id == staff.id,
                                             Declaration.state.in_(OPEN_STATES))) is not None:
        raise Conflict(f"Hồ sơ {staff.code} đang có một bản kê khai chưa hoàn thành.")
    fields = declarable_fields(profile_code)
    d = Declaration(staff_id=staff.id, kind=kind, campaign_id=campaign_id, state="draft",
                    route=route_of((staff.profile or {}).get("management_category", "")), event_date=event_date,
                    changes={}, baseline=_approved_values(staff, fields), note=note[:2000])
    s.add(d)
    s.flush()
    audit.append(s, actor=actor.name, ip=actor.ip, action="declaration.open", target_type="declaration",
                 target_id=d.id, details={"staff": staff.code, "kind": kind, "route": d.route})
    return d


def save_draft(c: Context, actor: Actor, declaration_id: int, values: dict, *, note: str | None = None) -> DeclarationView:
    """The person's declared values (only declarable fields; validated as the record's own fields)."""
    if not isinstance(values, dict):
        raise InvalidInput("Nội dung kê khai phải là danh sách trường và giá trị.")
    fields = declarable_fields(c.settings.profile)
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise InvalidInput(f"Không được tự kê khai trường: {', '.join(shown(k) for k in unknown)}.")
    with c.uow() as uow:
        s = uow.session
        d = _load(s, declaration_id)
        staff = _own(s, actor, d)
        d.state = next_state(d.state, "edit")
        merged = {**(staff.profile or {}), **{k: v for k, v in d.changes.items()}, **values}
        checked = _validated_profile(merged)
        d.changes = {k: checked.get(k, "") for k in fields
                     if _as_text(checked.get(k, "")) != _as_text(d.baseline.get(k, ""))}
        if note is not None:
            d.note = str(note)[:2000]
        d.pdf_sha256 = d.issued_sha256 = ""
        audit.append(s, actor=actor.name, ip=actor.ip, action="declaration.edit", target_type="declaration",
                     target_id=d.id, details={"fields": sorted(d.changes)})
        uow.commit()
        return view_of(c, s, actor, d)


def _validated_profile(data: dict) -> dict:
    from pydantic import ValidationError

    from archive.services.staff_profile import describe_errors

    try:
        return StaffProfile.model_validate({k: v for k, v in data.items() if v not in (None,)}).model_dump(mode="json")
    except ValidationError as exc:
        raise InvalidInput(describe_errors(exc.errors(), prefix=("profile",))) from None


def add_evidence(c: Context, actor: Actor, declaration_id: int, *, filename: str, content_type: str,
                 data: bytes) -> DeclarationView:
    """Tài liệu kiểm chứng (a scan of the original) attached by the person to their draft."""
    if not data:
        raise InvalidInput("Tệp tài liệu kiểm chứng rỗng.")
    if len(data) > c.settings.declaration_evidence_max_bytes:
        raise InvalidInput("Tệp tài liệu kiểm chứng vượt quá dung lượng cho phép.")
    magic = EVIDENCE_TYPES.get(content_type)
    if magic is None or not data.startswith(magic):  # the bytes must be what the type says
        raise InvalidInput("Tài liệu kiểm chứng phải là tệp PDF, JPEG, PNG hoặc TIFF.")
    with c.uow() as uow:
        s = uow.session
        d = _load(s, declaration_id)
        _own(s, actor, d)
        next_state(d.state, "edit")
        info = _store(c).put_stream(io.BytesIO(data), content_type=content_type)
        name = "".join(ch for ch in str(filename or "tai-lieu") if ch.isprintable())[:200] or "tai-lieu"
        s.add(DeclarationEvidence(declaration_id=d.id, filename=name, content_type=content_type, sha256=info.key,
                                  size=len(data), uploaded_by=actor.name))
        d.pdf_sha256 = d.issued_sha256 = ""  # the PDF lists the evidence: a new one is rendered
        audit.append(s, actor=actor.name, ip=actor.ip, action="declaration.evidence", target_type="declaration",
                     target_id=d.id, details={"file": name, "sha256": info.key})
        uow.commit()
        return view_of(c, s, actor, d)


def evidence_file(c: Context, actor: Actor, declaration_id: int, evidence_id: int) -> tuple[str, str, bytes]:
    with c.uow() as uow:
        s = uow.session
        d = _load(s, declaration_id)
        _visible(s, actor, d)
        ev = s.get(DeclarationEvidence, evidence_id) if isinstance(evidence_id, int) else None
        if ev is None or ev.declaration_id != d.id:
            raise NotFound("Không tìm thấy tài liệu kiểm chứng.")
        audit.append(s, actor=actor.name, ip=actor.ip, action="declaration.evidence_download",
                     target_type="declaration", target_id=d.id, details={"sha256": ev.sha256})
        uow.commit()
        with _store(c).open(ev.sha256) as fh:
            return ev.filename, ev.content_type, fh.read()


def _sheet(c: Context, s: Session, d: Declaration, staff: Staff) -> DeclarationSheet:
    fields = declarable_fields(c.settings.profile)
    evidence = s.scalars(select(DeclarationEvidence).where(DeclarationEvidence.declaration_id == d.id)
                         .order_by(DeclarationEvidence.id)).all()
    rows = [FieldChange(k, field_label(k), _as_text(d.baseline.get(k, "")),
                        _as_text(d.changes.get(k, d.baseline.get(k, "")))) for k in fields]
    return DeclarationSheet(kind=d.kind, number=d.id, staff_code=staff.code, full_name=staff.full_name,
                            unit_name=staff.unit.name, regulation=active_profile(c).regulation, fields=rows,
                            evidence=[(e.filename, e.sha256) for e in evidence], issued_on=c.clock().date(),
                            note=d.note)


def _current_pdf(c: Context, s: Session, d: Declaration, staff: Staff) -> bytes:
    """The PDF the next signature goes on: rendered for a draft, else the last signed revision."""
    if not d.pdf_sha256:
        pdf = render(_sheet(c, s, d, staff))
        d.pdf_sha256 = _store(c).put_stream(io.BytesIO(pdf), content_type=PDF).key
        return pdf
    with _store(c).open(d.pdf_sha256) as fh:
        return fh.read()


def _signing_step(s: Session, actor: Actor, d: Declaration) -> tuple[str, Staff]:
    """The step waiting for a signature and the record it is about (the actor must be its signer)."""
    step = STEP_OF_STATE.get(d.state)
    if step is None:
        raise Conflict("Bản kê khai không còn bước nào cần ký.")
    return step, check_step(s, actor, d, step)


def signing_copy(c: Context, actor: Actor, declaration_id: int) -> tuple[str, bytes]:
    """(file name, bytes) of the PDF to sign elsewhere at the current step; recorded as issued."""
    with c.uow() as uow:
        s = uow.session
        d = _load(s, declaration_id)
        step, staff = _signing_step(s, actor, d)
        pdf = _current_pdf(c, s, d, staff)
        d.issued_sha256 = d.pdf_sha256
        audit.append(s, actor=actor.name, ip=actor.ip, action="declaration.issue_for_signing",
                     target_type="declaration", target_id=d.id, details={"step": step, "sha256": d.pdf_sha256})
        uow.commit()
        return f"ke-khai-{d.id}-{step}.pdf", pdf


def current_pdf(c: Context, actor: Actor, declaration_id: int) -> tuple[str, bytes]:
    """The declaration's latest PDF (with the signatures so far), for anyone who may see it."""
    with c.uow() as uow:
        s = uow.session
        d = _load(s, declaration_id)
        _visible(s, actor, d)
        if not d.pdf_sha256:
            raise NotFound("Bản kê khai chưa có tệp PDF.")
        audit.append(s, actor=actor.name, ip=actor.ip, action="declaration.download", target_type="declaration",
                     target_id=d.id)
        uow.commit()
        with _store(c).open(d.pdf_sha256) as fh:
            return f"ke-khai-{d.id}.pdf", fh.read()


def sign(c: Context, actor: Actor, declaration_id: int, *, password: str, p12: bytes = b"") -> DeclarationView:
    """Do the current step by signing here: with `p12` (uploaded now) or the key the admin registered."""
    with c.uow() as uow:
        s = uow.session
        d = _load(s, declaration_id)
        step, staff = _signing_step(s, actor, d)
        key = p12 or (certificates.stored_key(c, s, actor.user_id, actor.name) if actor.user_id else None)
        if not key:
            raise InvalidInput("Chưa có khóa ký số: hãy chọn tệp PKCS#12 hoặc tải lên tệp đã ký ở nơi khác.")
        before = _current_pdf(c, s, d, staff)
        roots, others = certificates.trust_store(s)
        signed = signing.sign(before, key, password, field_name=f"{SIGNATURE_FIELDS[step]}{d.id}",
                              reason=STEP_LABELS[step], location=staff.unit.name, name=actor.name,
                              tsa_url=c.settings.sign_tsa_url, fetch_revocation=c.settings.sign_ocsp == "fetch",
                              roots=roots)
        checks = signing.validate(signed, roots, extra_certs=others,
                                  fetch_revocation=c.settings.sign_ocsp == "fetch")
        new = checks[-1]
        if not new.trusted:
            raise signing.SignatureRefused("Chứng thư số của khóa này không do tổ chức chứng thực được tin cậy cấp.")
        _complete_step(c, s, actor, d, staff, step, signed, new, method="pkcs12")
        uow.commit()
        view = view_of(c, s, actor, d)
    return _apply_if_approved(c, actor, view)


def upload_signed(c: Context, actor: Actor, declaration_id: int, data: bytes) -> DeclarationView:
    """Do the current step with a PDF signed elsewhere (ký bằng thiết bị USB token, rồi tải lên)."""
    with c.uow() as uow:
        s = uow.session
        d = _load(s, declaration_id)
        step, staff = _signing_step(s, actor, d)
        if not d.issued_sha256 or d.issued_sha256 != d.pdf_sha256:
            raise Conflict("Hãy tải bản cần ký của bước này về trước, rồi tải lên bản đã ký.")
        with _store(c).open(d.issued_sha256) as fh:
            issued = fh.read()
        roots, _others = certificates.trust_store(s)
        new = signing.check_upload(issued, data, roots, fetch_revocation=c.settings.sign_ocsp == "fetch")
        _complete_step(c, s, actor, d, staff, step, data, new, method="upload")
        uow.commit()
        view = view_of(c, s, actor, d)
    return _apply_if_approved(c, actor, view)


def _complete_step(c: Context, s: Session, actor: Actor, d: Declaration, staff: Staff, step: str,
                   signed: bytes, check: signing.SignatureCheck, *, method: str) -> None:
    owner = certificates.user_of(s, check.signer_fingerprint)
    if owner is None:
        raise signing.SignatureRefused("Chứng thư số đã ký chưa được quản trị viên đăng ký cho người dùng nào.")
    if not actor.is_system and owner.id != actor.user_id:
        raise signing.SignatureRefused("Chữ ký số không phải của bạn: chứng thư số được đăng ký cho người dùng khác.")
    sha = _store(c).put_stream(io.BytesIO(signed), content_type=PDF).key
    now = c.clock()
    d.state = next_state(d.state, step)
    d.pdf_sha256, d.issued_sha256 = sha, ""
    who = owner.username
    if step == "declare":
        d.declared_at, d.declared_by = now, who
        d.sent_back_reason = d.sent_back_by = d.sent_back_step = ""
    elif step == "verify":
        d.verified_at, d.verified_by = now, who
    else:
        d.approved_at, d.approved_by = now, who
    s.add(DeclarationSignature(declaration_id=d.id, step=step, signer=who, fingerprint=check.signer_fingerprint,
                               subject=check.signer_subject[:300], method=method, pdf_sha256=sha, signed_at=now))
    audit.append(s, actor=actor.name, ip=actor.ip, action=f"declaration.{step}", target_type="declaration",
                 target_id=d.id, details={"staff": staff.code, "signer": who, "fingerprint": check.signer_fingerprint,
                                          "method": method, "sha256": sha})


def _apply_if_approved(c: Context, actor: Actor, view: DeclarationView) -> DeclarationView:
    if view.state != "approved":
        return view
    return apply_approved(c, actor, view.id)


def apply_approved(c: Context, actor: Actor, declaration_id: int) -> DeclarationView:
    """Put an approved declaration's values into the record (through staff.update_staff), then mark it applied.

    Separate from the approval's transaction: if this fails, the declaration stays `approved`
    and applying it again is safe (the same values)."""
    with c.uow() as uow:
        s = uow.session
        d = _load(s, declaration_id)
        staff = check_step(s, actor, d, "approve")
        next_state(d.state, "apply")
        code, changes = staff.code, dict(d.changes)
    # the approver has no UPDATE right of their own: the approval, checked above, is what allows it
    approver = replace(actor, name=f"{actor.name} (phê duyệt kê khai {declaration_id})", is_system=True)
    if changes:
        update_staff(c, approver, code, {"profile": changes})
    with c.uow() as uow:
        s = uow.session
        d = _load(s, declaration_id)
        d.state = next_state(d.state, "apply")
        d.applied_at = c.clock()
        audit.append(s, actor=actor.name, ip=actor.ip, action="declaration.apply", target_type="declaration",
                     target_id=d.id, details={"staff": code, "fields": sorted(changes)})
        uow.commit()
        return view_of(c, s, actor, d)


def send_back(c: Context, actor: Actor, declaration_id: int, reason: str) -> DeclarationView:
    """Trả lại at verify or approve, with the reason the person reads; the PDF starts again from the draft."""
    reason = " ".join(str(reason or "").split())
    if len(reason) < 3:
        raise InvalidInput("Cần nêu lý do trả lại bản kê khai.")
    with c.uow() as uow:
        s = uow.session
        d = _load(s, declaration_id)
        step = {"declared": "verify", "verified": "approve"}.get(d.state)
        if step is None:
            next_state(d.state, "send_back")  # raises the Conflict naming the state
        check_step(s, actor, d, step)
        d.state = next_state(d.state, "send_back")
        d.sent_back_reason, d.sent_back_by, d.sent_back_step = reason[:2000], actor.name, step
        d.pdf_sha256 = d.issued_sha256 = ""
        d.verified_at, d.verified_by = None, ""
        audit.append(s, actor=actor.name, ip=actor.ip, action="declaration.send_back", target_type="declaration",
                     target_id=d.id, details={"step": step, "reason": reason[:500]})
        uow.commit()
        return view_of(c, s, actor, d)


def get_declaration(c: Context, actor: Actor, declaration_id: int) -> DeclarationView:
    with c.uow() as uow:
        s = uow.session
        d = _load(s, declaration_id)
        _visible(s, actor, d)
        audit.append(s, actor=actor.name, ip=actor.ip, action="declaration.view", target_type="declaration",
                     target_id=d.id)
        uow.commit()
        return view_of(c, s, actor, d)


def signed_export(c: Context, actor: Actor, staff_code: str) -> tuple[str, bytes]:
    """The approved record's signed PDF (giá trị như bản gốc, QĐ 51/2024 Đ9.4): the latest applied declaration."""
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, load_staff(s, staff_code), Action.DOWNLOAD)
        d = s.scalar(select(Declaration).where(Declaration.staff_id == staff.id, Declaration.state == "applied")
                     .order_by(Declaration.applied_at.desc(), Declaration.id.desc()).limit(1))
        if d is None:
            raise NotFound(f"Hồ sơ {staff.code} chưa có bản kê khai được phê duyệt và ký số.")
        audit.append(s, actor=actor.name, ip=actor.ip, action="staff.export_signed", target_type="staff",
                     target_id=staff.code, details={"declaration": d.id, "sha256": d.pdf_sha256})
        uow.commit()
        with _store(c).open(d.pdf_sha256) as fh:
            data = fh.read()
    if hashlib.sha256(data).hexdigest() != d.pdf_sha256:
        raise Conflict("Tệp ký số lưu trữ không còn nguyên vẹn.")
    return f"so-yeu-ly-lich-{staff.code}-ky-so.pdf", data


def acting_as(c: Context, username: str, *, via: str) -> Actor:
    """The operator's CLI acting as a user (their grants, their certificate): `via` names the operator."""
    from archive.models import RoleGrant, Unit
    from archive.services.access import Grant, Role

    now = utcnow()
    with c.uow() as uow:
        s = uow.session
        user = s.scalar(select(User).where(User.username == username))
        if user is None or user.revoked_at is not None:
            raise NotFound(f"Không tìm thấy tài khoản {shown(username)}.")
        grants = []
        for g in s.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.revoked_at.is_(None))):
            if g.expires_at is None or g.expires_at > now:
                grants.append(Grant(Role(g.role), s.get(Unit, g.scope_unit_id).code))
        return Actor(name=user.username, grants=tuple(grants), clearance=user.clearance, user_id=user.id,
                     staff_id=user.staff_id, ip=via)


__all__ = ["KINDS", "DeclarationView", "acting_as", "add_evidence", "apply_approved", "check_step", "create_draft",
           "current_pdf", "evidence_file", "get_declaration", "open_declaration", "save_draft", "send_back",
           "sign", "signed_export", "signing_copy", "upload_signed"]
