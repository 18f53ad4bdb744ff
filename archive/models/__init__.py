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
from archive.models.inventory import DossierComponent, DossierLoan, DossierLocation, StorageBox  # paper inventory (0011)
from archive.models.batches import IntakeBatch, IntakeBatchFile  # bulk intake batches (issue 16)
from archive.models.campaigns import AuditCampaign, CampaignItem, LogAlert  # sampling audits, log review (issue 15)
from archive.models.notifications import Notification, NotificationEmail, PeriodicReport  # warnings, reports (0009)
from archive.models.staff_import import (  # Excel import of staff records (issue 16)
    StaffImportFingerprint, StaffImportRun, StaffImportTemplate,
)
from archive.models.consistency import ConsistencyCheck, ConsistencyFinding, CorrectionTask  # paper vs record (0010)
from archive.models.document_corrections import DocumentCorrection  # document corrections history (0018)
from archive.models.unit_events import UnitEvent  # units renamed, moved, merged, dissolved (0016)
from archive.models.declarations import (  # declare → verify → approve, signatures (issue 18)
    AnnualUpdateCampaign, Declaration, DeclarationEvidence, DeclarationSignature, SigningCertificate,
)

__all__ = [
    "UnitEvent",
    "AccessToken", "Assignment", "AuditEntry", "AuditHead", "Base", "CatalogEntry", "Delegation", "Derivative", "Document", "Job",
    "Page", "RoleGrant", "Staff", "StaffHistory", "StatusChange", "Unit", "User", "utcnow",
    "DispositionItem", "DispositionProposal", "DispositionRecord", "LegalHold", "RetentionRule",
    "FixityEvent", "FixityObject",
    "CalendarDay",
    "IntakeBatch", "IntakeBatchFile",
    "AuditCampaign", "CampaignItem", "LogAlert",
    "AnnualUpdateCampaign", "Declaration", "DeclarationEvidence", "DeclarationSignature", "SigningCertificate",
    "DossierComponent", "DossierLoan", "DossierLocation", "StorageBox",
    "Notification", "NotificationEmail", "PeriodicReport",
    "StaffImportFingerprint", "StaffImportRun", "StaffImportTemplate",
    "ConsistencyCheck", "ConsistencyFinding", "CorrectionTask",
    "DocumentCorrection",
]
