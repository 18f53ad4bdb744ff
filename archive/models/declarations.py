"""Kê khai – xác thực – phê duyệt (TP.HCM QĐ 51/2024 Đ7.2) and the annual phiếu bổ sung lý lịch:
declarations, their evidence and signatures, signing certificates, annual campaigns."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, utcnow


class AnnualUpdateCampaign(Base):
    """Đợt kê khai phiếu bổ sung lý lịch hằng năm: opened once a year for every record in scope."""

    __tablename__ = "annual_update_campaigns"
    __table_args__ = (UniqueConstraint("year", "unit_code", name="uq_annual_update_year_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(32))       # the subtree it covers
    profile: Mapped[str] = mapped_column(String(32))
    opens_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    article: Mapped[str] = mapped_column(String(200), default="")
    opened_by: Mapped[str] = mapped_column(String(100), default="")
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_reminder_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class Declaration(Base):
    """One declaration (bản kê khai) of a person's own record: pending until approved, never live.

    `changes` holds the declared values (only the fields the person may declare), `baseline` the
    approved values they were declared against; `pdf_sha256` the current PDF in the store of
    originals (each signature adds a revision), `issued_sha256` the bytes handed
    out for signing elsewhere at the current step."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))          # initial | change | annual
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("annual_update_campaigns.id"), nullable=True,
                                                    index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    route: Mapped[str] = mapped_column(String(16), default="unit")  # unit | so_noi_vu (diện quản lý)
    event_date: Mapped[date | None] = mapped_column(Date, nullable=True)  # what starts the declare term
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    baseline: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    sent_back_reason: Mapped[str] = mapped_column(Text, default="")
    sent_back_by: Mapped[str] = mapped_column(String(100), default="")
    sent_back_step: Mapped[str] = mapped_column(String(16), default="")
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    issued_sha256: Mapped[str] = mapped_column(String(64), default="")
    declared_by: Mapped[str] = mapped_column(String(100), default="")
    verified_by: Mapped[str] = mapped_column(String(100), default="")
    approved_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    declared_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class DeclarationEvidence(Base):
    """Tài liệu kiểm chứng uploaded with a declaration (kept in the store of originals)."""

    __tablename__ = "declaration_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[str] = mapped_column(String(100), default="")
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DeclarationSignature(Base):
    """One signature added to a declaration's PDF: which step, whose certificate, the bytes after it."""

    __tablename__ = "declaration_signatures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(16))          # declare | verify | approve
    signer: Mapped[str] = mapped_column(String(100))       # username
    fingerprint: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300), default="")
    method: Mapped[str] = mapped_column(String(16))        # pkcs12 | upload
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SigningCertificate(Base):
    """A trusted CA (kind "ca") or a user's own certificate (kind "user"), registered by the admin.

    A user's PKCS#12, when uploaded, is kept encrypted (archive.crypto, bound to the fingerprint);
    `p12_path` points at one on the server instead. Signatures map to users by `fingerprint`."""

    __tablename__ = "signing_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True)
    subject: Mapped[str] = mapped_column(String(300))
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    cert_pem: Mapped[str] = mapped_column(Text)
    p12_encrypted: Mapped[str] = mapped_column(Text, default="")
    p12_path: Mapped[str] = mapped_column(String(500), default="")
    not_after: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
