"""Sampling audits and the log through every door: the CLI as the operator runs it, the API with a token,
the web pages in-process — open, check, close, biên bản; the log export and the alerts; bad input refused
in Vietnamese with nothing left behind."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook
from pypdf import PdfReader

from archive.services.access import SYSTEM
from archive.services.staff import add_staff
from archive.services.units import add_unit
from tests.support.accounts import csrf_of, logged_in, make_user, web_logged_in
from tests.support.processes import cli, cli_json, service_env

CHECK = ("--pages-match", "yes", "--fields-match", "yes", "--findings-reviewed", "na", "--components-complete", "yes")


def test_the_cli_opens_checks_closes_and_writes_the_biên_bản(tmp_path) -> None:
    env = service_env(tmp_path / "data")
    assert cli(env, "init").returncode == 0
    for args in (("unit", "add", "A", "--name", "Sở Giáo dục", "--parent", "TINH"),
                 ("unit", "add", "A1", "--name", "Trường Chu Văn An", "--parent", "A"),
                 *[("staff", "add", "--code", f"NV{n}", "--name", f"Nguyễn Văn {n}", "--unit", "A" if n < 6 else "A1")
                   for n in range(8)]):
        r = cli(env, *args)
        assert r.returncode == 0, (args, r.stderr)
    bad = cli(env, "campaign", "open", "--unit", "A", "--percent", "0")
    assert bad.returncode == 1 and "Tỷ lệ chọn mẫu" in bad.stderr and "Traceback" not in bad.stderr
    assert cli_json(env, "campaign", "list") == []
    opened = cli_json(env, "campaign", "open", "--unit", "A", "--size", "3", "--seed", "2026")
    again = cli_json(env, "campaign", "open", "--unit", "A", "--size", "3", "--seed", "2026")
    codes = [i["staff_code"] for i in opened["items"]]
    assert codes == [i["staff_code"] for i in again["items"]] and len(codes) == 3
    assert set(opened["allocation"]) == {"A", "A1"}
    cid = opened["id"]
    wrong = cli(env, "campaign", "check", str(cid), codes[0], *CHECK[:-1], "maybe", "--outcome", "dat")
    assert wrong.returncode == 1 and "có, không hoặc không áp dụng" in wrong.stderr
    early = cli(env, "campaign", "close", str(cid))
    assert early.returncode == 1 and "chưa kiểm tra" in early.stderr
    for n, code in enumerate(codes):
        outcome = ("--outcome", "khong_dat", "--notes", "Thiếu phiếu bổ sung lý lịch") if n == 0 else ("--outcome", "dat")
        r = cli(env, "campaign", "check", str(cid), code, *CHECK, *outcome)
        assert r.returncode == 0, r.stderr
    assert cli(env, "campaign", "close", str(cid)).returncode == 0
    shown = cli_json(env, "campaign", "show", str(cid))
    assert shown["state"] == "closed" and shown["rates"]["passed"] == 2 and shown["rates"]["failed"] == 1
    pdf, xlsx = tmp_path / "bb.pdf", tmp_path / "bb.xlsx"
    assert cli(env, "campaign", "report", str(cid), "--format", "pdf", "--out", str(pdf)).returncode == 0
    assert cli(env, "campaign", "report", str(cid), "--format", "xlsx", "--out", str(xlsx)).returncode == 0
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert "BIÊN BẢN KIỂM TRA HỒ SƠ" in text and "Thiếu phiếu bổ sung lý lịch" in text
    assert [r[0] for r in load_workbook(xlsx)["Hồ sơ"].iter_rows(min_row=2, values_only=True)] == \
        [i["staff_code"] for i in shown["items"]]

    out = tmp_path / "log.csv"
    r = cli(env, "audit", "export", "--out", str(out))
    assert r.returncode == 0, r.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert any(row[4] == "campaign.close" and "đã kết thúc đợt kiểm tra số" in row[7] for row in rows[1:])
    bad_day = cli(env, "audit", "export", "--from", "01/12/2026", "--out", str(out))
    assert bad_day.returncode == 1 and "YYYY-MM-DD" in bad_day.stderr
    alerts = cli(env, "audit", "alerts", "--json")
    assert alerts.returncode == 0 and isinstance(json.loads(alerts.stdout), list)


def _office(container):
    c = container
    add_unit(c, SYSTEM, code="A", name="Sở Giáo dục", parent_code="TINH")
    add_unit(c, SYSTEM, code="B", name="Sở Y tế", parent_code="TINH")
    for n in range(4):
        add_staff(c, SYSTEM, code=f"A{n}", full_name=f"Nguyễn Văn {n}", unit_code="A")
    add_staff(c, SYSTEM, code="B0", full_name="Lê Thị Bình", unit_code="B")
    make_user(c, "kiemtra.a", "auditor", "A")
    make_user(c, "tccb.a", "hr_officer", "A")
    from archive.app import create_app

    return create_app(container=c)


def test_the_api_runs_a_campaign_in_scope_and_refuses_bad_input(container) -> None:
    app = _office(container)
    api = logged_in(app, "kiemtra.a")
    assert api.post("/api/v1/campaigns", json={"unit": "B", "size": 1}).status_code == 404
    r = api.post("/api/v1/campaigns", json={"unit": "A", "size": 0})
    assert r.status_code == 422
    assert api.get("/api/v1/campaigns").json() == []
    assert logged_in(app, "tccb.a").post("/api/v1/campaigns", json={"unit": "A", "size": 1}).status_code == 403
    opened = api.post("/api/v1/campaigns", json={"unit": "A", "size": 2, "seed": "s"})
    assert opened.status_code == 201, opened.text
    cid, items = opened.json()["id"], opened.json()["items"]
    body = {"pages_match": "yes", "fields_match": "no", "findings_reviewed": "na", "components_complete": "yes",
            "outcome": "dat"}
    refused = api.put(f"/api/v1/campaigns/{cid}/items/{items[0]['staff_code']}", json=body)
    assert refused.status_code == 422 and "không thể là «đạt»" in refused.json()["detail"]
    for i in items:
        r = api.put(f"/api/v1/campaigns/{cid}/items/{i['staff_code']}", json={**body, "outcome": "khong_dat",
                                                                             "notes": "Lệch ngày sinh"})
        assert r.status_code == 200 and r.json()["discrepancy"] is True
    assert api.post(f"/api/v1/campaigns/{cid}/close").json()["rates"]["failed"] == 2
    pdf = api.get(f"/api/v1/campaigns/{cid}/report", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    xlsx = api.get(f"/api/v1/campaigns/{cid}/report", params={"format": "xlsx"})
    wrong = list(load_workbook(io.BytesIO(xlsx.content))["Sai lệch"].iter_rows(min_row=2, values_only=True))
    assert [w[0] for w in wrong] == [i["staff_code"] for i in items]
    csv_body = api.get("/api/v1/audit/export.csv", params={"action": "campaign.check"})
    assert csv_body.status_code == 200 and csv_body.content.startswith(b"\xef\xbb\xbf")
    assert csv_body.text.count("campaign.check") == 2
    assert api.get("/api/v1/audit/alerts", params={"kind": "khac"}).status_code == 422
    assert isinstance(api.get("/api/v1/audit/alerts").json(), list)
    closed = api.get("/api/v1/audit", params={"action": "campaign.close"}).json()
    assert [e["text"] for e in closed] == [f"kiemtra.a đã kết thúc đợt kiểm tra số {cid} (0 đạt, 2 không đạt)."]


def test_the_web_pages_open_check_close_and_download(container) -> None:
    app = _office(container)
    web = web_logged_in(app, "kiemtra.a")
    page = web.get("/kiem-tra/dot")
    assert page.status_code == 200 and "Mở đợt kiểm tra" in page.text
    token = csrf_of(page.text)
    bad = web.post("/kiem-tra/dot", data={"csrf": token, "don_vi": "A", "so_ho_so": "ba"})
    assert bad.status_code == 422 and "role=\"alert\"" in bad.text
    r = web.post("/kiem-tra/dot", data={"csrf": token, "don_vi": "A", "so_ho_so": "2", "hat_giong": "x"},
                 follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    page = web.get(url).text
    assert "Đã mở đợt kiểm tra" in page and "Hồ sơ được chọn" in page
    cid = int(url.rsplit("/", 1)[1])
    codes = [i.staff_code for i in __import__("archive.services.campaigns", fromlist=["x"]).get_campaign(
        container, SYSTEM, cid).items]
    for code in codes:
        r = web.post(f"{url}/ho-so/{code}", data={"csrf": token, "pages_match": "yes", "fields_match": "yes",
                                                  "findings_reviewed": "yes", "components_complete": "yes",
                                                  "outcome": "dat", "notes": ""}, follow_redirects=False)
        assert r.status_code == 303, r.text
    assert web.post(f"{url}/ket-thuc", data={"csrf": token}, follow_redirects=False).status_code == 303
    done = web.get(url).text
    assert "Đã kết thúc" in done and "tỷ lệ đạt 100,0%" in done
    pdf = web.get(f"{url}/bien-ban.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    log = web.get("/kiem-tra").text
    assert "kiemtra.a đã kết thúc đợt kiểm tra số" in log and "{&#34;" not in log and '{"' not in log
    exported = web.get("/kiem-tra/nhat-ky.csv", params={"thao_tac": "campaign.report"})
    assert exported.status_code == 200 and exported.content.startswith(b"\xef\xbb\xbf")
    alerts = web.get("/kiem-tra/canh-bao")
    assert alerts.status_code == 200 and "Điều 8 khoản 2 điểm c" in alerts.text
    assert web.get("/kiem-tra/canh-bao", params={"tu_ngay": "31/02/2026"}).status_code == 422
    hr = web_logged_in(app, "tccb.a")
    assert hr.get("/kiem-tra/dot").status_code == 403
