"""Paper vs record on rendered sơ yếu lý lịch pages, through the real pipeline (embedded, tesseract).

Both forms (Mẫu 2C-BNV/2008, TT 06/2023), three fonts, clean and degraded (noise, blur, 2° skew):
every field where the record differs from the paper is `lệch` on the right page with a box on the
value; equal fields written differently (dates, places, names, decimals) are `khớp`; at most one
false `lệch` per 20 compared fields.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from archive.models import AuditEntry, Job
from archive.models.consistency import ConsistencyFinding, CorrectionTask
from archive.services import consistency
from archive.services.access import SYSTEM
from archive.services.documents import ingest_upload
from archive.services.ocr_words import OCR_WORDS, load_page_words
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.form_2c_pages import degrade, overlaps, people, png, render_form

CASES = [  # (person, form, font, degraded)
    (0, "2c_bnv_2008", "termes", False),
    (1, "tt06_2023", "dejavu", False),
    (0, "tt06_2023", "noto", True),
    (1, "2c_bnv_2008", "termes", True),
]


def _upload(c, person, form: str, font: str, degraded: bool, *, seed: int = 3):
    img, boxes = render_form(person, form, font)
    if degraded:
        img, boxes = degrade(img, boxes, seed=seed)
    out = ingest_upload(c, SYSTEM, staff_code=person.code, stream=io.BytesIO(png(img)), file_name="so-yeu-ly-lich.png",
                        document_type="so_yeu_ly_lich")
    c.queue.drain()
    return out.document, boxes


@pytest.fixture
def office(container):
    add_unit(container, SYSTEM, code="PTC", name="Phòng Tổ chức", parent_code="TINH")
    for p in people():
        add_staff(container, SYSTEM, unit_code="PTC", **p.record())
    return container


@pytest.mark.parametrize("case", CASES, ids=[f"{f}-{font}-{'degraded' if d else 'clean'}" for _p, f, font, d in CASES])
def test_differing_fields_are_lech_with_page_and_box_and_equal_fields_are_not(office, tesseract, case):
    who, form, font, degraded = case
    person = people()[who]
    doc, truth = _upload(office, person, form, font, degraded)

    report = consistency.get_report(office, SYSTEM, person.code)
    assert [d.document_id for d in report.documents] == [doc.id]
    check = report.documents[0]
    assert check.form == form
    by_key = {f.field_key: f for f in check.findings}
    for key in person.differs:
        f = by_key[key]
        assert f.state == "lech", (key, f)
        assert f.page == 1 and f.box is not None and overlaps(truth[key], f.box), (key, f.box, truth[key])
    false_lech = [f for f in check.findings if f.state == "lech" and f.field_key not in person.differs]
    assert check.compared >= 20
    assert len(false_lech) <= check.compared / 20, false_lech
    # written differently, meaning the same: dates, places with abbreviations, names in capitals, "3,66"
    for key in ("ngay_huong", "noi_sinh", "ho_ten", "ngay_tuyen_dung", "ma_ngach"):
        if key not in person.differs:
            assert by_key[key].state in ("khop", "khong_chac"), by_key[key]


def test_words_are_kept_per_page_and_only_a_so_yeu_ly_lich_is_checked(office, tesseract):
    person = people()[0]
    img, _ = render_form(person, "2c_bnv_2008", "dejavu")
    other = ingest_upload(office, SYSTEM, staff_code=person.code, stream=io.BytesIO(png(img)), file_name="khac.png",
                          document_type="khac").document
    office.queue.drain()
    with office.uow() as uow:
        words = load_page_words(office, uow.session, other.sha256)
        results = [j.result for j in uow.session.scalars(select(Job).where(Job.kind == "consistency"))]
        assert uow.session.scalar(select(func.count()).select_from(ConsistencyFinding)) == 0
    assert set(words) == {1} and words[1].width == img.width and len(words[1].words) > 100
    assert {"text", "conf"} <= set(words[1].words[0].to_json())
    assert results == [{"skipped": "not a so_yeu_ly_lich with OCR words"}]
    with pytest.raises(consistency.Conflict):  # nothing to check yet for this record
        consistency.run_check(office, SYSTEM, person.code)
    assert OCR_WORDS == "ocr_words"


def test_resolving_record_wrong_opens_a_correction_task_and_everything_is_audited(office, tesseract):
    person = people()[0]
    _upload(office, person, "2c_bnv_2008", "termes", False)
    report = consistency.run_check(office, SYSTEM, person.code)  # on demand: a second check, same findings
    lech = [f for d in report.documents for f in d.findings if f.state == "lech"]
    assert {f.field_key for f in lech} >= person.differs
    birth = next(f for f in lech if f.field_key == "ngay_sinh")
    done = consistency.resolve(office, SYSTEM, birth.id, "record_wrong", "Giấy khai sinh ghi 14/3/1968")
    assert done.resolution == "record_wrong"
    tasks = consistency.list_corrections(office, SYSTEM)
    assert [(t.staff_code, t.field_key, t.paper_value) for t in tasks] == [(person.code, "ngay_sinh", "14 tháng 3 năm 1968")]
    with pytest.raises(consistency.Conflict):
        consistency.resolve(office, SYSTEM, birth.id, "paper_wrong")
    with pytest.raises(consistency.InvalidInput):
        consistency.resolve(office, SYSTEM, birth.id, "sai")
    khop = next(f for d in report.documents for f in d.findings if f.state == "khop")
    with pytest.raises(consistency.InvalidInput):
        consistency.resolve(office, SYSTEM, khop.id, "paper_wrong")
    closed = consistency.complete_correction(office, SYSTEM, tasks[0].id, "Đã sửa ngày sinh")
    assert closed.state == "done" and consistency.list_corrections(office, SYSTEM) == []
    # a later check keeps the judgement of the same two values
    again = consistency.run_check(office, SYSTEM, person.code)
    kept = next(f for d in again.documents for f in d.findings if f.field_key == "ngay_sinh")
    assert kept.id != birth.id and kept.resolution == "record_wrong"
    with office.uow() as uow:
        actions = [a for (a,) in uow.session.execute(select(AuditEntry.action).where(
            AuditEntry.action.like("consistency.%")).order_by(AuditEntry.seq))]
        assert uow.session.scalar(select(func.count()).select_from(CorrectionTask)) == 1
    assert actions == ["consistency.run", "consistency.run", "consistency.resolve", "consistency.correction_done",
                       "consistency.run"]


def test_the_crop_is_the_value_cut_from_the_page_image(office, tesseract):
    from PIL import Image

    person = people()[1]
    _upload(office, person, "tt06_2023", "dejavu", False)
    report = consistency.get_report(office, SYSTEM, person.code)
    f = next(f for f in report.documents[0].findings if f.field_key == "bac_luong")
    crop = Image.open(io.BytesIO(consistency.finding_crop(office, SYSTEM, f.id)))
    scale = 1000 / f.box["page_width"]
    assert crop.format == "PNG"
    assert abs(crop.width - (f.box["width"] * scale + 16)) <= 3 and abs(crop.height - (f.box["height"] * scale + 16)) <= 3
    assert crop.convert("L").getextrema()[0] < 100  # ink: the value is in it
