"""The printed sơ yếu lý lịch (Mẫu 2C-BNV/2008): what a reader extracts from the PDF, who may print."""

import io
from datetime import date

import pypdf
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from archive.app import create_app
from archive.errors import NotFound
from archive.models import AuditEntry
from archive.services.access import SYSTEM
from archive.services.form_2c_print import print_form_2c
from archive.services.staff import add_staff
from archive.services.staff_history import add_history
from archive.services.units import add_unit
from tests.support.accounts import logged_in, make_user


@pytest.fixture
def record(container):
    add_unit(container, SYSTEM, code="SNV", name="Sở Nội vụ", parent_code="TINH")
    add_staff(container, SYSTEM, code="NV900", full_name="Nguyễn Thị Hương", unit_code="SNV", birth_date=date(1980, 3, 5),
              gender="nu", grade_code="01.002",
              profile={"birth_place": "xã Tân Phú, huyện Đức Hòa, tỉnh Long An", "position": "Trưởng phòng",
                       "salary_step": 4, "salary_coefficient": 5.08},
              sensitive={"ethnicity": "01", "religion": "02", "id_number": "079180001234",
                         "social_insurance_number": "7912345678"},
              history=[{"kind": "qua_trinh_cong_tac", "from_date": "2005-01-01",
                        "summary": "Chuyên viên phòng Tổ chức, Sở Nội vụ"}])
    add_history(container, SYSTEM, "NV900", {"kind": "dao_tao_boi_duong", "from_date": "1998-09-01",
                                            "to_date": "2002-06-30", "summary": "Luật hành chính",
                                            "details": {"school": "Đại học Luật TP.HCM", "degree": "Cử nhân"}})
    add_history(container, SYSTEM, "NV900", {"kind": "quan_he_gia_dinh", "summary": "Nguyễn Văn Tư, nông dân",
                                            "details": {"relation": "Cha", "birth_year": "1950"}})
    return "NV900"


def _text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() for p in reader.pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_printed_form_holds_the_records_fields_and_histories(container, record):
    printed = print_form_2c(container, SYSTEM, record)
    assert printed.data.startswith(b"%PDF") and printed.file_name == "so-yeu-ly-lich-NV900.pdf"
    text = _flat(_text(printed.data))
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SƠ YẾU LÝ LỊCH CÁN BỘ, CÔNG CHỨC", "NGUYỄN THỊ HƯƠNG",
                     "05/03/1980", "Sở Nội vụ", "Chuyên viên chính", "01.002", "Trưởng phòng", "5,08",
                     "xã Tân Phú", "Chuyên viên phòng Tổ chức, Sở Nội vụ", "Đại học Luật TP.HCM", "Cử nhân",
                     "Nguyễn Văn Tư", "Người khai", "Thủ trưởng cơ quan", "Ảnh màu"):
        assert expected in text, expected
    for sensitive in ("Kinh", "Công giáo", "079180001234", "7912345678"):  # cleared: the system prints all
        assert sensitive in text, sensitive


def test_protected_fields_are_withheld_from_a_viewer_not_cleared(container, record):
    make_user(container, "auditor_print", "auditor", "TINH", clearance=2)  # may download, may not read sensitive
    from archive.services.accounts import authenticate, login

    actor = authenticate(container, login(container, "auditor_print", "mat-khau-2026"))
    text = _flat(_text(print_form_2c(container, actor, record).data))
    assert "NGUYỄN THỊ HƯƠNG" in text and "Trưởng phòng" in text
    for sensitive in ("079180001234", "7912345678", "Công giáo"):
        assert sensitive not in text, sensitive
    assert "thông tin được bảo vệ" in text


def test_a_staff_member_prints_their_own_and_nobody_elses(container, record):
    add_staff(container, SYSTEM, code="NV901", full_name="Trần Văn An", unit_code="SNV")
    make_user(container, "huong", "staff", "SNV", staff_code="NV900")
    client = logged_in(create_app(container=container), "huong")
    own = client.get("/api/v1/staff/NV900/so-yeu-ly-lich.pdf")
    assert own.status_code == 200 and own.headers["content-type"] == "application/pdf"
    assert "NGUYỄN THỊ HƯƠNG" in _flat(_text(own.content))
    assert "079180001234" not in _flat(_text(own.content))  # own record: not cleared for protected fields
    other = client.get("/api/v1/staff/NV901/so-yeu-ly-lich.pdf")
    assert other.status_code == 404 and "Không tìm thấy" in other.json()["detail"]
    with container.uow() as uow:
        entries = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "staff.print_2c")).all()
        assert [(e.actor, e.target_id) for e in entries] == [("huong", "NV900")]


def test_printing_an_unknown_record_is_not_found(container):
    with pytest.raises(NotFound):
        print_form_2c(container, SYSTEM, "KHONGCO")


def test_the_cli_writes_the_pdf(container, record, tmp_path, monkeypatch):
    from archive.cli import app

    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(container.settings.data_dir))
    monkeypatch.setenv("ARCHIVE_SEARCH_URL", container.settings.search_url)
    out = tmp_path / "nv900.pdf"
    r = CliRunner().invoke(app, ["staff", "print", record, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "NGUYỄN THỊ HƯƠNG" in _flat(_text(out.read_bytes()))
    r = CliRunner().invoke(app, ["staff", "print", "KHONGCO", "--out", str(tmp_path / "x.pdf")])
    assert r.exit_code == 1 and "Không tìm thấy" in r.output and not (tmp_path / "x.pdf").exists()
