"""Sampling audits (đợt kiểm tra hồ sơ) and recorded log-review alerts (cảnh báo nhật ký)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.models.base import Base, utcnow


class AuditCampaign(Base):
    """An auditor's campaign over a unit subtree. `population` is frozen at opening — the staff
    codes and their unit (stratum) — so the same seed draws the same sample again."""

    __tablename__ = "audit_campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    seed: Mapped[str] = mapped_column(String(64))
    size_kind: Mapped[str] = mapped_column(String(8))  # "n" | "percent"
    size_value: Mapped[int] = mapped_column(Integer)  # n, or the percentage (whole number)
    population: Mapped[list] = mapped_column(JSON, default=list)  # [[staff code, unit code], …]
    state: Mapped[str] = mapped_column(String(8), default="open", index=True)  # open | closed
    opened_by: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    items: Mapped[list["CampaignItem"]] = relationship(back_populates="campaign", cascade="all, delete-orphan",
                                                       order_by="CampaignItem.id")


class CampaignItem(Base):
    """One sampled dossier and its checklist: each check yes | no | na, the outcome dat | khong_dat."""

    __tablename__ = "audit_campaign_items"
    __table_args__ = (UniqueConstraint("campaign_id", "staff_code", name="uq_campaign_item_staff"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("audit_campaigns.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    staff_code: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str] = mapped_column(String(32))
    pages_match: Mapped[str | None] = mapped_column(String(4), nullable=True)
    fields_match: Mapped[str | None] = mapped_column(String(4), nullable=True)
    findings_reviewed: Mapped[str | None] = mapped_column(String(4), nullable=True)
    components_complete: Mapped[str | None] = mapped_column(String(4), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(12), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    checked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    campaign: Mapped[AuditCampaign] = relationship(back_populates="items")


class LogAlert(Base):
    """A log-review alert recorded by the daily pass; `key` de-duplicates (one row per finding)."""

    __tablename__ = "log_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # uq_log_alerts_key
    kind: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(100), index=True)  # a username or an IP address
    first_at: Mapped[datetime] = mapped_column(DateTime)
    last_at: Mapped[datetime] = mapped_column(DateTime)
    count: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
