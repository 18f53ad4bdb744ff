"""The periodic report's columns that come from other services: complete dossiers (thành phần hồ
sơ) and open discrepancies between paper and record (đối chiếu). Registered once, on import, with
`periodic_reports.register_metric`; bootstrap imports this module so every door's reports have them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.models import ConsistencyCheck, ConsistencyFinding, Staff
from archive.services.completeness import complete_counts
from archive.services.periodic_reports import EXTRA_METRICS, Metric, ReportScope, register_metric

LECH = "lech"


def complete_percent(s: Session, scope: ReportScope) -> dict[str, object]:
    """Share of the unit's dossiers (existing at the period's end) that hold every required component."""
    counts = complete_counts(s, scope.units.values(), created_before=scope.end_utc)
    return {code: (round(100 * counts[uid][0] / counts[uid][1]) if counts.get(uid, (0, 0))[1] else None)
            for code, uid in scope.units.items()}


def open_discrepancies(s: Session, scope: ReportScope) -> dict[str, object]:
    """Fields found `lệch` in the latest check of each sơ yếu lý lịch, not yet resolved by an auditor."""
    latest = (select(func.max(ConsistencyCheck.id)).where(ConsistencyCheck.ran_at < scope.end_utc)
              .group_by(ConsistencyCheck.document_id))
    rows = s.execute(select(Staff.unit_id, func.count(ConsistencyFinding.id))
                     .join(Staff, Staff.id == ConsistencyFinding.staff_id)
                     .where(ConsistencyFinding.check_id.in_(latest), ConsistencyFinding.state == LECH,
                            ConsistencyFinding.resolution.is_(None), Staff.unit_id.in_(list(scope.units.values())))
                     .group_by(Staff.unit_id))
    by_id = dict(rows.all())
    return {code: by_id.get(uid, 0) for code, uid in scope.units.items()}


for _metric in (Metric("complete_percent", "Đủ thành phần (%)", complete_percent),
                Metric("open_discrepancies", "Sai lệch chưa xử lý", open_discrepancies)):
    if all(m.key != _metric.key for m in EXTRA_METRICS):
        register_metric(_metric)
