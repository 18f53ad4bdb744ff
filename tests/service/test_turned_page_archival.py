"""The archival copy (PDF/A-2b) of a document with a page the archivist turned (xoay trang, issue 11).

A page scanned sideways is read again turned upright; its copy carries the scan as it is, shown
upright with /Rotate, and the text layer read from the turned image laid over the scan's ink. Real
OCR (tesseract), the embedded store, veraPDF on the copies; the geometry re-expression also checked
by hand on numbers.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image
from sqlalchemy import delete, select

from archive.errors import Conflict, NotFound
from archive.models import Derivative
from archive.services import archival
from archive.services import document_corrections as dc
from archive.services import page_references as pr
from archive.services.access import SYSTEM
from archive.services.documents import get_document, ingest_upload
from ingest.ocr import PageGeometry
from ingest.pdfa import layer_matrix
from ingest.pdfa_pages import unturned_geometry
from tests.support.corrections import make_office, without_automatic_review
from tests.support.corrections import upload as _upload
from tests.support.documents import png_bytes, rendered_page, scanned_pdf
from tests.support.paged_documents import distinct_pages_pdf
from tests.support.verapdf import find_jar, validate

DECISION = ["QUYẾT ĐỊNH", "Về việc nâng bậc lương thường xuyên đối với công chức Đặng Thị Hồng Nhung"]


def _apply(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_turned_layer_lands_on_the_same_spot_of_the_unturned_page(turn):
    """A mark at a known pixel of the unturned scan, found at its turned position by the OCR, maps back."""
    w, h, dpi = 600, 400, 72.0  # the scan as stored (pixels = points at 72 dpi)
    px, py = 100.0, 50.0        # the mark, in the scan's pixels (y down)
    # where it is in the turned image (PIL rotate(-turn, expand=True): clockwise)
    tx, ty = {90: (h - py, px), 180: (w - px, h - py), 270: (py, w - px)}[turn]
    tw, th = (h, w) if turn in (90, 270) else (w, h)
    g = PageGeometry(width=tw, height=th, ocr_width=tw, ocr_height=th, angle=0.0, dpi=dpi)  # no deskew
    m = layer_matrix((0, 0, w, h), unturned_geometry(g, turn))
    # tesseract's layer puts the mark at (tx, th - ty) points (y up); on the page it must be at (px, h - py)
    x, y = _apply(m, tx, th - ty)
    assert math.isclose(x, px, abs_tol=1e-6) and math.isclose(y, h - py, abs_tol=1e-6)
    assert unturned_geometry(g, 0) == g


@pytest.fixture
def settings(settings):
    return without_automatic_review(settings)


@pytest.fixture
def office(container):
    return make_office(container)


def _copy(c, document_id: int) -> bytes:
    _name, size, chunks = archival.open_archival_copy(c, SYSTEM, document_id)
    data = b"".join(chunks)
    assert len(data) == size
    return data


def _ink_under(copy: bytes, page_index: int, scan: Image.Image, word: str, shift: float = 0.0) -> float:
    """Share of dark pixels of the scan (as stored, unturned) under the box the copy's text layer gives
    `word`; `shift` moves the box along its long side (the reading direction) by that many lengths."""
    doc = pdfium.PdfDocument(copy)
    text = doc[page_index].get_textpage()
    full = text.get_text_range()
    at = full.find(word)
    assert at >= 0, full[:300]
    boxes = [text.get_charbox(i) for i in range(at, at + len(word))]  # the page's own space, /Rotate not applied
    left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
    bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
    if right - left >= top - bottom:
        left, right = left + shift * (right - left), right + shift * (right - left)
    else:
        bottom, top = bottom + shift * (top - bottom), top + shift * (top - bottom)
    with pikepdf.open(io.BytesIO(copy)) as pdf:
        x0, y0, x1, y1 = (float(v) for v in pdf.pages[page_index].mediabox)
    sx, sy = scan.width / (x1 - x0), scan.height / (y1 - y0)
    l, t, r, b = round((left - x0) * sx), round((y1 - top) * sy), round((right - x0) * sx), round((y1 - bottom) * sy)
    if not (0 <= l < r <= scan.width and 0 <= t < b <= scan.height):
        return 0.0  # off the scan (PIL would fill the outside black, i.e. "ink")
    return float((np.asarray(scan.convert("L").crop((l, t, r, b))) < 128).mean())


def _rotations(copy: bytes) -> list[int]:
    with pikepdf.open(io.BytesIO(copy)) as pdf:
        return [int(p.obj.get("/Rotate", 0)) for p in pdf.pages]


def _turned_rows(c, sha256: str) -> list[tuple[str, str]]:
    with c.uow() as uow:
        return sorted(uow.session.execute(select(Derivative.kind, Derivative.params).where(
            Derivative.source_sha256 == sha256, Derivative.params.like("%rotation=%"))).all())


def test_a_sideways_scan_turned_upright_gets_a_copy_whose_words_lie_on_the_ink(office, tesseract, tmp_path):
    jar = find_jar()
    c = office
    upright, _ = rendered_page(DECISION)
    sideways = upright.rotate(90, expand=True)  # scanned lying on its side: turning it 90° clockwise reads it
    doc = _upload(c, png_bytes(sideways), "nghieng.png")
    first = _copy(c, doc.id)  # the unturned reading (garbage OCR) makes a copy as before
    assert _rotations(first) == [0]

    dc.rotate_page(c, SYSTEM, doc.id, 1, 90)
    with pytest.raises(Conflict, match="đang được nhận dạng lại"):  # the copy of before the turn is not served
        archival.open_archival_copy(c, SYSTEM, doc.id)
    c.queue.drain()  # extract (page 1 only) → archival follow-up
    state = archival.archival_state(c, SYSTEM, doc.id)
    assert state.state == archival.STATE_OK, state
    assert _turned_rows(c, doc.sha256) == [("ocr_geometry", "v=1;page=1;rotation=90"),
                                            ("ocr_layer", "page=1;rotation=90")]
    with c.uow() as uow:  # the plain layers (the unturned reading) load as before, turned rows left out
        plain = archival.load_text_layers(c, uow.session, doc.sha256)
        turned = archival.load_turned_layer(c, uow.session, doc.sha256, 1, 90)
    assert set(plain) == {1} and turned is not None
    assert (turned.geometry.width, turned.geometry.height) == (upright.width, upright.height)

    copy = _copy(c, doc.id)
    assert _rotations(copy) == [90]  # shown upright; the scan inside is the original, lying on its side
    with pikepdf.open(io.BytesIO(copy)) as pdf:
        box = [round(float(v)) for v in pdf.pages[0].mediabox]
    points = 72 / turned.geometry.dpi
    assert box == [0, 0, round(sideways.width * points), round(sideways.height * points)]
    from pypdf import PdfReader
    assert "QUYẾT" in (PdfReader(io.BytesIO(copy)).pages[0].extract_text() or "")
    assert _ink_under(copy, 0, sideways, "QUYẾT") > 0.10           # the word's box is over its ink
    assert _ink_under(copy, 0, sideways, "QUYẾT", shift=3.0) < 0.02  # beside the line: paper

    path = tmp_path / "xoay.pdf"
    path.write_bytes(copy)
    verdicts = validate(jar, [path])
    assert all(v.compliant for v in verdicts.values()), verdicts


def test_a_referenced_page_turned_gets_its_layer_and_a_missing_one_asks_for_reextraction(office, tesseract):
    c = office
    upright, _ = rendered_page(DECISION)
    sideways = upright.rotate(-90, expand=True)  # lying the other way: a 270° (−90°) turn reads it
    scan = _upload(c, png_bytes(sideways), "nghieng.png")
    cover = _upload(c, distinct_pages_pdf([["Bìa hồ sơ cán bộ công chức"]]), "bia.pdf")
    pr.merge(c, SYSTEM, [cover.id, scan.id])  # the scan is now page 2 of the cover, by reference
    c.queue.drain()
    dc.rotate_page(c, SYSTEM, cover.id, 2, -90)
    c.queue.drain()  # the referenced path reads page 1 of the scan's original turned 270°
    assert _turned_rows(c, scan.sha256) == [("ocr_geometry", "v=1;page=1;rotation=270"),
                                             ("ocr_layer", "page=1;rotation=270")]
    assert archival.archival_state(c, SYSTEM, cover.id).state == archival.STATE_OK
    copy = _copy(c, cover.id)
    assert _rotations(copy) == [0, 270]
    assert _ink_under(copy, 1, sideways, "QUYẾT") > 0.10

    # the turned layer lost (as for a document OCR'd before layers were kept): no wrong copy, no stale one
    with c.uow() as uow:
        uow.session.execute(delete(Derivative).where(Derivative.source_sha256 == scan.sha256,
                                                     Derivative.params.like("%rotation=%")))
        uow.commit()
    made = archival.make_archival_copy(c, cover.id)
    assert made.state.state == archival.STATE_NEEDS_REEXTRACT and made.info is None
    assert "trang 2" in made.state.reason
    with c.uow() as uow:
        archival.record(uow.session, cover.id, made)
        uow.commit()
    with pytest.raises(NotFound):
        archival.open_archival_copy(c, SYSTEM, cover.id)


def test_ocr_again_keeps_the_turned_layer_and_the_unturned_one_another_dossier_uses(office, tesseract):
    c = office
    upright, _ = rendered_page(DECISION)
    data = png_bytes(upright.rotate(90, expand=True))
    mine = _upload(c, data, "nghieng.png")
    out = ingest_upload(c, SYSTEM, staff_code="NV002", stream=io.BytesIO(data), file_name="cung-ban-goc.png",
                        document_type="khac")
    c.queue.drain()
    theirs = get_document(c, SYSTEM, out.document.id)
    assert theirs.sha256 == mine.sha256  # the same bytes in two dossiers: one original, one set of layers

    dc.rotate_page(c, SYSTEM, mine.id, 1, 90)
    c.queue.drain()
    dc.reocr_document(c, SYSTEM, mine.id)  # a full run: the turned page read again, turned
    c.queue.drain()
    assert archival.archival_state(c, SYSTEM, mine.id).state == archival.STATE_OK
    assert _rotations(_copy(c, mine.id)) == [90]
    with c.uow() as uow:
        assert set(archival.load_text_layers(c, uow.session, mine.sha256) or {}) == {1}  # unturned reading kept
    made = archival.make_archival_copy(c, theirs.id)  # the other dossier's copy: the scan as it lies
    assert made.state.state == archival.STATE_OK
    assert _rotations(b"".join(c.derivatives.iter_chunks(made.info.key))) == [0]


def test_a_scanned_pdf_page_with_its_own_rotate_turned_again_keeps_the_words_on_the_ink(office, tesseract, tmp_path):
    jar = find_jar()
    c = office
    upright, _ = rendered_page(DECISION)
    stored = upright.rotate(180)  # the scanner put the sheet in upside down …
    buf = io.BytesIO()
    with pikepdf.open(io.BytesIO(scanned_pdf([stored]))) as pdf:
        pdf.Root.Pages.Rotate = 90  # … and its PDF says turn 90° (inherited by the page): still sideways
        pdf.save(buf)
    doc = _upload(c, buf.getvalue(), "may-quet.pdf")
    dc.rotate_page(c, SYSTEM, doc.id, 1, 90)  # the archivist's quarter turn reads it
    c.queue.drain()
    assert archival.archival_state(c, SYSTEM, doc.id).state == archival.STATE_OK
    copy = _copy(c, doc.id)
    assert _rotations(copy) == [180]  # its own 90 + the archivist's 90
    assert _ink_under(copy, 0, stored, "QUYẾT") > 0.10
    assert _ink_under(copy, 0, stored, "QUYẾT", shift=3.0) < 0.02
    path = tmp_path / "may-quet.pdf"
    path.write_bytes(copy)
    assert all(v.compliant for v in validate(jar, [path]).values())


def test_a_scanned_pdf_page_shown_upright_by_its_own_rotate_keeps_the_words_on_the_ink(office, tesseract, tmp_path):
    """No archivist's turn: the scanner stored the sheet sideways and its PDF says /Rotate 90. The
    extract job reads the page as shown; the single-original copy lays that layer on the ink too."""
    jar = find_jar()
    c = office
    upright, _ = rendered_page(DECISION)
    stored = upright.rotate(90, expand=True)  # drawn a quarter turn counter-clockwise …
    buf = io.BytesIO()
    with pikepdf.open(io.BytesIO(scanned_pdf([stored]))) as pdf:
        pdf.pages[0].Rotate = 90  # … and shown turned back clockwise: upright on screen
        pdf.save(buf)
    doc = _upload(c, buf.getvalue(), "quet-ngang.pdf")
    assert archival.archival_state(c, SYSTEM, doc.id).state == archival.STATE_OK
    copy = _copy(c, doc.id)
    assert _rotations(copy) == [90]
    assert _ink_under(copy, 0, stored, "QUYẾT") > 0.10
    assert _ink_under(copy, 0, stored, "QUYẾT", shift=3.0) < 0.02
    path = tmp_path / "quet-ngang.pdf"
    path.write_bytes(copy)
    assert all(v.compliant for v in validate(jar, [path]).values())
