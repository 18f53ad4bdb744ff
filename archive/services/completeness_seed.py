"""Seed of the components checklist (thành phần hồ sơ) a dossier must hold.

Plain data, read by migration 0011 and by `completeness.seed_missing_components`; after that the
`dossier_components` table is the source of truth, edited by the root admin (API/CLI).

Where the rows come from — said honestly:
- The components of the hồ sơ gốc follow Thông tư 11/2012/TT-BNV (chế độ báo cáo thống kê và
  quản lý hồ sơ công chức). That circular is NOT in /work/shared/regulations, so its article
  numbers are not quoted; the list follows its well-known content (quyển/sơ yếu lý lịch, bản
  sao giấy khai sinh, giấy chứng nhận sức khỏe, văn bằng chứng chỉ, quyết định tuyển dụng,
  phiếu bổ sung lý lịch, bản tự kiểm điểm, nhận xét đánh giá …) and must be checked against
  the text before an office relies on it.
- Status-dependent rows (nghỉ hưu → quyết định nghỉ hưu; từ trần → giấy chứng tử …) are quoted
  from QĐ 51/2024/QĐ-UBND TP.HCM, Điều 8 khoản 4, which dates the update of the record from
  "ngày quyết định có hiệu lực hoặc kể từ ngày nhận được giấy chứng tử", i.e. the office must
  hold that paper.
- Rows marked "thực tiễn" come from general practice of personnel offices, not from a text.

A component is satisfied by any of its `document_types` (codes of the loai_tai_lieu catalog).
The catalog has no type "Bản tự kiểm điểm" yet, so that row is satisfied by "Bản nhận xét, đánh
giá" until an admin adds the type and edits the row. `categories` use `completeness.CATEGORIES`
(cán bộ / công chức / viên chức, derived from the staff record's rank code); empty = everyone.
"""

from __future__ import annotations

from dataclasses import dataclass

TT11 = "Thành phần hồ sơ gốc theo TT 11/2012/TT-BNV (văn bản chưa có trong kho quy định; chưa đối chiếu số điều)"
HCM_STATUS = "QĐ 51/2024/QĐ-UBND TP.HCM, Điều 8 khoản 4 (cập nhật khi nghỉ hưu, thôi việc, từ trần theo quyết định hoặc giấy chứng tử)"
PRACTICE = "Thực tiễn quản lý hồ sơ (không trích từ văn bản)"


@dataclass(frozen=True)
class SeedComponent:
    code: str
    name: str
    document_types: tuple[str, ...]
    required: bool
    source: str
    statuses: tuple[str, ...] = ()     # empty: every status
    categories: tuple[str, ...] = ()   # empty: every category


SEED_COMPONENTS: tuple[SeedComponent, ...] = (
    SeedComponent("so_yeu_ly_lich", "Sơ yếu lý lịch", ("so_yeu_ly_lich",), True, TT11),
    SeedComponent("giay_khai_sinh", "Bản sao giấy khai sinh", ("giay_khai_sinh",), True, TT11),
    SeedComponent("giay_chung_nhan_suc_khoe", "Giấy chứng nhận sức khỏe", ("giay_chung_nhan_suc_khoe",), True, TT11),
    SeedComponent("van_bang_chung_chi", "Văn bằng, chứng chỉ", ("van_bang_chung_chi",), True, TT11),
    # công chức: quyết định tuyển dụng; viên chức: the hợp đồng làm việc is the act of recruitment
    SeedComponent("quyet_dinh_tuyen_dung", "Quyết định tuyển dụng (hoặc hợp đồng làm việc)",
                  ("quyet_dinh_tuyen_dung", "hop_dong_lam_viec"), True, TT11),
    SeedComponent("hop_dong_lam_viec", "Hợp đồng làm việc", ("hop_dong_lam_viec",), True,
                  PRACTICE + ": viên chức được tuyển dụng theo hợp đồng làm việc", categories=("vien_chuc",)),
    SeedComponent("phieu_bo_sung_ly_lich", "Phiếu bổ sung lý lịch", ("phieu_bo_sung_ly_lich",), False,
                  TT11 + "; chỉ có khi thông tin thay đổi"),
    SeedComponent("ban_tu_kiem_diem", "Bản tự kiểm điểm, nhận xét đánh giá", ("ban_nhan_xet_danh_gia",), False,
                  TT11 + "; danh mục chưa có loại «Bản tự kiểm điểm», tạm dùng «Bản nhận xét, đánh giá»"),
    SeedComponent("phieu_ly_lich_tu_phap", "Phiếu lý lịch tư pháp", ("phieu_ly_lich_tu_phap",), False, PRACTICE),
    SeedComponent("ban_ke_khai_tai_san", "Bản kê khai tài sản, thu nhập", ("ban_ke_khai_tai_san_thu_nhap",), False,
                  PRACTICE + ": chỉ người có nghĩa vụ kê khai"),
    SeedComponent("quyet_dinh_nghi_huu", "Quyết định nghỉ hưu", ("quyet_dinh_nghi_huu",), True, HCM_STATUS,
                  statuses=("nghi_huu",)),
    SeedComponent("giay_chung_tu", "Giấy chứng tử hoặc quyết định xóa tên", ("giay_chung_tu", "quyet_dinh_thoi_viec"),
                  True, HCM_STATUS + "; quyết định xóa tên/chấm dứt: thực tiễn", statuses=("tu_tran",)),
    SeedComponent("quyet_dinh_thoi_viec", "Quyết định thôi việc", ("quyet_dinh_thoi_viec",), True, HCM_STATUS,
                  statuses=("thoi_viec",)),
    SeedComponent("quyet_dinh_dieu_dong", "Quyết định điều động, chuyển công tác",
                  ("quyet_dinh_dieu_dong_chuyen_cong_tac",), True, PRACTICE, statuses=("chuyen_cong_tac",)),
)
