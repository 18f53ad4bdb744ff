"""Text of a dossier's documents: the CV (sơ yếu lý lịch, Mẫu 2C) and decisions (quyết định).

Each document is a list of ``TextLine`` (what is printed, in reading order) plus the field
values it was filled with, so tests can check both the OCR text and extracted fields.
Layout is single-column: the agency name and the national motto (Quốc hiệu) are stacked
rather than side by side, so the reading order — and hence the ground truth — is unambiguous.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench.corpus.names import random_name
from bench.corpus.render import TextLine
from bench.corpus.staff import AS_OF, Staff
from bench.corpus.units import head_title, post_title

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"

DOCUMENT_TYPES: dict[str, str] = {
    "ly_lich_2c": "Sơ yếu lý lịch (Mẫu 2C)",
    "qd_tuyen_dung": "Quyết định tuyển dụng",
    "qd_nang_luong": "Quyết định nâng bậc lương",
    "qd_bo_nhiem": "Quyết định bổ nhiệm",
    "qd_nghi_huu": "Quyết định nghỉ hưu",
    "qd_thoi_viec": "Quyết định thôi việc",
    "qd_dieu_dong": "Quyết định điều động",
}


@dataclass(frozen=True)
class SyntheticDocument:
    """One document of one staff member: printed lines and the field values behind them."""

    staff_code: str
    document_type: str
    lines: tuple[TextLine, ...]
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Logical text before wrapping (for index-only benchmarks that skip rendering)."""
        return "\n".join(line.text for line in self.lines)


def dmy(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def my(d: date) -> str:
    return f"{d.month:02d}/{d.year}"


def long_date(d: date) -> str:
    """'ngày 05 tháng 3 năm 2012' as written in Vietnamese official documents."""
    return f"ngày {d.day:02d} tháng {d.month} năm {d.year}"


def vn_decimal(x: float) -> str:
    """2.34 → '2,34' (Vietnamese decimal comma)."""
    return f"{x:.2f}".replace(".", ",")


def _abbreviation(name: str) -> str:
    """'Sở Giáo dục và Đào tạo' → 'SGDĐT' (the issuer code in a decision number)."""
    words = [w for w in re.split(r"[\s,\-]+", name) if w and w not in ("và", "-")]
    return "".join(w[0].upper() for w in words)


# ---------------------------------------------------------------------------- Mẫu 2C
def cv_mau_2c(staff: Staff, rng: random.Random) -> SyntheticDocument:
    """Sơ yếu lý lịch cán bộ, công chức laid out after Mẫu 2C-BNV/2008: labels and values."""
    s, n = staff, staff.name
    coefficient = vn_decimal(s.rank.coefficient(s.salary_step))
    height = rng.randint(150, 178)
    fields = {
        "ho_ten": n.full, "ngay_sinh": dmy(s.birth_date), "gioi_tinh": "Nam" if n.gender == "nam" else "Nữ",
        "noi_sinh": s.birthplace, "que_quan": s.hometown, "dan_toc": s.ethnicity, "so_cccd": s.id_number,
        "ngay_tuyen_dung": dmy(s.recruitment_date), "chuc_vu": s.position, "ngach": s.rank.title,
        "ma_ngach": s.rank.code, "bac_luong": str(s.salary_step), "he_so": coefficient,
        "trinh_do": s.education, "ly_luan_chinh_tri": s.political_theory, "don_vi": s.unit_name,
        "so_hieu": s.code,
    }
    party = f"{dmy(s.party_date)}, Ngày chính thức: {dmy(s.party_date + timedelta(days=365))}" if s.party_date else "Không"
    lines = [
        TextLine(f"Cơ quan, đơn vị có thẩm quyền quản lý CBCC: {s.department.name}"),
        TextLine(f"Cơ quan, đơn vị sử dụng CBCC: {s.unit_name}"),
        TextLine(f"Số hiệu cán bộ, công chức: {s.code}", align="right"),
        TextLine("Mẫu 2C-BNV/2008", align="right"),
        TextLine(""),
        TextLine("SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC", align="center", bold=True),
        TextLine(""),
        TextLine(f"1) Họ và tên khai sinh (viết chữ in hoa): {n.full.upper()}"),
        TextLine("2) Tên gọi khác: Không"),
        TextLine(f"3) Sinh ngày: {s.birth_date.day:02d} tháng {s.birth_date.month:02d} năm {s.birth_date.year}, "
                 f"Giới tính (nam, nữ): {fields['gioi_tinh']}"),
        TextLine(f"4) Nơi sinh: {s.birthplace}"),
        TextLine(f"5) Quê quán: {s.hometown}"),
        TextLine(f"6) Dân tộc: {s.ethnicity}, 7) Tôn giáo: Không"),
        TextLine(f"8) Nơi đăng ký hộ khẩu thường trú: {s.hometown}"),
        TextLine(f"9) Nơi ở hiện nay: {s.birthplace}"),
        TextLine(f"10) Nghề nghiệp khi được tuyển dụng: {s.rank.title}"),
        TextLine(f"11) Ngày tuyển dụng: {dmy(s.recruitment_date)}, Vào cơ quan nào, ở đâu: {s.department.name}"),
        TextLine(f"12) Chức vụ (chức danh) hiện tại: {s.position}"),
        TextLine(f"13) Công việc chính được giao: Tham mưu, giúp việc tại {s.unit.name}"),
        TextLine(f"14) Ngạch công chức (viên chức): {s.rank.title}, Mã ngạch: {s.rank.code}"),
        TextLine(f"Bậc lương: {s.salary_step}, Hệ số: {coefficient}, Ngày hưởng: {dmy(s.recruitment_date)}"),
        TextLine("15.1- Trình độ giáo dục phổ thông: 12/12"),
        TextLine(f"15.2- Trình độ chuyên môn cao nhất: {s.education}"),
        TextLine(f"15.3- Lý luận chính trị: {s.political_theory}, 15.4- Quản lý nhà nước: Chuyên viên"),
        TextLine("15.5- Ngoại ngữ: Tiếng Anh trình độ B, 15.6- Tin học: Trình độ A"),
        TextLine(f"16) Ngày vào Đảng Cộng sản Việt Nam: {party}"),
        TextLine(f"20) Tình trạng sức khỏe: Tốt, Chiều cao: {height} cm, Cân nặng: {rng.randint(45, 80)} kg, "
                 f"Nhóm máu: {rng.choice(('O', 'A', 'B', 'AB'))}"),
        TextLine(f"22) Số căn cước công dân: {s.id_number}"),
        TextLine(""),
        TextLine("27) TÓM TẮT QUÁ TRÌNH CÔNG TÁC", bold=True),
    ]
    start = s.recruitment_date
    end_of_career = s.status_date or AS_OF
    role = s.rank.title  # first periods as a plain rank holder, the last in the current post
    while start < end_of_career:
        stop = min(start + timedelta(days=rng.randint(700, 2500)), end_of_career)
        if stop == end_of_career:
            role = s.position
        until = "nay" if stop == AS_OF and s.status == "dang_cong_tac" else my(stop)
        lines.append(TextLine(f"Từ {my(start)} đến {until}: {role}, {s.unit.name}, {s.department.name}"))
        start = stop + timedelta(days=1)
    lines += [
        TextLine(""),
        TextLine("Tôi xin cam đoan những lời khai trên đây là đúng sự thật."),
        TextLine(f"{s.province}, {long_date(s.recruitment_date)}", align="right"),
        TextLine("Người khai", align="right", bold=True),
        TextLine(n.full, align="right"),
    ]
    return SyntheticDocument(s.code, "ly_lich_2c", tuple(lines), fields)


# ---------------------------------------------------------------------------- quyết định
@dataclass(frozen=True)
class _Decision:
    subject: str              # Về việc …
    grounds: tuple[str, ...]  # Căn cứ …
    article_1: str            # Điều 1 …
    signed: date


def _legal_basis(signed: date) -> tuple[str, ...]:
    if signed.year >= 2021:
        return ("Căn cứ Luật Cán bộ, công chức ngày 13 tháng 11 năm 2008; Luật sửa đổi, bổ sung một số điều "
                "của Luật Cán bộ, công chức và Luật Viên chức ngày 25 tháng 11 năm 2019;",
                "Căn cứ Nghị định số 138/2020/NĐ-CP ngày 27 tháng 11 năm 2020 của Chính phủ quy định về "
                "tuyển dụng, sử dụng và quản lý công chức;")
    if signed.year >= 2010:
        return ("Căn cứ Luật Cán bộ, công chức ngày 13 tháng 11 năm 2008;",
                "Căn cứ Nghị định số 24/2010/NĐ-CP ngày 15 tháng 3 năm 2010 của Chính phủ quy định về "
                "tuyển dụng, sử dụng và quản lý công chức;")
    if signed.year >= 2004:
        return ("Căn cứ Pháp lệnh Cán bộ, công chức năm 1998 và các Pháp lệnh sửa đổi, bổ sung;",
                "Căn cứ Nghị định số 117/2003/NĐ-CP ngày 10 tháng 10 năm 2003 của Chính phủ về việc tuyển dụng, "
                "sử dụng và quản lý cán bộ, công chức trong các cơ quan nhà nước;")
    return ("Căn cứ Pháp lệnh Cán bộ, công chức năm 1998 và các Pháp lệnh sửa đổi, bổ sung;",
            "Căn cứ Nghị định số 95/1998/NĐ-CP ngày 17 tháng 11 năm 1998 của Chính phủ về tuyển dụng, "
            "sử dụng và quản lý công chức;")


def _decision(staff: Staff, kind: str, d: _Decision, rng: random.Random) -> SyntheticDocument:
    s, n = staff, staff.name
    province = s.province
    number = f"{rng.randint(1, 2999)}/QĐ-{_abbreviation(s.department.name)}"
    # signed by the director, or by a deputy on the director's behalf (ký thay, KT.)
    signature = rng.choice((("GIÁM ĐỐC",), ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")))
    signer = random_name(rng).full  # somebody else signs
    unit_head = post_title(head_title(s.unit.name), s.unit.name)
    lines = [
        TextLine(f"ỦY BAN NHÂN DÂN TỈNH {province.upper()}", align="center"),
        TextLine(s.department.name.upper(), align="center", bold=True),
        TextLine(f"Số: {number}", align="center"),
        TextLine(QUOC_HIEU, align="center", bold=True),
        TextLine(TIEU_NGU, align="center", bold=True),
        TextLine(f"{province}, {long_date(d.signed)}", align="right"),
        TextLine(""),
        TextLine("QUYẾT ĐỊNH", align="center", bold=True),
        TextLine(f"Về việc {d.subject}", align="center", bold=True),
        TextLine(""),
        TextLine(f"GIÁM ĐỐC {s.department.name.upper()}", align="center", bold=True),
        TextLine(""),
        *(TextLine(g) for g in _legal_basis(d.signed) + d.grounds),
        TextLine(f"Căn cứ Quyết định số {rng.randint(10, 99)}/{d.signed.year - rng.randint(1, 5)}/QĐ-UBND của "
                 f"Ủy ban nhân dân tỉnh {province} quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức "
                 f"của {s.department.name};"),
        TextLine("Theo đề nghị của Chánh Văn phòng Sở."),
        TextLine(""),
        TextLine("QUYẾT ĐỊNH:", align="center", bold=True),
        TextLine(f"Điều 1. {d.article_1}"),
        TextLine(f"Điều 2. {n.honorific} {n.full} được hưởng các chế độ, chính sách theo quy định hiện hành "
                 "của Nhà nước."),
        TextLine(f"Điều 3. {', '.join(dict.fromkeys(('Chánh Văn phòng Sở', unit_head)))}, Thủ trưởng các đơn vị "
                 f"có liên quan và {n.honorific.lower()} {n.full} chịu trách nhiệm thi hành Quyết định này./."),
        TextLine(""),
        TextLine("Nơi nhận:", bold=True),
        TextLine("- Như Điều 3;"),
        TextLine(f"- UBND tỉnh {province} (để b/c);"),
        TextLine("- Lưu: VT, TCCB."),
        *(TextLine(title, align="right", bold=True) for title in signature),
        TextLine("(Đã ký và đóng dấu)", align="right"),
        TextLine(signer, align="right", bold=True),
    ]
    fields = {"so_quyet_dinh": number, "ngay_ky": dmy(d.signed), "ho_ten": n.full, "nguoi_ky": signer,
              "trich_yeu": d.subject, "co_quan_ban_hanh": s.department.name}
    return SyntheticDocument(s.code, kind, tuple(lines), fields)


def qd_tuyen_dung(staff: Staff, rng: random.Random) -> SyntheticDocument:
    s, n = staff, staff.name
    signed = s.recruitment_date - timedelta(days=rng.randint(5, 40))
    return _decision(s, "qd_tuyen_dung", _Decision(
        subject="tuyển dụng công chức",
        grounds=(f"Căn cứ kết quả kỳ thi tuyển công chức năm {signed.year};",),
        article_1=(f"Tuyển dụng {n.honorific.lower()} {n.full}, sinh ngày {dmy(s.birth_date)}, quê quán "
                   f"{s.hometown}, vào làm công chức, ngạch {s.rank.title} (mã ngạch {s.rank.code}), bậc 1, "
                   f"hệ số lương {vn_decimal(s.rank.first_coefficient)}, kể từ {long_date(s.recruitment_date)}, "
                   f"công tác tại {s.unit.name}."),
        signed=signed), rng)


def qd_nang_luong(staff: Staff, rng: random.Random, step: int) -> SyntheticDocument:
    s, n = staff, staff.name
    effective = min(s.recruitment_date + timedelta(days=3 * 365 * (step - 1)), AS_OF)
    return _decision(s, "qd_nang_luong", _Decision(
        subject="nâng bậc lương thường xuyên",
        grounds=("Căn cứ Nghị định số 204/2004/NĐ-CP ngày 14 tháng 12 năm 2004 của Chính phủ về chế độ tiền lương "
                 "đối với cán bộ, công chức, viên chức và lực lượng vũ trang;",),
        article_1=(f"Nâng bậc lương thường xuyên đối với {n.honorific.lower()} {n.full}, ngạch {s.rank.title} "
                   f"(mã ngạch {s.rank.code}), từ bậc {step - 1}, hệ số {vn_decimal(s.rank.coefficient(step - 1))} "
                   f"lên bậc {step}, hệ số {vn_decimal(s.rank.coefficient(step))}, kể từ {long_date(effective)}."),
        signed=effective - timedelta(days=rng.randint(0, 30))), rng)


def qd_bo_nhiem(staff: Staff, rng: random.Random) -> SyntheticDocument:
    s, n = staff, staff.name
    end = s.status_date or AS_OF
    signed = s.recruitment_date + timedelta(days=rng.randint(365, max(366, (end - s.recruitment_date).days)))
    return _decision(s, "qd_bo_nhiem", _Decision(
        subject=f"bổ nhiệm {post_title(s.position, s.unit.name)}",
        grounds=("Căn cứ Quy định về phân cấp quản lý tổ chức bộ máy và cán bộ, công chức, viên chức;",),
        article_1=(f"Bổ nhiệm {n.honorific.lower()} {n.full}, {post_title(s.rank.title, s.unit.name)}, giữ chức vụ "
                   f"{post_title(s.position, s.unit.name)}, thời hạn 05 năm kể từ {long_date(signed)}."),
        signed=signed), rng)


def qd_status(staff: Staff, rng: random.Random) -> SyntheticDocument | None:
    """The decision that ended active service, if the status has one (từ trần has none)."""
    s, n = staff, staff.name
    if s.status_date is None or s.status == "tu_tran":
        return None
    signed = s.status_date - timedelta(days=rng.randint(30, 90))
    if s.status == "nghi_huu":
        return _decision(s, "qd_nghi_huu", _Decision(
            subject=f"nghỉ hưu để hưởng chế độ bảo hiểm xã hội đối với {n.honorific.lower()} {n.full}",
            grounds=("Căn cứ Nghị định số 46/2010/NĐ-CP ngày 27 tháng 4 năm 2010 của Chính phủ quy định về "
                     "thôi việc và thủ tục nghỉ hưu đối với công chức;",),
            article_1=(f"{n.honorific} {n.full}, sinh ngày {dmy(s.birth_date)}, {post_title(s.position, s.unit.name)}, "
                       f"được nghỉ hưu để hưởng chế độ bảo hiểm xã hội kể từ {long_date(s.status_date)}."),
            signed=signed), rng)
    if s.status == "thoi_viec":
        return _decision(s, "qd_thoi_viec", _Decision(
            subject=f"cho thôi việc đối với {n.honorific.lower()} {n.full}",
            grounds=(f"Xét đơn xin thôi việc của {n.honorific.lower()} {n.full};",),
            article_1=(f"Cho {n.honorific.lower()} {n.full}, {post_title(s.rank.title, s.unit.name)}, được thôi việc theo "
                       f"nguyện vọng kể từ {long_date(s.status_date)}."),
            signed=signed), rng)
    return _decision(s, "qd_dieu_dong", _Decision(
        subject=f"điều động công chức đối với {n.honorific.lower()} {n.full}",
        grounds=("Căn cứ nhu cầu công tác và năng lực của công chức;",),
        article_1=(f"Điều động {n.honorific.lower()} {n.full}, {post_title(s.position, s.unit.name)}, đến nhận công tác "
                   f"tại cơ quan khác kể từ {long_date(s.status_date)}."),
        signed=signed), rng)


def dossier(staff: Staff, rng: random.Random, *, max_documents: int = 6) -> list[SyntheticDocument]:
    """A staff member's documents: CV, recruitment, pay rises, appointment, status decision.

    Beyond ``max_documents`` (at least 3) the earliest pay rises are left out.
    """
    builders: list[Callable[[], SyntheticDocument | None]] = []
    if staff.is_leader:
        builders.append(lambda: qd_bo_nhiem(staff, rng))
    builders.append(lambda: qd_status(staff, rng))
    room = max(0, max(3, max_documents) - 2 - len(builders))
    steps = list(range(2, staff.salary_step + 1))[-room:] if room else []
    pay_rises = [lambda step=step: qd_nang_luong(staff, rng, step) for step in steps]
    ordered = [lambda: cv_mau_2c(staff, rng), lambda: qd_tuyen_dung(staff, rng), *pay_rises, *builders]
    return [doc for build in ordered if (doc := build()) is not None]
