"""A three-level tree of organisational units (đơn vị): province → department → division.

Level 1 is the provincial People's Committee (UBND tỉnh), level 2 its departments (Sở …),
level 3 their divisions (Phòng, Chi cục, Trung tâm …), where staff actually sit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PROVINCES = (
    "Nghệ An", "Thái Bình", "Hà Nam", "Quảng Nam", "Đắk Lắk", "Bắc Ninh", "Lâm Đồng",
    "Hải Dương", "Thừa Thiên Huế", "Đồng Tháp", "Quảng Ninh", "Thanh Hóa", "Bình Định",
)

# Sở → divisions of its own (added to the ones every Sở has).
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "Sở Nội vụ": (
        "Phòng Công chức, viên chức", "Phòng Xây dựng chính quyền và công tác thanh niên",
        "Ban Thi đua - Khen thưởng", "Chi cục Văn thư - Lưu trữ", "Ban Tôn giáo",
    ),
    "Sở Tài chính": ("Phòng Quản lý ngân sách", "Phòng Tài chính doanh nghiệp", "Phòng Quản lý giá và công sản"),
    "Sở Giáo dục và Đào tạo": (
        "Phòng Giáo dục Mầm non", "Phòng Giáo dục Tiểu học", "Phòng Giáo dục Trung học",
        "Phòng Khảo thí và Kiểm định chất lượng", "Trường Trung học phổ thông Chuyên",
    ),
    "Sở Y tế": (
        "Phòng Nghiệp vụ Y", "Phòng Nghiệp vụ Dược", "Chi cục An toàn vệ sinh thực phẩm",
        "Trung tâm Kiểm soát bệnh tật", "Bệnh viện Đa khoa tỉnh",
    ),
    "Sở Tư pháp": ("Phòng Hành chính tư pháp", "Phòng Bổ trợ tư pháp", "Trung tâm Trợ giúp pháp lý nhà nước"),
    "Sở Kế hoạch và Đầu tư": ("Phòng Đăng ký kinh doanh", "Phòng Tổng hợp, quy hoạch", "Phòng Kinh tế ngành"),
    "Sở Nông nghiệp và Phát triển nông thôn": (
        "Chi cục Kiểm lâm", "Chi cục Thủy lợi", "Chi cục Trồng trọt và Bảo vệ thực vật",
        "Trung tâm Khuyến nông",
    ),
    "Sở Tài nguyên và Môi trường": ("Phòng Quản lý đất đai", "Chi cục Bảo vệ môi trường", "Văn phòng Đăng ký đất đai"),
    "Sở Xây dựng": ("Phòng Quản lý xây dựng", "Phòng Quy hoạch - Kiến trúc", "Phòng Phát triển đô thị"),
    "Sở Lao động - Thương binh và Xã hội": (
        "Phòng Người có công", "Phòng Bảo trợ xã hội", "Phòng Việc làm - An toàn lao động",
    ),
    "Sở Văn hóa, Thể thao và Du lịch": ("Phòng Quản lý văn hóa", "Phòng Quản lý thể dục thể thao", "Thư viện tỉnh"),
    "Sở Thông tin và Truyền thông": ("Phòng Bưu chính, Viễn thông", "Phòng Thông tin - Báo chí - Xuất bản"),
}
EVERY_DEPARTMENT = ("Văn phòng Sở", "Thanh tra Sở", "Phòng Kế hoạch - Tài chính")


@dataclass(frozen=True)
class Unit:
    """One node of the unit tree. ``code`` is dotted by level: "1", "1.03", "1.03.02"."""

    code: str
    name: str
    level: int
    parent_code: str | None

    @property
    def parent_codes(self) -> tuple[str, ...]:
        parts = self.code.split(".")
        return tuple(".".join(parts[:i]) for i in range(1, len(parts)))


@dataclass(frozen=True)
class UnitTree:
    units: tuple[Unit, ...]

    def by_code(self, code: str) -> Unit:
        for unit in self.units:
            if unit.code == code:
                return unit
        raise KeyError(code)

    @property
    def root(self) -> Unit:
        return self.units[0]

    @property
    def leaves(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.level == 3)

    def path(self, unit: Unit) -> tuple[Unit, ...]:
        """Root first, ``unit`` last."""
        return tuple(self.by_code(c) for c in unit.parent_codes) + (unit,)

    def display_name(self, unit: Unit) -> str:
        """What a form writes as cơ quan, đơn vị: 'Phòng Nghiệp vụ Y - Sở Y tế tỉnh Nghệ An'."""
        path = self.path(unit)
        province = path[0].name.removeprefix("Ủy ban nhân dân ")
        if unit.level == 1:
            return unit.name
        return " - ".join(u.name for u in reversed(path[1:])) + f" {province}"


_HEAD_TITLES = (
    ("Văn phòng Sở", "Chánh Văn phòng Sở"), ("Thanh tra Sở", "Chánh Thanh tra Sở"),
    ("Phòng ", "Trưởng phòng"), ("Chi cục ", "Chi cục trưởng"), ("Ban ", "Trưởng Ban"),
    ("Trường ", "Hiệu trưởng"),
)


def head_title(unit_name: str) -> str:
    """Title of the head of a division: Trưởng phòng, Chi cục trưởng, Giám đốc Trung tâm …"""
    for prefix, title in _HEAD_TITLES:
        if unit_name.startswith(prefix):
            return title
    return "Giám đốc"  # Trung tâm, Bệnh viện, Thư viện, Văn phòng Đăng ký đất đai


def post_title(position: str, unit_name: str) -> str:
    """Position and unit as written: 'Trưởng phòng Quản lý ngân sách', not '… Phòng Phòng …'."""
    if unit_name.startswith("Phòng ") and position.endswith("phòng"):
        return f"{position} {unit_name.removeprefix('Phòng ')}"
    if unit_name.startswith("Ban ") and position.endswith("Ban"):
        return f"{position} {unit_name.removeprefix('Ban ')}"
    if position.endswith(unit_name):
        return position
    return f"{position} {unit_name}"


def build_unit_tree(rng: random.Random, *, departments: int = 6, max_divisions: int = 6) -> UnitTree:
    """One province with ``departments`` Sở, each with 3…``max_divisions`` divisions."""
    province = rng.choice(PROVINCES)
    units = [Unit("1", f"Ủy ban nhân dân tỉnh {province}", 1, None)]
    for d_index, dept in enumerate(rng.sample(sorted(DEPARTMENTS), k=min(departments, len(DEPARTMENTS))), 1):
        dept_code = f"1.{d_index:02d}"
        units.append(Unit(dept_code, dept, 2, "1"))
        divisions = list(EVERY_DEPARTMENT) + list(DEPARTMENTS[dept])
        count = rng.randint(3, max(3, min(max_divisions, len(divisions))))
        for v_index, division in enumerate(rng.sample(divisions, k=count), 1):
            units.append(Unit(f"{dept_code}.{v_index:02d}", division, 3, dept_code))
    return UnitTree(tuple(units))
