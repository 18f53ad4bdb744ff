"""People in the index, run alike on every adapter: staff records beside pages, one hit per person.

A staff record (StaffDoc) is found by itself — a deceased person with no scanned page yet —
by unaccented name, by code in any case, by a filter alone; a person with seven matching
pages is one hit with match_count 7; facets count people; names take typos (Matching.TYPOS)
ranked below exact matches; suggestions (CLOSE_NAMES) and autocomplete (PREFIX) see records in
the caller's scope only; records sort in Vietnamese name order; page searches never see records.
"""

from __future__ import annotations

import dataclasses

import pytest

from search.collation import name_sort_key
from search.port import PAGES_PER_PERSON, Matching, PageDoc, PeopleResult, Restriction, SearchIndex, SearchQuery, StaffDoc
from tests.contract.test_search_index import index  # noqa: F401 — the per-engine fixture

TINH, Q1, Q2 = ("TINH",), ("TINH", "Q1"), ("TINH", "Q2")


def _record(code: str, name: str, status: str, scope: tuple[str, ...], *, birth: str = "", text: str = "",
            status_date: str = "", restriction: int = Restriction.NORMAL, other_names: tuple[str, ...] = (),
            grade: str = "01.003") -> StaffDoc:
    return StaffDoc(staff_code=code, full_name=name, status=status, unit=scope[-1], scope_units=scope,
                    birth_date=birth, birth_year=int(birth[:4]) if birth else None, status_date=status_date,
                    text=text, restriction=restriction, other_names=other_names, grade=grade,
                    category="cong_chuc")


def _page(document_id: int, page: int, record: StaffDoc, text: str, document_type: str = "quyet_dinh") -> PageDoc:
    return PageDoc(document_id=document_id, page=page, text=text, staff_code=record.staff_code,
                   staff_name=record.full_name, status=record.status, unit=record.unit, document_type=document_type,
                   birth_date=record.birth_date, scope_units=record.scope_units, restriction=record.restriction,
                   grade=record.grade, birth_year=record.birth_year, category=record.category,
                   status_date=record.status_date)


DUC = _record("NV001", "Trần Văn Đức", "tu_tran", Q1, birth="1950-02-03", status_date="2020-05-01",
              text="Nơi sinh: xã Tân Phú, huyện Đức Hòa. Từ trần ngày 01/05/2020, quyết định 45/QĐ-UBND.")
TAM = _record("NV002", "Lê Văn Tám", "dang_cong_tac", Q1, birth="1980-07-01")
HUONG = _record("NV003", "Nguyễn Thị Hương", "nghi_huu", Q2, birth="1962-10-10", status_date="2017-11-01",
                other_names=("Hương Nguyễn",))
MAI = _record("nv005", "Võ Thị Mai", "tu_tran", Q2, birth="1948-01-01", status_date="2019-03-03")
MAT = _record("NV006", "Đặng Văn Mật", "dang_cong_tac", Q1, restriction=Restriction.SECRET)
HUNG = _record("NV007", "Lý Văn Hùng", "dang_cong_tac", Q1, birth="1990-01-01")
RECORDS = [DUC, TAM, HUONG, MAI, MAT, HUNG]
PAGES = [
    # Lê Văn Tám's decision, signed by a Trần Văn Đức who is another person's namesake
    _page(20, 1, TAM, "QUYẾT ĐỊNH nâng bậc lương cho ông Lê Văn Tám. KT. CHỦ TỊCH, ông Trần Văn Đức ký."),
    *(_page(30 + n, 1, HUONG, f"Quyết định số {n}/QĐ về việc nâng bậc lương thường xuyên đối với bà Nguyễn "
                              f"Thị Hương, chuyên viên.") for n in range(4)),
    *(_page(40, n, HUONG, f"Trang {n}: bà Nguyễn Thị Hương được nâng bậc lương lần {n}.") for n in (1, 2, 3)),
    _page(50, 1, HUNG, "Sơ yếu lý lịch: Lý Văn Hùng, quê quán xã An Phú."),
]


@pytest.fixture
def people(index: SearchIndex) -> SearchIndex:  # noqa: F811
    index.upsert(RECORDS + PAGES)
    return index


def _codes(result: PeopleResult) -> list[str]:
    return [h.staff_code for h in result.hits]


def _find(index: SearchIndex, text: str, **kw: object) -> PeopleResult:
    return index.search_people(SearchQuery(text, **kw))  # type: ignore[arg-type]


# -- a record is found by itself -------------------------------------------------------------
def test_a_deceased_person_without_documents_is_found_by_unaccented_name(people: SearchIndex) -> None:
    result = _find(people, "tran van duc")
    assert _codes(result)[0] == "NV001"
    first = result.hits[0]
    assert (first.full_name, first.status, first.birth_date, first.unit) == ("Trần Văn Đức", "tu_tran", "1950-02-03", "Q1")
    assert (first.match_count, first.record_matched, first.matched) == (0, True, ())
    assert first.status_date == "2020-05-01" and first.grade == "01.003" and first.category == "cong_chuc"


def test_a_staff_code_in_any_case_puts_that_person_first(people: SearchIndex) -> None:
    for query in ("nv001", "NV001", "Nv001"):
        assert _codes(_find(people, query)) == ["NV001"], query
    assert _codes(_find(people, "NV005")) == ["nv005"]
    assert _codes(_find(people, "nv002 luong")) == ["NV002"]  # the code is on the person's pages too
    assert [(h.document_id, h.page) for h in people.search(SearchQuery("nv002")).hits] == [(20, 1)]


def test_a_filter_alone_lists_the_people_it_selects(people: SearchIndex) -> None:
    result = _find(people, "", filters={"status": ("tu_tran",)}, facets=("status", "document_type"))
    assert sorted(_codes(result)) == ["NV001", "nv005"] and result.total == 2 and result.exact
    assert result.facets == {"status": {"tu_tran": 2}, "document_type": {}}
    scoped = _find(people, "", filters={"status": ("tu_tran",)}, scope_units=("Q1",))
    assert _codes(scoped) == ["NV001"] and scoped.total == 1


def test_the_record_other_fields_are_searchable(people: SearchIndex) -> None:
    assert _codes(_find(people, '"45/QĐ-UBND"')) == ["NV001"]
    assert _codes(_find(people, "tan phu duc hoa")) == ["NV001"]
    assert _codes(_find(people, "huong nguyen")) == ["NV003"]  # tên gọi khác


# -- one hit per person ----------------------------------------------------------------------
def test_a_person_with_seven_matching_pages_is_one_hit(people: SearchIndex) -> None:
    result = _find(people, "nguyen thi huong nang bac luong")
    assert _codes(result) == ["NV003"] and result.total == 1
    [hit] = result.hits
    assert hit.match_count == 7 and not hit.record_matched
    assert len(hit.matched) == PAGES_PER_PERSON == 2  # the best few pages, best first
    assert [m.score for m in hit.matched] == sorted((m.score for m in hit.matched), reverse=True)
    assert all("<mark>" in m.snippet.marked("<mark>", "</mark>") for m in hit.matched)
    assert {(m.document_id, m.page) for m in hit.matched} <= {(d.document_id, d.page) for d in PAGES}
    wide = people.search_people(SearchQuery("nang bac luong"), pages_per_person=10)
    [hit] = [h for h in wide.hits if h.staff_code == "NV003"]
    assert hit.match_count == 7 and len(hit.matched) == 7


def test_a_persons_best_pages_carry_their_scores_in_the_page_search(people: SearchIndex) -> None:
    """Found among the top documents or by a query over the person's pages (as when people are
    sorted by name), a matched page's score is its score in the search — tantivy added the
    person filter's constant to the second kind."""
    scores = {(h.document_id, h.page): h.score for h in people.search(SearchQuery("nang bac luong", limit=50)).hits}
    for sort in ("relevance", "name", "birth_date"):
        result = people.search_people(SearchQuery("nang bac luong", sort=sort), pages_per_person=3)
        matched = [m for h in result.hits for m in h.matched]
        assert len(matched) >= 4, sort
        for m in matched:
            assert m.score == pytest.approx(scores[(m.document_id, m.page)], rel=1e-4), (sort, m.document_id, m.page)
    ranked = people.search_people(SearchQuery("nang bac luong"))
    for hit in ranked.hits:  # ranked by their best document: here a page, the first shown
        assert hit.score == pytest.approx(hit.matched[0].score, rel=1e-4), hit.staff_code


def test_record_and_pages_of_one_person_are_one_hit(people: SearchIndex) -> None:
    [hit] = _find(people, "ly van hung").hits
    assert (hit.staff_code, hit.match_count, hit.record_matched) == ("NV007", 1, True)
    assert [(m.document_id, m.page) for m in hit.matched] == [(50, 1)]


def test_facets_and_totals_count_people_not_pages(people: SearchIndex) -> None:
    result = _find(people, "nang bac luong", facets=("status", "document_type", "unit"))
    assert result.total == 2 and sorted(_codes(result)) == ["NV002", "NV003"]
    assert result.facets == {"status": {"nghi_huu": 1, "dang_cong_tac": 1}, "document_type": {"quyet_dinh": 2},
                             "unit": {"Q2": 1, "Q1": 1}}
    assert people.search(SearchQuery("nang bac luong", facets=("status",))).facets == {
        "status": {"nghi_huu": 7, "dang_cong_tac": 1}}  # the page search still counts pages
    records_too = _find(people, "van", facets=("document_type", "status"), max_restriction=2)
    assert records_too.total == 4  # Đức, Tám, Mật, Hùng: records, and two of them pages
    assert records_too.facets == {"document_type": {"quyet_dinh": 2}, "status": {"tu_tran": 1, "dang_cong_tac": 3}}


def test_people_page_through_with_limit_and_offset(people: SearchIndex) -> None:
    everyone = _find(people, "", limit=100, sort="name")
    assert everyone.total == len(RECORDS) and len(everyone.hits) == len(RECORDS)
    pages = [_find(people, "", limit=2, offset=o, sort="name") for o in (0, 2, 4)]
    assert [c for p in pages for c in _codes(p)] == _codes(everyone)
    assert all(p.total == len(RECORDS) for p in pages)
    words = [_find(people, "van", limit=1, offset=o) for o in range(4)]
    assert sorted(c for p in words for c in _codes(p)) == ["NV001", "NV002", "NV006", "NV007"]
    assert {p.total for p in words} == {4}


# -- ranking -----------------------------------------------------------------------------------
def test_an_exact_name_outranks_the_same_name_in_page_text(people: SearchIndex) -> None:
    result = _find(people, "Trần Văn Đức")
    assert _codes(result) == ["NV001", "NV002"]
    assert result.hits[0].score > result.hits[1].score
    signer = result.hits[1]
    assert signer.match_count == 1 and not signer.record_matched
    assert "<mark>Trần</mark> <mark>Văn</mark> <mark>Đức</mark>" in signer.matched[0].snippet.marked("<mark>", "</mark>")


def test_diacritics_still_fold_both_ways(people: SearchIndex) -> None:
    assert _codes(_find(people, "Đặng Văn Mật")) == ["NV006"]
    assert _codes(_find(people, "dang van mat")) == ["NV006"]
    assert _codes(_find(people, "vo thi mai")) == ["nv005"]


# -- typos -------------------------------------------------------------------------------------
def test_a_typo_in_a_name_still_finds_the_person_when_typos_are_allowed(people: SearchIndex) -> None:
    for query in ("huongg", "nguyen thi hu0ng", "Nguyễn Thị Huogn"):
        assert _codes(_find(people, query, matching=Matching.TYPOS))[:1] == ["NV003"], query
        assert "NV003" not in _codes(_find(people, query)), query  # exact words only by default


def test_typo_matches_rank_below_exact_matches(people: SearchIndex) -> None:
    result = _find(people, "hung", matching=Matching.TYPOS)
    assert _codes(result) == ["NV007", "NV003"]  # Hùng exactly; Hương one edit away
    assert result.hits[0].score > result.hits[1].score
    assert _codes(_find(people, "thi", matching=Matching.TYPOS)) == ["NV003", "nv005"] or \
        sorted(_codes(_find(people, "thi", matching=Matching.TYPOS))) == ["NV003", "nv005"]  # short words: exact


# -- scope, clearance ------------------------------------------------------------------------
def test_people_outside_the_scope_or_above_the_clearance_are_never_counted(people: SearchIndex) -> None:
    result = _find(people, "", scope_units=("Q1",), max_restriction=0, facets=("status", "unit"))
    assert sorted(_codes(result)) == ["NV001", "NV002", "NV007"] and result.total == 3
    assert result.facets == {"status": {"tu_tran": 1, "dang_cong_tac": 2}, "unit": {"Q1": 3}}
    words = _find(people, "nang bac luong", scope_units=("Q1",), facets=("status",))
    assert _codes(words) == ["NV002"] and words.facets == {"status": {"dang_cong_tac": 1}}
    assert _find(people, "mat", scope_units=("Q1",), max_restriction=1).total == 0
    assert _find(people, "mat", scope_units=("Q1",), max_restriction=2).total == 1
    nobody = _find(people, "", scope_units=(), facets=("status",))
    assert (nobody.total, nobody.hits, nobody.facets) == (0, [], {"status": {}})


def test_suggestions_come_from_names_in_scope_only(people: SearchIndex) -> None:
    close = SearchQuery("Trần Văn Đứk", matching=Matching.CLOSE_NAMES, scope_units=("Q1",), max_restriction=0)
    names = [h.full_name for h in people.search_people(close, records_only=True).hits]
    assert names[0] == "Trần Văn Đức"
    far = SearchQuery("Nguyen Thi Huonq", matching=Matching.CLOSE_NAMES, scope_units=("Q1",), max_restriction=0)
    assert "Nguyễn Thị Hương" not in [h.full_name for h in people.search_people(far, records_only=True).hits]
    within = dataclasses.replace(far, scope_units=("Q2",))
    assert people.search_people(within, records_only=True).hits[0].full_name == "Nguyễn Thị Hương"


def test_autocomplete_takes_name_words_and_code_prefixes_in_scope(people: SearchIndex) -> None:
    def complete(text: str, scope: tuple[str, ...] = ("TINH",)) -> list[str]:
        q = SearchQuery(text, matching=Matching.PREFIX, scope_units=scope, max_restriction=0, sort="name")
        return _codes(people.search_people(q, records_only=True))

    assert complete("ngu") == ["NV003"]
    assert complete("tran van d") == ["NV001"]
    assert complete("van") == ["NV001", "NV007", "NV002"]  # Đức, Hùng, Tám in name order; Mật is secret
    assert complete("nv00") == ["NV001", "NV007", "NV003", "nv005", "NV002"]
    assert complete("NV00", scope=("Q1",)) == ["NV001", "NV007", "NV002"]
    assert complete("ngu", scope=("Q1",)) == []


# -- order, kinds, writes ------------------------------------------------------------------------
def test_records_sort_in_vietnamese_name_order_by_given_name(people: SearchIndex) -> None:
    result = _find(people, "", sort="name", max_restriction=2)
    names = [h.full_name for h in result.hits]
    assert names == sorted((r.full_name for r in RECORDS), key=name_sort_key)
    assert names == ["Trần Văn Đức", "Lý Văn Hùng", "Nguyễn Thị Hương", "Võ Thị Mai", "Đặng Văn Mật", "Lê Văn Tám"]


def test_people_sort_by_birth_date_and_status_date_with_unknown_last(people: SearchIndex) -> None:
    assert _codes(_find(people, "", sort="birth_date", max_restriction=2)) == [
        "nv005", "NV001", "NV003", "NV002", "NV007", "NV006"]
    assert _codes(_find(people, "", sort="status_date", max_restriction=2))[:3] == ["NV001", "nv005", "NV003"]
    assert _codes(_find(people, "van", sort="birth_date")) == ["NV001", "NV002", "NV007", "NV006"]


def test_a_page_search_never_returns_records(people: SearchIndex) -> None:
    result = people.search(SearchQuery("tran van duc", facets=("status",)))
    assert [(h.document_id, h.page) for h in result.hits] == [(20, 1)]
    assert result.facets == {"status": {"dang_cong_tac": 1}}
    assert people.search(SearchQuery("")).total == len(PAGES) == people.count()
    assert people.search(SearchQuery("nv001")).total == 0


def test_a_record_is_replaced_by_code_and_kept_when_documents_go(people: SearchIndex) -> None:
    people.upsert([dataclasses.replace(TAM, status="nghi_huu", status_date="2026-01-01")])
    result = _find(people, "", filters={"status": ("nghi_huu",)})
    assert sorted(_codes(result)) == ["NV002", "NV003"] and result.total == 2
    people.delete_documents([30, 31, 32, 33, 40])
    [hit] = _find(people, "nguyen thi huong").hits
    assert (hit.staff_code, hit.match_count, hit.record_matched) == ("NV003", 0, True)
    assert people.count() == 2


def test_many_pages_of_one_person_do_not_crowd_out_other_people(index: SearchIndex) -> None:  # noqa: F811
    busy = _record("NV100", "Bùi Văn Bận", "dang_cong_tac", TINH)
    quiet = _record("NV101", "Cao Thị Lặng", "dang_cong_tac", TINH)
    pages = [_page(100, n, busy, "Bảng chấm công tháng, chấm công đầy đủ, chấm công " * 3) for n in range(1, 151)]
    index.upsert([busy, quiet, *pages, _page(101, 1, quiet, "Bảng chấm công")])
    result = index.search_people(SearchQuery("cham cong", limit=2))
    assert _codes(result) == ["NV100", "NV101"] and result.total == 2
    assert [h.match_count for h in result.hits] == [150, 1]
