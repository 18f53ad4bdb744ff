"""Seed data for the catalogs (danh mục) is complete, NFC, and uses well-formed codes."""

import re
import unicodedata

import pytest

from archive.catalog_seed import SEED, CatalogItem, slugify_vi

DOC_TYPE_CODE = re.compile(r"^[a-z0-9_]{1,64}$")
NGACH_CODE = re.compile(r"^\d{2}\.\d{3}[a-z]?$")
# Document-type codes that are deliberately not slugify_vi(name), and why.
SHORTENED_DOC_TYPES = {"khac": "Tài liệu khác"}  # the app's default document type


def test_seed_has_exactly_the_four_catalogs():
    assert set(SEED) == {"dan_toc", "ton_giao", "ngach", "loai_tai_lieu"}


@pytest.mark.parametrize("catalog", sorted(SEED))
def test_every_item_has_a_non_empty_nfc_name_without_stray_spaces(catalog):
    for item in SEED[catalog]:
        assert isinstance(item, CatalogItem)
        assert item.name.strip() == item.name != ""
        assert "  " not in item.name
        assert unicodedata.normalize("NFC", item.name) == item.name, item


@pytest.mark.parametrize("catalog", sorted(SEED))
def test_codes_and_names_are_unique_within_a_catalog(catalog):
    codes = [item.code for item in SEED[catalog]]
    names = [item.name for item in SEED[catalog]]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)


def test_catalog_items_are_immutable():
    with pytest.raises(AttributeError):
        SEED["dan_toc"][0].name = "Việt"  # type: ignore[misc]


def test_dan_toc_has_the_54_groups_coded_01_to_54_in_order():
    items = SEED["dan_toc"]
    assert [i.code for i in items] == [f"{n:02d}" for n in range(1, 55)]
    by_code = {i.code: i.name for i in items}
    assert by_code["01"] == "Kinh"
    assert by_code["04"] == "Hoa"
    assert by_code["05"] == "Khơ-me"
    assert by_code["06"] == "Mường"
    assert by_code["08"] == "Hmông (Mông)"
    assert by_code["10"] == "Gia-rai"
    assert by_code["53"] == "Ơ Đu"
    assert by_code["54"] == "Rơ-măm"


def test_dan_toc_leaves_out_foreigners():
    assert all(i.code != "55" and "nước ngoài" not in i.name for i in SEED["dan_toc"])


def test_ton_giao_starts_with_none_and_ends_with_other():
    items = SEED["ton_giao"]
    assert items[0] == CatalogItem("00", "Không")
    assert items[-1] == CatalogItem("99", "Khác")
    assert all(re.fullmatch(r"\d{2}", i.code) for i in items)
    assert [i.code for i in items[1:-1]] == [f"{n:02d}" for n in range(1, len(items) - 1)]
    assert {"Phật giáo", "Công giáo", "Cao Đài", "Phật giáo Hòa Hảo"} <= {i.name for i in items}


def test_ngach_codes_are_official_shape_and_include_the_administrative_ranks():
    items = SEED["ngach"]
    assert 20 <= len(items) <= 40
    assert all(NGACH_CODE.match(i.code) for i in items), [i.code for i in items if not NGACH_CODE.match(i.code)]
    by_code = {i.code: i.name for i in items}
    assert by_code["01.001"] == "Chuyên viên cao cấp"
    assert by_code["01.003"] == "Chuyên viên"
    assert by_code["06.031"] == "Kế toán viên"
    assert by_code["04.025"] == "Thanh tra viên"
    assert by_code["02.007"] == "Văn thư viên"


def test_loai_tai_lieu_codes_are_valid_document_types():
    assert all(DOC_TYPE_CODE.match(i.code) for i in SEED["loai_tai_lieu"])


def test_loai_tai_lieu_codes_are_slugs_of_their_names_except_the_documented_ones():
    for item in SEED["loai_tai_lieu"]:
        if item.code in SHORTENED_DOC_TYPES:
            assert item.name == SHORTENED_DOC_TYPES[item.code]
        else:
            assert item.code == slugify_vi(item.name), item


def test_loai_tai_lieu_contains_the_default_type_and_types_used_elsewhere():
    codes = {i.code for i in SEED["loai_tai_lieu"]}
    assert {"khac", "so_yeu_ly_lich", "quyet_dinh_tuyen_dung", "quyet_dinh_nghi_huu",
            "quyet_dinh_thoi_viec", "giay_chung_tu"} <= codes


def test_seed_default_document_type_matches_the_service_default():
    from archive.services.documents import DEFAULT_DOCUMENT_TYPE

    assert DEFAULT_DOCUMENT_TYPE in {i.code for i in SEED["loai_tai_lieu"]}


@pytest.mark.parametrize(("name", "slug"), [
    ("Sơ yếu lý lịch", "so_yeu_ly_lich"),
    ("Giấy chứng nhận sức khỏe", "giay_chung_nhan_suc_khoe"),
    ("Quyết định điều động, chuyển công tác", "quyet_dinh_dieu_dong_chuyen_cong_tac"),
    ("ĐĂNG KÝ Đảng viên", "dang_ky_dang_vien"),
    ("  Bản kê khai tài sản / thu nhập (2024)  ", "ban_ke_khai_tai_san_thu_nhap_2024"),
    ("Phiếu lý lịch tư pháp số 2", "phieu_ly_lich_tu_phap_so_2"),
    ("---", ""),
])
def test_slugify_vi_folds_diacritics_and_d_stroke_and_joins_with_underscores(name, slug):
    assert slugify_vi(name) == slug


def test_slugify_vi_gives_the_same_slug_for_decomposed_input():
    name = "Quyết định kỷ luật"
    assert slugify_vi(unicodedata.normalize("NFD", name)) == slugify_vi(name) == "quyet_dinh_ky_luat"
