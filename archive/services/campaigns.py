"""Sampling audits (đợt kiểm tra hồ sơ): open over a unit subtree, check the sampled dossiers, close.

Only auditors and administrators (Action.AUDIT) open, check and close a campaign, and only over
a unit their AUDIT scope covers (its ancestry meets their grants); outside it the unit is not
found, as everywhere. The population — the staff records of the subtree the auditor may see
(scope and clearance), at the moment of opening — is frozen in the campaign with its seed, so
the sample (archive/services/sampling.py) can be drawn again and checked by anyone.

Each sampled dossier has a checklist — the page count matches the paper, the key fields match,
the consistency findings were reviewed, the components are complete: each yes / no / n.a. —
an outcome (đạt / không đạt), notes, who checked it and when. Every change is audited. A
campaign is closed when every item is checked; its biên bản is archive/services/campaign_report.py.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.context import Context
from archive.errors import Conflict, InvalidInput, NotFound
from archive.models import AuditCampaign, CampaignItem, Staff, Unit
from archive.services import audit, sampling
from archive.services.access import Action, Actor, require, staff_seen_from, subtree_ids, unit_ancestry

CHECKS = ("pages_match", "fields_match", "findings_reviewed", "components_complete")
CHECK_LABELS = {
    "pages_match": "Số trang khớp với bản giấy",
    "fields_match": "Các thông tin chính khớp với bản giấy",
    "findings_reviewed": "Đã xem xét các phát hiện đối chiếu",
    "components_complete": "Đủ thành phần hồ sơ",
}
ANSWERS = {"yes": "Có", "no": "Không", "na": "Không áp dụng"}
OUTCOMES = {"dat": "Đạt", "khong_dat": "Không đạt"}
OPEN, CLOSED = "open", "closed"
MAX_NOTES = 4000
MAX_SEED = 64


@dataclass(frozen=True)
class ItemView:
    staff_code: str
    full_name: str
    unit_code: str
    checks: dict[str, str | None]
    outcome: str | None
    notes: str
    checked_by: str | None
    checked_at: datetime | None

    @property
    def checked(self) -> bool:
        return self.outcome is not None

    @property
    def discrepancy(self) -> bool:
        """Không đạt, or any check answered no."""
        return self.outcome == "khong_dat" or any(v == "no" for v in self.checks.values())

    def to_dict(self) -> dict:
        d = asdict(self)
        d["checked_at"] = self.checked_at.isoformat() + "Z" if self.checked_at else None
        d["discrepancy"] = self.discrepancy
        return d


@dataclass(frozen=True)
class Rates:
    sampled: int
    checked: int
    passed: int
    failed: int
    discrepancies: int
    pass_percent: float | None  # of the checked items
    check_yes_percent: dict[str, float | None]  # of the items where the check applies


@dataclass(frozen=True)
class CampaignView:
    id: int
    title: str
    unit_code: str
    unit_name: str
    seed: str
    size_kind: str
    size_value: int
    population_count: int
    state: str
    opened_by: str
    opened_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    allocation: dict[str, tuple[int, int]] = field(default_factory=dict)
    items: tuple[ItemView, ...] = ()

    @property
    def size_text(self) -> str:
        return f"{self.size_value} hồ sơ" if self.size_kind == "n" else f"{self.size_value}%"

    @property
    def rates(self) -> Rates:
        checked = [i for i in self.items if i.checked]
        passed = sum(1 for i in checked if i.outcome == "dat")
        yes: dict[str, float | None] = {}
        for name in CHECKS:
            answered = [i.checks[name] for i in checked if i.checks[name] in ("yes", "no")]
            yes[name] = round(100 * answered.count("yes") / len(answered), 1) if answered else None
        return Rates(len(self.items), len(checked), passed, len(checked) - passed,
                     sum(1 for i in self.items if i.discrepancy),
                     round(100 * passed / len(checked), 1) if checked else None, yes)

    @property
    def discrepancies(self) -> tuple[ItemView, ...]:
        return tuple(i for i in self.items if i.discrepancy)

    def to_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k != "items"}
        d["opened_at"] = self.opened_at.isoformat() + "Z"
        d["closed_at"] = self.closed_at.isoformat() + "Z" if self.closed_at else None
        d["allocation"] = {k: {"population": p, "sampled": n} for k, (p, n) in self.allocation.items()}
        d["items"] = [i.to_dict() for i in self.items]
        d["rates"] = asdict(self.rates)
        return d


# -- permission --------------------------------------------------------------------------------

def _auditor_units(s: Session, actor: Actor) -> list[Unit]:
    return list(s.scalars(select(Unit).where(Unit.code.in_(actor.units_for(Action.AUDIT)))))


def _check_campaign_unit(s: Session, actor: Actor, unit: Unit | None) -> Unit:
    """The unit must lie in the caller's AUDIT scope (outside it: not found)."""
    require(actor, Action.AUDIT)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    if actor.is_system:
        return unit
    if not {u.code for u in unit_ancestry(s, unit)} & actor.units_for(Action.AUDIT):
        raise NotFound(f"Không tìm thấy đơn vị có mã {unit.code}.")
    return unit


def _load(s: Session, actor: Actor, campaign_id: int) -> AuditCampaign:
    require(actor, Action.AUDIT)
    row = s.get(AuditCampaign, campaign_id)
    if row is None:
        raise NotFound(f"Không tìm thấy đợt kiểm tra số {campaign_id}.")
    try:
        _check_campaign_unit(s, actor, s.get(Unit, row.unit_id))
    except NotFound:
        raise NotFound(f"Không tìm thấy đợt kiểm tra số {campaign_id}.") from None
    return row


def _view(s: Session, row: AuditCampaign) -> CampaignView:
    unit = s.get(Unit, row.unit_id)
    names = dict(s.execute(select(Staff.code, Staff.full_name).where(
        Staff.code.in_([i.staff_code for i in row.items]))).all())
    counts: dict[str, list[int]] = {}
    for _, stratum in row.population:
        counts.setdefault(stratum, [0, 0])[0] += 1
    items = []
    for i in row.items:
        counts.setdefault(i.unit_code, [0, 0])[1] += 1
        items.append(ItemView(i.staff_code, names.get(i.staff_code, ""), i.unit_code,
                              {c: getattr(i, c) for c in CHECKS}, i.outcome, i.notes, i.checked_by, i.checked_at))
    return CampaignView(row.id, row.title, row.unit_code, unit.name if unit else "", row.seed, row.size_kind,
                        row.size_value, len(row.population), row.state, row.opened_by, row.opened_at, row.closed_by,
                        row.closed_at, {k: (p, n) for k, (p, n) in sorted(counts.items())},
                        tuple(sorted(items, key=lambda i: (i.unit_code, i.staff_code))))


# -- the service ----------------------------------------------------------------------------------

def open_campaign(c: Context, actor: Actor, *, unit_code: str, size: int | None = None,
                  percent: float | None = None, seed: str | None = None, title: str = "") -> CampaignView:
    """Freeze the population of the unit's subtree (what the caller may see), draw the sample, audit it."""
    require(actor, Action.AUDIT)
    seed = (seed or "").strip() or secrets.token_hex(8)
    title = " ".join((title or "").split())
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in seed + title):
        raise InvalidInput("Hạt giống và tên đợt kiểm tra không được chứa ký tự điều khiển.")
    if len(seed) > MAX_SEED:
        raise InvalidInput(f"Hạt giống chọn mẫu dài tối đa {MAX_SEED} ký tự.")
    if len(title) > 300:
        raise InvalidInput("Tên đợt kiểm tra dài tối đa 300 ký tự.")
    if percent is not None and (percent != int(percent)):
        raise InvalidInput("Tỷ lệ chọn mẫu là một số nguyên phần trăm.")
    with c.uow() as uow:
        s = uow.session
        unit = _check_campaign_unit(s, actor, s.scalar(select(Unit).where(Unit.code == (unit_code or "").strip())))
        stmt = (select(Staff.id, Staff.code, Unit.code).join(Unit, Staff.unit_id == Unit.id)
                .where(Staff.unit_id.in_(subtree_ids([unit]))))
        if not actor.is_system:
            stmt = stmt.where(staff_seen_from(_auditor_units(s, actor), actor.clearance))
        rows = s.execute(stmt).all()
        drawn = sampling.draw([(code, u) for _, code, u in rows], seed=seed, size=size, percent=percent)
        ids = {code: (sid, u) for sid, code, u in rows}
        row = AuditCampaign(title=title or f"Kiểm tra hồ sơ {unit.name}", unit_id=unit.id, unit_code=unit.code,
                            seed=seed, size_kind="n" if size is not None else "percent",
                            size_value=int(size if size is not None else percent),  # type: ignore[arg-type]
                            population=sorted([code, u] for _, code, u in rows), state=OPEN,
                            opened_by=actor.name, opened_at=c.clock())
        row.items = [CampaignItem(staff_id=ids[code][0], staff_code=code, unit_code=ids[code][1], notes="")
                     for code in drawn.codes]
        s.add(row)
        s.flush()
        audit.append(s, actor=actor.name, ip=actor.ip, action="campaign.open", target_type="campaign",
                     target_id=row.id, details={"unit": unit.code, "seed": seed, "size": size, "percent": percent,
                                                "population": len(rows), "sample": list(drawn.codes)})
        uow.commit()
        return _view(s, row)


def get_campaign(c: Context, actor: Actor, campaign_id: int) -> CampaignView:
    with c.uow() as uow:
        return _view(uow.session, _load(uow.session, actor, campaign_id))


def list_campaigns(c: Context, actor: Actor) -> list[CampaignView]:
    """The campaigns over units in the caller's AUDIT scope, newest first."""
    require(actor, Action.AUDIT)
    with c.uow() as uow:
        s = uow.session
        stmt = select(AuditCampaign).order_by(AuditCampaign.id.desc())
        if not actor.is_system:
            units = _auditor_units(s, actor)
            if not units:
                return []
            stmt = stmt.where(AuditCampaign.unit_id.in_(subtree_ids(units)))
        return [_view(s, r) for r in s.scalars(stmt)]


def _answer(name: str, value: str | None) -> str:
    v = (value or "").strip().lower().replace(".", "").replace("/", "")
    v = {"có": "yes", "co": "yes", "y": "yes", "khong": "no", "không": "no", "n": "no", "na": "na",
         "kad": "na", "khong_ap_dung": "na"}.get(v, v)
    if v not in ANSWERS:
        raise InvalidInput(f"Mục «{CHECK_LABELS[name]}» phải là có, không hoặc không áp dụng.")
    return v


def check_item(c: Context, actor: Actor, campaign_id: int, staff_code: str, *, checks: dict[str, str | None],
               outcome: str, notes: str = "") -> CampaignView:
    """Record the checklist and outcome of one sampled dossier (again: the latest check counts); audited."""
    answers = {name: _answer(name, checks.get(name)) for name in CHECKS}
    outcome = (outcome or "").strip().lower().replace(" ", "_")
    outcome = {"đạt": "dat", "không_đạt": "khong_dat"}.get(outcome, outcome)
    if outcome not in OUTCOMES:
        raise InvalidInput("Kết quả phải là «đạt» hoặc «không đạt».")
    notes = (notes or "").strip()
    if any((ord(ch) < 32 and ch not in "\n\r\t") or ord(ch) == 127 for ch in notes):
        raise InvalidInput("Ghi chú không được chứa ký tự điều khiển.")
    if len(notes) > MAX_NOTES:
        raise InvalidInput(f"Ghi chú dài tối đa {MAX_NOTES} ký tự.")
    if outcome == "dat" and "no" in answers.values():
        raise InvalidInput("Một mục kiểm tra trả lời «không» thì kết quả không thể là «đạt».")
    with c.uow() as uow:
        s = uow.session
        row = _load(s, actor, campaign_id)
        if row.state != OPEN:
            raise Conflict(f"Đợt kiểm tra số {campaign_id} đã kết thúc, không sửa được kết quả.")
        item = next((i for i in row.items if i.staff_code == (staff_code or "").strip()), None)
        if item is None:
            raise NotFound(f"Hồ sơ {staff_code} không nằm trong mẫu của đợt kiểm tra số {campaign_id}.")
        before = {k: getattr(item, k) for k in (*CHECKS, "outcome")}
        for name, v in answers.items():
            setattr(item, name, v)
        item.outcome, item.notes, item.checked_by, item.checked_at = outcome, notes, actor.name, c.clock()
        audit.append(s, actor=actor.name, ip=actor.ip, action="campaign.check", target_type="staff",
                     target_id=item.staff_code, details={"campaign": row.id, **answers, "outcome": outcome,
                                                         "notes": notes, "before": before})
        uow.commit()
        return _view(s, row)


def close_campaign(c: Context, actor: Actor, campaign_id: int) -> CampaignView:
    """End the campaign once every sampled dossier is checked; audited."""
    with c.uow() as uow:
        s = uow.session
        row = _load(s, actor, campaign_id)
        if row.state != OPEN:
            raise Conflict(f"Đợt kiểm tra số {campaign_id} đã kết thúc.")
        left = [i.staff_code for i in row.items if i.outcome is None]
        if left:
            raise Conflict(f"Còn {len(left)} hồ sơ trong mẫu chưa kiểm tra ({', '.join(left[:5])}"
                           f"{'…' if len(left) > 5 else ''}), chưa thể kết thúc đợt kiểm tra.")
        row.state, row.closed_by, row.closed_at = CLOSED, actor.name, c.clock()
        view = _view(s, row)
        r = view.rates
        audit.append(s, actor=actor.name, ip=actor.ip, action="campaign.close", target_type="campaign",
                     target_id=row.id, details={"unit": row.unit_code, "checked": r.checked, "passed": r.passed,
                                                "failed": r.failed})
        uow.commit()
        return view


def record_report(c: Context, actor: Actor, campaign_id: int, fmt: str) -> CampaignView:
    """The campaign as its biên bản reads it; the download is audited (campaign_report renders it)."""
    if fmt not in ("pdf", "xlsx"):
        raise InvalidInput("Định dạng biên bản phải là pdf hoặc xlsx.")
    with c.uow() as uow:
        s = uow.session
        row = _load(s, actor, campaign_id)
        view = _view(s, row)
        audit.append(s, actor=actor.name, ip=actor.ip, action="campaign.report", target_type="campaign",
                     target_id=row.id, details={"format": fmt, "state": row.state})
        uow.commit()
        return view
