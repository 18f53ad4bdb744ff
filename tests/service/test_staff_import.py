"""Excel import of staff records through the service: NFC names from TCVN3/VNI/Unicode cells, a dry
run that changes nothing, idempotent re-import, conflicts kept, catalog and scope problems."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from archive.errors import Conflict, Forbidden, InvalidInput
from archive.models import AuditEntry, Staff
from archive.models.staff_import import StaffImportFingerprint
from archive.services.access import SYSTEM, Actor, Grant, Role
from archive.services.staff import get_staff, update_staff
from archive.services.staff_import import (
    apply_import,
    list_templates,
    plan_import,
    save_template,
)
from archive.services.units import add_unit
from tests.support.staff_sheets import encode_tcvn3, encode_vni, xlsx

HEADERS = ["Mã cán bộ", "Họ và tên", "Ngày sinh", "Giới tính", "Đơn vị", "Dân tộc", "Ngạch", "Quê quán"]
HR_A = Actor(name="hr-a", grants=(Grant(Role.HR_OFFICER, "A"),))


def _book() -> bytes:
    rows = [HEADERS,
            ["NV1", encode_tcvn3("Nguyễn Thị Hương"), "14/3/1968", "Nữ", "A", "Kinh", "Chuyên viên", "Hà Nội"],
            ["NV2", encode_vni("Đặng Văn Ước"), "ngày 2 tháng 9 năm 1975", "Nam", "Phòng A", "01", "01.003",
             encode_vni("Thừa Thiên Huế")],
            ["NV3", "Trần Quốc Tuấn", 25000, "nam", "A", "Tày", "", ""],
            ["NV4", encode_tcvn3("lê hoàng yến"), "01-02-1990", "nu", "A", "", "", ""]]
    fonts = {(1, 1): ".VnTime", (2, 1): "VNI-Times", (2, 7): "VNI-Times", (4, 1): ".VnTimeH"}
    return xlsx(rows, fonts)


@pytest.fixture
def c(container):
    add_unit(container, SYSTEM, code="A", name="Phòng A", parent_code="TINH")
    add_unit(container, SYSTEM, code="B", name="Phòng B", parent_code="TINH")
    return container


def _counts(c) -> tuple[int, int, int]:
    with c.uow() as uow:
        s = uow.session
        return (s.scalar(select(func.count()).select_from(Staff)), s.scalar(select(func.count()).select_from(AuditEntry)),
                s.scalar(select(func.count()).select_from(StaffImportFingerprint)))


def _names(c) -> dict[str, str]:
    with c.uow() as uow:
        return {st.code: st.full_name for st in uow.session.scalars(select(Staff))}


def test_legacy_and_unicode_names_import_as_nfc(c) -> None:
    run = plan_import(c, HR_A, _book(), "ho_so.xlsx")
    assert run.counts["create"] == 4 and run.counts["problem"] == 0, run.rows
    apply_import(c, HR_A, run.id)
    assert _names(c) == {"NV1": "Nguyễn Thị Hương", "NV2": "Đặng Văn Ước", "NV3": "Trần Quốc Tuấn",
                         "NV4": "LÊ HOÀNG YẾN"}
    v = get_staff(c, SYSTEM, "NV2")
    assert v.birth_date == date(1975, 9, 2) and v.gender == "nam" and v.grade_code == "01.003"
    assert v.profile["hometown"] == "Thừa Thiên Huế" and v.sensitive["ethnicity"] == "01"
    assert get_staff(c, SYSTEM, "NV3").birth_date == date(1968, 6, 11)  # Excel serial 25000 (25569 = 1/1/1970)
    assert get_staff(c, SYSTEM, "NV1").birth_date == date(1968, 3, 14)
    assert get_staff(c, SYSTEM, "NV4").birth_date == date(1990, 2, 1)
    assert get_staff(c, SYSTEM, "NV1").grade_code == "01.003"  # ngạch "Chuyên viên" by name
    with c.uow() as uow:  # one entry for the run, one per created record
        entries = [(e.action, e.target_id, e.details) for e in uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(["staff.create", "staff_import.apply"])))]
    assert sorted(e[:2] for e in entries) == [
        ("staff.create", "NV1"), ("staff.create", "NV2"), ("staff.create", "NV3"), ("staff.create", "NV4"),
        ("staff_import.apply", str(run.id))]
    assert all(d.get("import_run") == run.id for a, _, d in entries if a == "staff.create")


def test_an_update_is_audited_with_before_and_after(c) -> None:
    apply_import(c, HR_A, plan_import(c, HR_A, _book(), "a.xlsx").id)
    changed = xlsx([HEADERS, ["NV3", "Trần Quốc Tuấn", 25000, "nam", "A", "Tày", "", "Nam Định"]])
    run = apply_import(c, HR_A, plan_import(c, HR_A, changed, "b.xlsx").id)
    assert run.counts["update"] == 1
    with c.uow() as uow:
        [(target, details)] = [(e.target_id, e.details) for e in uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "staff.update"))]
    assert target == "NV3" and details["after"] == {"profile.hometown": "Nam Định"}
    assert details["before"] == {"profile.hometown": None}


def test_dry_run_changes_nothing(c) -> None:
    before = _counts(c)
    run = plan_import(c, HR_A, _book(), "ho_so.xlsx")
    assert {r["action"] for r in run.rows} == {"create"}
    assert _counts(c) == before


def test_reimporting_the_same_file_changes_nothing(c) -> None:
    apply_import(c, HR_A, plan_import(c, HR_A, _book(), "a.xlsx").id)
    staff_before, audit_before, prints_before = _counts(c)
    names = _names(c)
    again = plan_import(c, HR_A, _book(), "a.xlsx")
    assert again.counts["unchanged"] == 4, again.rows
    done = apply_import(c, HR_A, again.id)
    assert done.counts["unchanged"] == 4
    assert _names(c) == names
    staff_after, audit_after, prints_after = _counts(c)
    assert (staff_after, prints_after) == (staff_before, prints_before)
    assert audit_after == audit_before + 1  # the run itself, no record entries
    with pytest.raises(Conflict):
        apply_import(c, HR_A, again.id)


def test_a_field_edited_in_the_system_since_is_a_conflict_and_kept(c) -> None:
    apply_import(c, HR_A, plan_import(c, HR_A, _book(), "a.xlsx").id)
    update_staff(c, SYSTEM, "NV1", {"full_name": "Nguyễn Thị Hương Lan"})
    edited = xlsx([HEADERS, ["NV1", "Nguyễn Thị Hường", "14/3/1968", "Nữ", "A", "Kinh", "Chuyên viên", "Hải Phòng"]])
    run = plan_import(c, HR_A, edited, "b.xlsx")
    row = run.rows[0]
    assert row["action"] == "conflict"
    assert [x["field"] for x in row["conflicts"]] == ["full_name"]
    assert [x["field"] for x in row["changes"]] == ["profile.hometown"]  # still as imported: updated
    apply_import(c, HR_A, run.id)
    v = get_staff(c, SYSTEM, "NV1")
    assert v.full_name == "Nguyễn Thị Hương Lan" and v.profile["hometown"] == "Hải Phòng"


def test_a_value_entered_by_hand_before_any_import_is_not_overwritten(c) -> None:
    from archive.services.staff import add_staff

    add_staff(c, SYSTEM, code="NV9", full_name="Phạm Văn Đồng", unit_code="A", birth_date=date(1960, 1, 1))
    run = plan_import(c, HR_A, xlsx([["Mã cán bộ", "Họ và tên", "Ngày sinh", "Quê quán"],
                                     ["NV9", "Phạm Văn Đông", "1/1/1960", "Quảng Ngãi"]]), "c.xlsx")
    row = run.rows[0]
    assert row["action"] == "conflict" and [x["field"] for x in row["conflicts"]] == ["full_name"]
    assert [x["field"] for x in row["changes"]] == ["profile.hometown"]


def test_unknown_catalog_value_and_bad_date_are_row_problems(c) -> None:
    before = _counts(c)
    data = xlsx([HEADERS, ["NV1", "Nguyễn Văn A", "31/02/1980", "Nam", "A", "Kinh", "", ""],
                 ["NV2", "Nguyễn Văn B", "1/1/1980", "Nam", "A", "Người sao Hoả", "", ""],
                 ["NV3", "Nguyễn Văn C", "1/1/1980", "Nam", "A", "Kinh", "", ""]])
    run = plan_import(c, HR_A, data, "d.xlsx")
    by = {r["code"]: r for r in run.rows}
    assert by["NV1"]["action"] == "problem" and "Ngày sinh" in by["NV1"]["problems"][0]
    assert by["NV2"]["action"] == "problem" and by["NV2"]["problems"] == [
        "Dân tộc “Người sao Hoả” không có trong danh mục."]
    assert by["NV3"]["action"] == "create"
    apply_import(c, HR_A, run.id)
    assert set(_names(c)) == {"NV3"}  # problem rows are not written at all
    assert _counts(c)[0] == before[0] + 1


def test_a_row_outside_the_importers_scope_is_a_problem(c) -> None:
    data = xlsx([HEADERS, ["NV1", "Nguyễn Văn A", "1/1/1980", "Nam", "B", "Kinh", "", ""],
                 ["NV2", "Nguyễn Văn B", "1/1/1980", "Nam", "A", "Kinh", "", ""]])
    run = plan_import(c, HR_A, data, "e.xlsx")
    by = {r["code"]: r for r in run.rows}
    assert by["NV1"]["action"] == "problem"
    assert by["NV1"]["problems"] == ["Đơn vị B không thuộc phạm vi quản lý của bạn."]
    apply_import(c, HR_A, run.id)
    assert set(_names(c)) == {"NV2"}


def test_only_admins_and_hr_officers_import(c) -> None:
    archivist = Actor(name="vt", grants=(Grant(Role.ARCHIVIST, "A"),))
    with pytest.raises(Forbidden):
        plan_import(c, archivist, _book(), "a.xlsx")


def test_bad_files_and_mappings_are_refused_with_a_vietnamese_sentence(c) -> None:
    before = _counts(c)
    for data, name, words in [(b"", "a.xlsx", "trống"), (b"not a zip", "a.xlsx", "Không đọc được"),
                              (b"x", "a.pdf", "Chỉ nhận tệp")]:
        with pytest.raises(InvalidInput, match=words):
            plan_import(c, HR_A, data, name)
    with pytest.raises(InvalidInput, match="Mã cán bộ"):
        plan_import(c, HR_A, _book(), "a.xlsx", mapping={"Họ và tên": "full_name"})
    with pytest.raises(InvalidInput, match="Trường đích"):
        plan_import(c, HR_A, _book(), "a.xlsx", mapping={"Mã cán bộ": "code", "Họ và tên": "nope"})
    assert _counts(c) == before


def test_templates_map_columns_by_name(c) -> None:
    save_template(c, HR_A, "Mẫu huyện", {"Số hiệu": "code", "Tên đầy đủ": "full_name", "Phòng": "unit_code"})
    assert [t["name"] for t in list_templates(c, HR_A)] == ["Mẫu huyện"]
    data = xlsx([["Số hiệu", "Tên đầy đủ", "Phòng", "Ghi chú"], ["NV7", "Đỗ Thị Mai", "A", "x"]])
    run = plan_import(c, HR_A, data, "f.xlsx", template="Mẫu huyện")
    assert run.counts["create"] == 1 and run.rows[0]["name"] == "Đỗ Thị Mai"


def test_csv_in_utf8_and_in_legacy_bytes(c) -> None:
    text = "Mã cán bộ,Họ và tên,Đơn vị\nNV5,Nguyễn Thị Hương,A\n"
    run = plan_import(c, HR_A, text.encode("utf-8-sig"), "a.csv")
    assert run.rows[0]["name"] == "Nguyễn Thị Hương"
    legacy = ("Ma can bo,Ho va ten,Don vi\nNV6," + encode_tcvn3("Đặng Văn Ước") + ",A\n").encode("cp1252")
    run = plan_import(c, HR_A, legacy, "b.csv", mapping={"Ma can bo": "code", "Ho va ten": "full_name",
                                                         "Don vi": "unit_code"})
    assert run.rows[0]["name"] == "Đặng Văn Ước"


def test_an_existing_record_outside_the_importers_scope_is_a_problem(c) -> None:
    from archive.services.staff import add_staff

    add_staff(c, SYSTEM, code="NV8", full_name="Lý Thị Tám", unit_code="B")
    before = _counts(c)
    run = plan_import(c, HR_A, xlsx([["Mã cán bộ", "Quê quán"], ["NV8", "Hà Nội"]]), "g.xlsx")
    assert run.rows[0]["action"] == "problem"
    assert run.rows[0]["problems"] == ["Hồ sơ NV8 không thuộc phạm vi quản lý của bạn."]
    apply_import(c, HR_A, run.id)
    assert get_staff(c, SYSTEM, "NV8").profile.get("hometown") is None
    assert _counts(c)[0] == before[0]
