"""Chứng thư số the archive trusts and knows: the organisation's CA(s) and each user's certificate.

The root admin registers them (cấu hình chứng thư số):

- a **CA** (kind "ca"): a self-signed one is a trust root for every signature check; another
  (an intermediate) helps build chains. Vietnamese public CAs (VNPT-CA, Viettel-CA, …) are added
  the same way, by their certificate.
- a **user's certificate** (kind "user"): by the certificate alone (the person signs elsewhere —
  a USB token — and uploads the signed PDF), or by a PKCS#12 uploaded and kept encrypted at rest
  (archive.crypto, bound to the fingerprint) or a path to one on the server; its password is
  never stored, the signer types it when signing. A signature maps to its user by the
  SHA-256 fingerprint of the certificate, nothing else.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.errors import Conflict, InvalidInput, NotFound, shown
from archive.models import SigningCertificate, User, utcnow
from archive.services import audit
from archive.services.access import Actor, require_root_admin
from archive.services.signing import fingerprint, load_certificates, read_pkcs12, subject_of


@dataclass(frozen=True)
class CertificateView:
    id: int
    kind: str
    username: str
    subject: str
    fingerprint: str
    has_key: bool
    not_after: datetime | None

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["not_after"] = self.not_after.isoformat() if self.not_after else None
        return d


def _pem(cert: asn1_x509.Certificate) -> str:
    return asn1_pem.armor("CERTIFICATE", cert.dump()).decode()


def _not_after(cert: asn1_x509.Certificate) -> datetime:
    return cert["tbs_certificate"]["validity"]["not_after"].native.replace(tzinfo=None)


def _view(s: Session, row: SigningCertificate) -> CertificateView:
    username = s.scalar(select(User.username).where(User.id == row.user_id)) if row.user_id else ""
    return CertificateView(row.id, row.kind, username or "", row.subject, row.fingerprint,
                           bool(row.p12_encrypted or row.p12_path), row.not_after)


def _refuse_duplicate(s: Session, fp: str) -> None:
    if s.scalar(select(SigningCertificate.id).where(SigningCertificate.fingerprint == fp)) is not None:
        raise Conflict("Chứng thư số này đã được đăng ký.")


def add_ca(c: Context, actor: Actor, data: bytes) -> list[CertificateView]:
    """Register the CA certificate(s) in `data` (PEM, one or many, or DER)."""
    certs = load_certificates(data)
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        rows = []
        for cert in certs:
            if not cert.ca:
                raise InvalidInput("Chứng thư số không phải của tổ chức chứng thực (CA).")
            fp = fingerprint(cert)
            _refuse_duplicate(s, fp)
            row = SigningCertificate(kind="ca", subject=subject_of(cert)[:300], fingerprint=fp, cert_pem=_pem(cert),
                                     not_after=_not_after(cert), created_by=actor.name)
            s.add(row)
            rows.append(row)
        s.flush()
        for row in rows:
            audit.append(s, actor=actor.name, ip=actor.ip, action="certificate.add_ca", target_type="certificate",
                         target_id=row.fingerprint, details={"subject": row.subject})
        views = [_view(s, r) for r in rows]
        uow.commit()
    return views


def add_user_certificate(c: Context, actor: Actor, username: str, *, cert: bytes = b"", p12: bytes = b"",
                         password: str = "", p12_path: str = "") -> CertificateView:
    """Register a user's certificate: by itself (`cert`), from a PKCS#12 kept encrypted (`p12` and
    its password, only to read it now), or from a PKCS#12 on the server (`p12_path`)."""
    if sum(map(bool, (cert, p12, p12_path))) != 1:
        raise InvalidInput("Cần đúng một trong: tệp chứng thư số, tệp PKCS#12 hoặc đường dẫn tệp PKCS#12.")
    stored_p12 = ""
    if p12_path:
        path = Path(p12_path)
        if not path.is_absolute() or not path.is_file():
            raise InvalidInput("Đường dẫn tệp PKCS#12 phải là đường dẫn tuyệt đối tới một tệp có trên máy chủ.")
        info = read_pkcs12(path.read_bytes(), password)
        certificate = info.certificate
    elif p12:
        certificate = read_pkcs12(p12, password).certificate
    else:
        certs = load_certificates(cert)
        if len(certs) != 1:
            raise InvalidInput("Tệp chứng thư số của người dùng phải chứa đúng một chứng thư.")
        certificate = certs[0]
    if certificate.ca:
        raise InvalidInput("Đây là chứng thư số của tổ chức chứng thực, không phải của người dùng.")
    fp = fingerprint(certificate)
    if p12:
        stored_p12 = c.cipher.encrypt({"p12": base64.b64encode(p12).decode()}, aad=f"cert:{fp}")
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"Không tìm thấy tài khoản {shown(username)}.")
        _refuse_duplicate(s, fp)
        row = SigningCertificate(kind="user", user_id=user.id, subject=subject_of(certificate)[:300], fingerprint=fp,
                                 cert_pem=_pem(certificate), p12_encrypted=stored_p12, p12_path=p12_path,
                                 not_after=_not_after(certificate), created_by=actor.name)
        s.add(row)
        s.flush()
        audit.append(s, actor=actor.name, ip=actor.ip, action="certificate.add_user", target_type="certificate",
                     target_id=fp, details={"user": username, "subject": row.subject,
                                            "key": "pkcs12" if p12 else "path" if p12_path else "none"})
        view = _view(s, row)
        uow.commit()
    return view


def list_certificates(c: Context, actor: Actor) -> list[CertificateView]:
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        rows = s.scalars(select(SigningCertificate).where(SigningCertificate.revoked_at.is_(None))
                         .order_by(SigningCertificate.kind, SigningCertificate.id)).all()
        return [_view(s, r) for r in rows]


def revoke_certificate(c: Context, actor: Actor, fp: str) -> None:
    with c.uow() as uow:
        s = uow.session
        require_root_admin(s, actor)
        row = s.scalar(select(SigningCertificate).where(SigningCertificate.fingerprint == fp,
                                                        SigningCertificate.revoked_at.is_(None)))
        if row is None:
            raise NotFound("Không tìm thấy chứng thư số.")
        row.revoked_at = utcnow()
        audit.append(s, actor=actor.name, ip=actor.ip, action="certificate.revoke", target_type="certificate",
                     target_id=fp)
        uow.commit()


# ---- used by the signing steps (no permission of their own: the caller checked it) ----------------

def trust_store(s: Session) -> tuple[list[asn1_x509.Certificate], list[asn1_x509.Certificate]]:
    """(trust roots, other CA certificates) registered and not revoked."""
    roots, others = [], []
    for row in s.scalars(select(SigningCertificate).where(SigningCertificate.kind == "ca",
                                                          SigningCertificate.revoked_at.is_(None))):
        cert = load_certificates(row.cert_pem.encode())[0]
        (roots if cert.self_issued else others).append(cert)
    return roots, others


def user_of(s: Session, fp: str) -> User | None:
    """The account a (non-revoked) certificate with this fingerprint was registered for."""
    row = s.scalar(select(SigningCertificate).where(SigningCertificate.fingerprint == fp,
                                                    SigningCertificate.kind == "user",
                                                    SigningCertificate.revoked_at.is_(None)))
    return s.get(User, row.user_id) if row is not None and row.user_id else None


def stored_key(c: Context, s: Session, user_id: int, username: str) -> bytes | None:
    """The PKCS#12 kept for this user (encrypted upload, a registered path, or ARCHIVE_SIGN_KEY_PATHS)."""
    rows = s.scalars(select(SigningCertificate).where(SigningCertificate.user_id == user_id,
                                                      SigningCertificate.revoked_at.is_(None))
                     .order_by(SigningCertificate.id.desc())).all()
    for row in rows:
        if row.p12_encrypted:
            return base64.b64decode(c.cipher.decrypt(row.p12_encrypted, aad=f"cert:{row.fingerprint}")["p12"])
        if row.p12_path and Path(row.p12_path).is_file():
            return Path(row.p12_path).read_bytes()
    configured = c.settings.sign_key_paths.get(username)
    if configured and Path(configured).is_file():
        return Path(configured).read_bytes()
    return None
