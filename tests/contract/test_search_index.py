"""The SearchIndex contract, run alike on every adapter: embedded tantivy and a real Elasticsearch 8.

Same pages in, same pages out: folding (bỏ dấu) both ways, exact diacritics ranked first,
quoted phrases in order, filters and facet counts, snippets marked on the words a person
reads, replace-by-id, deletes, count and clear.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest

from search.port import PageDoc, SearchError, SearchIndex, SearchQuery, SearchResult

if TYPE_CHECKING:
    from search.elasticsearch_index import ElasticsearchIndex

ADAPTERS = ["tantivy", "elasticsearch"]

# -- realistic dossier pages (hồ sơ cán bộ, công chức, viên chức) ------------------------------
TUYEN_DUNG_P1 = PageDoc(
    document_id=101, page=1, staff_code="NV-0101", staff_name="Nguyễn Văn An",
    status="dang_cong_tac", unit="Phòng Nội vụ", document_type="quyet_dinh_tuyen_dung",
    birth_date="1985-03-12",
    text=(
        "ỦY BAN NHÂN DÂN HUYỆN ĐỨC HÒA. Số: 125/QĐ-UBND, ngày 12.03.2010. QUYẾT ĐỊNH về việc "
        "tuyển dụng viên chức. CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN quyết định: Điều 1. Tuyển dụng "
        "ông Nguyễn Văn An, sinh ngày 12/03/1985, quê quán xã Tân Phú, vào làm việc tại Phòng "
        "Nội vụ huyện Đức Hòa."
    ),
)
TUYEN_DUNG_P2 = PageDoc(
    document_id=101, page=2, staff_code="NV-0101", staff_name="Nguyễn Văn An",
    status="dang_cong_tac", unit="Phòng Nội vụ", document_type="quyet_dinh_tuyen_dung",
    text=(
        "Điều 2. Ông Nguyễn Văn An được hưởng lương bậc 1, hệ số 2,34 ngạch chuyên viên "
        "(mã số 01.003) kể từ ngày 01/04/2010. Điều 3. Chánh Văn phòng và Trưởng phòng Nội vụ "
        "chịu trách nhiệm thi hành quyết định này."
    ),
)
LY_LICH = PageDoc(
    document_id=202, page=1, staff_code="NV-0202", staff_name="Đặng Thị Hồng Nhung",
    status="dang_cong_tac", unit="Phòng Tài chính - Kế hoạch", document_type="so_yeu_ly_lich",
    birth_date="1968-11-03",
    text=(
        "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC. Họ và tên khai sinh: Đặng Thị Hồng Nhung. Giới tính: "
        "Nữ. Quê quán: phường Trần Hưng Đạo, thành phố Quy Nhơn, tỉnh Bình Định. Ngạch: Chuyên "
        "viên chính. Hệ số lương < 4,00 & phụ cấp chức vụ 0,3."
    ),
)
# An old typewritten page whose OCR lost every mark: still found by an accented query.
LY_LICH_OCR = PageDoc(
    document_id=202, page=2, staff_code="NV-0202", staff_name="Đặng Thị Hồng Nhung",
    status="dang_cong_tac", unit="Phòng Tài chính - Kế hoạch", document_type="so_yeu_ly_lich",
    text="QUA TRINH CONG TAC: DANG THI HONG NHUNG, ke toan xa Tan Phu tu nam 1990.",
)
NGHI_HUU = PageDoc(
    document_id=303, page=1, staff_code="NV-0303", staff_name="Lê Thị Đào",
    status="nghi_huu", unit="Phòng Nội vụ", document_type="quyet_dinh_nghi_huu",
    text=(
        "QUYẾT ĐỊNH về việc nghỉ hưu để hưởng chế độ bảo hiểm xã hội. Bà Lê Thị Đào, Chuyên "
        "viên Phòng Nội vụ, được nghỉ hưu kể từ ngày 01/01/2020."
    ),
)
DOSSIER = [TUYEN_DUNG_P1, TUYEN_DUNG_P2, LY_LICH, LY_LICH_OCR, NGHI_HUU]


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _keys(result: SearchResult) -> list[tuple[int, int]]:
    return [(h.document_id, h.page) for h in result.hits]


def _found(index: SearchIndex, text: str, **kw: object) -> set[tuple[int, int]]:
    return set(_keys(index.search(SearchQuery(text, **kw))))  # type: ignore[arg-type]


# -- one index per test, on each engine ------------------------------------------------------
@pytest.fixture(params=ADAPTERS)
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    if request.param == "tantivy":
        from search.tantivy_index import TantivyIndex

        ix: SearchIndex = TantivyIndex(tmp_path / "tantivy")
        yield ix
        ix.close()
        return
    from search.elasticsearch_index import ElasticsearchIndex

    url = request.getfixturevalue("elasticsearch_url")
    es = ElasticsearchIndex(url, prefix=f"test-{uuid.uuid4().hex[:12]}")
    try:
        yield es
    finally:
        es.drop()
        es.close()


@pytest.fixture
def dossier(index: SearchIndex) -> SearchIndex:
    index.upsert(DOSSIER)
    return index


def test_adapter_satisfies_the_port(index: SearchIndex) -> None:
    assert isinstance(index, SearchIndex)
    assert index.count() == 0
    assert index.search(SearchQuery("Nguyễn")).total == 0


# -- folding ---------------------------------------------------------------------------------
def test_unaccented_query_finds_accented_name(dossier: SearchIndex) -> None:
    assert _found(dossier, "nguyen van an") == {(101, 1), (101, 2)}


def test_accented_query_finds_page_whose_marks_were_lost(dossier: SearchIndex) -> None:
    assert _found(dossier, "Đặng Thị Hồng Nhung") == {(202, 1), (202, 2)}


def test_d_stroke_folds_to_d_both_ways(dossier: SearchIndex) -> None:
    assert _found(dossier, "dang") == {(202, 1), (202, 2)}
    assert _found(dossier, "Đặng") == {(202, 1), (202, 2)}
    assert _found(dossier, "Duc Hoa") == {(101, 1)}


def test_query_and_text_in_decomposed_unicode_match_precomposed(index: SearchIndex) -> None:
    index.upsert([PageDoc(document_id=7, page=1, text=_nfd("Bà Trần Thị Huệ, Trưởng phòng"),
                          staff_code="NV-7", staff_name=_nfd("Trần Thị Huệ"), status="dang_cong_tac")])
    assert _found(index, "Huệ") == {(7, 1)}
    assert _found(index, _nfd("Trưởng phòng")) == {(7, 1)}
    hit = index.search(SearchQuery("hue")).hits[0]
    assert hit.staff_name == "Trần Thị Huệ"  # stored NFC
    assert "<mark>Huệ</mark>" in hit.snippet


def test_case_does_not_matter(dossier: SearchIndex) -> None:
    assert _found(dossier, "QUYẾT ĐỊNH NGHỈ HƯU") == _found(dossier, "quyết định nghỉ hưu") == {(303, 1)}


def test_numbers_and_codes_are_cut_like_words(dossier: SearchIndex) -> None:
    # "125/QĐ-UBND", "12.03.2010" and "01.003" are several tokens on every engine, as in
    # search.vietnamese (ES's standard analyzer alone would keep "12.03.2010" whole).
    assert _found(dossier, "QĐ") == _found(dossier, "ubnd") == {(101, 1)}
    assert _found(dossier, "2010") == {(101, 1), (101, 2)}
    assert _found(dossier, '"12 03 2010"') == {(101, 1)}
    assert _found(dossier, "003") == {(101, 2)}


# -- ranking ---------------------------------------------------------------------------------
def _near_twins(index: SearchIndex) -> None:
    body = "Ông {} Minh Tuấn được bổ nhiệm giữ chức Phó Chánh Văn phòng Sở Nội vụ."
    index.upsert([
        PageDoc(document_id=11, page=1, text=body.format("Nguyên"), staff_code="NV-11",
                staff_name="Hồ Sơ Một", status="dang_cong_tac"),
        PageDoc(document_id=12, page=1, text=body.format("Nguyễn"), staff_code="NV-12",
                staff_name="Hồ Sơ Hai", status="dang_cong_tac"),
    ])


def test_exact_diacritics_rank_first(index: SearchIndex) -> None:
    _near_twins(index)
    assert _keys(index.search(SearchQuery("Nguyễn"))) == [(12, 1), (11, 1)]
    assert _keys(index.search(SearchQuery("Nguyên"))) == [(11, 1), (12, 1)]


def test_unaccented_query_finds_every_spelling(index: SearchIndex) -> None:
    _near_twins(index)
    result = index.search(SearchQuery("nguyen minh tuan"))
    assert set(_keys(result)) == {(11, 1), (12, 1)}
    assert result.total == 2


def test_scores_are_descending(dossier: SearchIndex) -> None:
    scores = [h.score for h in dossier.search(SearchQuery("Nguyễn Văn An")).hits]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


# -- query syntax ----------------------------------------------------------------------------
def test_every_word_is_required(dossier: SearchIndex) -> None:
    assert _found(dossier, "Nguyễn") == {(101, 1), (101, 2)}
    assert _found(dossier, "Nguyễn Nhung") == set()


def test_quoted_phrase_keeps_word_order(dossier: SearchIndex) -> None:
    assert _found(dossier, '"Văn An"') == {(101, 1), (101, 2)}
    assert _found(dossier, '"An Văn"') == set()
    assert _found(dossier, '"quyet dinh tuyen dung"') == set()  # not adjacent in the text
    assert _found(dossier, '"tuyen dung vien chuc"') == {(101, 1)}


def test_phrase_and_words_combine(dossier: SearchIndex) -> None:
    assert _found(dossier, 'nghỉ "Lê Thị Đào"') == {(303, 1)}
    assert _found(dossier, '"Lê Thị Đào" tuyển') == set()


def test_empty_query_lists_every_page(dossier: SearchIndex) -> None:
    result = dossier.search(SearchQuery(""))
    assert result.total == len(DOSSIER)
    assert set(_keys(result)) == {(d.document_id, d.page) for d in DOSSIER}
    assert dossier.search(SearchQuery('  " ')).total == len(DOSSIER)


# -- filters and facets ----------------------------------------------------------------------
def test_filters_narrow_results(dossier: SearchIndex) -> None:
    assert _found(dossier, "", filters={"status": ("nghi_huu",)}) == {(303, 1)}
    assert _found(dossier, "quyết định", filters={"unit": ("Phòng Nội vụ",)}) == {(101, 1), (101, 2), (303, 1)}
    assert _found(dossier, "quyết định", filters={"document_type": ("quyet_dinh_nghi_huu",)}) == {(303, 1)}
    assert _found(dossier, "", filters={"staff_code": ("NV-0202",)}) == {(202, 1), (202, 2)}


def test_filter_values_are_any_of_and_fields_are_all_of(dossier: SearchIndex) -> None:
    either = {"document_type": ("so_yeu_ly_lich", "quyet_dinh_nghi_huu")}
    assert _found(dossier, "", filters=either) == {(202, 1), (202, 2), (303, 1)}
    both = {**either, "unit": ("Phòng Nội vụ",)}
    assert _found(dossier, "", filters=both) == {(303, 1)}


def test_filter_values_match_exactly_not_folded(dossier: SearchIndex) -> None:
    assert _found(dossier, "", filters={"unit": ("phong noi vu",)}) == set()
    assert _found(dossier, "", filters={"unit": (_nfd("Phòng Nội vụ"),)}) == {(101, 1), (101, 2), (303, 1)}


def test_long_tokens_are_searchable(index: SearchIndex) -> None:
    code = "HSCBCCVC" + "7" * 40  # longer than tantivy's default 40-byte token limit
    index.upsert([PageDoc(document_id=9, page=1, staff_code="NV9", staff_name="Hà Văn Chín", status="nghi_huu",
                          text=f"Mã lưu trữ {code} của hồ sơ.")])
    assert _keys(index.search(SearchQuery(code.lower()))) == [(9, 1)]


def test_keyword_fields_are_nfc_on_both_sides(index: SearchIndex) -> None:
    index.upsert([PageDoc(document_id=8, page=1, staff_code="NV8", staff_name="Mai", status="nghi_huu",
                          unit=_nfd("Phòng Nội vụ"), document_type=_nfd("quyết_định"), text="hồ sơ")])
    for field, value in (("unit", "Phòng Nội vụ"), ("document_type", "quyết_định")):
        assert index.search(SearchQuery("", filters={field: (value,)})).total == 1
        assert index.search(SearchQuery("", filters={field: (_nfd(value),)})).total == 1
    facets = index.search(SearchQuery("", facets=("document_type",))).facets
    assert facets == {"document_type": {"quyết_định": 1}}


def test_unknown_filter_or_facet_is_an_error(dossier: SearchIndex) -> None:
    with pytest.raises(SearchError):
        dossier.search(SearchQuery("", filters={"salary": ("1",)}))
    with pytest.raises(SearchError):
        dossier.search(SearchQuery("", facets=("salary",)))


def test_facets_count_pages_after_filters(dossier: SearchIndex) -> None:
    result = dossier.search(SearchQuery("", facets=("status", "unit", "document_type")))
    assert result.facets == {
        "status": {"dang_cong_tac": 4, "nghi_huu": 1},
        "unit": {"Phòng Nội vụ": 3, "Phòng Tài chính - Kế hoạch": 2},
        "document_type": {"quyet_dinh_tuyen_dung": 2, "so_yeu_ly_lich": 2, "quyet_dinh_nghi_huu": 1},
    }
    narrowed = dossier.search(SearchQuery("quyết định", filters={"unit": ("Phòng Nội vụ",)},
                                          facets=("document_type", "status")))
    assert narrowed.facets == {
        "document_type": {"quyet_dinh_tuyen_dung": 2, "quyet_dinh_nghi_huu": 1},
        "status": {"dang_cong_tac": 2, "nghi_huu": 1},
    }


def test_facets_count_every_match_not_only_the_page_shown(dossier: SearchIndex) -> None:
    result = dossier.search(SearchQuery("", facets=("staff_code",), limit=1))
    assert len(result.hits) == 1 and result.total == len(DOSSIER)
    assert result.facets == {"staff_code": {"NV-0101": 2, "NV-0202": 2, "NV-0303": 1}}


def test_no_facets_unless_asked(dossier: SearchIndex) -> None:
    assert dossier.search(SearchQuery("Nguyễn")).facets == {}


# -- hits, snippets, paging ------------------------------------------------------------------
def test_hit_carries_page_number_and_staff_fields(dossier: SearchIndex) -> None:
    [hit] = dossier.search(SearchQuery("lương bậc hệ số")).hits
    assert (hit.document_id, hit.page) == (101, 2)
    assert (hit.staff_code, hit.staff_name, hit.status, hit.unit, hit.document_type) == (
        "NV-0101", "Nguyễn Văn An", "dang_cong_tac", "Phòng Nội vụ", "quyet_dinh_tuyen_dung")


def test_snippet_marks_the_words_as_written(dossier: SearchIndex) -> None:
    by_page = {(h.document_id, h.page): h.snippet for h in dossier.search(SearchQuery("nguyen van an")).hits}
    assert "ông <mark>Nguyễn</mark> <mark>Văn</mark> <mark>An</mark>, sinh ngày" in by_page[(101, 1)]
    by_page = {(h.document_id, h.page): h.snippet for h in dossier.search(SearchQuery("Đặng")).hits}
    assert "<mark>Đặng</mark> Thị Hồng Nhung" in by_page[(202, 1)]
    assert "<mark>DANG</mark> THI HONG NHUNG" in by_page[(202, 2)]


def test_snippet_is_html_escaped(dossier: SearchIndex) -> None:
    [hit] = dossier.search(SearchQuery("phụ cấp")).hits
    assert "&lt; 4,00 &amp; <mark>phụ</mark> <mark>cấp</mark>" in hit.snippet
    assert re.sub(r"</?mark>", "", hit.snippet).count("<") == 0


def test_limit_and_offset_page_through_all_hits(dossier: SearchIndex) -> None:
    everything = dossier.search(SearchQuery("", limit=100))
    pages = [dossier.search(SearchQuery("", limit=2, offset=o)) for o in (0, 2, 4)]
    assert [len(p.hits) for p in pages] == [2, 2, 1]
    assert all(p.total == len(DOSSIER) for p in pages)
    assert {k for p in pages for k in _keys(p)} == set(_keys(everything))


def test_limit_zero_returns_total_and_facets_only(dossier: SearchIndex) -> None:
    result = dossier.search(SearchQuery("Nguyễn", limit=0, facets=("status",)))
    assert result.hits == [] and result.total == 2
    assert result.facets == {"status": {"dang_cong_tac": 2}}


# -- writes ----------------------------------------------------------------------------------
def test_upsert_replaces_a_page_with_the_same_id(dossier: SearchIndex) -> None:
    corrected = PageDoc(
        document_id=303, page=1, staff_code="NV-0303", staff_name="Lê Thị Đào", status="nghi_huu",
        unit="Phòng Nội vụ", document_type="quyet_dinh_nghi_huu",
        text="QUYẾT ĐỊNH (bản đính chính) về việc nghỉ hưu của bà Lê Thị Đào từ ngày 01/07/2020.",
    )
    dossier.upsert([corrected])
    assert dossier.count() == len(DOSSIER)
    assert _found(dossier, "\"bản đính chính\"") == {(303, 1)}
    assert _found(dossier, "bảo hiểm xã hội") == set()
    assert dossier.search(SearchQuery("Lê Thị Đào")).total == 1


def test_upsert_of_the_same_batch_twice_adds_nothing(dossier: SearchIndex) -> None:
    dossier.upsert(DOSSIER)
    assert dossier.count() == len(DOSSIER)
    assert dossier.search(SearchQuery("", facets=("status",))).facets["status"] == {"dang_cong_tac": 4, "nghi_huu": 1}


def test_upsert_of_nothing_is_a_no_op(dossier: SearchIndex) -> None:
    dossier.upsert([])
    assert dossier.count() == len(DOSSIER)


def test_delete_documents_removes_every_page_of_those_documents_only(dossier: SearchIndex) -> None:
    dossier.delete_documents([101, 999])
    assert dossier.count() == 3
    assert _found(dossier, "Nguyễn") == set()
    assert _found(dossier, "") == {(202, 1), (202, 2), (303, 1)}
    dossier.delete_documents([])
    assert dossier.count() == 3


def test_clear_drops_every_page_and_the_index_stays_usable(dossier: SearchIndex) -> None:
    assert dossier.count() == len(DOSSIER)
    dossier.clear()
    assert dossier.count() == 0
    assert dossier.search(SearchQuery("")).total == 0
    dossier.upsert([NGHI_HUU])
    assert _found(dossier, "nghi huu") == {(303, 1)}


# -- Elasticsearch only: alias swap, URL, error mapping --------------------------------------
@pytest.fixture
def es_index(elasticsearch_url: str) -> Iterator[ElasticsearchIndex]:
    from search.elasticsearch_index import ElasticsearchIndex

    es = ElasticsearchIndex(elasticsearch_url, prefix=f"test-{uuid.uuid4().hex[:12]}")
    try:
        yield es
    finally:
        es.drop()
        es.close()


def test_elasticsearch_rebuild_swaps_the_alias_to_a_new_generation(es_index: ElasticsearchIndex) -> None:
    es_index.upsert(DOSSIER)
    assert es_index.client.indices.get_alias(name=es_index.alias).body.keys() == {f"{es_index.alias}-v1"}
    assert es_index.rebuild(iter([NGHI_HUU, LY_LICH])) == 2
    assert set(es_index.client.indices.get_alias(name=es_index.alias).body) == {f"{es_index.alias}-v2"}
    assert not es_index.client.indices.exists(index=f"{es_index.alias}-v1")
    assert _found(es_index, "") == {(303, 1), (202, 1)}


def test_elasticsearch_outdated_mapping_is_refused_until_rebuilt(es_index: ElasticsearchIndex) -> None:
    from search.elasticsearch_index import MAPPING, SETTINGS
    from search.port import IndexSchemaOutdated

    old_mapping = {**MAPPING, "_meta": {"schema_version": 0}}
    es_index.client.indices.create(index=f"{es_index.alias}-v1", settings=SETTINGS, mappings=old_mapping,
                                   aliases={es_index.alias: {}})
    with pytest.raises(IndexSchemaOutdated):
        es_index.search(SearchQuery("Nguyễn"))
    es_index.rebuild(DOSSIER)
    assert _found(es_index, "nguyen van an") == {(101, 1), (101, 2)}


def test_elasticsearch_from_url_reads_the_prefix(elasticsearch_url: str) -> None:
    from search.elasticsearch_index import ElasticsearchIndex
    from search.factory import open_index

    es = ElasticsearchIndex.from_url(f"{elasticsearch_url}?prefix=dossiers-test")
    assert (es.url, es.prefix, es.alias) == (elasticsearch_url, "dossiers-test", "dossiers-test-pages")
    assert isinstance(open_index(elasticsearch_url), ElasticsearchIndex)


def test_elasticsearch_unreachable_is_a_search_error() -> None:
    import socket

    from search.elasticsearch_index import ElasticsearchIndex

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    es = ElasticsearchIndex(f"http://127.0.0.1:{port}", request_timeout=2)
    with pytest.raises(SearchError):
        es.count()
    es.close()
