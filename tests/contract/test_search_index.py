"""The SearchIndex contract, run alike on every adapter: embedded tantivy and a real Elasticsearch 8.

Same pages in, same pages out: folding (bỏ dấu) both ways, exact diacritics ranked first,
quoted phrases in order, filters and facet counts, access scope and restriction levels that
no count leaks past, snippets as raw text with spans on the words a person reads,
replace-by-id, deletes, count and clear. Rebuilds (lập lại chỉ mục) are in
test_search_rebuild.py.
"""

from __future__ import annotations

import html
import unicodedata
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest

from search.port import (
    PageDoc, Restriction, SearchError, SearchIndex, SearchQuery, SearchResult, Snippet, page_start,
)

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


def _marked(snippet: Snippet) -> str:
    """The snippet with <mark> around its spans and nothing escaped: readable assertions."""
    return snippet.marked("<mark>", "</mark>")


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
    assert hit.snippet.matches == ("Huệ",)


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


def test_unaccented_query_does_not_favour_pages_that_lost_their_marks(index: SearchIndex) -> None:
    body = "Quyết định nâng bậc lương cho ông {} Văn Hùng, chuyên viên."
    index.upsert([
        PageDoc(document_id=21, page=1, text=body.format("Nguyễn"), staff_code="NV-21", staff_name="A",
                status="dang_cong_tac"),
        PageDoc(document_id=22, page=1, text=body.format("NGUYEN"), staff_code="NV-22", staff_name="B",
                status="dang_cong_tac"),  # an OCR that dropped the marks
    ])
    hits = index.search(SearchQuery("nguyen")).hits
    assert len(hits) == 2 and hits[0].score == pytest.approx(hits[1].score)
    assert _keys(index.search(SearchQuery("Nguyễn")))[0] == (21, 1)  # typed marks still rank first


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


def test_a_phrase_never_runs_from_the_name_into_the_text(dossier: SearchIndex) -> None:
    # page 2 of 101: name "Nguyễn Văn An", text "Điều 2. Ông Nguyễn Văn An …"
    assert (101, 2) in _found(dossier, '"nguyen van an"')
    assert _found(dossier, '"an dieu"') == set()


def test_letters_beyond_vietnamese_fold_alike_on_every_engine(index: SearchIndex) -> None:
    index.upsert([PageDoc(document_id=7, page=1, staff_code="NV7", staff_name="Phạm Ngọc Ánh", status="nghi_huu",
                          text="Tu nghiệp tại Straße Łódź, Ærø; diện tích 10 m²")])
    for query in ("strasse", "lodz", "aero", "m2", "Straße", '"straße łódź"', "anh"):
        assert _keys(index.search(SearchQuery(query))) == [(7, 1)], query


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
    assert "ông <mark>Nguyễn</mark> <mark>Văn</mark> <mark>An</mark>, sinh ngày" in _marked(by_page[(101, 1)])
    by_page = {(h.document_id, h.page): h.snippet for h in dossier.search(SearchQuery("Đặng")).hits}
    assert "<mark>Đặng</mark> Thị Hồng Nhung" in _marked(by_page[(202, 1)])
    assert by_page[(202, 1)].matches == ("Đặng",)
    assert by_page[(202, 2)].matches == ("DANG",)


def test_snippet_is_plain_text_with_character_spans(dossier: SearchIndex) -> None:
    [hit] = dossier.search(SearchQuery("phụ cấp")).hits
    snippet = hit.snippet
    start = snippet.text.index("phụ cấp")
    assert snippet.spans == ((start, start + 3), (start + 4, start + 7))
    assert "lương < 4,00 & phụ cấp chức vụ" in snippet.text  # raw: the search room escapes nothing
    assert snippet.text.startswith("…") and unicodedata.is_normalized("NFC", snippet.text)


def test_hostile_page_text_stays_raw_in_the_snippet_and_every_span_is_a_word(index: SearchIndex) -> None:
    text = 'Ghi chú: <script>alert("x&y")</script> & <b>Nguyễn</b> Văn An &amp; <mark>An</mark>'
    index.upsert([PageDoc(document_id=31, page=1, text=text, staff_code="NV31", staff_name="Trần Bình",
                          status="dang_cong_tac")])
    [hit] = index.search(SearchQuery("nguyen an script")).hits
    snippet = hit.snippet
    assert snippet.text == text  # short page: the whole text, as stored
    assert snippet.matches == ("script", "script", "Nguyễn", "An", "An")
    for start, end in snippet.spans:  # spans are whole words, never inside markup characters
        assert snippet.text[start:end].isalnum()
    rendered = snippet.marked("<mark>", "</mark>", html.escape)  # what an HTML door makes of it
    assert "<script" not in rendered and "<b>" not in rendered
    assert rendered.count("<mark>") == rendered.count("</mark>") == 5
    assert "&amp;lt;" not in rendered and "&lt;b&gt;<mark>Nguyễn</mark>&lt;/b&gt;" in rendered
    assert "&amp;amp; &lt;mark&gt;<mark>An</mark>&lt;/mark&gt;" in rendered


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


# -- a phrase over a page break (issue 11: search.page_bridge) -------------------------------
NANG_LUONG = (  # one decision over two pages: "có hiệu lực | thi hành kể từ ngày ký"
    ("QUYẾT ĐỊNH về việc nâng bậc lương thường xuyên. Điều 1. Nâng bậc lương cho ông Trần Minh Khoa, "
     "chuyên viên, từ bậc 3 lên bậc 4, hệ số 3,33. Điều 2. Quyết định này có hiệu lực"),
    ("thi hành kể từ ngày ký. Thời gian xét nâng bậc lần sau tính từ ngày 01/07/2024. "
     "Nơi nhận: như Điều 2; lưu VT."),
)
SPANNING = '"có hiệu lực thi hành kể từ ngày ký"'


def _document(document_id: int, *texts: str, code: str = "NV-0701", name: str = "Trần Minh Khoa") -> list[PageDoc]:
    """The pages of one document, each with the start of the next (as page_docs fills them)."""
    return [PageDoc(document_id=document_id, page=n, text=text, staff_code=code, staff_name=name,
                    status="dang_cong_tac", unit="Phòng Nội vụ", document_type="quyet_dinh_nang_luong",
                    next_text=page_start(texts[n]) if n < len(texts) else "")
            for n, text in enumerate(texts, 1)]


@pytest.fixture
def decision(index: SearchIndex) -> SearchIndex:
    index.upsert(_document(701, *NANG_LUONG))
    return index


def test_a_phrase_over_the_page_break_finds_the_page_where_it_starts(decision: SearchIndex) -> None:
    assert _found(decision, SPANNING) == {(701, 1)}
    assert _found(decision, '"co hieu luc thi hanh"') == {(701, 1)}  # folded alike
    [hit] = decision.search(SearchQuery(SPANNING)).hits
    assert _marked(hit.snippet).endswith("<mark>có</mark> <mark>hiệu</mark> <mark>lực</mark>")  # page 1's end
    assert "thi hành" not in hit.snippet.text


def test_a_word_from_the_next_page_does_not_find_the_page_before(decision: SearchIndex) -> None:
    assert _found(decision, "hành") == {(701, 2)}
    assert _found(decision, '"hành"') == {(701, 2)}  # one word in quotes is a word
    assert _found(decision, "hiệu lực thi hành") == set()  # unquoted words never cross the break


def test_a_phrase_lying_on_the_next_page_alone_is_that_page_s_only(decision: SearchIndex) -> None:
    assert _found(decision, '"kể từ ngày ký"') == {(701, 2)}
    assert _found(decision, '"ngày ký thời gian"') == {(701, 2)}
    assert _found(decision, '"quyết định này có hiệu lực"') == {(701, 1)}


def test_a_phrase_over_the_break_keeps_word_order_and_combines_with_words(decision: SearchIndex) -> None:
    assert _found(decision, '"hiệu lực hành thi"') == set()
    assert _found(decision, '"lực thi hành" Khoa') == {(701, 1)}
    assert _found(decision, '"lực thi hành" nghỉ') == set()


def test_a_phrase_across_two_different_documents_is_not_found(index: SearchIndex) -> None:
    first, second = NANG_LUONG
    index.upsert(_document(702, first) + _document(703, second))  # same person, two documents
    assert _found(index, SPANNING) == set()
    assert _found(index, '"kể từ ngày ký"') == {(703, 1)}


def test_a_page_rewritten_without_its_next_page_loses_the_bridge(decision: SearchIndex) -> None:
    [first, _] = _document(701, *NANG_LUONG)
    decision.delete_documents([701])
    decision.upsert([replace(first, next_text="")])  # split: page 2 went to another document
    assert _found(decision, SPANNING) == set()
    assert _found(decision, '"có hiệu lực"') == {(701, 1)}


def test_people_search_finds_the_person_by_a_phrase_over_the_page_break(decision: SearchIndex) -> None:
    decision.upsert(DOSSIER)
    result = decision.search_people(SearchQuery(SPANNING))
    assert [h.staff_code for h in result.hits] == ["NV-0701"]
    [person] = result.hits
    assert [(m.document_id, m.page) for m in person.matched] == [(701, 1)]
    assert person.match_count == 1
    assert decision.search_people(SearchQuery("hiệu lực thi hành")).total == 0


# -- access scope, restriction level, grade and birth year -----------------------------------
# Pages managed across a small tree of units (cây đơn vị):
#   HCM ─┬─ Q1 ── Q1-P1
#        └─ Q2
#   HN ─── HN-ĐĐ
# Each page carries its managing unit and every ancestor in scope_units.
def _scoped(document_id: int, name: str, scope: tuple[str, ...], *, restriction: int, grade: str,
            birth_year: int | None, status: str = "dang_cong_tac") -> PageDoc:
    return PageDoc(
        document_id=document_id, page=1, staff_code=f"NV-{document_id}", staff_name=name, status=status,
        unit=scope[-1], document_type="quyet_dinh_nang_luong", scope_units=scope, restriction=restriction,
        grade=grade, birth_year=birth_year,
        text=f"QUYẾT ĐỊNH về việc nâng bậc lương thường xuyên đối với {name}, mã ngạch {grade}.",
    )


PHUONG_1 = _scoped(401, "Trần Văn Bình", ("HCM", "Q1", "Q1-P1"), restriction=Restriction.NORMAL,
                   grade="01.003", birth_year=1985)
QUAN_2 = _scoped(402, "Phạm Thị Cúc", ("HCM", "Q2"), restriction=Restriction.RESTRICTED,
                 grade="01.002", birth_year=1990, status="nghi_huu")
QUAN_1_MAT = _scoped(403, "Võ Minh Dũng", ("HCM", "Q1"), restriction=Restriction.SECRET,
                     grade="01.003", birth_year=None)
DONG_DA = _scoped(404, "Hoàng Thị Én", ("HN", "HN-ĐĐ"), restriction=Restriction.NORMAL,
                  grade="01.001", birth_year=1975)
SCOPED = [PHUONG_1, QUAN_2, QUAN_1_MAT, DONG_DA]
P1, Q2, Q1_MAT, DD = ((d.document_id, d.page) for d in SCOPED)


@pytest.fixture
def tree(index: SearchIndex) -> SearchIndex:
    index.upsert(SCOPED)
    return index


def test_scope_finds_a_page_through_its_unit_and_every_ancestor(tree: SearchIndex) -> None:
    assert P1 in _found(tree, "", scope_units=("Q1-P1",))
    assert P1 in _found(tree, "", scope_units=("Q1",))
    assert P1 in _found(tree, "", scope_units=("HCM",))
    assert P1 not in _found(tree, "", scope_units=("Q2",))
    assert P1 not in _found(tree, "", scope_units=("Q1-P2",))


def test_scope_sees_the_whole_subtree_and_nothing_beside_it(tree: SearchIndex) -> None:
    assert _found(tree, "", scope_units=("Q1",)) == {P1, Q1_MAT}
    assert _found(tree, "", scope_units=("HCM",)) == {P1, Q2, Q1_MAT}
    assert _found(tree, "", scope_units=("Q2", "HN")) == {Q2, DD}  # several units: any of them
    assert _found(tree, "nâng lương", scope_units=("Q1",)) == {P1, Q1_MAT}
    assert tree.search(SearchQuery("", scope_units=("Q1",), limit=1)).total == 2


def test_no_scope_is_unscoped_but_a_scope_never_finds_pages_without_units(tree: SearchIndex) -> None:
    tree.upsert([NGHI_HUU])  # indexed before scopes existed: no scope_units
    assert _found(tree, "") == {P1, Q2, Q1_MAT, DD, (303, 1)}
    assert (303, 1) not in _found(tree, "", scope_units=("HCM", "HN", "Q1", "Q1-P1", "Q2", "HN-ĐĐ"))


def test_empty_scope_sees_nothing_not_everything(tree: SearchIndex) -> None:
    for query in (
        SearchQuery("", scope_units=(), facets=("status", "grade", "unit")),
        SearchQuery("nâng bậc lương", scope_units=(), facets=("status", "grade", "unit")),
        SearchQuery("", scope_units=(), filters={"scope_units": ("HCM",)}, facets=("status", "grade", "unit")),
        SearchQuery("", scope_units=("", ""), facets=("status", "grade", "unit")),  # blank codes are no units
    ):
        result = tree.search(query)
        assert (result.total, result.hits) == (0, [])
        assert result.facets == {"status": {}, "grade": {}, "unit": {}}


def test_scope_filter_chosen_by_the_user_cannot_widen_the_access_scope(tree: SearchIndex) -> None:
    assert _found(tree, "", scope_units=("Q2",), filters={"scope_units": ("Q1",)}) == set()
    assert _found(tree, "", scope_units=("HCM",), filters={"scope_units": ("Q1", "HN")}) == {P1, Q1_MAT}


def test_scope_units_filter_matches_any_of_the_pages_units(tree: SearchIndex) -> None:
    assert _found(tree, "", filters={"scope_units": ("Q1",)}) == {P1, Q1_MAT}
    assert _found(tree, "", filters={"scope_units": ("Q1-P1", "HN-ĐĐ")}) == {P1, DD}
    assert _found(tree, "", filters={"scope_units": ("q1",)}) == set()  # exact codes, not folded


def test_max_restriction_keeps_pages_at_or_below_the_level(tree: SearchIndex) -> None:
    assert _found(tree, "", max_restriction=Restriction.NORMAL) == {P1, DD}
    assert _found(tree, "", max_restriction=Restriction.RESTRICTED) == {P1, Q2, DD}
    assert _found(tree, "", max_restriction=Restriction.SECRET) == {P1, Q2, Q1_MAT, DD}
    assert _found(tree, "", max_restriction=None) == {P1, Q2, Q1_MAT, DD}
    assert _found(tree, "", max_restriction=-1) == set()
    assert _found(tree, "", scope_units=("Q1",), max_restriction=Restriction.RESTRICTED) == {P1}


def test_pages_without_a_level_are_ordinary(dossier: SearchIndex) -> None:
    assert dossier.search(SearchQuery("", max_restriction=Restriction.NORMAL)).total == len(DOSSIER)


def test_grade_filter_and_facet(tree: SearchIndex) -> None:
    assert _found(tree, "", filters={"grade": ("01.003",)}) == {P1, Q1_MAT}
    assert _found(tree, "", filters={"grade": ("01.002", "01.001")}) == {Q2, DD}
    assert _found(tree, "", filters={"grade": ("01.003",), "status": ("nghi_huu",)}) == set()
    assert tree.search(SearchQuery("", facets=("grade",))).facets == {
        "grade": {"01.003": 2, "01.002": 1, "01.001": 1}}
    assert tree.search(SearchQuery("", filters={"status": ("dang_cong_tac",)}, facets=("grade",))).facets == {
        "grade": {"01.003": 2, "01.001": 1}}


def test_hits_in_scope_keep_their_fields_and_snippets(tree: SearchIndex) -> None:
    [hit] = tree.search(SearchQuery("nâng bậc", scope_units=("Q1-P1",))).hits
    assert (hit.document_id, hit.staff_code, hit.unit) == (401, "NV-401", "Q1-P1")
    assert "<mark>nâng</mark> <mark>bậc</mark> lương" in _marked(hit.snippet)


def test_birth_year_range_is_inclusive_and_leaves_out_unknown_years(tree: SearchIndex) -> None:
    assert _found(tree, "", birth_year_from=1985, birth_year_to=1990) == {P1, Q2}
    assert _found(tree, "", birth_year_from=1990, birth_year_to=1990) == {Q2}
    assert _found(tree, "", birth_year_from=1986, birth_year_to=1989) == set()
    assert _found(tree, "", birth_year_from=1985) == {P1, Q2}  # QUAN_1_MAT: year unknown
    assert _found(tree, "", birth_year_to=1985) == {P1, DD}
    assert _found(tree, "", birth_year_from=1991, birth_year_to=1980) == set()
    assert _found(tree, "") == {P1, Q2, Q1_MAT, DD}  # no bound: unknown years stay in


def test_facets_and_totals_never_count_pages_out_of_scope(tree: SearchIndex) -> None:
    facets = ("status", "grade", "unit", "scope_units")
    in_q1 = tree.search(SearchQuery("", scope_units=("Q1",), facets=facets))
    assert in_q1.total == 2
    assert in_q1.facets == {
        "status": {"dang_cong_tac": 2},
        "grade": {"01.003": 2},
        "unit": {"Q1-P1": 1, "Q1": 1},
        "scope_units": {"HCM": 2, "Q1": 2, "Q1-P1": 1},  # a page counts once under each unit
    }
    # Restriction and birth year narrow the counts too, with the words typed and limit 0.
    narrowed = tree.search(SearchQuery("lương", scope_units=("HCM", "HN"), max_restriction=Restriction.RESTRICTED,
                                       birth_year_from=1980, facets=facets, limit=0))
    assert (narrowed.total, narrowed.hits) == (2, [])
    assert narrowed.facets == {
        "status": {"dang_cong_tac": 1, "nghi_huu": 1},
        "grade": {"01.003": 1, "01.002": 1},
        "unit": {"Q1-P1": 1, "Q2": 1},
        "scope_units": {"HCM": 2, "Q1": 1, "Q1-P1": 1, "Q2": 1},
    }


def test_upsert_moves_a_page_to_its_new_scope(tree: SearchIndex) -> None:
    moved = _scoped(401, "Trần Văn Bình", ("HCM", "Q2"), restriction=Restriction.SECRET,
                    grade="01.002", birth_year=1985)
    tree.upsert([moved])
    assert _found(tree, "", scope_units=("Q1",)) == {Q1_MAT}
    assert _found(tree, "", scope_units=("Q2",)) == {P1, Q2}
    assert _found(tree, "", max_restriction=Restriction.RESTRICTED) == {Q2, DD}
    assert tree.search(SearchQuery("", scope_units=("Q1",), facets=("grade",))).facets == {"grade": {"01.003": 1}}


def test_scope_unit_codes_are_nfc_on_both_sides(index: SearchIndex) -> None:
    codes = ("HÀ-NỘI", "HÀ-NỘI/ĐỐNG-ĐA", "HÀ-NỘI/ĐỐNG-ĐA/PHƯỜNG-Ô-CHỢ-DỪA")
    index.upsert([PageDoc(document_id=5, page=1, staff_code="NV5", staff_name="Lý Thị Ngọc", status="nghi_huu",
                          grade=_nfd("chuyên_viên"), scope_units=tuple(_nfd(c) for c in codes), text="hồ sơ")])
    for code in codes:
        assert index.search(SearchQuery("", scope_units=(code,))).total == 1
        assert index.search(SearchQuery("", scope_units=(_nfd(code),))).total == 1
        assert index.search(SearchQuery("", filters={"scope_units": (_nfd(code),)})).total == 1
    assert index.search(SearchQuery("", scope_units=("HA-NOI",))).total == 0  # codes are not folded
    assert index.search(SearchQuery("", scope_units=("hà-nội",))).total == 0
    assert index.search(SearchQuery("", filters={"grade": ("chuyên_viên",)})).total == 1
    facets = index.search(SearchQuery("", scope_units=(codes[0],), facets=("scope_units", "grade"))).facets
    assert facets == {"scope_units": {c: 1 for c in codes}, "grade": {"chuyên_viên": 1}}


def test_a_page_repeating_a_unit_counts_once(index: SearchIndex) -> None:
    index.upsert([PageDoc(document_id=6, page=1, staff_code="NV6", staff_name="Mai", status="nghi_huu",
                          scope_units=("HCM", "Q1", "Q1", _nfd("HCM"), ""), text="hồ sơ")])
    assert index.search(SearchQuery("", facets=("scope_units",))).facets == {"scope_units": {"HCM": 1, "Q1": 1}}


def test_scope_given_as_one_string_is_refused() -> None:
    with pytest.raises(TypeError):
        SearchQuery("", scope_units="Q1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        PageDoc(document_id=1, page=1, text="", staff_code="", staff_name="", status="",
                scope_units="Q1")  # type: ignore[arg-type]


def test_restriction_outside_the_known_levels_is_refused() -> None:
    with pytest.raises(ValueError):
        PageDoc(document_id=1, page=1, text="", staff_code="", staff_name="", status="", restriction=3)


# -- Elasticsearch only: URL, error mapping (rebuilds, alias swaps, outdated schemas: test_search_rebuild.py)
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
