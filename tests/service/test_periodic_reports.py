"""Báo cáo định kỳ (Hà Nội profile, embedded): a period's report as PDF (with its chart) and XLSX, whose
numbers equal direct SQL counts; stored and listed in scope; made by the job in the profile's window once."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from archive.bootstrap import build
from archive.db import migrate
from archive.errors import InvalidInput, NotFound
from archive.models import Document, Job, PeriodicReport, Staff, Unit, utcnow
from archive.services.completeness import dossier_completeness
from archive.services import periodic_reports as reports
from archive.services.access import SYSTEM, Actor, Grant, Role
from archive.services.catalogs import seed_catalogs
from archive.services.deadlines import deadline_report
from archive.services.documents import ingest_upload
from archive.services.staff import add_staff
from archive.services.units import add_unit
from archive.settings import Settings
from archive.task_queue import NullQueue
from tests.support.documents import born_digital_pdf

PERIOD = "2026-H2"


@pytest.fixture
def office(tmp_path):
    s = Settings(data_dir=tmp_path / "data", profile="ha-noi")
    s.data_dir.mkdir(parents=True)
    migrate(s.database_url)
    c = build(s, queue=NullQueue())
    seed_catalogs(c)
    add_unit(c, SYSTEM, code="TINH", name="Sở Nội vụ")
    add_unit(c, SYSTEM, code="A", name="Phòng Alpha", parent_code="TINH")
    add_unit(c, SYSTEM, code="B", name="Phòng Bêta", parent_code="TINH")
    # Đ7.1.b: a new record within 60 days of recruitment — A1 late, A2 on time
    add_staff(c, SYSTEM, code="A1", full_name="Nguyễn Văn An", unit_code="A", profile={"recruitment_date": "2026-09-01"})
    add_staff(c, SYSTEM, code="A2", full_name="Trần Thị Bình", unit_code="A", profile={"recruitment_date": "2026-11-01"})
    add_staff(c, SYSTEM, code="B1", full_name="Lê Văn Cường", unit_code="B")
    for code, lines, pages in (("A1", ["Quyết định tuyển dụng"], 1), ("A1", ["Sơ yếu lý lịch"], 3),
                               ("B1", ["Giấy khai sinh"], 2)):
        ingest_upload(c, SYSTEM, staff_code=code, stream=io.BytesIO(born_digital_pdf(lines, pages=pages)),
                      file_name=f"{code}-{pages}.pdf")
    with c.uow() as uow:  # a good nightly backup, as the backup job leaves it
        uow.session.add(Job(kind="backup", state="done", payload={}, result={"ok": True}, finished_at=utcnow()))
        uow.commit()
    yield c
    c.close()


def _direct(c, unit_code: str) -> dict:
    with c.uow() as uow:
        s = uow.session
        uid = s.scalar(select(Unit.id).where(Unit.code == unit_code))
        return {"records": s.scalar(select(func.count(Staff.id)).where(Staff.unit_id == uid)),
                "documents": s.scalar(select(func.count(Document.id)).join(Staff).where(Staff.unit_id == uid)),
                "pages": s.scalar(select(func.coalesce(func.sum(Document.page_count), 0)).join(Staff)
                                  .where(Staff.unit_id == uid))}


def test_the_pdf_has_a_chart_and_the_numbers_of_a_direct_count(office) -> None:
    view, content = reports.make_report(office, SYSTEM, period=PERIOD, fmt="pdf")
    pdf = PdfReader(io.BytesIO(content))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Báo cáo định kỳ hồ sơ điện tử" in text and "6 tháng cuối năm 2026" in text
    assert "Hạn nộp báo cáo: 15/12/2026 (Điều 10 khoản 1 điểm a)" in text
    assert sum(len(p.images) for p in pdf.pages) >= 1  # the matplotlib chart
    a, b = _direct(office, "A"), _direct(office, "B")
    assert (a, b) == ({"records": 2, "documents": 2, "pages": 4}, {"records": 1, "documents": 1, "pages": 2})
    line_a = next(line for line in text.splitlines() if "Phòng Alpha (A)" in line)
    rates = {u.unit_code: u for u in deadline_report(office, SYSTEM).units}
    assert rates["A"].on_time_percent == 50
    values = line_a.split("Phòng Alpha (A)")[1].split()
    assert values[:7] == ["2", "2", "2", "2", "4", "2", "50"]
    # the columns other services add (archive/services/report_metrics.py): none of A's two dossiers holds
    # every required component (their documents are not recruitment decisions …), no paper check has run
    assert dossier_completeness(office, SYSTEM, "A1").complete is False
    assert values[7:] == ["0", "0"]
    line_total = next(line for line in text.splitlines() if line.startswith("Tổng cộng"))
    assert line_total.split()[2:9] == ["3", "3", "3", "3", "6", "2", "50"]
    assert "Sao lưu thành công gần nhất" in text and "trong kỳ: 1" in text
    assert view.numbers["total"]["documents"] == 3


def test_the_xlsx_cells_equal_the_counts_and_both_are_stored_and_listed(office) -> None:
    view, content = reports.make_report(office, SYSTEM, period=PERIOD, fmt="xlsx")
    ws = load_workbook(io.BytesIO(content)).active
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Mã đơn vị")
    cols = rows[header]
    by_unit = {r[0]: dict(zip(cols, r)) for r in rows[header + 1:] if r[0]}
    for code in ("A", "B"):
        direct = _direct(office, code)
        got = by_unit[code]
        assert (got["Hồ sơ"], got["Tài liệu"], got["Trang"]) == (direct["records"], direct["documents"], direct["pages"])
    assert by_unit["A"]["Đúng hạn (%)"] == 50 and by_unit["B"]["Đúng hạn (%)"] is None
    again, stored = reports.open_report(office, SYSTEM, view.id)
    assert stored == content and again.format == "xlsx"
    assert [r.id for r in reports.list_reports(office, SYSTEM)] == [view.id]


def test_an_officer_counts_and_sees_only_their_units(office) -> None:
    hr_b = Actor(name="tccb.b", grants=(Grant(Role.HR_OFFICER, "B"),))
    mine, _content = reports.make_report(office, hr_b, period=PERIOD, fmt="xlsx")
    assert [r["unit"] for r in mine.numbers["rows"]] == ["B"]
    everything, _ = reports.make_report(office, SYSTEM, period=PERIOD, fmt="pdf")
    assert [r.id for r in reports.list_reports(office, hr_b)] == [mine.id]
    with pytest.raises(NotFound):
        reports.open_report(office, hr_b, everything.id)
    with pytest.raises(NotFound):
        reports.make_report(office, hr_b, period=PERIOD, unit="A")


def test_bad_periods_and_formats_are_refused_and_leave_nothing(office) -> None:
    for period, fmt in (("2026-H3", "pdf"), ("hai-nghin", "pdf"), (PERIOD, "docx"), ("2031", "pdf")):
        with pytest.raises(InvalidInput) as exc:
            reports.make_report(office, SYSTEM, period=period, fmt=fmt)
        assert "Kỳ báo cáo" in str(exc.value) or "Định dạng" in str(exc.value)
    with office.uow() as uow:
        assert uow.session.scalar(select(func.count(PeriodicReport.id))) == 0


def test_a_registered_metric_is_a_column_of_the_next_report(office) -> None:
    metric = reports.Metric("test_only", "Đầy đủ (%)", lambda s, scope: {code: 100 for code in scope.units})
    reports.register_metric(metric)
    try:
        data = reports.build_report(office, SYSTEM, reports.parse_period(PERIOD))
        assert ("test_only", "Đầy đủ (%)") in data.columns
        assert {r["unit"]: r["test_only"] for r in data.rows} == {"TINH": 100, "A": 100, "B": 100}
    finally:
        reports.EXTRA_METRICS.remove(metric)


def test_the_job_makes_the_periods_report_once_inside_the_profiles_window(office) -> None:
    from archive.work import run_job, start_kind

    office.clock = lambda: datetime(2026, 11, 20, 3, 0)  # before Hà Nội's window (10–15/12): nothing
    job = start_kind(office, office.registry, "periodic_report")
    assert run_job(office, office.registry, job, "w") == "done"
    office.clock = lambda: datetime(2026, 12, 12, 3, 0)
    for _ in range(2):
        job = start_kind(office, office.registry, "periodic_report")
        assert run_job(office, office.registry, job, "w") == "done"
    with office.uow() as uow:
        made = uow.session.execute(select(PeriodicReport.period, PeriodicReport.format, PeriodicReport.created_by)
                                   ).all()
    assert sorted(made) == [(PERIOD, "pdf", "system"), (PERIOD, "xlsx", "system")]
    assert reports.next_submission(reports.active_profile(office), datetime(2026, 12, 16).date())[1].isoformat() \
        == "2027-06-15"


def test_a_period_asked_of_the_job_that_cannot_be_fails_it_with_the_reason(office) -> None:
    from archive.work import run_job, start_kind

    job = start_kind(office, office.registry, "periodic_report", payload={"period": "2026-H7"})
    assert run_job(office, office.registry, job, "w") == "failed"
    with office.uow() as uow:
        assert "Kỳ báo cáo phải có dạng" in uow.session.get(Job, job).last_error
        assert uow.session.scalar(select(func.count(PeriodicReport.id))) == 0
