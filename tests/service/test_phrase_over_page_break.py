"""A quoted phrase over a page break (issue 11, search.page_bridge), through the service layer:
two single-page uploads merged into one two-page document are found by a phrase whose first
words end page 1 and whose last words begin page 2; before the merge (two documents) they are
not, and after a reorder the bridge follows the new page order. Born-digital PDFs, the embedded
store and tantivy, the real jobs."""

from __future__ import annotations

import io

import pytest

from archive.services import page_references as pr
from archive.services.access import SYSTEM
from archive.services.documents import get_document, ingest_upload
from archive.services.search import SearchParams, search_pages, search_people
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.corrections import without_automatic_review
from tests.support.paged_documents import distinct_pages_pdf

FIRST = "Quyết định điều động công chức về công tác tại Văn phòng Ủy ban nhân dân"
SECOND = "huyện Cần Giờ kể từ ngày mười lăm tháng ba năm hai nghìn"
SPANNING = '"Văn phòng Ủy ban nhân dân huyện Cần Giờ"'  # neither page holds it
BACKWARDS = '"hai nghìn Quyết định điều động"'          # SECOND's end, then FIRST's start


@pytest.fixture
def settings(settings):
    # one line per page is "almost no text" for OCR review; these pages are born-digital anyway
    return without_automatic_review(settings)


@pytest.fixture
def two_uploads(container):
    add_unit(container, SYSTEM, code="PNV", name="Phòng Nội vụ", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV011", full_name="Võ Thị Thu Hà", unit_code="PNV")
    add_staff(container, SYSTEM, code="NV012", full_name="Lê Văn Tám", unit_code="PNV")
    ids = []
    for name, line in (("dieu-dong-1.pdf", FIRST), ("dieu-dong-2.pdf", SECOND)):
        out = ingest_upload(container, SYSTEM, staff_code="NV011", stream=io.BytesIO(distinct_pages_pdf([[line]])),
                            file_name=name, document_type="khac")
        ids.append(out.document.id)
    container.queue.drain()
    assert [get_document(container, SYSTEM, i).state for i in ids] == ["indexed", "indexed"]
    return container, ids


def _pages(c, text: str) -> list[tuple[int, int]]:
    return sorted((h.document_id, h.page) for h in search_pages(c, SYSTEM, text).hits)


def test_two_uploads_merged_are_found_by_a_phrase_spanning_both_pages(two_uploads) -> None:
    c, (first, second) = two_uploads
    assert _pages(c, SPANNING) == []  # two documents: no bridge between them
    assert _pages(c, '"ủy ban nhân dân"') == [(first, 1)]

    pr.merge(c, SYSTEM, [first, second])
    c.queue.drain()
    assert get_document(c, SYSTEM, first).state == "indexed"

    [hit] = search_pages(c, SYSTEM, SPANNING).hits
    assert (hit.document_id, hit.page) == (first, 1)  # the page where the phrase starts
    assert hit.snippet.text.endswith("Ủy ban nhân dân")  # cut from that page's own text
    assert "Ủy" in hit.snippet.matches
    assert _pages(c, '"van phong uy ban nhan dan huyen can gio"') == [(first, 1)]  # unaccented too
    assert _pages(c, '"Cần Giờ"') == [(first, 2)]       # wholly on page 2: page 2 only
    assert _pages(c, "Giờ") == [(first, 2)]             # a word never crosses the break
    assert _pages(c, "Văn phòng huyện Cần Giờ") == []   # nor do unquoted words

    people = search_people(c, SYSTEM, SearchParams(q=SPANNING)).result
    assert [h.staff_code for h in people.hits] == ["NV011"]
    assert [(m.document_id, m.page) for m in people.hits[0].matched] == [(first, 1)]


def test_after_a_reorder_the_bridge_follows_the_new_page_order(two_uploads) -> None:
    c, (first, second) = two_uploads
    pr.merge(c, SYSTEM, [first, second])
    c.queue.drain()
    pr.reorder(c, SYSTEM, first, [2, 1])
    c.queue.drain()
    assert _pages(c, SPANNING) == []
    assert _pages(c, BACKWARDS) == [(first, 1)]


def test_after_a_split_the_phrase_is_on_no_page(two_uploads) -> None:
    c, (first, second) = two_uploads
    pr.merge(c, SYSTEM, [first, second])
    c.queue.drain()
    _, tail = pr.split(c, SYSTEM, first, 2)
    c.queue.drain()
    assert _pages(c, SPANNING) == []
    assert _pages(c, '"Cần Giờ"') == [(tail.id, 1)]
