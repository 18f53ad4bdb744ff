"""Seed of the retention schedule (bảng thời hạn bảo quản) for the document types of a dossier.

Plain data, read by migration 0006 and by `seed_rules` (new installs, and types seeded after
the migration ran). After that the `retention_rules` table is the source of truth, edited by
the root admin with a decision reference.

Every seeded type is kept **vĩnh viễn**: each is a part of the original dossier (hồ sơ gốc) of a
cán bộ, công chức, viên chức, which the national list of common records keeps permanently, and
the rule of the house is "where unsure, vĩnh viễn". The national table (TT 09/2011/TT-BNV and
its successor TT 10/2022/TT-BNV) is not in /work/shared/regulations, so its item numbers are
not quoted here; the provincial regulations that are there are quoted by article and clause.
`legal_min_permanent` (no shortening at all) is set only where the type is certainly a part of
the hồ sơ gốc; the others may be given a term by a decision, never below `legal_min_years`.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.catalog_seed import SEED, slugify_vi

_LOCAL = ("lưu trữ lâu dài, kể cả hồ sơ của người đã nghỉ hưu, thôi việc, từ trần: "
          "QĐ 04/2013/QĐ-UBND quận Bình Tân, Điều 12 khoản 1 và 3; QĐ 6033/QĐ-UBND TP Hà Nội (09/11/2015), "
          "Điều 9 khoản 1 và 3; QĐ 8060/QĐ-UBND TP Đà Nẵng (03/10/2012), Điều 12 khoản 1 và 3")
CORE = ("Hồ sơ gốc CBCCVC — vĩnh viễn (TT 09/2011/TT-BNV, nay TT 10/2022/TT-BNV, bảng thời hạn bảo quản, "
        "nhóm tài liệu tổ chức cán bộ; số mục chưa đối chiếu với văn bản gốc); " + _LOCAL)
UNSURE = ("Chưa xác định được thời hạn trong bảng của TT 09/2011/TT-BNV / TT 10/2022/TT-BNV — để vĩnh viễn "
          "cho đến khi có quyết định; " + _LOCAL)
DEFAULT_SOURCE = "Loại tài liệu chưa có trong bảng thời hạn — mặc định vĩnh viễn."

# Types that are certainly part of the hồ sơ gốc: vĩnh viễn, and the floor is vĩnh viễn too.
_CORE_NAMES = (
    "Sơ yếu lý lịch", "Phiếu bổ sung lý lịch", "Giấy khai sinh", "Phiếu lý lịch tư pháp",
    "Giấy chứng nhận sức khỏe", "Văn bằng, chứng chỉ", "Quyết định tuyển dụng", "Quyết định nâng lương",
    "Quyết định bổ nhiệm", "Quyết định điều động, chuyển công tác", "Quyết định khen thưởng",
    "Quyết định kỷ luật", "Quyết định thôi việc", "Quyết định nghỉ hưu",
)


@dataclass(frozen=True)
class SeedRule:
    document_type: str
    legal_min_permanent: bool
    source: str
    permanent: bool = True
    years: int | None = None
    counted_from: str = "document_date"
    legal_min_years: int | None = None


def seed_rules() -> tuple[SeedRule, ...]:
    """One vĩnh viễn rule per seeded document type, with its source."""
    core = {slugify_vi(n) for n in _CORE_NAMES}
    return tuple(SeedRule(document_type=item.code, legal_min_permanent=item.code in core,
                          source=CORE if item.code in core else UNSURE)
                 for item in SEED["loai_tai_lieu"])
