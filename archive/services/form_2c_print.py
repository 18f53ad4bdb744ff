"""The printed sơ yếu lý lịch (Mẫu 2C-BNV/2008, QĐ 02/2008/QĐ-BNV) of one staff record, as a PDF.

Laid out like the paper form: the managing agencies and the record's number top left, the
national header, a 4×6 cm photo box beside the title "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC", the
numbered items 1)–26) in the form's order, the histories as the form's tables (27 đào tạo, 28
quá trình công tác, 30 quan hệ gia đình, 31 diễn biến lương), then the signature block
"Người khai … / Thủ trưởng cơ quan …". Times New Roman metrics (pdf_writer's "serif").

Item numbers and wording follow the form as issued with QĐ 02/2008/QĐ-BNV (and the province
guides to filling in "phiếu 2C"); fields the app does not hold (e.g. 17–20, 24) print as the
form's dotted blanks, to be completed by hand.

Who may print: whoever may download the record (DOWNLOAD in scope), and a staff member their
own record (TP.HCM QĐ 51/2024 Đ9.2.b, Đ9.5). Protected fields (dân tộc, tôn giáo, Đảng, sức
khỏe, CCCD, BHXH) are printed only for a viewer cleared to read them — the same rule as the
dossier page — otherwise the line says they are withheld. Each print is audited as a download.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF, FontFace
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.catalog_seed import SEED
from archive.context import Context
from archive.models import CatalogEntry, Unit
from archive.services import audit
from archive.services.access import Action, Actor, check_staff
from archive.services.pdf_writer import new_document, nfc, to_bytes
from archive.services.staff import (
    StaffView,
    _may_read_sensitive,
    load_staff,
    may,
    staff_view,
)
from archive.services.staff_profile import HistoryKind

WITHHELD = "(thông tin được bảo vệ — không in cho người xem này)"
DOTS = "…………………………"
GENDER = {"nam": "Nam", "nu": "Nữ"}


@dataclass(frozen=True)
class PrintedForm:
    file_name: str
    data: bytes


def _names(s: Session, catalog: str) -> dict[str, str]:
    rows = dict(s.execute(select(CatalogEntry.code, CatalogEntry.name).where(CatalogEntry.catalog == catalog)).all())
    return rows or {i.code: i.name for i in SEED[catalog]}


def _day(value: object) -> str:
    """"ngày 05 tháng 03 năm 1980" as the form writes dates; blank dots when unknown."""
    if not value:
        return DOTS
    d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _or_dots(value: object) -> str:
    return nfc(str(value)) if value not in (None, "") else DOTS


def print_form_2c(c: Context, actor: Actor, code: str) -> PrintedForm:
    """The record's Mẫu 2C as PDF bytes; audited as `staff.print_2c`."""
    with c.uow() as uow:
        s = uow.session
        staff = check_staff(s, actor, load_staff(s, code), Action.DOWNLOAD)
        cleared = _may_read_sensitive(s, actor, staff)
        view = staff_view(c, s, staff, show_sensitive=cleared)
        parent = s.get(Unit, staff.unit.parent_id) if getattr(staff.unit, "parent_id", None) else None
        names = {k: _names(s, k) for k in ("dan_toc", "ton_giao", "ngach")}
        pdf = _render(view, names, managing=parent.name if parent else view.unit_name)
        audit.append(s, actor=actor.name, ip=actor.ip, action="staff.print_2c", target_type="staff",
                     target_id=code, details={"sensitive": cleared})
        uow.commit()
    return PrintedForm(file_name=f"so-yeu-ly-lich-{code}.pdf", data=to_bytes(pdf))


def may_print(c: Context, actor: Actor, code: str) -> bool:
    """Whether the "In sơ yếu lý lịch" button works for this person on this record."""
    return may(c, actor, code, Action.DOWNLOAD)


# -- layout ------------------------------------------------------------------------------------

class _Form:
    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(self, text: str, *, size: float = 12, style: str = "", align: str = "L") -> None:
        self.pdf.set_font("serif", style, size)
        self.pdf.multi_cell(self.width, 6, nfc(text), align=align, new_x="LMARGIN", new_y="NEXT")

    def item(self, label: str, value: str) -> None:
        """"6) Dân tộc: Kinh" — the label plain, the value bold, wrapping under the label."""
        self.pdf.set_x(self.pdf.l_margin)
        self.pdf.set_font("serif", "", 12)
        self.pdf.write(6, nfc(f"{label}: "))
        self.pdf.set_font("serif", "B", 12)
        self.pdf.write(6, nfc(value))
        self.pdf.ln(6.5)

    def heading(self, text: str) -> None:
        self.pdf.ln(3)
        self.line(text, size=12, style="B")

    def table(self, headers: tuple[str, ...], widths: tuple[int, ...], rows: list[tuple[str, ...]]) -> None:
        self.pdf.set_font("serif", "", 10.5)
        with self.pdf.table(col_widths=widths, line_height=5.5, text_align="LEFT",
                            headings_style=FontFace(family="serif", emphasis="BOLD")) as table:
            head = table.row()
            for h in headers:
                head.cell(nfc(h), align="C")
            for r in rows or [tuple("" for _ in headers)]:
                row = table.row()
                for value in r:
                    row.cell(nfc(value))


def _period(h: dict, *, ongoing: bool) -> tuple[str, str]:
    start = _month(h.get("from_date"))
    end = _month(h.get("to_date")) if h.get("to_date") else ("nay" if ongoing else "")
    return start, end


def _month(value: object) -> str:
    if not value:
        return ""
    d = date.fromisoformat(str(value)[:10])
    return f"{d.month:02d}/{d.year}"


def _details(h: dict, *keys: str) -> list[str]:
    details = h.get("details") or {}
    return [str(details.get(k, "")) for k in keys]


def _render(view: StaffView, names: dict[str, dict[str, str]], *, managing: str) -> FPDF:
    pdf = new_document(f"Sơ yếu lý lịch — {view.full_name}", author=managing)
    pdf.add_page()
    f = _Form(pdf)
    p, sens = view.profile, view.sensitive
    top = pdf.get_y()
    # left: agencies and number; right: the form's mark and the national header (quốc hiệu)
    pdf.set_font("serif", "", 10.5)
    pdf.multi_cell(72, 5, nfc(f"Cơ quan, đơn vị có thẩm quyền quản lý CBCC: {managing}\n"
                              f"Cơ quan, đơn vị sử dụng CBCC: {view.unit_name}\n"
                              f"Số hiệu cán bộ, công chức: {view.code}"), new_x="RIGHT", new_y="TOP")
    pdf.set_xy(pdf.l_margin + 74, top)
    pdf.set_font("serif", "I", 10)
    pdf.multi_cell(f.width - 74, 5, nfc("Mẫu 2C-BNV/2008\nban hành kèm theo Quyết định số 02/2008/QĐ-BNV"),
                   align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + 74, pdf.get_y() + 1)
    pdf.set_font("serif", "B", 11)
    pdf.multi_cell(f.width - 74, 5.5, nfc("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 74)
    pdf.set_font("serif", "B", 12.5)
    pdf.multi_cell(f.width - 74, 5.5, nfc("Độc lập - Tự do - Hạnh phúc"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 18) + 4)

    # photo box 4 × 6 cm and the title beside it
    box_y = pdf.get_y()
    pdf.rect(pdf.l_margin, box_y, 40, 60)
    pdf.set_xy(pdf.l_margin, box_y + 26)
    pdf.set_font("serif", "I", 10)
    pdf.multi_cell(40, 5, nfc("Ảnh màu\n(4 × 6 cm)"), align="C")
    pdf.set_xy(pdf.l_margin + 45, box_y + 22)
    pdf.set_font("serif", "B", 15)
    pdf.multi_cell(f.width - 45, 8, nfc("SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC"), align="C", new_x="LMARGIN",
                   new_y="NEXT")
    pdf.set_y(box_y + 64)

    def secret(value: str) -> str:
        return value if sens is not None else WITHHELD

    grade = view.grade_code
    f.item("1) Họ và tên khai sinh (viết chữ in hoa)", nfc(view.full_name).upper())
    f.item("2) Tên gọi khác", _or_dots(p.get("other_names")))
    f.item("3) Sinh ngày", f"{_day(view.birth_date)}, Giới tính (nam, nữ): {GENDER.get(view.gender, DOTS)}")
    f.item("4) Nơi sinh", _or_dots(p.get("birth_place")))
    f.item("5) Quê quán", _or_dots(p.get("hometown")))
    f.item("6) Dân tộc", secret(_or_dots(names["dan_toc"].get((sens or {}).get("ethnicity", ""), ""))))
    f.item("7) Tôn giáo", secret(_or_dots(names["ton_giao"].get((sens or {}).get("religion", ""), ""))))
    f.item("8) Nơi đăng ký hộ khẩu thường trú", _or_dots(p.get("permanent_address")))
    f.item("9) Nơi ở hiện nay", _or_dots(p.get("current_address")))
    f.item("10) Nghề nghiệp khi được tuyển dụng", _or_dots(p.get("recruitment_occupation")))
    f.item("11) Ngày tuyển dụng", f"{_day(p.get('recruitment_date'))}, Cơ quan tuyển dụng: "
                                  f"{_or_dots(p.get('recruiting_agency'))}")
    f.item("12) Chức vụ (chức danh) hiện tại", _or_dots(p.get("position")))
    f.item("13) Công việc chính được giao", _or_dots(p.get("main_duties")))
    coefficient = p.get("salary_coefficient")
    f.item("14) Ngạch công chức (viên chức)",
           f"{_or_dots(names['ngach'].get(grade, ''))}, Mã ngạch: {_or_dots(grade)}, "
           f"Bậc lương: {_or_dots(p.get('salary_step'))}, "
           f"Hệ số: {(f'{coefficient:.2f}'.replace('.', ',')) if coefficient is not None else DOTS}, "
           f"Ngày hưởng: {_day(p.get('salary_effective_date'))}, Phụ cấp: {_or_dots(p.get('allowances'))}")
    f.item("15.1) Trình độ giáo dục phổ thông", _or_dots(p.get("education_general")))
    f.item("15.2) Trình độ chuyên môn cao nhất", _or_dots(p.get("education_professional")))
    f.item("15.3) Lý luận chính trị", _or_dots(p.get("political_theory")))
    f.item("15.4) Quản lý nhà nước", _or_dots(p.get("state_management")))
    f.item("15.5) Ngoại ngữ", _or_dots(p.get("foreign_language")))
    f.item("15.6) Tin học", _or_dots(p.get("informatics")))
    f.item("16) Ngày vào Đảng Cộng sản Việt Nam",
           secret(f"{_day((sens or {}).get('party_join_date'))}, Ngày chính thức: "
                  f"{_day((sens or {}).get('party_official_date'))}"))
    f.item("17) Ngày tham gia tổ chức chính trị - xã hội", DOTS)
    f.item("18) Ngày nhập ngũ, ngày xuất ngũ, quân hàm cao nhất", DOTS)
    f.item("19) Danh hiệu được phong tặng cao nhất", DOTS)
    f.item("20) Sở trường công tác", DOTS)
    awards = [h for h in view.history if h["kind"] == HistoryKind.AWARD.value]
    discipline = [h for h in view.history if h["kind"] == HistoryKind.DISCIPLINE.value]
    f.item("21) Khen thưởng", "; ".join(f"{h['summary']} ({_month(h['from_date'])})" if h["from_date"]
                                        else h["summary"] for h in awards) or DOTS)
    f.item("22) Kỷ luật", "; ".join(f"{h['summary']} ({_month(h['from_date'])})" if h["from_date"]
                                    else h["summary"] for h in discipline) or DOTS)
    f.item("23) Tình trạng sức khỏe", secret(f"{_or_dots((sens or {}).get('health'))}, Nhóm máu: "
                                            f"{_or_dots((sens or {}).get('blood_group'))}"))
    f.item("24) Là thương binh hạng, gia đình liệt sĩ", DOTS)
    f.item("25) Số chứng minh nhân dân (CCCD)",
           secret(f"{_or_dots((sens or {}).get('id_number'))}, Ngày cấp: "
                  f"{_day((sens or {}).get('id_issued_date'))}"))
    f.item("26) Số sổ BHXH", secret(_or_dots((sens or {}).get("social_insurance_number"))))

    def of(kind: HistoryKind) -> list[dict]:
        return [h for h in view.history if h["kind"] == kind.value]

    f.heading("27) ĐÀO TẠO, BỒI DƯỠNG VỀ CHUYÊN MÔN, NGHIỆP VỤ, LÝ LUẬN CHÍNH TRỊ, NGOẠI NGỮ, TIN HỌC")
    f.table(("Tên trường", "Chuyên ngành đào tạo, bồi dưỡng", "Từ tháng, năm - đến tháng, năm",
             "Hình thức đào tạo", "Văn bằng, chứng chỉ"), (34, 40, 30, 28, 33),
            [(*_details(h, "school"), h["summary"], " - ".join(_period(h, ongoing=True)),
              *_details(h, "mode", "degree")) for h in of(HistoryKind.TRAINING)])
    f.heading("28) TÓM TẮT QUÁ TRÌNH CÔNG TÁC")
    f.table(("Từ tháng, năm - đến tháng, năm", "Chức danh, chức vụ, đơn vị công tác"), (45, 120),
            [(" - ".join(_period(h, ongoing=True)), h["summary"]) for h in of(HistoryKind.WORK)])
    f.heading("30) QUAN HỆ GIA ĐÌNH")
    f.table(("Mối quan hệ", "Họ và tên", "Năm sinh", "Quê quán, nghề nghiệp, chức danh, chức vụ, đơn vị công tác"),
            (25, 40, 20, 80),
            [(*_details(h, "relation"), h["summary"], *_details(h, "birth_year", "note")) for h in
             of(HistoryKind.FAMILY)])
    f.heading("31) DIỄN BIẾN QUÁ TRÌNH LƯƠNG CỦA CÁN BỘ, CÔNG CHỨC")
    f.table(("Tháng/năm", "Mã ngạch/bậc", "Hệ số lương", "Ghi chú"), (28, 45, 30, 62),
            [(_month(h["from_date"]), *_details(h, "grade_step", "coefficient"), h["summary"])
             for h in of(HistoryKind.SALARY)])

    # signature block: người khai (left), thủ trưởng cơ quan (right)
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    pdf.ln(8)
    y = pdf.get_y()
    half = f.width / 2
    pdf.set_font("serif", "B", 12)
    pdf.multi_cell(half, 6, nfc("Người khai"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "I", 11)
    pdf.multi_cell(half, 5.5, nfc("Tôi xin cam đoan những lời khai trên đây là đúng sự thật\n(Ký tên, ghi rõ họ tên)"),
                   align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(20)
    pdf.set_font("serif", "B", 12)
    pdf.multi_cell(half, 6, nfc(view.full_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + half, y)
    pdf.set_font("serif", "I", 11)
    pdf.multi_cell(half, 6, nfc("…, Ngày … tháng … năm 20…"), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font("serif", "B", 12)
    pdf.multi_cell(half, 6, nfc("Thủ trưởng cơ quan, đơn vị quản lý và sử dụng CBCC"), align="C",
                   new_x="LEFT", new_y="NEXT")
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font("serif", "I", 11)
    pdf.multi_cell(half, 5.5, nfc("(Ký tên, đóng dấu)"), align="C", new_x="LMARGIN", new_y="NEXT")
    return pdf
