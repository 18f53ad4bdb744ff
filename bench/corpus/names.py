"""Realistic Vietnamese personal names (họ, tên đệm, tên), drawn from a seeded RNG.

Surname weights follow the commonly cited shares (Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 % …);
middle names are chosen by gender (Văn for men, Thị for women being the classic ones) and
about one woman in four and one man in ten carries two middle names (Nguyễn Thị Thu Hà).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

Gender = Literal["nam", "nu"]

# (họ, weight in ‰)
SURNAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 30), ("Huỳnh", 21),
    ("Phan", 45), ("Vũ", 20), ("Võ", 19), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13),
    ("Ngô", 13), ("Dương", 10), ("Lý", 5), ("Đinh", 6), ("Trương", 6), ("Lương", 4), ("Đoàn", 4),
    ("Mai", 4), ("Tạ", 3), ("Lâm", 3), ("Trịnh", 4), ("Chu", 2), ("Quách", 2), ("Kiều", 1),
    ("Thái", 2), ("Cao", 3), ("Lưu", 2), ("Tô", 2), ("Hà", 3), ("Châu", 1), ("Ông", 1), ("Lục", 1),
)

_SURNAME_LIST = tuple(name for name, _ in SURNAMES)
_SURNAME_CUM_WEIGHTS = tuple(accumulate(weight for _, weight in SURNAMES))

MIDDLE_NAMES: dict[Gender, tuple[str, ...]] = {
    "nam": (
        "Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Công", "Ngọc", "Xuân",
        "Duy", "Anh", "Quốc", "Hoàng", "Trung", "Mạnh", "Tiến", "Thế", "Đình", "Bá", "Trọng",
    ),
    "nu": (
        "Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Minh", "Phương", "Thúy",
        "Kim", "Bích", "Mai", "Lan", "Diệu", "Khánh", "Bảo", "Hoài", "Tuyết",
    ),
}

SECOND_MIDDLE: dict[Gender, tuple[str, ...]] = {
    "nam": ("Minh", "Quốc", "Đức", "Thanh", "Anh", "Hoàng", "Ngọc"),
    "nu": ("Thu", "Thanh", "Ngọc", "Minh", "Hồng", "Phương", "Kim", "Diệu", "Bích", "Hải"),
}

GIVEN_NAMES: dict[Gender, tuple[str, ...]] = {
    "nam": (
        "An", "Anh", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Huy", "Hoàng", "Khánh",
        "Long", "Minh", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Thành", "Trung", "Tuấn",
        "Tùng", "Việt", "Vinh", "Hiếu", "Hậu", "Lộc", "Phúc", "Toàn", "Khoa", "Đạt", "Kiên",
        "Lâm", "Nghĩa", "Quyết", "Thịnh", "Trường", "Vượng", "Chiến", "Hưng", "Tài", "Tú",
    ),
    "nu": (
        "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huệ",
        "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngọc", "Nhung", "Oanh",
        "Phương", "Quỳnh", "Thảo", "Thủy", "Trang", "Tuyết", "Vân", "Yến", "Duyên", "Hậu",
        "Khuê", "Lụa", "Nguyệt", "Nhàn", "Thư", "Thúy", "Trinh", "Uyên", "Xuân", "Ánh",
    ),
}


@dataclass(frozen=True)
class PersonName:
    """A full name split the Vietnamese way: family name first, given name last."""

    ho: str       # họ (family name)
    ten_dem: str  # tên đệm (middle name(s)), may contain a space
    ten: str      # tên (given name), what people sort and address by
    gender: Gender

    @property
    def full(self) -> str:
        return " ".join(part for part in (self.ho, self.ten_dem, self.ten) if part)

    @property
    def honorific(self) -> str:
        """Ông / Bà, as a decision (quyết định) addresses the person."""
        return "Ông" if self.gender == "nam" else "Bà"


def random_name(rng: random.Random, gender: Gender | None = None) -> PersonName:
    """One plausible name; ``gender`` is drawn 50/50 when not given."""
    g: Gender = gender or rng.choice(("nam", "nu"))
    ho = rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUM_WEIGHTS)[0]
    middle = rng.choice(MIDDLE_NAMES[g])
    if rng.random() < (0.25 if g == "nu" else 0.10):
        second = rng.choice(SECOND_MIDDLE[g])
        if second != middle:
            middle = f"{middle} {second}"
    return PersonName(ho=ho, ten_dem=middle, ten=rng.choice(GIVEN_NAMES[g]), gender=g)
