"""Synthetic staff records (cán bộ, công chức, viên chức) with consistent dates and status.

Statuses use the application's codes. Dates are consistent: recruitment (ngày tuyển dụng)
after age 21, retirement (nghỉ hưu) at the legal age, death or leaving after recruitment,
all on or before ``AS_OF`` so the corpus does not change with the calendar.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from bench.corpus.names import PersonName, random_name
from bench.corpus.units import Unit, UnitTree, head_title

AS_OF = date(2025, 6, 30)

# Codes as stored by the application (archive.domain.StaffStatus); labels as printed.
STATUS_LABELS: dict[str, str] = {
    "dang_cong_tac": "Đang công tác",
    "nghi_huu": "Nghỉ hưu",
    "thoi_viec": "Thôi việc",
    "tu_tran": "Từ trần",
    "chuyen_cong_tac": "Chuyển công tác",
}
STATUS_WEIGHTS: dict[str, int] = {
    "dang_cong_tac": 70, "nghi_huu": 12, "thoi_viec": 7, "chuyen_cong_tac": 7, "tu_tran": 4,
}

PROVINCE_DISTRICTS: dict[str, tuple[str, ...]] = {
    "Nghệ An": ("huyện Diễn Châu", "huyện Quỳnh Lưu", "huyện Nghi Lộc", "thành phố Vinh", "huyện Đô Lương"),
    "Thái Bình": ("huyện Kiến Xương", "huyện Vũ Thư", "huyện Đông Hưng", "thành phố Thái Bình"),
    "Hà Nam": ("huyện Bình Lục", "huyện Thanh Liêm", "thị xã Duy Tiên", "thành phố Phủ Lý"),
    "Quảng Nam": ("huyện Điện Bàn", "huyện Duy Xuyên", "thành phố Tam Kỳ", "huyện Thăng Bình"),
    "Thanh Hóa": ("huyện Hoằng Hóa", "huyện Quảng Xương", "huyện Thọ Xuân", "thành phố Thanh Hóa"),
    "Hải Dương": ("huyện Gia Lộc", "huyện Cẩm Giàng", "huyện Ninh Giang", "thành phố Hải Dương"),
    "Bình Định": ("huyện Phù Cát", "huyện Tuy Phước", "thị xã An Nhơn", "thành phố Quy Nhơn"),
    "Đồng Tháp": ("huyện Cao Lãnh", "huyện Lấp Vò", "thành phố Sa Đéc", "huyện Tháp Mười"),
}
COMMUNES = (
    "xã Hòa Bình", "xã Tân Lập", "xã Quang Trung", "xã Hưng Đạo", "xã Đông Hưng", "xã Minh Khai",
    "xã Thanh Xuân", "xã Phú Lộc", "xã Nghĩa Hòa", "xã An Phú", "xã Yên Lạc", "xã Đức Thắng",
    "phường Trường Thi", "phường Lê Lợi", "thị trấn Phú Xuyên", "xã Quỳnh Đôi", "xã Diễn Kỷ",
)


@dataclass(frozen=True)
class Rank:
    """Ngạch công chức (civil-service rank) with its code and salary scale (hệ số lương)."""

    title: str
    code: str
    first_coefficient: float
    step: float
    steps: int

    def coefficient(self, salary_step: int) -> float:
        return round(self.first_coefficient + self.step * (salary_step - 1), 2)


RANKS = (
    Rank("Chuyên viên", "01.003", 2.34, 0.33, 9),
    Rank("Chuyên viên chính", "01.002", 4.40, 0.34, 8),
    Rank("Cán sự", "01.004", 2.10, 0.31, 12),
    Rank("Kế toán viên", "06.031", 2.34, 0.33, 9),
    Rank("Thanh tra viên", "04.025", 2.34, 0.33, 9),
    Rank("Văn thư viên", "02.007", 2.34, 0.33, 9),
)
RANK_WEIGHTS = (50, 15, 10, 10, 8, 7)

# "head" and "deputy" become the unit's own title (Trưởng phòng, Phó Chi cục trưởng, …)
POSITIONS = ("Chuyên viên", "Chuyên viên", "Chuyên viên", "deputy", "head", "Kế toán", "Văn thư")
EDUCATION = (
    "Cử nhân Luật", "Cử nhân Kinh tế", "Cử nhân Quản trị kinh doanh", "Kỹ sư Công nghệ thông tin",
    "Thạc sĩ Quản lý công", "Cử nhân Hành chính học", "Thạc sĩ Kinh tế", "Bác sĩ Đa khoa",
    "Cử nhân Sư phạm Toán", "Kỹ sư Nông nghiệp", "Cử nhân Tài chính - Ngân hàng",
)
POLITICAL_THEORY = ("Sơ cấp", "Trung cấp", "Trung cấp", "Cao cấp")
ETHNICITIES = ("Kinh",) * 18 + ("Tày", "Thái", "Mường", "Nùng")


@dataclass(frozen=True)
class Staff:
    """One person and the facts their dossier (hồ sơ) states."""

    code: str
    name: PersonName
    birth_date: date
    birthplace: str
    hometown: str
    ethnicity: str
    id_number: str  # số CCCD, 12 digits
    unit: Unit
    unit_name: str
    department: Unit
    province: str
    position: str  # chức vụ
    rank: Rank
    salary_step: int
    education: str
    political_theory: str
    recruitment_date: date
    party_date: date | None
    status: str
    status_date: date | None  # when the status other than dang_cong_tac took effect

    @property
    def is_leader(self) -> bool:
        """Holds an appointed post (chức vụ lãnh đạo), so the dossier has a bổ nhiệm decision."""
        return self.position not in POSITIONS

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def retirement_age(gender: str) -> int:
    """Legal retirement age, simplified to the pre-2021 values (nam 60, nữ 55)."""
    return 60 if gender == "nam" else 55


def _random_date(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _place(rng: random.Random, province: str) -> str:
    districts = PROVINCE_DISTRICTS.get(province) or PROVINCE_DISTRICTS[rng.choice(sorted(PROVINCE_DISTRICTS))]
    return f"{rng.choice(COMMUNES)}, {rng.choice(districts)}, tỉnh {province}"


def random_staff(rng: random.Random, tree: UnitTree, index: int) -> Staff:
    """The ``index``-th staff member; all randomness comes from ``rng``."""
    name = random_name(rng)
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    age_limit = retirement_age(name.gender)
    if status == "nghi_huu":
        # retired at the legal age, some time in the last 15 years
        birth = _random_date(rng, _add_years(AS_OF, -age_limit - 15), _add_years(AS_OF, -age_limit))
    else:
        birth = _random_date(rng, _add_years(AS_OF, -age_limit + 1), _add_years(AS_OF, -23))
    recruited = _random_date(rng, _add_years(birth, 22), min(_add_years(birth, 38), AS_OF - timedelta(days=200)))
    status_date: date | None = None
    if status == "nghi_huu":
        # from the first day of the month after the birthday (Nghị định 135/2020/NĐ-CP)
        next_month = _add_years(birth, age_limit).replace(day=1) + timedelta(days=31)
        status_date = min(next_month.replace(day=1), AS_OF)
    elif status != "dang_cong_tac":
        status_date = _random_date(rng, recruited + timedelta(days=365), AS_OF)
    unit = rng.choice(tree.leaves)
    department = tree.by_code(unit.parent_code or unit.code)
    rank = rng.choices(RANKS, weights=RANK_WEIGHTS)[0]
    position = rng.choice(POSITIONS)
    if position in ("head", "deputy"):
        title = head_title(unit.name)
        position = title if position == "head" else f"Phó {title}"
    years_served = ((status_date or AS_OF) - recruited).days // 365
    province = tree.root.name.removeprefix("Ủy ban nhân dân tỉnh ")
    party = None
    if rng.random() < 0.6:
        party = _random_date(rng, _add_years(birth, 20), max(_add_years(birth, 20), status_date or AS_OF))
    return Staff(
        code=f"CB{index:06d}",
        name=name,
        birth_date=birth,
        birthplace=_place(rng, province),
        hometown=_place(rng, province),
        ethnicity=rng.choice(ETHNICITIES),
        id_number=f"0{rng.randint(10, 96):02d}{rng.randint(0, 1)}{rng.randint(0, 99_999_999):08d}",
        unit=unit,
        unit_name=tree.display_name(unit),
        department=department,
        province=province,
        position=position,
        rank=rank,
        salary_step=min(rank.steps, 1 + years_served // 3),
        education=rng.choice(EDUCATION),
        political_theory=rng.choice(POLITICAL_THEORY),
        recruitment_date=recruited,
        party_date=party,
        status=status,
        status_date=status_date,
    )


def build_staff(rng: random.Random, tree: UnitTree, count: int) -> list[Staff]:
    return [random_staff(rng, tree, i) for i in range(1, count + 1)]
