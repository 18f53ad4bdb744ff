"""QR labels round trip: render the label sheet PDF, rasterise it with pypdfium2, decode every
QR code with zxing-cpp, and resolve each decoded text back to the dossier or box it names."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
import zxingcpp
from sqlalchemy import select

from archive.errors import Forbidden, InvalidInput, NotFound
from archive.models import AuditEntry
from archive.services import inventory, labels
from tests.support.inventory import ARCHIVIST, HR, OTHER_ARCHIVIST, person, two_units


@pytest.fixture
def c(container):
    two_units(container)
    for code, name in (("NV001", "Nguyễn Văn Bình"), ("NV002", "Trần Thị Bích"), ("nv-003", "Đỗ Đức Ánh")):
        person(container, code, name=name)
    person(container, "NV201", "Q2", name="Lê Văn Cường")
    inventory.set_location(container, ARCHIVIST, "NV001", kho="Kho 1", gia="Giá 2", hop="Hộp 7", stt=1,
                           paper_pages=31)
    inventory.set_location(container, ARCHIVIST, "NV002", kho="Kho 1", gia="Giá 2", hop="Hộp 7", stt=2)
    return container


def _decode(pdf: bytes, dpi: int = 150) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for page in doc:
            image = page.render(scale=dpi / 72).to_pil()
            # reading order: top to bottom, left to right (the sheet's order)
            found = sorted(zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode),
                           key=lambda b: (round(b.position.top_left.y / 50), b.position.top_left.x))
            texts += [b.text for b in found]
            page.close()
        return texts
    finally:
        doc.close()


def test_a_dossier_label_decodes_and_opens_the_dossier(c):
    pdf = labels.label_sheet(c, ARCHIVIST, staff_codes=["NV001"])
    assert pdf.startswith(b"%PDF")
    [text] = _decode(pdf)
    assert text == "CBCCVC:HS:NV001"
    target = labels.resolve_label(c, HR, text)
    assert (target.kind, target.code, target.url) == ("staff", "NV001", "/ho-so/NV001")


def test_a_box_sheet_holds_the_box_and_its_dossiers_and_each_resolves(c):
    box = inventory.get_location(c, HR, "NV001").box.code
    pdf = labels.label_sheet(c, ARCHIVIST, box_codes=[box], box_with_dossiers=True, staff_codes=["nv-003"])
    texts = _decode(pdf)
    assert texts == [f"CBCCVC:HOP:{box}", "CBCCVC:HS:nv-003", "CBCCVC:HS:NV001", "CBCCVC:HS:NV002"]
    resolved = [labels.resolve_label(c, HR, t) for t in texts]
    assert [(r.kind, r.code) for r in resolved] == [("box", box), ("staff", "nv-003"), ("staff", "NV001"),
                                                    ("staff", "NV002")]
    assert resolved[0].url == f"/kho-ho-so/hop/{box}"
    with c.uow() as uow:
        [entry] = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "label.print")).all()
        assert len(entry.details["labels"]) == 4


def test_many_labels_fill_several_pages_and_all_decode(c):
    for i in range(10, 24):
        person(c, f"NV0{i}")
    codes = [f"NV0{i}" for i in range(10, 24)]
    texts = _decode(labels.label_sheet(c, ARCHIVIST, staff_codes=codes))
    assert sorted(texts) == sorted(f"CBCCVC:HS:{x}" for x in codes)  # 14 labels: 12 on page one, 2 on page two


def test_typed_codes_and_scanner_input_resolve_and_bad_labels_are_refused(c):
    box = inventory.get_location(c, HR, "NV001").box.code
    assert labels.resolve_label(c, HR, "  cbccvc:hs:NV001 ").code == "NV001"  # caps lock on the scanner
    assert labels.resolve_label(c, HR, "NV002").kind == "staff"
    assert labels.resolve_label(c, HR, "NV-003").code == "nv-003"
    assert labels.resolve_label(c, HR, box.lower()).kind == "box"
    with pytest.raises(InvalidInput, match="phiên bản 2"):
        labels.resolve_label(c, HR, "CBCCVC:2:HS:NV001")
    with pytest.raises(InvalidInput, match="định dạng"):
        labels.resolve_label(c, HR, "CBCCVC:XYZ:NV001")
    with pytest.raises(InvalidInput):
        labels.resolve_label(c, HR, "   ")
    with pytest.raises(NotFound, match="KHONG"):
        labels.resolve_label(c, HR, "CBCCVC:HS:KHONG")
    with pytest.raises(NotFound):  # a dossier outside the caller's scope is not revealed
        labels.resolve_label(c, HR, "CBCCVC:HS:NV201")
    with pytest.raises(NotFound):
        labels.resolve_label(c, OTHER_ARCHIVIST, f"CBCCVC:HOP:{box}")


def test_printing_needs_an_archivist_in_scope(c):
    with pytest.raises(Forbidden):
        labels.label_sheet(c, HR, staff_codes=["NV001"])
    with pytest.raises(NotFound):
        labels.label_sheet(c, ARCHIVIST, staff_codes=["NV201"])
    with pytest.raises(InvalidInput):
        labels.label_sheet(c, ARCHIVIST)
