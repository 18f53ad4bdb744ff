"""QR labels (nhãn) for paper dossier folders and boxes, and reading them back ("Quét nhãn").

Label payload format, version 1 (documented here and in docs/architecture.md; keep it stable —
labels stay glued on folders for decades):

    CBCCVC:HS:<staff code>     the folder of one dossier (hồ sơ)
    CBCCVC:HOP:<box code>      a box (hộp), its code from inventory.box_code ("K1-G03-H015")

ASCII prefix, ':' separators, the code as stored. A later format adds a version segment after the
prefix (`CBCCVC:2:…`); `parse_label` refuses a version it does not know with a sentence rather than
guessing. A person may also type the bare code (a worn label, no scanner): it is looked up as a
staff code, then as a box code. USB scanners type the payload as keyboard input, so the prefix is
matched without regard to case.

A label sheet is an A4 PDF (archive.services.pdf_writer) of 2 × 6 labels: QR (error correction
M, 4-module quiet zone) + name + code + location. Printing needs Action.UPLOAD (văn thư lưu trữ)
on each dossier; it is audited.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from archive.context import Context
from archive.errors import InvalidInput, NotFound, shown
from archive.models import Staff, StorageBox
from archive.services import audit
from archive.services.access import Action, Actor, check_staff, require
from archive.services.inventory import get_box, location_in_session
from archive.services.pdf_writer import new_document, nfc, to_bytes

PREFIX = "CBCCVC"
FORMAT_VERSION = 1
DOSSIER, BOX = "HS", "HOP"
MAX_LABELS = 600
MAX_TEXT = 200

# A4 sheet: 2 columns × 6 rows of 95 × 46 mm labels.
_COLS, _ROWS, _W, _H, _LEFT, _TOP, _QR = 2, 6, 95.0, 46.0, 10.0, 10.5, 38.0


def dossier_payload(staff_code: str) -> str:
    return f"{PREFIX}:{DOSSIER}:{staff_code}"


def box_payload(code: str) -> str:
    return f"{PREFIX}:{BOX}:{code}"


@dataclass(frozen=True)
class ParsedLabel:
    kind: str | None  # "staff" | "box" | None: a bare code, either
    code: str


@dataclass(frozen=True)
class LabelTarget:
    kind: str  # "staff" | "box"
    code: str
    title: str

    @property
    def url(self) -> str:
        from urllib.parse import quote

        return f"/ho-so/{quote(self.code, safe='')}" if self.kind == "staff" else f"/kho-ho-so/hop/{quote(self.code)}"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "code": self.code, "title": self.title, "url": self.url}


@dataclass(frozen=True)
class Label:
    payload: str
    title: str
    code: str
    lines: tuple[str, ...]


def parse_label(text: str) -> ParsedLabel:
    """What a scanned or typed label names (no database): prefix and kind checked, code kept as typed."""
    text = nfc(text or "").strip()
    if not text:
        raise InvalidInput("Cần quét hoặc nhập mã trên nhãn.")
    if len(text) > MAX_TEXT or not text.isprintable():
        raise InvalidInput("Mã trên nhãn không hợp lệ.")
    head, sep, rest = text.partition(":")
    if not sep or head.upper() != PREFIX:
        return ParsedLabel(None, text)
    kind, sep, code = rest.partition(":")
    if kind.isdigit():
        raise InvalidInput(f"Nhãn theo định dạng phiên bản {shown(kind)} chưa được hỗ trợ; phần mềm đọc phiên bản "
                           f"{FORMAT_VERSION}.")
    code = code.strip()
    if not sep or not code or kind.upper() not in (DOSSIER, BOX):
        raise InvalidInput("Mã trên nhãn không đúng định dạng CBCCVC:HS:<mã hồ sơ> hoặc CBCCVC:HOP:<mã hộp>.")
    return ParsedLabel("staff" if kind.upper() == DOSSIER else "box", code)


def resolve_label(c: Context, actor: Actor, text: str) -> LabelTarget:
    """Quét nhãn: the dossier or box a label (or a typed code) names, if the caller may see it."""
    parsed = parse_label(text)
    require(actor, Action.READ)
    not_found = NotFound(f"Không tìm thấy hồ sơ hoặc hộp nào có mã «{shown(parsed.code)}».")
    with c.uow() as uow:
        s = uow.session
        if parsed.kind in (None, "staff"):
            staff = s.scalar(select(Staff).where(Staff.code == parsed.code).options(selectinload(Staff.unit)))
            if staff is None:
                staff = s.scalar(select(Staff).where(func.upper(Staff.code) == parsed.code.upper())
                                 .options(selectinload(Staff.unit)).limit(1))
            if staff is not None:
                try:
                    check_staff(s, actor, staff, Action.READ)
                except NotFound:
                    raise not_found from None
                return LabelTarget("staff", staff.code, staff.full_name)
            if parsed.kind == "staff":
                raise not_found
        box_code = s.scalar(select(StorageBox.code).where(StorageBox.code == parsed.code.upper()))
        if box_code is None:
            raise not_found
    try:
        contents = get_box(c, actor, box_code)
    except NotFound:
        raise not_found from None
    return LabelTarget("box", box_code, contents.box.place)


def _dossier_label(s, actor: Actor, code: str) -> Label:
    staff = s.scalar(select(Staff).where(Staff.code == code).options(selectinload(Staff.unit)))
    if staff is None:
        raise NotFound(f"Không tìm thấy cán bộ có mã {shown(code)}.")
    check_staff(s, actor, staff, Action.UPLOAD)
    loc = location_in_session(s, staff)
    lines = [staff.unit.name]
    lines.append(loc.place if loc else "Chưa ghi vị trí lưu")
    return Label(dossier_payload(staff.code), staff.full_name, staff.code, tuple(lines))


def collect_labels(c: Context, actor: Actor, *, staff_codes: list[str] = (), box_codes: list[str] = (),
                   box_with_dossiers: bool = False) -> list[Label]:
    codes = list(dict.fromkeys(x.strip() for x in staff_codes if x and x.strip()))
    boxes = list(dict.fromkeys(x.strip().upper() for x in box_codes if x and x.strip()))
    if not codes and not boxes:
        raise InvalidInput("Chọn ít nhất một hồ sơ hoặc một hộp để in nhãn.")
    require(actor, Action.UPLOAD)
    labels: list[Label] = []
    for bcode in boxes:
        contents = get_box(c, actor, bcode)
        b = contents.box
        labels.append(Label(box_payload(b.code), f"Hộp {b.hop}", b.code,
                            (f"Kho {b.kho} · Giá {b.gia}", f"{b.dossiers} hồ sơ")))
        if box_with_dossiers:
            codes += [d["code"] for d in contents.dossiers if d["code"] not in codes]
    if len(codes) + len(labels) > MAX_LABELS:
        raise InvalidInput(f"Mỗi lần in tối đa {MAX_LABELS} nhãn.")
    with c.uow() as uow:
        labels += [_dossier_label(uow.session, actor, code) for code in codes]
    return labels


def qr_png(payload: str, *, scale: int = 10) -> bytes:
    buf = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def render_sheet(labels: list[Label], *, title: str = "Nhãn hồ sơ") -> bytes:
    """The A4 label sheet (pure: labels in, PDF bytes out)."""
    pdf = new_document(title)
    pdf.set_margins(left=_LEFT, top=_TOP, right=_LEFT)
    pdf.set_auto_page_break(auto=False)
    per_page = _COLS * _ROWS
    for i, label in enumerate(labels):
        if i % per_page == 0:
            pdf.add_page()
        row, col = divmod(i % per_page, _COLS)
        x, y = _LEFT + col * _W, _TOP + row * _H
        pdf.set_draw_color(180, 180, 180)
        pdf.rect(x, y, _W, _H)
        pdf.image(io.BytesIO(qr_png(label.payload)), x=x + 2, y=y + (_H - _QR) / 2, w=_QR, h=_QR)
        tx, tw = x + _QR + 4, _W - _QR - 6
        pdf.set_xy(tx, y + 4)
        pdf.set_font("sans", "B", 10)
        pdf.multi_cell(tw, 5, nfc(label.title), max_line_height=5)
        pdf.set_x(tx)
        pdf.set_font("sans", "", 9)
        pdf.multi_cell(tw, 4.5, nfc(f"Mã: {label.code}"))
        for line in label.lines:
            pdf.set_x(tx)
            pdf.set_font("sans", "", 8)
            pdf.multi_cell(tw, 4, nfc(line))
    return to_bytes(pdf)


def label_sheet(c: Context, actor: Actor, *, staff_codes: list[str] = (), box_codes: list[str] = (),
                box_with_dossiers: bool = False) -> bytes:
    """In nhãn QR: a PDF of the labels of some dossiers and boxes (audited)."""
    labels = collect_labels(c, actor, staff_codes=list(staff_codes), box_codes=list(box_codes),
                            box_with_dossiers=box_with_dossiers)
    data = render_sheet(labels)
    with c.uow() as uow:
        audit.append(uow.session, actor=actor.name, ip=actor.ip, action="label.print", target_type="labels",
                     target_id=",".join(lb.code for lb in labels)[:200],
                     details={"labels": [lb.payload for lb in labels][:MAX_LABELS]})
        uow.commit()
    return data
