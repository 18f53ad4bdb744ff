"""Kho hồ sơ giấy: where each paper dossier lives (kho, giá, hộp, số thứ tự) and how many paper pages it has.

A box (hộp) is identified by its place — kho, giá, hộp — and gets a stable code made from it
(`box_code`: "K1-G03-H015"), printed on its QR label. Setting a dossier's location creates the
box on first use; two dossiers cannot share one số thứ tự in one box (Conflict, 409). Archivists
(and admins) in the dossier's scope set locations (Action.UPLOAD: văn thư lưu trữ); everyone
who reads the dossier sees it. Every change is audited with the old and the new place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from archive.context import Context
from archive.errors import Conflict, InvalidInput, NotFound, shown
from archive.models import Document, DossierLocation, Staff, StorageBox, Unit
from archive.services import audit
from archive.services.access import (
    Action,
    Actor,
    check_staff,
    require,
    staff_seen_from,
    unit_ancestry,
)
from search import fold, nfc

PLACE_MAX = 32
MAX_POSITION = 100_000
MAX_PAGES = 100_000
_CODE_PART = re.compile(r"[^A-Z0-9]+")
PLACE_PARTS = {"kho": "kho", "gia": "giá", "hop": "hộp"}


def _named(word: str, value: str) -> str:
    return value if fold(value).startswith(fold(word)) else f"{word} {value}"


@dataclass(frozen=True)
class BoxView:
    code: str
    kho: str
    gia: str
    hop: str
    unit_code: str
    dossiers: int = 0

    @property
    def place(self) -> str:
        """'Kho 1 · Giá 03 · Hộp 015' whether people typed '1' or 'Kho 1'."""
        return " · ".join(_named(word, v) for word, v in (("Kho", self.kho), ("Giá", self.gia), ("Hộp", self.hop)))

    def to_dict(self) -> dict:
        return {"code": self.code, "kho": self.kho, "gia": self.gia, "hop": self.hop, "unit": self.unit_code,
                "dossiers": self.dossiers, "place": self.place}


@dataclass(frozen=True)
class LocationView:
    staff_code: str
    box: BoxView
    position: int
    paper_pages: int | None
    updated_by: str
    updated_at: datetime | None

    @property
    def place(self) -> str:
        return f"{self.box.place} · STT {self.position}"

    def to_dict(self) -> dict:
        return {"staff": self.staff_code, "box": self.box.code, "kho": self.box.kho, "gia": self.box.gia,
                "hop": self.box.hop, "stt": self.position, "paper_pages": self.paper_pages, "place": self.place,
                "updated_by": self.updated_by, "updated_at": self.updated_at}


@dataclass(frozen=True)
class BoxContents:
    box: BoxView
    dossiers: list[dict] = field(default_factory=list)  # {code, full_name, stt, paper_pages}

    def to_dict(self) -> dict:
        return {**self.box.to_dict(), "items": self.dossiers}


def box_code(kho: str, gia: str, hop: str) -> str:
    """The printable code of a box: each part folded to ASCII capitals, 'K1-G03-H015'."""
    parts = [_CODE_PART.sub("", fold(p).upper()) or "0" for p in (kho, gia, hop)]
    return "-".join(f"{letter}{p}" if not p.startswith(letter) else p for letter, p in zip("KGH", parts))


def clean_place(value: str | None, part: str) -> str:
    text = " ".join(nfc(value or "").split())
    if not text:
        raise InvalidInput(f"Cần nhập {PLACE_PARTS[part]} lưu hồ sơ.")
    if len(text) > PLACE_MAX or not all(ch.isprintable() for ch in text):
        raise InvalidInput(f"Tên {PLACE_PARTS[part]} tối đa {PLACE_MAX} ký tự in được.")
    return text


def _bounded(value: int | None, what: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{what} phải là số nguyên từ {low} đến {high}.")
    return value


def _box_view(s: Session, b: StorageBox, dossiers: int = 0) -> BoxView:
    unit = s.get(Unit, b.unit_id)
    return BoxView(b.code, b.kho, b.gia, b.hop, unit.code if unit else "", dossiers)


def location_in_session(s: Session, staff: Staff) -> LocationView | None:
    row = s.scalar(select(DossierLocation).where(DossierLocation.staff_id == staff.id))
    if row is None:
        return None
    return LocationView(staff.code, _box_view(s, s.get(StorageBox, row.box_id)), row.position, row.paper_pages,
                        row.updated_by, row.updated_at)


def electronic_pages(s: Session, staff_id: int) -> int:
    return int(s.scalar(select(func.coalesce(func.sum(Document.page_count), 0))
                        .where(Document.staff_id == staff_id)) or 0)


def _staff(s: Session, actor: Actor, code: str, action: Action) -> Staff:
    return check_staff(s, actor, s.scalar(select(Staff).where(Staff.code == code).options(selectinload(Staff.unit))),
                       action)


def get_location(c: Context, actor: Actor, code: str) -> LocationView | None:
    with c.uow() as uow:
        return location_in_session(uow.session, _staff(uow.session, actor, code, Action.READ))


def set_location(c: Context, actor: Actor, code: str, *, kho: str, gia: str, hop: str, stt: int,
                 paper_pages: int | None = None) -> LocationView:
    """Ghi vị trí hồ sơ giấy (kho, giá, hộp, số thứ tự) and its paper page count; creates the box on first use."""
    kho, gia, hop = clean_place(kho, "kho"), clean_place(gia, "gia"), clean_place(hop, "hop")
    stt = _bounded(stt, "Số thứ tự trong hộp", 1, MAX_POSITION)
    if stt is None:
        raise InvalidInput("Cần nhập số thứ tự của hồ sơ trong hộp.")
    paper_pages = _bounded(paper_pages, "Số trang giấy", 0, MAX_PAGES)
    with c.uow() as uow:
        s = uow.session
        staff = _staff(s, actor, code, Action.UPLOAD)
        before = location_in_session(s, staff)
        box = s.scalar(select(StorageBox).where(StorageBox.kho == kho, StorageBox.gia == gia, StorageBox.hop == hop))
        if box is None:
            bcode = box_code(kho, gia, hop)
            if s.scalar(select(StorageBox.id).where(StorageBox.code == bcode)) is not None:
                raise Conflict(f"Mã hộp {bcode} đã được dùng cho một vị trí khác; hãy ghi tên kho, giá, hộp khác.")
            box = StorageBox(code=bcode, kho=kho, gia=gia, hop=hop, unit_id=staff.unit_id, created_by=actor.name)
            s.add(box)
            s.flush()
        taken = s.scalar(select(Staff.code).join(DossierLocation, DossierLocation.staff_id == Staff.id).where(
            DossierLocation.box_id == box.id, DossierLocation.position == stt, DossierLocation.staff_id != staff.id))
        if taken is not None:
            raise Conflict(f"Số thứ tự {stt} trong hộp {box.code} đã có một hồ sơ khác.")
        row = s.scalar(select(DossierLocation).where(DossierLocation.staff_id == staff.id))
        if row is None:
            row = DossierLocation(staff_id=staff.id, box_id=box.id, position=stt)
            s.add(row)
        row.box_id, row.position, row.paper_pages, row.updated_by = box.id, stt, paper_pages, actor.name
        s.flush()
        after = location_in_session(s, staff)
        audit.append(s, actor=actor.name, ip=actor.ip, action="inventory.location.set", target_type="staff",
                     target_id=staff.code, details={"before": before.to_dict() if before else None,
                                                    "after": after.to_dict()})
        uow.commit()
    return after


def _visible_staff_ids(s: Session, actor: Actor, staff_ids: list[int]) -> set[int]:
    if actor.is_system or not staff_ids:
        return set(staff_ids)
    seen = list(s.scalars(select(Unit).where(Unit.code.in_(actor.units_for(Action.READ)))))
    if not seen:
        return set()
    return set(s.scalars(select(Staff.id).where(Staff.id.in_(staff_ids), staff_seen_from(seen, actor.clearance))))


def _sees_box(s: Session, actor: Actor, box: StorageBox, visible_inside: int) -> bool:
    if actor.is_system or visible_inside:
        return True
    unit = s.get(Unit, box.unit_id)
    return bool({u.code for u in unit_ancestry(s, unit)} & actor.units_for(Action.READ))


def list_boxes(c: Context, actor: Actor) -> list[BoxView]:
    """The boxes the caller may see (of their units, or holding a dossier they see), with visible counts."""
    require(actor, Action.READ)
    with c.uow() as uow:
        s = uow.session
        rows = s.execute(select(DossierLocation.box_id, DossierLocation.staff_id)).all()
        visible = _visible_staff_ids(s, actor, [r.staff_id for r in rows])
        counts: dict[int, int] = {}
        for r in rows:
            counts[r.box_id] = counts.get(r.box_id, 0) + (r.staff_id in visible)
        out = []
        for b in s.scalars(select(StorageBox).order_by(StorageBox.kho, StorageBox.gia, StorageBox.hop)):
            if _sees_box(s, actor, b, counts.get(b.id, 0)):
                out.append(_box_view(s, b, counts.get(b.id, 0)))
        return out


def get_box(c: Context, actor: Actor, code: str) -> BoxContents:
    """One box and the dossiers in it the caller may see (in số thứ tự order); audited."""
    require(actor, Action.READ)
    code = (code or "").strip().upper()
    with c.uow() as uow:
        s = uow.session
        box = s.scalar(select(StorageBox).where(StorageBox.code == code)) if code else None
        if box is None:
            raise NotFound(f"Không tìm thấy hộp hồ sơ có mã {shown(code)}.")
        rows = s.execute(select(DossierLocation, Staff).join(Staff, Staff.id == DossierLocation.staff_id)
                         .where(DossierLocation.box_id == box.id).order_by(DossierLocation.position)).all()
        visible = _visible_staff_ids(s, actor, [st.id for _, st in rows])
        if not _sees_box(s, actor, box, len(visible)):
            raise NotFound(f"Không tìm thấy hộp hồ sơ có mã {shown(code)}.")
        items = [{"code": st.code, "full_name": st.full_name, "stt": loc.position, "paper_pages": loc.paper_pages}
                 for loc, st in rows if st.id in visible]
        audit.append(s, actor=actor.name, ip=actor.ip, action="inventory.box.view", target_type="storage_box",
                     target_id=box.code, details={"dossiers": len(items)})
        uow.commit()
        return BoxContents(_box_view(s, box, len(items)), items)


@dataclass(frozen=True)
class PaperView:
    """The paper side of one dossier for its page: components ✓/✗, place, pages, current loan."""

    completeness: object  # completeness.Completeness
    location: LocationView | None
    electronic_pages: int
    loan: object | None  # loans.LoanView
    may_manage: bool  # văn thư lưu trữ in scope: set the place, lend, print labels


def dossier_paper(c: Context, actor: Actor, code: str) -> PaperView:
    """Read-only view for the dossier page (its viewing is audited by the page's own read)."""
    from archive.errors import Forbidden
    from archive.services.completeness import completeness_in_session
    from archive.services.loans import open_loan_in_session, today

    on = today(c)
    with c.uow() as uow:
        s = uow.session
        staff = _staff(s, actor, code, Action.READ)
        try:
            check_staff(s, actor, staff, Action.UPLOAD)
            may_manage = True
        except (Forbidden, NotFound):
            may_manage = False
        return PaperView(completeness_in_session(s, staff), location_in_session(s, staff),
                         electronic_pages(s, staff.id), open_loan_in_session(s, staff, on), may_manage)
