"""The checklist rule (thành phần hồ sơ): which components apply to a status and category, and
which document types satisfy them — pure, on the seeded rows."""

from __future__ import annotations

from archive.catalog_seed import SEED
from archive.services.completeness import Component, evaluate, staff_category
from archive.services.completeness_seed import SEED_COMPONENTS

SEEDED = [Component(r.code, r.name, r.document_types, r.required, r.statuses, r.categories, r.source, i)
          for i, r in enumerate(SEED_COMPONENTS)]
CORE = [(1, "so_yeu_ly_lich"), (2, "giay_khai_sinh"), (3, "giay_chung_nhan_suc_khoe"), (4, "van_bang_chung_chi"),
        (5, "quyet_dinh_tuyen_dung")]


def _missing(status: str, docs, category: str = "cong_chuc") -> set[str]:
    return {s.component.code for s in evaluate(SEEDED, status=status, category=category, documents=docs)
            if s.component.required and not s.present}


def test_every_seeded_component_names_catalog_types_and_a_source():
    types = {i.code for i in SEED["loai_tai_lieu"]}
    for row in SEED_COMPONENTS:
        assert row.document_types and set(row.document_types) <= types, row.code
        assert row.source.strip(), row.code


def test_a_serving_civil_servant_with_the_core_papers_is_complete():
    assert _missing("dang_cong_tac", CORE) == set()
    assert _missing("dang_cong_tac", CORE[:-1]) == {"quyet_dinh_tuyen_dung"}


def test_retired_needs_the_retirement_decision():
    assert _missing("nghi_huu", CORE) == {"quyet_dinh_nghi_huu"}
    assert _missing("nghi_huu", CORE + [(9, "quyet_dinh_nghi_huu")]) == set()
    assert "quyet_dinh_nghi_huu" not in {s.component.code for s in
                                         evaluate(SEEDED, status="dang_cong_tac", category="", documents=CORE)}


def test_deceased_needs_the_death_certificate_or_the_decision():
    assert _missing("tu_tran", CORE) == {"giay_chung_tu"}
    assert _missing("tu_tran", CORE + [(9, "giay_chung_tu")]) == set()
    assert _missing("tu_tran", CORE + [(9, "quyet_dinh_thoi_viec")]) == set()
    # a retirement decision does not stand in for the death certificate
    assert _missing("tu_tran", CORE + [(9, "quyet_dinh_nghi_huu")]) == {"giay_chung_tu"}


def test_left_and_transferred_need_their_decisions():
    assert _missing("thoi_viec", CORE) == {"quyet_dinh_thoi_viec"}
    assert _missing("chuyen_cong_tac", CORE) == {"quyet_dinh_dieu_dong"}


def test_a_public_employee_is_recruited_by_contract_which_satisfies_recruitment_too():
    docs = CORE[:-1] + [(7, "hop_dong_lam_viec")]
    assert _missing("dang_cong_tac", docs, "vien_chuc") == set()
    assert _missing("dang_cong_tac", CORE, "vien_chuc") == {"hop_dong_lam_viec"}
    assert staff_category("V.07.01.03") == "vien_chuc" and staff_category("01.003") == "cong_chuc"
    assert staff_category("") == ""


def test_optional_components_are_listed_but_never_missing_and_documents_are_named():
    states = evaluate(SEEDED, status="dang_cong_tac", category="", documents=CORE + [(8, "phieu_bo_sung_ly_lich")])
    by_code = {s.component.code: s for s in states}
    assert not by_code["phieu_ly_lich_tu_phap"].component.required and not by_code["phieu_ly_lich_tu_phap"].present
    assert by_code["phieu_bo_sung_ly_lich"].document_ids == (8,)
    assert by_code["quyet_dinh_tuyen_dung"].document_ids == (5,)


def test_an_inactive_component_does_not_apply():
    off = Component("x", "X", ("khac",), True, active=False)
    assert evaluate([off], status="dang_cong_tac", category="", documents=[]) == ()
