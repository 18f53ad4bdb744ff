"""Dossier packages (issue 14): export → import into a fresh instance → export again, on two real
embedded instances (separate data dirs, keys, databases, stores, indexes)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import bagit
import pytest
from lxml import etree
from sqlalchemy import select
from typer.testing import CliRunner

from archive.app import create_app
from archive.errors import Conflict, Forbidden, NotFound
from archive.services import search
from archive.models import AuditEntry, Derivative, Document, Staff
from archive.services.access import SYSTEM, Actor, Grant, Role
from archive.services.dossier_import import import_package
from archive.services.dossier_package import export_dossier
from archive.services.dossier_package_bag import PackageRefused, payload_manifest
from archive.services.dossier_package_record import SCHEMA_FILE, DossierRecord, schema_json
from archive.services.staff import get_staff
from tests.support.accounts import logged_in, make_user
from tests.support.packages import counts, fresh_instance, make_dossier

NS = {"mets": "http://www.loc.gov/METS/", "premis": "http://www.loc.gov/premis/v3",
      "xlink": "http://www.w3.org/1999/xlink"}


@pytest.fixture
def source(tmp_path):
    c = fresh_instance(tmp_path / "a", units=(("SNV", "Sở Nội vụ", "TINH"), ("SYT", "Sở Y tế", "TINH")))
    make_dossier(c, unit="SNV")
    yield c
    c.close()


@pytest.fixture
def target(tmp_path):
    c = fresh_instance(tmp_path / "b", units=(("SNV", "Sở Nội vụ tỉnh B", "TINH"), ("SYT", "Sở Y tế", "TINH")))
    yield c
    c.close()


def _altered(bag: Path, into: Path, rel: str, *, grow: bool = False) -> Path:
    copy = into / "altered"
    shutil.copytree(bag, copy)
    data = bytearray((copy / rel).read_bytes())
    if grow:
        data += b"\n%%EOF"
    else:
        data[len(data) // 2] ^= 0x01
    (copy / rel).write_bytes(bytes(data))
    return copy


def test_export_import_export_gives_identical_payload_manifests(source, target, tmp_path):
    first = export_dossier(source, SYSTEM, "NV100", tmp_path / "bag1")
    assert first.documents == 2 and first.payload_files == 5  # record, mets, 2 originals, 1 archival copy
    bagit.Bag(str(first.path)).validate()

    imported = import_package(target, SYSTEM, first.path)
    assert (imported.staff_code, imported.unit_code) == ("NV100", "SNV")
    target.queue.drain()
    second = export_dossier(target, SYSTEM, "NV100", tmp_path / "bag2.zip", as_zip=True)
    with zipfile.ZipFile(second.path) as z:
        z.extractall(tmp_path / "unzipped")
    bag2 = tmp_path / "unzipped" / "ho-so-NV100"
    bagit.Bag(str(bag2)).validate()

    assert payload_manifest(first.path) == payload_manifest(bag2)
    assert len(payload_manifest(first.path)) == 5
    # the source's custody travels along, unchanged, as tag files of the second bag
    assert (bag2 / "provenance/imported-1/audit.jsonl").read_bytes() == (first.path / "provenance/audit.jsonl").read_bytes()
    assert (bag2 / "provenance/imported-1/bag-info.txt").read_bytes() == (first.path / "bag-info.txt").read_bytes()


def test_import_recreates_record_and_documents_byte_identically(source, target, tmp_path):
    bag = export_dossier(source, SYSTEM, "NV100", tmp_path / "bag").path
    import_package(target, SYSTEM, bag)
    a, b = get_staff(source, SYSTEM, "NV100"), get_staff(target, SYSTEM, "NV100")
    for field in ("full_name", "birth_date", "gender", "status", "status_effective_date", "status_decision",
                  "grade_code", "restriction_level", "profile", "sensitive", "history"):
        assert getattr(a, field) == getattr(b, field), field
    assert [s["decision"] for s in b.status_history] == [s["decision"] for s in a.status_history]
    assert b.sensitive["id_number"] == "079168001234"
    with target.uow() as uow:  # re-encrypted with the target's own field key
        token = uow.session.scalar(select(Staff.sensitive).where(Staff.code == "NV100"))
    with source.uow() as uow:
        assert token != uow.session.scalar(select(Staff.sensitive).where(Staff.code == "NV100"))
    with source.uow() as ua, target.uow() as ub:
        da = ua.session.scalars(select(Document).order_by(Document.id)).all()
        db = ub.session.scalars(select(Document).order_by(Document.id)).all()
        assert [(d.sha256, d.file_name, d.description, [p.text for p in d.pages]) for d in da] == \
               [(d.sha256, d.file_name, d.description, [p.text for p in d.pages]) for d in db]
        assert {d.state for d in db} == {"indexing"}  # the pages came along: no OCR, the index consumer takes them
        for d in da:
            assert target.store.open(d.sha256).read() == source.store.open(d.sha256).read()
        arch = ub.session.scalar(select(Derivative).where(Derivative.kind == "archival"))
        assert target.derivatives.open(arch.sha256).read() == source.derivatives.open(arch.sha256).read()
    assert not [j for j in target.queue.sent if j[1] == "extract"]
    target.queue.drain()
    with target.uow() as ub:
        assert {d.state for d in ub.session.scalars(select(Document))} == {"indexed"}
    found = search.search_pages(target, SYSTEM, "quyet dinh nghi huu", audited=False)
    assert found.total >= 1 and {h.staff_code for h in found.hits} == {"NV100"}


def test_package_layout_record_schema_and_mets(source, tmp_path):
    bag = export_dossier(source, SYSTEM, "NV100", tmp_path / "bag").path
    info = bagit.Bag(str(bag)).info
    assert info["External-Identifier"] == "NV100" and info["Source-Organization"] == "Ủy ban nhân dân tỉnh"
    assert info["Payload-Oxum"].endswith(".5") and info["Bagging-Date"]
    record = DossierRecord.model_validate_json((bag / "data/record.json").read_bytes())
    assert record.documents[0].archival is not None and record.documents[1].archival is None
    assert record.documents[0].description["so_ky_hieu"] == "01/SYLL"
    assert (bag / record.documents[0].original.path).name == "001-Sơ-yếu-lý-lịch.pdf"
    assert SCHEMA_FILE.read_text() == schema_json()  # the documented schema is the one imports check
    assert json.loads(SCHEMA_FILE.read_text())["$id"] == "cbccvc-dossier-record/1"

    mets = etree.parse(str(bag / "data/mets.xml"))
    files = mets.findall(".//mets:fileSec//mets:file", NS)
    manifest = dict(reversed(line.split("  ", 1)) for line in payload_manifest(bag))
    assert len(files) == 3
    for f in files:
        href = f.find("mets:FLocat", NS).get(f"{{{NS['xlink']}}}href")
        assert f.get("CHECKSUMTYPE") == "SHA-256" and f.get("CHECKSUM") == manifest[f"data/{href}"]
    docs = mets.findall("mets:structMap/mets:div[@TYPE='dossier']/mets:div[@TYPE='document']", NS)
    assert [len(d.findall("mets:fptr", NS)) for d in docs] == [2, 1]
    events = {e.text for e in mets.findall(".//premis:event/premis:eventType", NS)}
    assert events == {"ingestion", "migration"}
    assert len(mets.findall(".//premis:object/premis:objectCharacteristics/premis:fixity", NS)) == 3
    custody = etree.parse(str(bag / "provenance/events.xml"))
    kinds = [e.text for e in custody.findall(".//premis:eventType", NS)]
    assert "ingestion" in kinds and kinds[-1] == "transfer"  # uploads, then this export
    audit_lines = [json.loads(line) for line in (bag / "provenance/audit.jsonl").read_text().splitlines()]
    assert {"staff.create", "staff.status", "document.upload"} <= {e["action"] for e in audit_lines}


@pytest.mark.parametrize("grow", [False, True], ids=["same-size", "size-changed"])
def test_a_bag_with_one_altered_file_is_refused_naming_it(source, target, tmp_path, grow):
    bag = export_dossier(source, SYSTEM, "NV100", tmp_path / "bag").path
    rel = "data/originals/002-Quyết-định-nghỉ-hưu-215.pdf"
    altered = _altered(bag, tmp_path, rel, grow=grow)
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(altered)).validate()
    before = counts(target, "NV100")
    with pytest.raises(PackageRefused) as err:
        import_package(target, SYSTEM, altered)
    assert rel in str(err.value) and str(err.value).startswith("Gói hồ sơ không hợp lệ")
    assert counts(target, "NV100") == before == {"staff": 0, "documents": 0, "pages": 0, "jobs": 0}
    assert not list(target.store.list_keys())  # validation comes before any byte is stored


def test_record_json_contradicting_the_manifest_is_refused(source, target, tmp_path):
    bag = export_dossier(source, SYSTEM, "NV100", tmp_path / "bag").path
    record = json.loads((bag / "data/record.json").read_text())
    record["documents"][0]["original"]["sha256"] = "0" * 64
    (bag / "data/record.json").write_text(json.dumps(record))
    with pytest.raises(PackageRefused, match="data/record.json"):  # the bag itself no longer validates
        import_package(target, SYSTEM, bag)
    assert counts(target, "NV100")["staff"] == 0


def test_code_collision_and_missing_unit_are_refused(source, target, tmp_path):
    bag = export_dossier(source, SYSTEM, "NV100", tmp_path / "bag").path
    import_package(target, SYSTEM, bag)
    with pytest.raises(Conflict, match="NV100"):
        import_package(target, SYSTEM, bag)
    with pytest.raises(NotFound, match="KHONGCO"):
        import_package(target, SYSTEM, bag, unit_code="KHONGCO")


def test_import_defaults_to_the_unit_of_the_same_code_else_refuses(source, tmp_path):
    bag = export_dossier(source, SYSTEM, "NV100", tmp_path / "bag").path
    other = fresh_instance(tmp_path / "c")  # no SNV here
    try:
        with pytest.raises(NotFound, match="SNV"):
            import_package(other, SYSTEM, bag)
        assert import_package(other, SYSTEM, bag, unit_code="TINH").unit_code == "TINH"
    finally:
        other.close()


def test_scope_on_both_sides(source, target, tmp_path):
    outsider = Actor(name="hr_syt", grants=(Grant(Role.HR_OFFICER, "SYT"),), clearance=2)
    archivist = Actor(name="vt_snv", grants=(Grant(Role.ARCHIVIST, "SNV"),), clearance=2)
    auditor = Actor(name="kt_snv", grants=(Grant(Role.AUDITOR, "SNV"),), clearance=2)
    low = Actor(name="hr_low", grants=(Grant(Role.HR_OFFICER, "SNV"),), clearance=0)
    officer = Actor(name="hr_snv", grants=(Grant(Role.HR_OFFICER, "SNV"),), clearance=2)
    with pytest.raises(NotFound):
        export_dossier(source, outsider, "NV100", tmp_path / "x1")
    with pytest.raises(NotFound):  # restriction level 1 above clearance 0: not even visible
        export_dossier(source, low, "NV100", tmp_path / "x2")
    for who in (archivist, auditor):
        with pytest.raises(Forbidden):
            export_dossier(source, who, "NV100", tmp_path / f"x-{who.name}")
    bag = export_dossier(source, officer, "NV100", tmp_path / "bag").path
    with source.uow() as uow:
        e = uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "dossier.export"))
        assert (e.actor, e.target_id) == ("hr_snv", "NV100")

    with pytest.raises(Forbidden):  # import is for admins only
        import_package(target, officer, bag)
    district_admin = Actor(name="ad_syt", grants=(Grant(Role.ADMIN, "SYT"),), clearance=2)
    with pytest.raises(NotFound):  # SNV is outside the SYT admin's scope
        import_package(target, district_admin, bag)
    low_admin = Actor(name="ad_low", grants=(Grant(Role.ADMIN, "TINH"),), clearance=0)
    with pytest.raises(Forbidden):
        import_package(target, low_admin, bag)
    admin = Actor(name="ad_tinh", grants=(Grant(Role.ADMIN, "TINH"),), clearance=2)
    import_package(target, admin, bag)
    with target.uow() as uow:
        e = uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "dossier.import"))
        assert e.actor == "ad_tinh" and e.details["source"] == "Ủy ban nhân dân tỉnh"
        assert len(e.details["audit_entries_sha256"]) == 64
        assert target.derivatives.exists(e.details["audit_entries_sha256"])
    assert counts(target, "NV100")["staff"] == 1


def test_cli_export_and_import_exit_codes_and_messages(source, target, tmp_path, monkeypatch):
    from archive.cli import app

    runner = CliRunner()
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(source.settings.data_dir))
    monkeypatch.setenv("ARCHIVE_ARCHIVAL_COPIES", "false")
    r = runner.invoke(app, ["dossier", "export", "NV100", "--out", str(tmp_path / "cli.zip"), "--zip"])
    assert r.exit_code == 0, r.output
    assert "Đã xuất gói hồ sơ NV100" in r.output
    r = runner.invoke(app, ["dossier", "export", "NV999", "--out", str(tmp_path / "none")])
    assert r.exit_code == 1 and "Không tìm thấy hồ sơ" in r.output

    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(target.settings.data_dir))
    r = runner.invoke(app, ["dossier", "import", str(tmp_path / "cli.zip"), "--unit", "KHONGCO"])
    assert r.exit_code == 1 and "KHONGCO" in r.output
    r = runner.invoke(app, ["dossier", "import", str(tmp_path / "cli.zip")])
    assert r.exit_code == 0, r.output
    assert "Đã nhập hồ sơ NV100 (2 tài liệu) vào đơn vị SNV" in r.output
    r = runner.invoke(app, ["dossier", "import", str(tmp_path / "cli.zip")])
    assert r.exit_code == 1 and "NV100 đã có" in r.output

    bag = export_dossier(source, SYSTEM, "NV100", tmp_path / "dir").path
    altered = _altered(bag, tmp_path, "data/archival/001.pdf")
    other = fresh_instance(tmp_path / "d", units=(("SNV", "Sở Nội vụ", "TINH"),))
    other.close()
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(other.settings.data_dir))
    r = runner.invoke(app, ["dossier", "import", str(altered)])
    assert r.exit_code == 1
    assert "Lỗi: Gói hồ sơ không hợp lệ: tệp data/archival/001.pdf không khớp mã kiểm tra sha256" in r.output
    assert "Traceback" not in r.output


def test_api_download_and_admin_import(source, target, tmp_path):
    make_user(source, "cb_snv", "hr_officer", "SNV", clearance=2)
    make_user(source, "vt_snv", "archivist", "SNV", clearance=2)
    officer = logged_in(create_app(container=source), "cb_snv")
    r = officer.get("/api/v1/staff/NV100/package")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip" and "ho-so-NV100.zip" in r.headers["content-disposition"]
    package = r.content
    archivist = logged_in(create_app(container=source), "vt_snv")
    assert archivist.get("/api/v1/staff/NV100/package").status_code == 403
    assert officer.get("/api/v1/staff/NV999/package").status_code == 404
    assert not list(source.settings.tmp_dir.glob("package-*"))  # temporary zips are removed

    make_user(target, "ad_b", "admin", "TINH", clearance=2)
    make_user(target, "cb_b", "hr_officer", "TINH", clearance=2)
    files = {"file": ("ho-so-NV100.zip", package, "application/zip")}
    r = logged_in(create_app(container=target), "cb_b").post("/api/v1/dossier-packages", files=files)
    assert r.status_code == 403
    admin = logged_in(create_app(container=target), "ad_b")
    broken = bytearray(package)
    broken[len(broken) // 3] ^= 0xFF
    r = admin.post("/api/v1/dossier-packages", files={"file": ("x.zip", bytes(broken), "application/zip")})
    assert r.status_code == 422 and "Gói hồ sơ" in r.json()["detail"]
    assert counts(target, "NV100")["staff"] == 0
    r = admin.post("/api/v1/dossier-packages", files=files, data={"unit_code": "SYT"})
    assert r.status_code == 201, r.text
    assert r.json()["unit_code"] == "SYT" and r.json()["documents"] == 2
    r = admin.post("/api/v1/dossier-packages", files=files)
    assert r.status_code == 409 and "NV100" in r.json()["detail"]


def test_web_export_button_download_and_admin_import_form(source, target):
    from tests.support.accounts import csrf_of, web_logged_in

    make_user(source, "cb_snv", "hr_officer", "SNV", clearance=2)
    make_user(source, "vt_snv", "archivist", "SNV", clearance=2)
    officer = web_logged_in(create_app(container=source), "cb_snv")
    page = officer.get("/ho-so/NV100")
    assert page.status_code == 200 and "Xuất gói hồ sơ (BagIt)" in page.text
    archivist = web_logged_in(create_app(container=source), "vt_snv")
    assert "Xuất gói hồ sơ (BagIt)" not in archivist.get("/ho-so/NV100").text
    assert archivist.get("/ho-so/NV100/goi-bagit").status_code == 403
    r = officer.get("/ho-so/NV100/goi-bagit")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    package = r.content

    make_user(target, "ad_b", "admin", "TINH", clearance=2)
    make_user(target, "cb_b", "hr_officer", "TINH", clearance=2)
    assert web_logged_in(create_app(container=target), "cb_b").get("/quan-tri/nhap-goi-ho-so").status_code == 403
    admin = web_logged_in(create_app(container=target), "ad_b")
    form = admin.get("/quan-tri/nhap-goi-ho-so")
    assert form.status_code == 200 and "Nhập gói hồ sơ (BagIt)" in form.text
    csrf = csrf_of(form.text)
    r = admin.post("/quan-tri/nhap-goi-ho-so", data={"csrf": csrf},
                   files={"file": ("x.zip", b"khong phai zip", "application/zip")})
    assert r.status_code == 422 and "không phải là gói hồ sơ dạng zip" in r.text
    assert counts(target, "NV100")["staff"] == 0
    r = admin.post("/quan-tri/nhap-goi-ho-so", data={"csrf": csrf, "unit_code": ""},
                   files={"file": ("ho-so-NV100.zip", package, "application/zip")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ho-so/NV100"
    assert "Đã nhập hồ sơ NV100" in admin.get("/ho-so/NV100").text


def _rebag(bag: Path) -> None:
    """Recompute the manifests and Payload-Oxum after a test edited the payload (a forged but valid bag)."""
    import hashlib

    files = sorted(p for p in (bag / "data").rglob("*") if p.is_file())
    (bag / "manifest-sha256.txt").write_text("".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(bag).as_posix()}\n" for p in files))
    info = [line for line in (bag / "bag-info.txt").read_text().splitlines() if not line.startswith("Payload-Oxum")]
    info.append(f"Payload-Oxum: {sum(p.stat().st_size for p in files)}.{len(files)}")
    (bag / "bag-info.txt").write_text("\n".join(info) + "\n")
    tags = [p for p in bag.rglob("*") if p.is_file() and not p.is_relative_to(bag / "data")
            and not p.name.startswith("tagmanifest-")]
    (bag / "tagmanifest-sha256.txt").write_text("".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(bag).as_posix()}\n" for p in sorted(tags)))


def test_a_valid_bag_whose_record_breaks_the_schema_or_the_manifest_is_refused(source, target, tmp_path):
    bag = export_dossier(source, SYSTEM, "NV100", tmp_path / "bag").path
    record = json.loads((bag / "data/record.json").read_text())
    record["staff"]["restriction_level"] = 7
    (bag / "data/record.json").write_text(json.dumps(record))
    _rebag(bag)
    bagit.Bag(str(bag)).validate()  # the bag itself is valid: the schema check refuses it
    with pytest.raises(PackageRefused, match="record.json của gói hồ sơ không đúng lược đồ"):
        import_package(target, SYSTEM, bag)
    record["staff"]["restriction_level"] = 1
    record["documents"][1]["original"]["sha256"] = record["documents"][0]["original"]["sha256"][::-1]
    (bag / "data/record.json").write_text(json.dumps(record))
    _rebag(bag)
    with pytest.raises(PackageRefused, match="mã SHA-256 khác với mã ghi trong record.json"):
        import_package(target, SYSTEM, bag)
    assert counts(target, "NV100") == {"staff": 0, "documents": 0, "pages": 0, "jobs": 0}


def test_a_document_still_waiting_for_its_text_is_extracted_after_import(source, target, tmp_path):
    import io

    from archive.services.documents import ingest_upload
    from tests.support.documents import born_digital_pdf

    ingest_upload(source, SYSTEM, staff_code="NV100", stream=io.BytesIO(born_digital_pdf(["Bằng tốt nghiệp đại học"])),
                  file_name="Bằng đại học.pdf")  # not drained: still queued at the source
    bag = export_dossier(source, SYSTEM, "NV100", tmp_path / "bag").path
    record = DossierRecord.model_validate_json((bag / "data/record.json").read_bytes())
    assert [d.text_state for d in record.documents] == ["extracted", "extracted", "pending"]
    import_package(target, SYSTEM, bag)
    assert [kind for _id, kind in target.queue.sent] == ["extract"]
    target.queue.drain()
    with target.uow() as uow:
        third = uow.session.scalar(select(Document).where(Document.file_name == "Bằng đại học.pdf"))
        assert third.state == "indexed" and "tốt nghiệp" in third.pages[0].text


def test_merged_and_split_documents_travel_with_their_page_list(source, target, tmp_path):
    """Page references (issue 11): a package carries each page's source, the split part's number and the
    merged-away document's withdrawal, so the imported dossier reads and finds the same pages."""
    import io

    from archive.services import page_references
    from archive.services.documents import ingest_upload, page_image
    from tests.support.paged_documents import distinct_pages_pdf

    three = ingest_upload(source, SYSTEM, staff_code="NV100", file_name="ba-trang.pdf", document_type="khac",
                          stream=io.BytesIO(distinct_pages_pdf([["Trang một khen thưởng"], ["Trang hai kỷ luật"],
                                                                ["Trang ba đào tạo bồi dưỡng"]]))).document
    source.queue.drain()
    with source.uow() as uow:
        first, second = uow.session.scalars(select(Document.id).where(Document.id != three.id)
                                            .order_by(Document.id)).all()
    page_references.merge(source, SYSTEM, [first, second])
    _, part = page_references.split(source, SYSTEM, three.id, 3)
    source.queue.drain()

    bag = export_dossier(source, SYSTEM, "NV100", tmp_path / "bag").path
    record = DossierRecord.model_validate_json((bag / "data/record.json").read_bytes())
    by_number = {d.number: d for d in record.documents}
    assert [p.from_document for p in by_number[1].pages] == [None, 2]  # page 2 of 1 is read from document 2
    assert by_number[2].withdrawn_at is not None and by_number[4].part == 1
    import_package(target, SYSTEM, bag)
    target.queue.drain()

    with source.uow() as ua, target.uow() as ub:
        def shape(s):
            docs = s.scalars(select(Document).order_by(Document.id)).all()
            ids = {d.id: n for n, d in enumerate(docs)}
            return [(d.sha256, d.part, d.withdrawn_at is not None,
                     [(p.number, p.text, ids.get(p.source_document_id), p.source_page) for p in d.pages]) for d in docs]
        assert shape(ua.session) == shape(ub.session)
        new_first = ub.session.scalars(select(Document.id).order_by(Document.id)).first()
        old_first = ua.session.scalars(select(Document.id).order_by(Document.id)).first()
    assert page_image(target, SYSTEM, new_first, 2, width=160) == page_image(source, SYSTEM, old_first, 2, width=160)
    found = search.search_pages(target, SYSTEM, "đào tạo bồi dưỡng", audited=False)
    assert [(h.page) for h in found.hits] == [1]  # the split part's one page, found once
