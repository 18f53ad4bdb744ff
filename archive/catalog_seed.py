"""Seed rows for the admin-editable catalogs (danh mục); admins edit them in the app.

This module is plain data: it is read once to fill empty catalog tables, and after that the
database is the source of truth. Change a name here only for new installs; existing
installs are edited through the admin screens.

Sources of the codes:
- ``dan_toc``: Danh mục các dân tộc Việt Nam, Quyết định 121-TCTK/PPCĐ ngày 2/3/1979 of
  the General Statistics Office (Tổng cục Thống kê), codes 01–54. Code 55 "Người nước
  ngoài" is left out on purpose. (The 2008 list, Quyết định 1019/QĐ-TCTK, numbers some
  groups differently; the codes here follow the 1979 list.)
- ``ton_giao``: the religions recognised in Việt Nam (Ban Tôn giáo Chính phủ). The codes
  are ours: there is no official numbering, "00" = none, "99" = other.
- ``ngach``: civil-service rank codes (mã số ngạch công chức) first set by Quyết định
  78/2004/QĐ-BNV and kept by the circulars in force: Thông tư 02/2021/TT-BNV (hành
  chính, văn thư), Thông tư 29/2022/TT-BTC (kế toán, thuế, hải quan), and the sector
  circulars for thanh tra, kiểm toán nhà nước, ngân hàng, thống kê, quản lý thị trường.
  Only codes we could check are seeded; admins add the rest.
- ``loai_tai_lieu``: document types of a dossier (thành phần hồ sơ). Codes are
  ``slugify_vi(name)``, except "khac", the app's default document type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search import fold

__all__ = ["CatalogItem", "SEED", "slugify_vi"]

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """One row of a catalog (danh mục): a stable code and its display name (NFC)."""

    code: str
    name: str


def slugify_vi(name: str) -> str:
    """ASCII snake_case code for a Vietnamese name: 'Văn bằng, chứng chỉ' → 'van_bang_chung_chi'.

    Folds with the search module's ``fold`` (so đ → d, as at index time), then turns every
    run of other characters into one underscore.
    """
    return _NOT_ALNUM.sub("_", fold(name)).strip("_")


def _items(*rows: tuple[str, str]) -> tuple[CatalogItem, ...]:
    return tuple(CatalogItem(code, name) for code, name in rows)


def _numbered(*names: str, start: int = 1) -> tuple[CatalogItem, ...]:
    return tuple(CatalogItem(f"{i:02d}", name) for i, name in enumerate(names, start))


def _slugged(*names: str) -> tuple[CatalogItem, ...]:
    return tuple(CatalogItem(slugify_vi(name), name) for name in names)


# Order is the 1979 list's order (by population then), so the position is the code.
_DAN_TOC = _numbered(
    "Kinh", "Tày", "Thái", "Hoa", "Khơ-me", "Mường", "Nùng", "Hmông (Mông)", "Dao", "Gia-rai",
    "Ngái", "Ê-đê", "Ba-na", "Xơ-đăng", "Sán Chay", "Cơ-ho", "Chăm", "Sán Dìu", "Hrê", "Mnông",
    "Ra-glai", "Xtiêng", "Bru-Vân Kiều", "Thổ", "Giáy", "Cơ-tu", "Gié-Triêng", "Mạ", "Khơ-mú", "Co",
    "Tà-ôi", "Chơ-ro", "Kháng", "Xinh-mun", "Hà Nhì", "Chu-ru", "Lào", "La Chí", "La Ha", "Phù Lá",
    "La Hủ", "Lự", "Lô Lô", "Chứt", "Mảng", "Pà Thẻn", "Cơ Lao", "Cống", "Bố Y", "Si La",
    "Pu Péo", "Brâu", "Ơ Đu", "Rơ-măm",
)

_TON_GIAO = (
    CatalogItem("00", "Không"),
    *_numbered(
        "Phật giáo",
        "Công giáo",
        "Tin lành",
        "Cao Đài",
        "Phật giáo Hòa Hảo",
        "Hồi giáo",
        "Tôn giáo Baha'i",
        "Tịnh độ Cư sĩ Phật hội Việt Nam",
        "Cơ đốc Phục lâm",
        "Phật giáo Tứ Ân Hiếu Nghĩa",
        # Giáo hội Phật đường Nam Tông Minh Sư Đạo is the organisation of this religion,
        # not a second religion, so it has no row of its own.
        "Minh Sư Đạo",
        "Minh Lý Đạo – Tam Tông Miếu",
        "Bửu Sơn Kỳ Hương",
        "Bà-la-môn",
        "Mặc Môn",
        "Phật giáo Hiếu Nghĩa Tà Lơn",
    ),
    CatalogItem("99", "Khác"),
)

_NGACH = _items(
    # Hành chính, văn thư — Thông tư 02/2021/TT-BNV.
    ("01.001", "Chuyên viên cao cấp"),
    ("01.002", "Chuyên viên chính"),
    ("01.003", "Chuyên viên"),
    ("01.004", "Cán sự"),
    ("01.005", "Nhân viên"),
    ("02.006", "Văn thư viên chính"),
    ("02.007", "Văn thư viên"),
    ("02.008", "Văn thư viên trung cấp"),
    # Thanh tra.
    ("04.023", "Thanh tra viên cao cấp"),
    ("04.024", "Thanh tra viên chính"),
    ("04.025", "Thanh tra viên"),
    # Kế toán, thuế, hải quan — Thông tư 29/2022/TT-BTC.
    ("06.029", "Kế toán viên cao cấp"),
    ("06.030", "Kế toán viên chính"),
    ("06.031", "Kế toán viên"),
    ("06.032", "Kế toán viên trung cấp"),
    ("06.036", "Kiểm tra viên cao cấp thuế"),
    ("06.037", "Kiểm tra viên chính thuế"),
    ("06.038", "Kiểm tra viên thuế"),
    ("06.039", "Kiểm tra viên trung cấp thuế"),
    ("06.040", "Nhân viên thuế"),
    ("08.049", "Kiểm tra viên cao cấp hải quan"),
    ("08.050", "Kiểm tra viên chính hải quan"),
    ("08.051", "Kiểm tra viên hải quan"),
    ("08.052", "Kiểm tra viên trung cấp hải quan"),
    ("08.053", "Nhân viên hải quan"),
    # Kiểm toán nhà nước.
    ("06.041", "Kiểm toán viên cao cấp"),
    ("06.042", "Kiểm toán viên chính"),
    ("06.043", "Kiểm toán viên"),
    # Ngân hàng.
    ("07.044", "Kiểm soát viên cao cấp ngân hàng"),
    ("07.045", "Kiểm soát viên chính ngân hàng"),
    ("07.046", "Kiểm soát viên ngân hàng"),
    # Thống kê (23.264 was the former cao đẳng rank; not seeded).
    ("23.261", "Thống kê viên cao cấp"),
    ("23.262", "Thống kê viên chính"),
    ("23.263", "Thống kê viên"),
    ("23.265", "Thống kê viên trung cấp"),
    # Quản lý thị trường.
    ("21.187", "Kiểm soát viên cao cấp thị trường"),
    ("21.188", "Kiểm soát viên chính thị trường"),
    ("21.189", "Kiểm soát viên thị trường"),
    ("21.190", "Kiểm soát viên trung cấp thị trường"),
)

_LOAI_TAI_LIEU = (
    *_slugged(
        "Sơ yếu lý lịch",
        "Phiếu bổ sung lý lịch",
        "Giấy khai sinh",
        "Phiếu lý lịch tư pháp",
        "Giấy chứng nhận sức khỏe",
        "Văn bằng, chứng chỉ",
        "Quyết định tuyển dụng",
        "Hợp đồng làm việc",
        "Quyết định nâng lương",
        "Quyết định bổ nhiệm",
        "Quyết định điều động, chuyển công tác",
        "Quyết định khen thưởng",
        "Quyết định kỷ luật",
        "Bản nhận xét, đánh giá",
        "Bản kê khai tài sản, thu nhập",
        "Quyết định thôi việc",
        "Quyết định nghỉ hưu",
        "Giấy chứng tử",
    ),
    # Deliberately not slug-derived: "khac" is the app's default document type
    # (archive.services.documents.DEFAULT_DOCUMENT_TYPE): uploads without a type carry it.
    CatalogItem("khac", "Tài liệu khác"),
)

SEED: dict[str, tuple[CatalogItem, ...]] = {
    "dan_toc": _DAN_TOC,
    "ton_giao": _TON_GIAO,
    "ngach": _NGACH,
    "loai_tai_lieu": _LOAI_TAI_LIEU,
}
