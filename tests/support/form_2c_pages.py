"""Rendered sơ yếu lý lịch pages (Mẫu 2C-BNV/2008 and the TT 06/2023 form) with known truth.

A `Person` holds the record (what add_staff is given) and what the paper says (strings in the
spellings people write: "ngày 14 tháng 3 năm 1968", "TP. Hà Nội", "2,34"). `render_form`
draws one A4 page at 300 dpi in a chosen font — single lines, inline pairs ("Sinh ngày: …,
Giới tính: …"), two-column rows and a value written on the line under its label — and returns
the page with each value's box in its pixels; `degrade` makes a scanner-like copy (noise, blur,
2° skew) and moves the boxes with it.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bench.corpus.render import _speckle  # noqa: PLC2701 - the corpus's own dust model
import numpy as np

FONTS = {
    "termes": "/usr/share/texmf/fonts/opentype/public/tex-gyre/texgyretermes-regular.otf",
    "dejavu": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "noto": "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
}
WIDTH, HEIGHT = 2480, 3508  # A4 at 300 dpi
MARGIN = 190
FONT_PX = 46
PITCH = 86


@dataclass
class Person:
    code: str
    full_name: str
    birth_date: str            # ISO, the record's
    gender: str
    grade_code: str
    profile: dict
    paper: dict[str, str]      # field key -> value as written on the paper
    differs: set[str] = field(default_factory=set)  # keys where paper and record disagree

    def record(self) -> dict:
        return {"code": self.code, "full_name": self.full_name, "birth_date": self.birth_date,
                "gender": self.gender, "grade_code": self.grade_code, "profile": dict(self.profile)}


def people() -> list[Person]:
    """Two people; each record differs from its paper in three known fields."""
    a = Person(
        code="NV2C01", full_name="Nguyễn Thị Minh Hằng", birth_date="1968-03-14", gender="nu", grade_code="01.003",
        profile={"other_names": "Hằng", "birth_place": "Xã Tân Lập, Huyện Đan Phượng, Tỉnh Hà Tây",
                 "hometown": "Phường Trúc Bạch, Quận Ba Đình, Thành phố Hà Nội",
                 "permanent_address": "Số 12 Ngõ 5 Phố Huế, Phường Ngô Thì Nhậm, Quận Hai Bà Trưng, Hà Nội",
                 "current_address": "Số 12 Ngõ 5 Phố Huế, Phường Ngô Thì Nhậm, Quận Hai Bà Trưng, Hà Nội",
                 "recruitment_occupation": "Giáo viên", "recruitment_date": "1990-09-01",
                 "recruiting_agency": "Sở Giáo dục và Đào tạo Hà Tây", "position": "Phó trưởng phòng",
                 "main_duties": "Quản lý hồ sơ cán bộ", "salary_step": 4, "salary_coefficient": 3.66,
                 "salary_effective_date": "2021-01-01", "education_general": "12/12",
                 "education_professional": "Cử nhân Luật", "political_theory": "Trung cấp",
                 "state_management": "Chuyên viên", "foreign_language": "Tiếng Anh B1", "informatics": "Cơ bản"},
        paper={"ho_ten": "NGUYỄN THỊ MINH HẰNG", "ten_goi_khac": "Hằng", "ngay_sinh": "14 tháng 3 năm 1968",
               "gioi_tinh": "Nữ", "noi_sinh": "xã Tân Lập, H. Đan Phượng, tỉnh Hà Tây",
               "que_quan": "P. Trúc Bạch, Q. Ba Đình, TP. Hà Nội",
               "ho_khau": "Số 12 Ngõ 5 Phố Huế, P. Ngô Thì Nhậm, Q. Hai Bà Trưng, Hà Nội",
               "noi_o": "Số 12 Ngõ 5 Phố Huế, P. Ngô Thì Nhậm, Q. Hai Bà Trưng, Hà Nội",
               "nghe_nghiep": "Giáo viên", "ngay_tuyen_dung": "01/9/1990",
               "co_quan_tuyen_dung": "Sở Giáo dục và Đào tạo Hà Tây", "chuc_vu": "Phó trưởng phòng",
               "cong_viec": "Quản lý hồ sơ cán bộ", "ngach": "Chuyên viên", "ma_ngach": "01.003", "bac_luong": "4",
               "he_so": "3,66", "ngay_huong": "01-01-2021", "pho_thong": "12/12", "chuyen_mon": "Cử nhân Luật",
               "ly_luan": "Trung cấp", "qlnn": "Chuyên viên", "ngoai_ngu": "Tiếng Anh B1", "tin_hoc": "Cơ bản"},
    )
    # the paper says what it says; the record was typed wrong in three fields
    a.birth_date = "1968-03-17"
    a.profile["salary_coefficient"] = 3.33
    a.profile["recruiting_agency"] = "Sở Nội vụ Hà Tây"
    a.differs = {"ngay_sinh", "he_so", "co_quan_tuyen_dung"}

    b = Person(
        code="NV2C02", full_name="Trần Văn Đức", birth_date="1975-11-02", gender="nam", grade_code="01.002",
        profile={"other_names": "", "birth_place": "Thị trấn Phố Mới, Huyện Quế Võ, Tỉnh Bắc Ninh",
                 "hometown": "Xã Việt Hùng, Huyện Quế Võ, Tỉnh Bắc Ninh",
                 "permanent_address": "Thôn Đông, Xã Việt Hùng, Huyện Quế Võ, Tỉnh Bắc Ninh",
                 "current_address": "Số 8 Đường Lý Thái Tổ, Phường Suối Hoa, Thành phố Bắc Ninh",
                 "recruitment_occupation": "Kỹ sư xây dựng", "recruitment_date": "1998-04-15",
                 "recruiting_agency": "Sở Xây dựng Bắc Ninh", "position": "Trưởng phòng",
                 "main_duties": "Thẩm định dự án đầu tư", "salary_step": 3, "salary_coefficient": 4.4,
                 "salary_effective_date": "2019-07-01", "education_general": "12/12",
                 "education_professional": "Kỹ sư Xây dựng", "political_theory": "Cao cấp",
                 "state_management": "Chuyên viên chính", "foreign_language": "Tiếng Anh B2", "informatics": "Cơ bản"},
        paper={"ho_ten": "TRẦN VĂN ĐỨC", "ngay_sinh": "ngày 02 tháng 11 năm 1975", "gioi_tinh": "Nam",
               "noi_sinh": "TT. Phố Mới, huyện Quế Võ, tỉnh Bắc Ninh",
               "que_quan": "Xã Việt Hùng, Huyện Quế Võ, Bắc Ninh",
               "ho_khau": "Thôn Đông, xã Việt Hùng, huyện Quế Võ, tỉnh Bắc Ninh",
               "noi_o": "Số 8 Đường Lý Thái Tổ, P. Suối Hoa, TP. Bắc Ninh",
               "nghe_nghiep": "Kỹ sư xây dựng", "ngay_tuyen_dung": "15/04/1998",
               "co_quan_tuyen_dung": "Sở Xây dựng Bắc Ninh", "chuc_vu": "Trưởng phòng",
               "cong_viec": "Thẩm định dự án đầu tư", "ngach": "Chuyên viên chính", "ma_ngach": "01.002",
               "bac_luong": "3", "he_so": "4,40", "ngay_huong": "01/7/2019", "pho_thong": "12/12",
               "chuyen_mon": "Kỹ sư Xây dựng", "ly_luan": "Cao cấp", "qlnn": "Chuyên viên chính",
               "ngoai_ngu": "Tiếng Anh B2", "tin_hoc": "Cơ bản"},
    )
    b.profile["hometown"] = "Xã Việt Thống, Huyện Quế Võ, Tỉnh Bắc Ninh"
    b.profile["salary_step"] = 5
    b.profile["position"] = "Phó Giám đốc"
    b.differs = {"que_quan", "bac_luong", "chuc_vu"}
    return [a, b]


# One row of the form: (key, number, label) items drawn on one line; a `None` key is a label that
# is not compared (drawn with a fixed value); "next" puts the value on the line below.
_Row = list[tuple[str | None, str, str, str]]  # (key, number, label, layout: inline|col2|next)

LAYOUT_2008: list[_Row] = [
    [("ho_ten", "1)", "Họ và tên khai sinh (viết chữ in hoa):", "inline")],
    [("ten_goi_khac", "2)", "Tên gọi khác:", "inline")],
    [("ngay_sinh", "3)", "Sinh ngày:", "inline"), ("gioi_tinh", "", "Giới tính (nam, nữ):", "inline")],
    [("noi_sinh", "4)", "Nơi sinh:", "inline")],
    [("que_quan", "5)", "Quê quán:", "inline")],
    [(None, "6)", "Dân tộc: Kinh", "inline"), (None, "7)", "Tôn giáo: Không", "col2")],
    [("ho_khau", "8)", "Nơi đăng ký hộ khẩu thường trú:", "next")],
    [("noi_o", "9)", "Nơi ở hiện nay:", "inline")],
    [("nghe_nghiep", "10)", "Nghề nghiệp khi được tuyển dụng:", "inline")],
    [("ngay_tuyen_dung", "11)", "Ngày tuyển dụng:", "inline"), ("co_quan_tuyen_dung", "", "Cơ quan tuyển dụng:", "inline")],
    [("chuc_vu", "12)", "Chức vụ (chức danh) hiện tại:", "inline")],
    [("cong_viec", "13)", "Công việc chính được giao:", "inline")],
    [("ngach", "14)", "Ngạch công chức (viên chức):", "inline"), ("ma_ngach", "", "Mã ngạch:", "col2")],
    [("bac_luong", "", "Bậc lương:", "inline"), ("he_so", "", "Hệ số:", "inline"), ("ngay_huong", "", "Ngày hưởng:", "inline")],
    [("pho_thong", "15.1-", "Trình độ giáo dục phổ thông:", "inline")],
    [("chuyen_mon", "15.2-", "Trình độ chuyên môn cao nhất:", "inline")],
    [("ly_luan", "15.3-", "Lý luận chính trị:", "inline"), ("qlnn", "15.4-", "Quản lý nhà nước:", "col2")],
    [("ngoai_ngu", "15.5-", "Ngoại ngữ:", "inline"), ("tin_hoc", "15.6-", "Tin học:", "col2")],
]
LAYOUT_2023: list[_Row] = [
    [("ho_ten", "1)", "Họ và tên:", "inline"), ("gioi_tinh", "2)", "Giới tính:", "col2")],
    [("ten_goi_khac", "3)", "Các tên gọi khác:", "inline")],
    [("ngay_sinh", "4)", "Ngày, tháng, năm sinh:", "inline")],
    [("noi_sinh", "5)", "Nơi sinh:", "inline")],
    [("que_quan", "6)", "Quê quán:", "inline")],
    [(None, "7)", "Dân tộc: Kinh", "inline"), (None, "8)", "Tôn giáo: Không", "col2")],
    [("ho_khau", "12)", "Nơi thường trú:", "inline")],
    [("noi_o", "13)", "Nơi ở hiện nay:", "next")],
    [("nghe_nghiep", "14)", "Nghề nghiệp trước khi được tuyển dụng:", "inline")],
    [("ngay_tuyen_dung", "15)", "Ngày được tuyển dụng lần đầu:", "inline")],
    [("co_quan_tuyen_dung", "", "Cơ quan, đơn vị tuyển dụng lần đầu:", "inline")],
    [("pho_thong", "20)", "Trình độ giáo dục phổ thông:", "inline")],
    [("chuyen_mon", "21)", "Trình độ chuyên môn cao nhất:", "inline")],
    [("ly_luan", "23)", "Lý luận chính trị:", "inline"), ("qlnn", "24)", "Quản lý nhà nước:", "col2")],
    [("ngoai_ngu", "25)", "Trình độ ngoại ngữ:", "inline"), ("tin_hoc", "26)", "Trình độ tin học:", "col2")],
    [("cong_viec", "27)", "Công việc chính đang làm:", "inline")],
    [("ngach", "28)", "Ngạch/chức danh nghề nghiệp:", "inline"), ("ma_ngach", "", "Mã số:", "col2")],
    [("bac_luong", "29)", "Bậc lương:", "inline"), ("he_so", "", "Hệ số:", "inline"), ("ngay_huong", "", "Ngày hưởng:", "inline")],
    [("chuc_vu", "31)", "Chức vụ hiện tại:", "inline")],
]
HEADERS = {
    "2c_bnv_2008": ["Mẫu 2C-BNV/2008", "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC"],
    "tt06_2023": ["Mẫu số 01 ban hành kèm theo Thông tư số 06/2023/TT-BNV", "SƠ YẾU LÝ LỊCH"],
}


def render_form(person: Person, form: str, font: str) -> tuple[Image.Image, dict[str, tuple[int, int, int, int]]]:
    """One page of `form` filled with `person.paper`; value boxes (left, top, width, height) by key."""
    img = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(img)
    face = ImageFont.truetype(FONTS[font], FONT_PX, layout_engine=ImageFont.Layout.BASIC)
    boxes: dict[str, tuple[int, int, int, int]] = {}
    y = MARGIN
    for text in HEADERS[form]:
        w = draw.textlength(text, font=face)
        draw.text(((WIDTH - w) / 2, y), text, font=face, fill=0)
        y += PITCH
    y += PITCH // 2
    layout = LAYOUT_2008 if form == "2c_bnv_2008" else LAYOUT_2023
    mid = WIDTH // 2 + 40
    for row in layout:
        x = MARGIN
        below: list[tuple[str, str]] = []
        for i, (key, number, label, how) in enumerate(row):
            if how == "col2":
                x = max(x + 40, mid)
            elif i > 0:
                draw.text((x, y), ",", font=face, fill=0)
                x += draw.textlength(", ", font=face)
            head = f"{number} {label}".strip()
            draw.text((x, y), head, font=face, fill=0)
            x += draw.textlength(head + " ", font=face)
            if key is None:
                continue
            value = person.paper.get(key, "")
            if how == "next":
                draw.text((x, y), "." * 12, font=face, fill=0)
                below.append((key, value))
                continue
            if value:
                boxes[key] = _draw_value(draw, face, x, y, value)
                x += draw.textlength(value, font=face)
        y += PITCH
        for key, value in below:
            boxes[key] = _draw_value(draw, face, MARGIN + 60, y, value)
            y += PITCH
    return img, boxes


def _draw_value(draw: ImageDraw.ImageDraw, face: ImageFont.FreeTypeFont, x: float, y: float,
                value: str) -> tuple[int, int, int, int]:
    draw.text((x, y), value, font=face, fill=0)
    l, t, r, b = draw.textbbox((x, y), value, font=face)
    return int(l), int(t), int(r - l), int(b - t)


def degrade(img: Image.Image, boxes: dict[str, tuple[int, int, int, int]], *, seed: int, skew_deg: float = 2.0,
            blur: float = 1.0, speckle: float = 0.0015) -> tuple[Image.Image, dict[str, tuple[int, int, int, int]]]:
    """A scanner-like copy: rotated `skew_deg` counter-clockwise, blurred, dusty; boxes moved along."""
    out = img.rotate(skew_deg, resample=Image.Resampling.BILINEAR, fillcolor=255)
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if speckle:
        out = _speckle(out, np.random.default_rng(seed), speckle)
    rad = math.radians(skew_deg)
    cx, cy = img.width / 2, img.height / 2

    def moved(x: float, y: float) -> tuple[float, float]:
        dx, dy = x - cx, y - cy  # PIL turns the page counter-clockwise with y pointing down
        return cx + dx * math.cos(rad) + dy * math.sin(rad), cy - dx * math.sin(rad) + dy * math.cos(rad)

    new = {}
    for key, (l, t, w, h) in boxes.items():
        pts = [moved(x, y) for x in (l, l + w) for y in (t, t + h)]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        new[key] = (int(min(xs)), int(min(ys)), int(max(xs) - min(xs)), int(max(ys) - min(ys)))
    return out, new


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(300, 300))
    return buf.getvalue()


def overlaps(a: tuple[int, int, int, int], b: dict | tuple) -> bool:
    if isinstance(b, dict):
        b = (b["left"], b["top"], b["width"], b["height"])
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
