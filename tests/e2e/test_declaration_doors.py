"""Declarations through the API (tokens of the three signers) and the CLI (as the operator runs it):
declare with a PKCS#12, verify by "download, sign elsewhere, upload", approve, then the signed export
validates offline against the test root; an upload signed by an unknown certificate is refused (422,
Vietnamese); bad input exits non-zero with one Vietnamese line and changes nothing."""

from __future__ import annotations

from archive.services import declarations, signing
from archive.services.access import SYSTEM
from archive.services.staff import get_staff
from tests.support.accounts import logged_in
from tests.support.declarations import tp_hcm_office
from tests.support.processes import cli, cli_json, service_env
from tests.support.test_pki import PASSWORD


def _app(container):
    from archive.app import create_app

    return create_app(container=container)


def test_the_api_runs_the_three_signatures_and_refuses_a_stranger(container) -> None:
    o = tp_hcm_office(container)
    app = _app(container)
    an, binh, cuong = logged_in(app, "nvan"), logged_in(app, "binh"), logged_in(app, "cuong")
    r = an.post("/api/v1/declarations", json={"kind": "initial"})
    assert r.status_code == 201, r.text
    did = r.json()["id"]
    assert an.put(f"/api/v1/declarations/{did}", json={"values": {"salary_step": 9}}).status_code == 422
    r = an.put(f"/api/v1/declarations/{did}", json={"values": {"hometown": "Cần Thơ"}})
    assert r.status_code == 200 and [f["key"] for f in r.json()["fields"] if f["changed"]] == ["hometown"]
    r = an.post(f"/api/v1/declarations/{did}/evidence",
                files={"file": ("giay-khai-sinh.pdf", b"%PDF-1.4 ban sao", "application/pdf")})
    assert r.status_code == 201 and r.json()["evidence"][0]["filename"] == "giay-khai-sinh.pdf"
    wrong = an.post(f"/api/v1/declarations/{did}/sign", data={"password": "sai"},
                    files={"p12": ("an.p12", o.pki.person.p12, "application/x-pkcs12")})
    assert wrong.status_code == 422 and "mật khẩu" in wrong.json()["detail"]
    r = an.post(f"/api/v1/declarations/{did}/sign", data={"password": PASSWORD},
                files={"p12": ("an.p12", o.pki.person.p12, "application/x-pkcs12")})
    assert r.status_code == 200 and r.json()["state"] == "declared", r.text
    # the HR head signs with a USB token elsewhere: download, sign, upload
    assert binh.post(f"/api/v1/declarations/{did}/signed",
                     files={"file": ("x.pdf", b"%PDF", PDF)}).status_code == 409  # nothing issued yet
    issued = binh.get(f"/api/v1/declarations/{did}/pdf", params={"to_sign": "true"})
    assert issued.status_code == 200 and issued.headers["content-type"] == PDF
    foreign = signing.sign(issued.content, o.pki.stranger.p12, PASSWORD, field_name="XacThuc", reason="x")
    refused = binh.post(f"/api/v1/declarations/{did}/signed", files={"file": ("x.pdf", foreign, PDF)})
    assert refused.status_code == 422 and "tin cậy" in refused.json()["detail"]
    assert binh.get(f"/api/v1/declarations/{did}").json()["state"] == "declared"
    signed = signing.sign(issued.content, o.pki.hr_head.p12, PASSWORD, field_name="XacThuc", reason="Xác thực")
    r = binh.post(f"/api/v1/declarations/{did}/signed", files={"file": ("x.pdf", signed, PDF)})
    assert r.status_code == 200 and r.json()["state"] == "verified", r.text
    assert get_staff(container, SYSTEM, "NV001").profile["hometown"] == "Hà Nội"
    assert cuong.post(f"/api/v1/declarations/{did}/send-back", json={"reason": ""}).status_code == 422
    r = cuong.post(f"/api/v1/declarations/{did}/sign", data={"password": PASSWORD},
                   files={"p12": ("c.p12", o.pki.unit_head.p12, "application/x-pkcs12")})
    assert r.status_code == 200 and r.json()["state"] == "applied"
    assert get_staff(container, SYSTEM, "NV001").profile["hometown"] == "Cần Thơ"
    export = an.get("/api/v1/staff/NV001/export-signed")
    assert export.status_code == 200
    checks = signing.validate(export.content, signing.load_certificates(o.pki.root_pem))
    assert [c.ok for c in checks] == [True, True, True]
    assert logged_in(app, "snv").get("/api/v1/staff/CB001/export-signed").status_code == 404


PDF = "application/pdf"


def test_the_cli_verifies_approves_and_exports_a_signed_record_that_validates_offline(tmp_path) -> None:
    data = tmp_path / "data"
    env = service_env(data, profile="tp-hcm")
    assert cli(env, "init").returncode == 0
    from archive.bootstrap import build
    from archive.settings import Settings

    c = build(Settings(data_dir=data, profile="tp-hcm"))
    try:
        o = tp_hcm_office(c)
        d = declarations.open_declaration(c, o.an)
        declarations.save_draft(c, o.an, d.id, {"informatics": "Chứng chỉ ứng dụng CNTT cơ bản"})
        declarations.sign(c, o.an, d.id, p12=o.pki.person.p12, password=PASSWORD)
    finally:
        c.close()
    (tmp_path / "binh.p12").write_bytes(o.pki.hr_head.p12)
    (tmp_path / "cuong.p12").write_bytes(o.pki.unit_head.p12)
    env["SIGN_PASSWORD"] = PASSWORD
    listed = cli_json(env, "declaration", "list")
    assert [(v["id"], v["state"]) for v in listed] == [(d.id, "declared")]
    assert listed[0]["deadlines"][1]["step"] == "verify"
    r = cli(env, "declaration", "approve", str(d.id), "--user", "cuong", "--p12", str(tmp_path / "cuong.p12"),
            "--password-env", "SIGN_PASSWORD")
    assert r.returncode == 1 and "Đã kê khai" in r.stderr and "Traceback" not in r.stderr
    r = cli(env, "declaration", "verify", str(d.id), "--user", "cuong", "--p12", str(tmp_path / "cuong.p12"),
            "--password-env", "SIGN_PASSWORD")
    assert r.returncode != 0 and "quyền" in r.stderr  # the unit head does not verify
    r = cli(env, "declaration", "send-back", str(d.id), "--user", "binh", "--reason", "Thiếu bản sao chứng chỉ")
    assert r.returncode == 0 and "Bị trả lại" in r.stdout, r.stderr
    c = build(Settings(data_dir=data, profile="tp-hcm"))
    try:  # the person signs again (in the web, in practice)
        assert declarations.get_declaration(c, o.an, d.id).sent_back_reason == "Thiếu bản sao chứng chỉ"
        declarations.sign(c, o.an, d.id, p12=o.pki.person.p12, password=PASSWORD)
    finally:
        c.close()
    r = cli(env, "declaration", "verify", str(d.id), "--user", "binh", "--p12", str(tmp_path / "binh.p12"),
            "--password-env", "SIGN_PASSWORD")
    assert r.returncode == 0, r.stderr
    r = cli(env, "staff", "export", "NV001", "--signed", "--out", str(tmp_path / "x.pdf"))
    assert r.returncode == 1 and "chưa có bản kê khai" in r.stderr and not (tmp_path / "x.pdf").exists()
    r = cli(env, "declaration", "approve", str(d.id), "--user", "cuong", "--p12", str(tmp_path / "cuong.p12"),
            "--password-env", "SIGN_PASSWORD")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "so-yeu-ly-lich.pdf"
    r = cli(env, "staff", "export", "NV001", "--signed", "--out", str(out))
    assert r.returncode == 0 and "3 chữ ký số hợp lệ" in r.stdout, r.stderr
    # offline validation with nothing but pyHanko and the test root
    checks = signing.validate(out.read_bytes(), signing.load_certificates(o.pki.root_pem))
    assert [ch.ok for ch in checks] == [True, True, True]
    certs = cli_json(env, "cert", "list")
    assert {c_["kind"] for c_ in certs} == {"ca", "user"} and len(certs) == 5
    r = cli(env, "cert", "add-ca", str(tmp_path / "binh.p12"))
    assert r.returncode == 1 and "không đọc được" in r.stderr
