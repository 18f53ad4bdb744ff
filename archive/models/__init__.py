"""Database tables (SQLAlchemy 2). The schema itself is created only by Alembic migrations."""

from archive.models.accounts import AccessToken, RoleGrant, User
from archive.models.audit import AuditEntry, AuditHead, CatalogEntry
from archive.models.base import Base, utcnow
from archive.models.dossier import Assignment, Derivative, Document, Job, Page, Staff, StaffHistory, StatusChange
from archive.models.org import Delegation, Unit
from archive.models.preservation import (  # retention, legal hold, disposition (issue 13)
    DispositionItem, DispositionProposal, DispositionRecord, LegalHold, RetentionRule,
)
from archive.models.fixity import FixityEvent, FixityObject  # fixity cycle (issue 13)
from archive.models.calendar import CalendarDay  # office calendar: swap days (issue 17)

__all__ = [
    "AccessToken", "Assignment", "AuditEntry", "AuditHead", "Base", "CatalogEntry", "Delegation", "Derivative", "Document", "Job",
    "Page", "RoleGrant", "Staff", "StaffHistory", "StatusChange", "Unit", "User", "utcnow",
    "DispositionItem", "DispositionProposal", "DispositionRecord", "LegalHold", "RetentionRule",
    "FixityEvent", "FixityObject",
    "CalendarDay",
]
